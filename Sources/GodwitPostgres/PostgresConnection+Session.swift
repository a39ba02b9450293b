import CLibPQ
import Foundation
import GodwitCore

/// Setting a new session up, in one round trip.
extension PostgresConnection {
    /// Sets the session up: string syntax, message level, timeouts, schema and search_path; in one
    /// round trip (one simple-query script, its last statement reading what the session needs to
    /// know), plus one to create a missing schema.
    func prepareSession() throws {
        let schema = options.schema.flatMap { $0.isEmpty ? nil : $0 }
        // Literals after it rely on standard_conforming_strings, so it comes first; but the server
        // lexes the whole script before it runs the SET, so the schema's literal is written as an
        // escape string (`E'…'`), which reads the same either way.
        var statements = ["SET standard_conforming_strings = on", "SET client_min_messages = notice"]
        statements += dialect.sessionTimeouts(lock: options.lockTimeout, statement: options.statementTimeout)
        // Naming a schema that does not exist yet is allowed; it is created below.
        if let schema { statements.append("SET search_path TO \(dialect.quote(schema))") }
        // CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database even when the
        // schema exists, so it only runs when the schema is missing.
        let exists = schema.map { "EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = \(Self.escapeLiteral($0)))" }
        statements.append("SELECT current_database(), current_schema(), \(exists ?? "true")")
        guard let row = try query(statements.joined(separator: ";\n")).first, row.count == 3 else {
            throw DatabaseError(.statement, "the server did not name the current database")
        }
        databaseName = row[0]
        if let schema, row[2] != "t", !options.isReadOnly { try execute("CREATE SCHEMA IF NOT EXISTS \(dialect.quote(schema))") }
        session = SessionSettings(
            schema: resolvedSchema(current: row[1]), setsSearchPath: schema != nil, lockTimeout: options.lockTimeout,
            statementTimeout: options.statementTimeout, isPooled: options.isPooled)
    }

    /// A string literal in escape-string syntax (`E'…'`), which the server reads the same whatever
    /// `standard_conforming_strings` is.
    static func escapeLiteral(_ value: String) -> String {
        "E'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The schema of Godwit's tables: the options' one, else, behind a pooler, `public` (the server
    /// session's search_path may be a neighbour's), else `current`, the first of the search_path
    /// that exists, as read at connect.
    func resolvedSchema(current: String?) -> String {
        if let schema = options.schema, !schema.isEmpty { return schema }
        if options.isPooled { return "public" }
        return current ?? "public"
    }
}
