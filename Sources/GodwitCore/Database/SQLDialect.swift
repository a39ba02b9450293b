/// The SQL differences between the databases Godwit drives, for the statements Godwit writes itself.
public enum SQLDialect: String, Sendable, Hashable {
    case sqlite
    case postgresql

    /// Quotes an identifier: `"name"` with inner quotes doubled.
    public func quote(_ identifier: String) -> String {
        guard identifier.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + identifier + "\"" }
        return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A string literal, or NULL.
    public func literal(_ value: String?) -> String {
        guard let value else { return "NULL" }
        guard value.utf8.contains(UInt8(ascii: "'")) else { return "'" + value + "'" }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// An integer literal, or NULL.
    public func literal(_ value: Int?) -> String {
        value.map(String.init) ?? "NULL"
    }

    /// The statement that opens a transaction that will write.
    public var beginWrite: String {
        self == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
    }

    /// The type of an auto-numbered integer column.
    public var bigint: String { self == .sqlite ? "INTEGER" : "BIGINT" }

    /// Statements that set the timeouts of what follows in the current transaction (PostgreSQL only).
    public func localTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String] {
        guard self == .postgresql else { return [] }
        var statements: [String] = []
        if let lock { statements.append("SET LOCAL lock_timeout = '\(lock.milliseconds)ms'") }
        if let statement { statements.append("SET LOCAL statement_timeout = '\(statement.milliseconds)ms'") }
        return statements
    }

    /// A statement that creates a schema when it is missing (PostgreSQL; nil on SQLite, which has
    /// none). It looks first, because `CREATE SCHEMA IF NOT EXISTS` needs the CREATE privilege on
    /// the database even when the schema exists.
    public func createSchemaIfMissing(_ schema: String) -> String? {
        guard self == .postgresql else { return nil }
        return "DO $godwit$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = \(literal(schema))) "
            + "THEN CREATE SCHEMA \(quote(schema)); END IF; END $godwit$"
    }

    /// Statements that set the session's timeouts (PostgreSQL only).
    public func sessionTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String] {
        guard self == .postgresql else { return [] }
        var statements: [String] = []
        if let lock { statements.append("SET lock_timeout = '\(lock.milliseconds)ms'") }
        if let statement { statements.append("SET statement_timeout = '\(statement.milliseconds)ms'") }
        return statements
    }
}
