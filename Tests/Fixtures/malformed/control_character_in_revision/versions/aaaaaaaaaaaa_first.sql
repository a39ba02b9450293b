-- revision: aaaaaaaaaaaa
-- down_revision: 
-- message: first

-- +upgrade
CREATE TABLE t_aaaaaaaaaaaa (id INTEGER PRIMARY KEY);

-- +downgrade
DROP TABLE t_aaaaaaaaaaaa;
