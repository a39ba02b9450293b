-- revision: head
-- down_revision: bbbbbbbbbbbb
-- message: third

-- +upgrade
SELECT 1;
