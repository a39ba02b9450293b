-- revision: e69f7a8b9c0d
-- down_revision: c47d5e6f7a8b, d58e6f7a8b9c
-- message: merge catalog and order status
-- create_date: 2026-11-23T08:00:00Z

-- +upgrade

-- +downgrade
