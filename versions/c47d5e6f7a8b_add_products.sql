-- revision: c47d5e6f7a8b
-- down_revision: 9b1c0d2e3f4a
-- message: add products
-- create_date: 2026-11-22T14:00:00Z
-- branch_labels: catalog

-- +upgrade
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL
);

-- +downgrade
DROP TABLE products;
