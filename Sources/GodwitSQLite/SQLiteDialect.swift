import GodwitCore

/// SQLite's SQL as the orchestration layer needs it: no schemas, no timeouts, no SHA-256; a
/// write transaction takes the write lock at once (`BEGIN IMMEDIATE`).
public struct SQLiteDialect: DatabaseDialect {
    /// Creates the dialect.
    public init() {}

    /// `.sqlite`.
    public var id: SQLDialect { .sqlite }
    /// "SQLite".
    public var displayName: String { "SQLite" }
    /// `INTEGER`, SQLite's row-id alias type.
    public var integerType: String { "INTEGER" }
    /// `BEGIN IMMEDIATE`: takes the write lock at once instead of failing on the first write.
    public var beginWrite: String { "BEGIN IMMEDIATE" }

    /// An exclusive flock on the database's sidecar file, whatever the mode.
    public func lockDescription(_ mode: LockMode, tablePrefix: String) -> String {
        "exclusive flock on the database's .godwit.lock file"
    }
}
