-- revision: d58e6f7a8b9c
-- down_revision: 9b1c0d2e3f4a
-- message: order status
-- create_date: 2026-11-22T15:00:00Z

-- +upgrade
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed';

-- +downgrade
ALTER TABLE orders DROP COLUMN status;
