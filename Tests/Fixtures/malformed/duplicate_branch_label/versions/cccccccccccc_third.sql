-- revision: cccccccccccc
-- down_revision: aaaaaaaaaaaa
-- message: third
-- branch_labels: billing

-- +upgrade
CREATE TABLE t_cccccccccccc (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE t_cccccccccccc;
