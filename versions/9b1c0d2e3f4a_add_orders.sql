-- revision: 9b1c0d2e3f4a
-- down_revision: 3f2a9c1b7d4e
-- message: add orders
-- create_date: 2026-11-21T10:30:00Z

-- +upgrade
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    placed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX orders_user_id ON orders (user_id);

-- +downgrade
DROP INDEX orders_user_id;
DROP TABLE orders;
