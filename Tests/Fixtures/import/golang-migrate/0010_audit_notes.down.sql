DROP TABLE audit_notes;
