-- revision: 3f2a9c1b7d4e
-- down_revision:
-- message: create users
-- create_date: 2026-11-20T09:00:00Z

-- +upgrade
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +downgrade
DROP TABLE users;
