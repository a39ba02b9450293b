-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX orders_user ON orders (user_id);

-- +goose Down
DROP INDEX orders_user;
