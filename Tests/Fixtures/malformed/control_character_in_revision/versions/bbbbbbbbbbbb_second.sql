-- revision: bbbbbbbbbbbb
-- down_revision: aaaaaaaaaaaa
-- message: [31msecond

-- +upgrade
CREATE TABLE t_bbbbbbbbbbbb (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE t_bbbbbbbbbbbb;
