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

    /// The session advisory lock an online run takes: its key computed by the server as
    /// `PostgresConnection.lockKey` does (FNV-1a 64 over `"<database>/<name>"`, in numeric to stay
    /// exact), tried every 100 ms until the request's timeout. A lease (`lock: table`) is not
    /// taken: the script says so.
    public func scriptLock(_ request: LockRequest) -> [String] {
        guard request.mode == .advisory else {
            return ["-- lock: table: an offline script cannot hold the lease; make sure no godwit run is in progress"]
        }
        let held = "godwit: the migration lock \(request.name) is held by another run (waited \(request.timeout)); nothing was changed"
        return [
            """
            DO $godwit$
            DECLARE
                lock_name bytea := convert_to(current_database() || '/' || \(literal(request.name)), 'UTF8');
                lock_key numeric := 14695981039346656037;
                deadline timestamptz := clock_timestamp() + interval '\(request.timeout.milliseconds) milliseconds';
            BEGIN
                FOR i IN 0 .. length(lock_name) - 1 LOOP
                    lock_key := lock_key - mod(lock_key, 256) + (mod(lock_key, 256)::int # get_byte(lock_name, i));
                    lock_key := mod(lock_key * 1099511628211, 18446744073709551616);
                END LOOP;
                IF lock_key >= 9223372036854775808 THEN lock_key := lock_key - 18446744073709551616; END IF;
                WHILE NOT pg_catalog.pg_try_advisory_lock(lock_key::bigint) LOOP
                    IF clock_timestamp() > deadline THEN RAISE EXCEPTION '%', \(literal(held)); END IF;
                    PERFORM pg_catalog.pg_sleep(0.1);
                END LOOP;
            END
            $godwit$
            """
        ]
    }

    /// A DO block comparing the table's rows (`revision:state`, in byte order) with `applied`.
    public func scriptStateCheck(table: String, applied: [String], message: String) -> String? {
        let expected = applied.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { $0 + ":applied" }
        return """
            DO $godwit$
            BEGIN
                IF (SELECT string_agg(revision || ':' || state, ',' ORDER BY revision COLLATE "C") FROM \(table))
                    IS DISTINCT FROM \(expected.isEmpty ? "NULL" : literal(expected.joined(separator: ","))) THEN
                    RAISE EXCEPTION '%', \(literal(message));
                END IF;
            END
            $godwit$
            """
    }
}

