-- message: the large orders view, redefined as a whole whenever this file changes

-- +upgrade
DROP VIEW IF EXISTS large_orders;
CREATE VIEW large_orders AS
    SELECT id, user_id, total_cents, status
    FROM orders
    WHERE total_cents >= {{ large_order_cents }};
