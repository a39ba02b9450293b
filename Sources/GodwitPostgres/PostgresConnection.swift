import CLibPQ
import Foundation
import GodwitCore

/// A connection to one PostgreSQL database over libpq's synchronous API.
///
/// The session runs with `standard_conforming_strings = on`, `client_min_messages = notice`,
/// `client_encoding = UTF8`, the lock and statement timeouts of its options and, when the options
/// name a schema, `search_path` set to that schema alone (created when missing, unless read-only),
/// all set in one round trip.
/// Server notices go to the options' `notices` handler, else nowhere: libpq never writes to stderr.
/// TCP keepalives and `tcp_user_timeout` make a dead link fail in about a minute (the URL may set
/// its own). A statement is cancelled, as psql cancels one, when the process is interrupted
/// (`Interruption`).
///
/// A read-only connection differs only in creating nothing at connect time: the caller opens
/// `BEGIN READ ONLY` transactions itself, and `execute` refuses nothing.
public final class PostgresConnection: DatabaseConnection, MigrationLocking, DatabaseCatalog {
    /// The URL the connection was opened with; print it only through its redacting description.
    public let url: DatabaseURL
    /// The options the connection was opened with.
    public let options: ConnectionOptions
    /// How long a lease of the `table` lock lasts without a heartbeat.
    package var leaseDuration: TimeInterval = 60
    /// How often the heartbeat of a `table` lock renews its lease.
    package var heartbeatInterval: TimeInterval = 10
    /// True when the server counts error positions in bytes (`SQL_ASCII`), not characters.
    let positionsCountBytes: Bool
    var handle: OpaquePointer?
    /// The heartbeats of the leases this connection holds, stopped when it closes.
    var heartbeats: [LeaseHeartbeat] = []
    /// Sends the server a cancel request for this connection's running statement.
    let canceller: PostgresCanceller?
    /// Where server notices go; referenced, unretained, by libpq's notice receiver.
    let noticeSink: PostgresNoticeSink?

    /// The connection parameters that make a silent network partition fail in about a minute
    /// instead of hanging: keepalive probes after 30 s idle, every 10 s, 3 lost ones ending the
    /// connection (60 s); and 60 s for sent data to be acknowledged (`tcp_user_timeout`). They come
    /// before the URL's, so a URL that sets its own wins.
    package static let keepaliveParameters: [(String, String)] = [
        ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
        ("tcp_user_timeout", "60000"),
    ]

    /// PostgreSQL's dialect.
    public var dialect: any DatabaseDialect { PostgresDialect() }
    /// The settings `prepareSession` established, restored after each revision; its schema is the
    /// options' one, else `current_schema()` read once at connect (behind a pooler: `public`).
    public internal(set) var session = SessionSettings()
    /// `current_database()`, read once at connect (it cannot change on a connection).
    var databaseName: String?
    /// What `tableExists` answered inside the open transaction, by table name; emptied by every
    /// `execute` (which may create or drop tables, change the role, or end the transaction).
    var knownTables: [String: Bool] = [:]

    /// Connects with `PQconnectdbParams`, the URL expanded as libpq's `dbname`, so that every URL
    /// and environment setting libpq knows works (`sslmode`, `PGPASSWORD`, `~/.pgpass`, `PGSERVICE`).
    /// - Throws: `DatabaseError` with reason `.connection` naming the host, port and database, never
    ///   the password.
    public init(url: DatabaseURL, options: ConnectionOptions = ConnectionOptions()) throws {
        self.url = url
        self.options = options
        // libpq processes keywords in order, the last value winning: connect_timeout comes before
        // the URL so that the URL's own wins; application_name and client_encoding after it.
        var parameters: [(String, String)] = []
        if options.connectTimeout > 0 { parameters.append(("connect_timeout", String(options.connectTimeout))) }
        parameters += Self.keepaliveParameters
        parameters.append(("dbname", url.secretText))
        if !options.applicationName.isEmpty { parameters.append(("application_name", options.applicationName)) }
        parameters.append(("client_encoding", "UTF8"))
        let connection = Self.withCStrings(parameters.map(\.0)) { keywords in
            Self.withCStrings(parameters.map(\.1)) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let connection else {
            throw DatabaseError(.connection, "cannot connect to PostgreSQL at '\(url)': libpq is out of memory")
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = Self.connectionError(connection, url: url)
            PQfinish(connection)
            throw error
        }
        handle = connection
        canceller = PQgetCancel(connection).map(PostgresCanceller.init)
        noticeSink = options.notices.map { PostgresNoticeSink(handler: $0, url: url) }
        if let noticeSink { noticeSink.install(on: connection) }
        positionsCountBytes = PQparameterStatus(connection, "server_encoding").map { String(cString: $0) } == "SQL_ASCII"
        do {
            try prepareSession()
        } catch let error as DatabaseError {
            let target = Self.target(connection: connection, url: url)
            close()
            throw DatabaseError(
                .connection, "connected to \(target) but could not prepare the session: \(error.message)",
                sqlstate: error.sqlstate, detail: error.detail, hint: error.hint)
        }
    }

    deinit { close() }

    /// Closes the connection with `PQfinish`, stopping the heartbeats of its leases; idempotent.
    public func close() {
        heartbeats.forEach { $0.stop() }
        heartbeats = []
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// The open libpq handle.
    /// - Throws: `DatabaseError` with reason `.connection` when the connection is closed.
    func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw DatabaseError(.connection, "the PostgreSQL connection to '\(url)' is closed") }
        return handle
    }

