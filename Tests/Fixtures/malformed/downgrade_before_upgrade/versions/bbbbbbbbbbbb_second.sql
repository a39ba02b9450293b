-- revision: bbbbbbbbbbbb
-- down_revision: aaaaaaaaaaaa
-- message: second

-- +downgrade
DROP TABLE x;

-- +upgrade
CREATE TABLE x (id INTEGER);
