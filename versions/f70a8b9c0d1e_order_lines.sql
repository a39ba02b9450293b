-- revision: f70a8b9c0d1e
-- down_revision: e69f7a8b9c0d
-- message: order lines
-- create_date: 2026-11-24T11:00:00Z

-- +upgrade
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);

-- +downgrade
DROP TABLE order_lines;
