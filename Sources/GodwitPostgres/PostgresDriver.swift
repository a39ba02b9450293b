// The PostgreSQL driver (issue 3).
