-- owner: ${owner}
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > ${threshold};
