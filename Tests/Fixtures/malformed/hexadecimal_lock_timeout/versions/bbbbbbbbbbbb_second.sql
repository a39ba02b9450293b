-- revision: bbbbbbbbbbbb
-- down_revision: aaaaaaaaaaaa
-- message: second
-- lock_timeout: 0x10s

-- +upgrade
CREATE TABLE t_bbbbbbbbbbbb (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE t_bbbbbbbbbbbb;
