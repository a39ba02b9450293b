-- revision: bbbbbbbbbbbb
-- down_revision: aaaaaaaaaaaa
-- message: second

-- +upgrade
CREATE TABLE t_bbbbbbbbbbbb (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE t_bbbbbbbbbbbb;
