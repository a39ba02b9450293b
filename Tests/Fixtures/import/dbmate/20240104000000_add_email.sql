-- migrate:up
ALTER TABLE users ADD COLUMN email TEXT;

-- migrate:down
