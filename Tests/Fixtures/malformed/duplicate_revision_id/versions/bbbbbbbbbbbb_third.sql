-- revision: bbbbbbbbbbbb
-- down_revision: aaaaaaaaaaaa
-- message: third

-- +upgrade
CREATE TABLE x (id INTEGER);

-- +downgrade
DROP TABLE x;
