/// How to open a connection.
public struct ConnectionOptions: Sendable {
    /// Open for reading only: nothing is created, not even Godwit's tables (dry-runs, status).
    public var isReadOnly: Bool
    /// `application_name` on PostgreSQL: `godwit <actor>@<host>`.
    public var applicationName: String
    /// Seconds to wait for the connection.
    public var connectTimeout: Int
    /// The PostgreSQL schema for Godwit's tables and the search_path; nil for the default.
    public var schema: String?
    /// The session's lock_timeout (PostgreSQL).
    public var lockTimeout: TimeoutValue?
    /// The session's statement_timeout (PostgreSQL).
    public var statementTimeout: TimeoutValue?
    /// True behind a transaction pooler (`lock: table`): the server session may change between
    /// transactions, so each transaction sets the search_path and timeouts itself (`SET LOCAL`),
    /// and the schema is the options' `schema`, else `public`, never the server session's.
    public var isPooled: Bool
    /// Where the server's notices go (`RAISE NOTICE`, `RAISE WARNING`): the severity as the
    /// server names it (`NOTICE`, `WARNING`, …) and the message; nil drops them.
    public var notices: (@Sendable (_ severity: String, _ text: String) -> Void)?

    /// Creates options.
    public init(
        isReadOnly: Bool = false, applicationName: String = "godwit", connectTimeout: Int = 10, schema: String? = nil,
        lockTimeout: TimeoutValue? = nil, statementTimeout: TimeoutValue? = nil, isPooled: Bool = false,
        notices: (@Sendable (_ severity: String, _ text: String) -> Void)? = nil
    ) {
        self.notices = notices
        self.isReadOnly = isReadOnly
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.schema = schema
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
        self.isPooled = isPooled
    }
}

/// How the migration lock is held.
public enum LockMode: String, Sendable, Codable, CaseIterable {
    /// PostgreSQL session advisory lock; SQLite sidecar flock.
    case advisory
    /// A lease row in `<prefix>lock` (PgBouncer in transaction mode).
    case table
}

/// What the migration lock is: its name, mode and how long to wait.
public struct LockRequest: Sendable {
    /// A stable name, such as `<schema>.<table_prefix>`; the driver derives its key from it.
    public var name: String
    /// The table prefix, for the lease table.
    public var tablePrefix: String
    /// Advisory or lease.
    public var mode: LockMode
    /// How long to wait before giving up with `DatabaseError.Reason.lockTimeout`.
    public var timeout: TimeoutValue
    /// Who asks: `actor@host`, written into a lease.
    public var holder: String

    /// Creates a request.
    public init(name: String, tablePrefix: String, mode: LockMode, timeout: TimeoutValue, holder: String) {
        self.name = name
        self.tablePrefix = tablePrefix
        self.mode = mode
        self.timeout = timeout
        self.holder = holder
    }
}

/// Opens connections to one kind of database, and knows its SQL.
public protocol DatabaseDriver: Sendable {
    /// The SQL of the databases this driver opens.
    var dialect: any DatabaseDialect { get }
    /// The URL kinds this driver opens.
    func accepts(_ url: DatabaseURL) -> Bool
    /// Where Godwit's tables of an environment with `url` and `schema` live, as a text that is the
    /// same for two URLs that reach the same place (a file's standardized path; a server URL and
    /// schema), or nil for a database no other connection reaches (`sqlite::memory:`).
    func databaseIdentity(of url: DatabaseURL, schema: String?) -> String?
    /// Opens a connection.
    /// - Throws: `DatabaseError` with reason `.connection`, whose message names the host, port and
    ///   database (or file) and never the password.
    func connect(to url: DatabaseURL, options: ConnectionOptions) throws -> any DriverConnection
    /// Why the driver's client library cannot read `url` (redacted), or nil when it can; reads
    /// the URL only, never connects.
    func syntaxError(in url: DatabaseURL) -> String?
}

extension DatabaseDriver {
    /// No syntax beyond what `DatabaseURL` already checked.
    public func syntaxError(in url: DatabaseURL) -> String? { nil }
}

/// What a driver's connection offers the orchestration layer: statements, the migration lock
/// and the catalog.
public typealias DriverConnection = DatabaseConnection & MigrationLocking & DatabaseCatalog

/// A held migration lock; released by `release()` or when its connection closes.
public protocol DatabaseLock: AnyObject {
    /// Releases the lock. Never throws: a lock that cannot be released dies with its session.
    func release()
}

