-- +goose Up
-- +goose StatementBegin
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
CREATE VIEW order_counts AS SELECT user_id, count(*) AS n FROM orders GROUP BY user_id;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DROP VIEW order_counts;
DROP TABLE orders;
-- +goose StatementEnd
