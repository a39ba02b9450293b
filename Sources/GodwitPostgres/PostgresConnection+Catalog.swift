import CLibPQ
import Foundation
import GodwitCore

/// What Godwit asks of the catalog besides the schema model (`PostgresConnection+Schema`): whether
/// its tables exist, with the privileges to read them, and wiping a scratch database.
extension PostgresConnection {
    /// True when a table (plain or partitioned) of that exact name is in the connection's schema
    /// (`session.schema`: the options' schema, else `current_schema()` at connect). A schema the role may not use is left out of
    /// `current_schema()` and would look empty: that, and a table the role may not read, is an error.
    /// Inside a transaction the answer is kept until the next `execute` or non-SELECT `query`.
    /// - Throws: `DatabaseError` (SQLSTATE 42501) naming the role, the schema or table and the
    ///   missing privilege; `DatabaseError` when the query fails.
    public func tableExists(_ name: String) throws -> Bool {
        // Outside a transaction another session's change shows at once, so nothing is kept.
        guard let handle, PQtransactionStatus(handle) == PQTRANS_INTRANS else { return try readTableExists(name) }
        if let known = knownTables[name] { return known }
        let exists = try readTableExists(name)
        knownTables[name] = exists
        return exists
    }

    /// `tableExists` without the cache: one query of the catalog and the privileges.
    func readTableExists(_ name: String) throws -> Bool {
        let schema = dialect.literal(session.schema ?? "public")
        let rows = try query(
            """
            SELECT n.nspname, current_user, pg_catalog.has_schema_privilege(n.oid, 'USAGE'), c.oid IS NOT NULL,
                   c.oid IS NULL OR pg_catalog.has_table_privilege(c.oid, 'SELECT')
            FROM pg_catalog.pg_namespace n
            LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = \(dialect.literal(name)) AND c.relkind IN ('r', 'p')
            WHERE n.nspname = \(schema)
            """)
        guard let row = rows.first else { return false }
        let schemaName = row[0] ?? "?"
        let role = row[1] ?? "?"
        if row[2] != "t" {
            throw DatabaseError(
                .statement,
                "role '\(role)' lacks the USAGE privilege on schema '\(schemaName)', so Godwit cannot see its tables or state; "
                    + "grant it: GRANT USAGE ON SCHEMA \(dialect.quote(schemaName)) TO \(dialect.quote(role))",
                sqlstate: "42501")
        }
        if row[4] != "t" {
            throw DatabaseError(
                .statement,
                "role '\(role)' lacks the SELECT privilege on table '\(schemaName).\(name)', so Godwit cannot read it; "
                    + "grant it: GRANT SELECT ON \(dialect.quote(schemaName)).\(dialect.quote(name)) TO \(dialect.quote(role)) (a role that migrates needs INSERT, UPDATE and DELETE too)",
                sqlstate: "42501")
        }
        return row[3] == "t"
    }

    /// Drops every schema the user owns (or is a member of the owner of) and creates
    /// `workingSchema` (nil: `public`) again as the session's empty working schema.
    /// - Throws: `DatabaseError`.
    public func wipe(workingSchema: String?) throws {
        let name = workingSchema ?? "public"
        let owned = try query(
            """
            SELECT nspname FROM pg_catalog.pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_temp\\_%' ESCAPE '\\'
              AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' ESCAPE '\\' AND pg_catalog.pg_has_role(nspowner, 'MEMBER')
            ORDER BY nspname
            """
        ).compactMap { $0[0] }
        var script = owned.map { "DROP SCHEMA \(dialect.quote($0)) CASCADE;" }
        script.append("CREATE SCHEMA IF NOT EXISTS \(dialect.quote(name));")
        script.append("SET search_path TO \(dialect.quote(name));")
        try execute(script.joined(separator: "\n"))
    }
}