    /// The error for a failure outside any result (sending, a lost connection), from libpq's message.
    func connectionFailure(_ connection: OpaquePointer) -> DatabaseError {
        let message = url.redact(DatabaseError.oneLine(String(cString: PQerrorMessage(connection))))
        guard PQstatus(connection) != CONNECTION_OK else {
            return DatabaseError(.statement, message.isEmpty ? "the PostgreSQL connection failed" : message)
        }
        return lostConnection(message)
    }

    /// The error of a connection that broke: libpq's reason and what it means.
    func lostConnection(_ reason: String) -> DatabaseError {
        DatabaseError(
            .connection,
            "lost the connection to \(Self.target(connection: handle, url: url)): \(reason.isEmpty ? "the server went away" : reason); "
                + "the server stopped answering (it restarted, or the network dropped the link: a silent link is given up after about 60 s); "
                + "the server rolls back what had not committed; run 'godwit current' to see the state")
    }

    /// The error of a failed result; `statementOffset` is where the failing statement starts.
    func failure(_ result: OpaquePointer, script: String, statementOffset: Int?) -> DatabaseError {
        let handle = self.handle
        let isLost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        let error = DatabaseError(
            result: result, script: script, statementOffset: statementOffset, positionsCountBytes: positionsCountBytes,
            isConnectionLost: isLost, redact: url.redact)
        guard isLost, error.sqlstate == nil else { return error }
        var lost = lostConnection(error.message)
        lost.position = error.position
        return lost
    }

    /// Sends the whole script at once (simple query protocol) and reads one result per statement;
    /// the number of results before the first error tells which statement failed. A script with
    /// several statements runs in one implicit transaction unless it controls transactions itself;
    /// when the script itself opened a transaction that failed, it is rolled back, so that the
    /// session is usable again (a transaction the caller opened is left for the caller to end).
    /// Rows are read and dropped; `COPY … FROM STDIN` fails, `COPY … TO STDOUT` is drained.
    /// - Throws: `DatabaseError` with the SQLSTATE, message, detail, hint, `position` (the UTF-8
    ///   offset of the first token of the statement that failed) and `errorPosition` (the server's
    ///   exact one, when it reports one); reason `.connection` when the connection is lost.
    public func execute(_ script: String) throws {
        try cancellable { try send(script) }
    }

    /// Runs `body` (one round trip) so that an interruption of the process cancels it, and reports
    /// a statement cancelled that way as the interruption.
    /// - Throws: what `body` throws; `DatabaseError` with reason `.interrupted` for a cancelled statement.
    func cancellable<T>(_ body: () throws -> T) throws -> T {
        let canceller = self.canceller
        do {
            return try Interruption.shared.whileCancellable({ canceller?.cancel() }, body)
        } catch let error as DatabaseError {
            throw Interruption.shared.explaining(error)
        }
    }

