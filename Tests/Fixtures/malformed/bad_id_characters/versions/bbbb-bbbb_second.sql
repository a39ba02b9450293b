-- revision: bbbb-bbbb
-- down_revision: aaaaaaaaaaaa
-- message: second

-- +upgrade
CREATE TABLE x (id INTEGER);

-- +downgrade
DROP TABLE x;
