import GodwitCore

/// PostgreSQL's SQL as the orchestration layer needs it: schemas, session and transaction
/// timeouts, read-only transactions, `sha256()` (PostgreSQL 11 and later), and a transactional
/// revision sent as one script whose error positions map back to the file's lines.
public struct PostgresDialect: DatabaseDialect {
    /// Creates the dialect.
    public init() {}

    /// `.postgresql`.
    public var id: SQLDialect { .postgresql }
    /// "PostgreSQL".
    public var displayName: String { "PostgreSQL" }
    /// `BIGINT`.
    public var integerType: String { "BIGINT" }
    /// `BEGIN READ ONLY`: a dry-run cannot write.
    public var beginReadOnly: String? { "BEGIN READ ONLY" }
    /// True: BEGIN, the revision and its state row go to the server as one script.
    public var sendsTransactionalRevisionAsOneScript: Bool { true }
    /// True.
    public var hasTimeouts: Bool { true }

    /// `SET lock_timeout` and `SET statement_timeout`, for those given.
    public func sessionTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String] {
        var statements: [String] = []
        if let lock { statements.append("SET lock_timeout = '\(lock.milliseconds)ms'") }
        if let statement { statements.append("SET statement_timeout = '\(statement.milliseconds)ms'") }
        return statements
    }

    /// `SET LOCAL lock_timeout` and `SET LOCAL statement_timeout`, for those given.
    public func localTimeouts(lock: TimeoutValue?, statement: TimeoutValue?) -> [String] {
        var statements: [String] = []
        if let lock { statements.append("SET LOCAL lock_timeout = '\(lock.milliseconds)ms'") }
        if let statement { statements.append("SET LOCAL statement_timeout = '\(statement.milliseconds)ms'") }
        return statements
    }

    /// A DO block that looks first, because `CREATE SCHEMA IF NOT EXISTS` needs the CREATE
    /// privilege on the database even when the schema exists.
    public func createSchemaIfMissing(_ schema: String) -> String? {
        "DO $godwit$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = \(literal(schema))) "
            + "THEN CREATE SCHEMA \(quote(schema)); END IF; END $godwit$"
    }

    /// `SET search_path TO "schema"`.
    public func useSchema(_ schema: String) -> String? {
        "SET search_path TO \(quote(schema))"
    }

    /// True: a read-only session only skips creating its schema at connect.
    public var canWriteThroughReadOnlyConnection: Bool { true }

    /// Only the session advisory lock: a lease needs its table.
    public func locksWithoutWriting(_ mode: LockMode) -> Bool {
        mode == .advisory
    }

    /// A session advisory lock, or a lease row in `<prefix>lock`.
    public func lockDescription(_ mode: LockMode, tablePrefix: String) -> String {
        switch mode {
        case .advisory: "PostgreSQL session advisory lock"
        case .table: "lease row in \(tablePrefix)lock"
        }
    }

    /// `encode(sha256(convert_to(text, 'UTF8')), 'hex')`.
    public func sha256Hex(ofText text: String) -> String? {
        "encode(sha256(convert_to(\(text), 'UTF8')), 'hex')"
    }

    /// Behind a pooler, `SET LOCAL` of the search_path (the session's schema) and the timeouts, so
    /// that nothing depends on the server session the pooler picked; elsewhere none: the session
    /// has them.
    public func transactionSettings(_ session: SessionSettings) -> [String] {
        guard session.isPooled else { return [] }
        var statements: [String] = []
        if let schema = session.schema { statements.append("SET LOCAL search_path TO \(quote(schema))") }
        return statements + localTimeouts(lock: session.lockTimeout, statement: session.statementTimeout)
    }

    /// `RESET SESSION AUTHORIZATION` and `RESET ROLE` (back to the role the session connected
    /// with), then, unless behind a pooler (whose transactions set their own), the search_path and
    /// timeouts and message level the session was given at connect, or their defaults (`RESET`).
    public func restoreSession(_ session: SessionSettings) -> [String] {
        var statements = ["RESET SESSION AUTHORIZATION", "RESET ROLE"]
        guard !session.isPooled else { return statements }
        if session.setsSearchPath, let schema = session.schema {
            statements.append("SET search_path TO \(quote(schema))")
        } else {
            statements.append("RESET search_path")
        }
        statements.append("SET client_min_messages = notice")
        statements += sessionTimeouts(lock: session.lockTimeout, statement: session.statementTimeout)
        if session.lockTimeout == nil { statements.append("RESET lock_timeout") }
        if session.statementTimeout == nil { statements.append("RESET statement_timeout") }
        return statements
    }

    /// How to run an offline script with psql.
    public var scriptPreamble: [String] { ["-- run with: psql -v ON_ERROR_STOP=1 -f THIS_FILE"] }
}