    /// `execute` without the interruption's bookkeeping.
    func send(_ script: String) throws {
        let connection = try liveHandle()
        knownTables = [:]
        let wasIdle = PQtransactionStatus(connection) == PQTRANS_IDLE
        guard PQsendQuery(connection, script) == 1 else { throw connectionFailure(connection) }
        var statementIndex = 0
        var firstFailure: DatabaseError?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_COPY_OUT {
                // The statement's own result follows the data: drain it and count the statement once.
                var buffer: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
            } else if status == PGRES_COPY_IN {
                _ = PQputCopyEnd(connection, "godwit does not feed COPY FROM STDIN; use COPY FROM a file or INSERT")
            } else if status == PGRES_FATAL_ERROR {
                if firstFailure == nil {
                    var error = failure(result, script: script, statementOffset: nil)
                    error.position = statementOffset(in: script, index: statementIndex, containing: error.errorPosition) ?? error.position
                    firstFailure = error
                }
                statementIndex += 1
            } else {
                statementIndex += 1
            }
        }
        if let firstFailure {
            if wasIdle && PQtransactionStatus(connection) == PQTRANS_INERROR {
                if let result = PQexec(connection, "ROLLBACK") { PQclear(result) }
            }
            throw firstFailure
        }
        if PQstatus(connection) != CONNECTION_OK { throw connectionFailure(connection) }
    }

    /// The offset of the first token of the statement that failed, or nil when the script cannot be
    /// split: the statement holding the server's exact `position` when it gives one, else the
    /// `index`-th. (A syntax error fails the whole script before any statement runs, so its result
    /// comes first and counting results would name the first statement.)
    func statementOffset(in script: String, index: Int, containing position: Int?) -> Int? {
        guard let statements = try? PostgresStatementSplitter.split(script) else { return nil }
        if let position, let holder = statements.last(where: { $0.offset <= position }) { return holder.offset }
        return index < statements.count ? statements[index].offset : nil
    }

    /// Runs one query with `PQexec` and returns its rows, every value as text, nil for NULL; a
    /// statement without rows returns none.
    /// - Throws: `DatabaseError` with the SQLSTATE, the UTF-8 position of the statement and that
    ///   of the error itself (`errorPosition`) in `sql`.
    @discardableResult
    public func query(_ sql: String) throws -> [[String?]] {
        let connection = try liveHandle()
        if !sql.hasPrefix("SELECT ") { knownTables = [:] }
        guard let result = try cancellable({ PQexec(connection, sql) }) else { throw connectionFailure(connection) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        if status == PGRES_FATAL_ERROR {
            let offset = PostgresStatementSplitter.skipTrivia(Array(sql.utf8), from: 0, to: sql.utf8.count)
            throw Interruption.shared.explaining(failure(result, script: sql, statementOffset: offset))
        }
        if status == PGRES_COPY_IN || status == PGRES_COPY_OUT {
            // Leave the COPY state so that the connection stays usable.
            if status == PGRES_COPY_IN { _ = PQputCopyEnd(connection, "godwit does not run COPY in a query") }
            var buffer: UnsafeMutablePointer<CChar>?
            while status == PGRES_COPY_OUT && PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
            while let rest = PQgetResult(connection) { PQclear(rest) }
            throw DatabaseError(.statement, "COPY cannot run as a query; use execute", position: 0)
        }
        guard status == PGRES_TUPLES_OK else { return [] }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        return rows
    }

    /// Splits a script with libpg_query: each statement's text from its first token through its
    /// `;`, and that token's UTF-8 offset (see `PostgresStatementSplitter`).
    /// - Throws: `DatabaseError` with reason `.statement` and `position` for a lexical error.
    public func splitStatements(_ script: String) throws -> [(sql: String, offset: Int)] {
        try PostgresStatementSplitter.split(script)
    }

    /// True when the session is between transactions (no transaction open, none failed).
    var isIdle: Bool {
        handle.map { PQtransactionStatus($0) == PQTRANS_IDLE } ?? false
    }

    /// The connection error of a failed `PQconnectdbParams`: what was tried, libpq's reason, and the
    /// redacted URL.
    static func connectionError(_ connection: OpaquePointer, url: DatabaseURL) -> DatabaseError {
        let reason = url.redact(DatabaseError.oneLine(String(cString: PQerrorMessage(connection))))
        return DatabaseError(
            .connection,
            "cannot connect to \(target(connection: connection, url: url)): \(reason.isEmpty ? "unknown error" : reason); check the URL '\(url)', that the server runs and accepts the connection")
    }

    /// "PostgreSQL database 'shop' at db.internal:5432", from libpq's view of the connection when it
    /// has one, else the redacted URL.
    static func target(connection: OpaquePointer?, url: DatabaseURL) -> String {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            guard let pointer else { return nil }
            let value = String(cString: pointer)
            return value.isEmpty ? nil : url.redact(value)
        }
        guard let connection, let host = text(PQhost(connection)) else { return "PostgreSQL at '\(url)'" }
        let port = text(PQport(connection)).map { ":\($0)" } ?? ""
        let database = text(PQdb(connection)).map { "database '\($0)'" } ?? "the default database"
        return "PostgreSQL \(database) at \(host)\(port)"
    }

    /// Calls `body` with a NULL-terminated array of C strings.
    static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
