-- Flyway 1.1: versions with dots
ALTER TABLE users ADD COLUMN email TEXT;
