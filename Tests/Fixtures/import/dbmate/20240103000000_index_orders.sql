-- migrate:up transaction:false
CREATE INDEX orders_user ON orders (user_id);

-- migrate:down
DROP INDEX orders_user;
