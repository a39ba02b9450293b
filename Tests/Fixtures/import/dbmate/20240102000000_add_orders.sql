-- migrate:up
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));

-- migrate:down
DROP TABLE orders;
