/// What the orchestration layer asks of a database's SQL: supplied by its driver, so that the
/// layer above never asks "which database is this?". Defaults (in the extension) are those of a
/// database without schemas, timeouts or server-side hashing; a driver overrides what differs.
public protocol DatabaseDialect: Sendable {
    /// The SQL family: picks the linter's rules and the DDL of `SchemaDiff.ddl(_:)`.
    var id: SQLDialect { get }
    /// The database's name in messages: "PostgreSQL", "SQLite".
    var displayName: String { get }
    /// The type of an integer column of Godwit's tables (ids, durations, sequence numbers).
    var integerType: String { get }
    /// The statement that opens a transaction that will write.
    var beginWrite: String { get }
    /// The statement that opens a read-only transaction, or nil when reads need none.
    var beginReadOnly: String? { get }
    /// True when a transactional revision goes to the server as one script together with its
    /// state row (errors map back by the server's statement position).
    var sendsTransactionalRevisionAsOneScript: Bool { get }
    /// True when the dialect honours `lock_timeout`/`statement_timeout` (shown in plans).
    var hasTimeouts: Bool { get }
    /// Statements that set the session's timeouts; empty where the database has none.
    func sessionTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String]
    /// Statements that set the timeouts of the current transaction; empty where the database has none.
    func localTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String]
    /// A statement that creates `schema` when it is missing, or nil where the database has no schemas.
    func createSchemaIfMissing(_ schema: String) -> String?
    /// A statement that makes `schema` the session's working schema, or nil without schemas.
    func useSchema(_ schema: String) -> String?
    /// True when a connection opened read-only only skips creating things at connect while its
    /// transactions may still write (PostgreSQL); false where read-only is enforced (SQLite).
    var canWriteThroughReadOnlyConnection: Bool { get }
    /// True when the lock of `mode` can be taken without creating anything (a rehearsal's
    /// session then connects read-only and leaves nothing behind).
    func locksWithoutWriting(_ mode: LockMode) -> Bool
    /// How the migration lock of `mode` is held, for plans: "PostgreSQL session advisory lock".
    func lockDescription(_ mode: LockMode, tablePrefix: String) -> String
    /// An SQL expression of the lowercase hex SHA-256 of the text expression `text`, or nil when
    /// the database cannot hash (an offline script then leaves its audit record unsealed).
    func sha256Hex(ofText text: String) -> String?
    /// The first comment lines of an offline script: how to run it.
    var scriptPreamble: [String] { get }
    /// Statements that run right after `beginWrite`/`beginReadOnly` in every transaction Godwit
    /// opens: behind a pooler, the search_path and timeouts as `SET LOCAL`; empty elsewhere.
    func transactionSettings(_ session: SessionSettings) -> [String]
    /// Statements that re-establish `session` after a revision may have changed it (role,
    /// search_path, timeouts); valid inside and outside a transaction. Empty without sessions.
    func restoreSession(_ session: SessionSettings) -> [String]
    /// Statements with which an offline script takes the migration lock of `request` (the key an
    /// online run takes), stopping with an error after its timeout; empty where a script cannot.
    func scriptLock(_ request: LockRequest) -> [String]
    /// A statement that stops an offline script with `message` unless the revisions table
    /// (`table`, quoted) records exactly `applied`, each as applied; nil where a script cannot stop.
    func scriptStateCheck(table: String, applied: [String], message: String) -> String?
}

extension DatabaseDialect {
    /// Quotes an identifier.
    public func quote(_ identifier: String) -> String { id.quote(identifier) }
    /// A string literal, or NULL.
    public func literal(_ value: String?) -> String { id.literal(value) }
    /// An integer literal, or NULL.
    public func literal(_ value: Int?) -> String { id.literal(value) }
    /// A table name, qualified by `schema` where the database has schemas.
    public func qualified(_ table: String, schema: String?) -> String {
        guard let schema, useSchema(schema) != nil else { return quote(table) }
        return quote(schema) + "." + quote(table)
    }

    /// `BEGIN`.
    public var beginWrite: String { "BEGIN" }
    /// None: reads need no transaction.
    public var beginReadOnly: String? { nil }
    /// Statement by statement.
    public var sendsTransactionalRevisionAsOneScript: Bool { false }
    /// No timeouts.
    public var hasTimeouts: Bool { false }
    /// None.
    public func sessionTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String] { [] }
    /// None.
    public func localTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String] { [] }
    /// No schemas.
    public func createSchemaIfMissing(_ schema: String) -> String? { nil }
    /// No schemas.
    public func useSchema(_ schema: String) -> String? { nil }
    /// Read-only is enforced.
    public var canWriteThroughReadOnlyConnection: Bool { false }
    /// Every lock mode can.
    public func locksWithoutWriting(_ mode: LockMode) -> Bool { true }
    /// No hashing.
    public func sha256Hex(ofText text: String) -> String? { nil }
    /// No preamble.
    public var scriptPreamble: [String] { [] }
    /// None.
    public func transactionSettings(_ session: SessionSettings) -> [String] { [] }
    /// None.
    public func restoreSession(_ session: SessionSettings) -> [String] { [] }
    /// None.
    public func scriptLock(_ request: LockRequest) -> [String] { [] }
    /// None.
    public func scriptStateCheck(table: String, applied: [String], message: String) -> String? { nil }
}
