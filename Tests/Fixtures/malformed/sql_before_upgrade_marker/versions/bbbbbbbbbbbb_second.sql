-- revision: bbbbbbbbbbbb
-- down_revision: aaaaaaaaaaaa
-- message: second
CREATE TABLE x (id INTEGER);

-- +upgrade
CREATE TABLE y (id INTEGER);