/// One open connection: what every caller needs. Not thread-safe: use it from one thread at a time.
public protocol DatabaseConnection: AnyObject {
    /// The connection's SQL dialect.
    var dialect: any DatabaseDialect { get }
    /// What the connection established at connect and restores after each revision; its `schema`
    /// qualifies Godwit's tables.
    var session: SessionSettings { get }
    /// Runs a script of one or more statements, none returning rows that matter.
    /// - Throws: `DatabaseError` whose `position` is the UTF-8 offset in `script` of the statement
    ///   that failed (or of the exact error), so that the caller can name the line.
    func execute(_ script: String) throws
    /// Runs one query and returns its rows, every value as text or nil for NULL.
    /// - Throws: `DatabaseError`.
    func query(_ sql: String) throws -> [[String?]]
    /// Splits a script into its statements: each one's text and its UTF-8 offset in the script.
    /// - Throws: `DatabaseError` when the script cannot be split (a syntax error).
    func splitStatements(_ script: String) throws -> [(sql: String, offset: Int)]
    /// Closes the connection; further use is an error.
    func close()
}

/// The migration lock of a connection (SPEC §5).
public protocol MigrationLocking: AnyObject {
    /// Takes the migration lock, waiting up to the request's timeout; `waiting` is called once
    /// with a description of the holder when the lock is busy.
    /// - Throws: `DatabaseError` with reason `.lockTimeout(holder:)` when the wait runs out.
    func acquireLock(_ request: LockRequest, waiting: (String?) -> Void) throws -> any DatabaseLock
    /// Describes who holds the migration lock now, or nil when it is free. Takes nothing.
    /// - Throws: `DatabaseError`.
    func lockHolder(_ request: LockRequest) throws -> String?
}

/// What a connection knows of its database's catalog: its tables, its schema, how to empty it.
public protocol DatabaseCatalog: SchemaReader {
    /// True when the table exists (in the connection's schema).
    /// - Throws: `DatabaseError`.
    func tableExists(_ name: String) throws -> Bool
    /// Empties a scratch database: drops what the connection's user owns, and leaves
    /// `workingSchema` (nil for the default) as the empty working schema where there are schemas.
    /// - Throws: `DatabaseError`.
    func wipe(workingSchema: String?) throws
}

extension DatabaseConnection {
    /// None: a database without sessions to restore.
    public var session: SessionSettings { SessionSettings() }

    /// `beginWrite` and the session's transaction settings, as one script.
    public var beginWriteScript: String {
        ([dialect.beginWrite] + dialect.transactionSettings(session)).joined(separator: ";\n")
    }

    /// Re-establishes the session after a revision may have changed it, as one script (empty when
    /// there is nothing to restore).
    public var restoreSessionScript: String {
        dialect.restoreSession(session).map { $0 + ";\n" }.joined()
    }

    /// Runs `body` inside a write transaction, committing on success and rolling back on error.
    /// - Throws: what `body` throws, or `DatabaseError` from BEGIN or COMMIT.
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute(beginWriteScript)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a read-only transaction where the dialect has one (so that it cannot write),
    /// else as it is; rolled back on every path.
    /// - Throws: what `body` throws, or `DatabaseError` from BEGIN.
    public func withReadOnlyTransaction<T>(_ body: () throws -> T) throws -> T {
        guard let begin = dialect.beginReadOnly else { return try body() }
        try execute(([begin] + dialect.transactionSettings(session)).joined(separator: ";\n"))
        defer { try? execute("ROLLBACK") }
        return try body()
    }
}

extension MigrationLocking {
    /// Runs `body` holding the migration lock, released on every path. While it is held, an
    /// interruption of the process lets `body` unwind (cancelling its statement) rather than exiting
    /// at once (`Interruption.isProtected`).
    /// - Throws: `DatabaseError` with reason `.lockTimeout` when the lock is not had in time,
    ///   `.interrupted` when a signal came before `body` started, or what `body` throws.
    public func withLock<T>(_ request: LockRequest, waiting: (String?) -> Void, _ body: () throws -> T) throws -> T {
        let lock = try acquireLock(request, waiting: waiting)
        Interruption.shared.enterProtectedSection()
        defer {
            lock.release()
            Interruption.shared.leaveProtectedSection()
        }
        try Interruption.shared.check()
        return try body()
    }
}
