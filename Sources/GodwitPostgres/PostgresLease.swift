import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// A held lease of the `table` lock: a row in `<prefix>lock` that a heartbeat keeps alive on its
/// own connection. `release()` stops the heartbeat and deletes the row, if it is still this lease's.
final class PostgresLease: DatabaseLock {
    let connection: PostgresConnection
    let heartbeat: LeaseHeartbeat
    var isReleased = false

    init(connection: PostgresConnection, heartbeat: LeaseHeartbeat) {
        self.connection = connection
        self.heartbeat = heartbeat
    }

    deinit { release() }

    func release() {
        guard !isReleased else { return }
        isReleased = true
        heartbeat.stop()
        connection.heartbeats.removeAll { $0 === heartbeat }
        connection.leaveFailedTransaction()
        _ = try? connection.query("DELETE FROM \(heartbeat.table) WHERE \(heartbeat.ownRow)")
    }
}

/// Renews a lease every `interval` seconds on a thread and a connection of its own, so that a
/// long migration statement on the main connection does not let the lease expire. When the row is
/// no longer this lease's (it expired and was taken over), the heartbeat stops. A heartbeat that
/// cannot reach the server retries at the next beat on a new connection.
final class LeaseHeartbeat: @unchecked Sendable {
    /// The quoted, schema-qualified lease table.
    let table: String
    /// The SQL condition matching this lease's row and no later one.
    let ownRow: String
    let url: DatabaseURL
    let options: ConnectionOptions
    let interval: TimeInterval
    let duration: TimeInterval
    let condition = NSCondition()
    var isStopping = false
    var isFinished = false

    init(table: String, ownRow: String, url: DatabaseURL, options: ConnectionOptions, interval: TimeInterval, duration: TimeInterval) {
        self.table = table
        self.ownRow = ownRow
        self.url = url
        self.interval = max(interval, 0.05)
        self.duration = duration
        var options = options
        options.applicationName = String((options.applicationName + " (lock heartbeat)").prefix(63))
        options.schema = nil
        options.notices = nil
        options.connectTimeout = min(max(options.connectTimeout, 2), 5)
        options.lockTimeout = TimeoutValue(milliseconds: 5000)
        options.statementTimeout = TimeoutValue(milliseconds: 5000)
        self.options = options
    }

    /// Starts the heartbeat thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "godwit lock heartbeat"
        thread.start()
    }

    /// Stops the heartbeat and waits for its thread to end.
    func stop() {
        condition.lock()
        isStopping = true
        condition.broadcast()
        while !isFinished { condition.wait() }
        condition.unlock()
    }

    /// Waits one interval; false when asked to stop meanwhile.
    func waitForNextBeat() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(interval)
        while !isStopping && Date() < deadline { _ = condition.wait(until: deadline) }
        return !isStopping
    }

    func run() {
        var connection: PostgresConnection?
        while waitForNextBeat() {
            if connection == nil { connection = try? PostgresConnection(url: url, options: options) }
            guard let live = connection else { continue }
            do {
                let renewed = try live.query(
                    """
                    UPDATE \(table) SET heartbeat_at = now(), expires_at = now() + \(Int(duration * 1000)) * interval '1 millisecond'
                    WHERE \(ownRow) RETURNING 1
                    """)
                if renewed.isEmpty { break }
            } catch {
                live.close()
                connection = nil
            }
        }
        connection?.close()
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }
}

extension PostgresConnection {
    /// The quoted lease table of a prefix in a schema.
    func leaseTable(schema: String, prefix: String) -> String {
        dialect.quote(schema) + "." + dialect.quote(prefix + "lock")
    }

    /// Takes the lease row in the session's schema (never the server session's search_path, which
    /// behind a pooler may be a neighbour's): an upsert that only writes when the row is absent or expired, retried
    /// every 100 ms until the request's timeout or an interruption; then starts its heartbeat.
    func acquireLease(_ request: LockRequest, waiting: (String?) -> Void) throws -> any DatabaseLock {
        let schema = session.schema ?? "public"
        let table = leaseTable(schema: schema, prefix: request.tablePrefix)
        try createLeaseTable(table, name: request.tablePrefix + "lock")
        let holder = "\(request.holder) (pid \(getpid()))"
        let milliseconds = Int(leaseDuration * 1000)
        let deadline = Date().addingTimeInterval(request.timeout.seconds)
        var hasAnnounced = false
        while true {
            try Interruption.shared.check()
            let taken = try query(
                """
                INSERT INTO \(table) AS lease (name, holder, acquired_at, expires_at, heartbeat_at)
                VALUES (\(dialect.literal(request.name)), \(dialect.literal(holder)), now(),
                        now() + \(milliseconds) * interval '1 millisecond', now())
                ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at,
                    expires_at = EXCLUDED.expires_at, heartbeat_at = EXCLUDED.heartbeat_at
                WHERE lease.expires_at < EXCLUDED.acquired_at
                RETURNING to_char(acquired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                """)
            if let acquiredAt = taken.first?.first ?? nil {
                let ownRow =
                    "name = \(dialect.literal(request.name)) AND holder = \(dialect.literal(holder)) AND acquired_at = \(dialect.literal(acquiredAt))::timestamptz"
                let heartbeat = LeaseHeartbeat(
                    table: table, ownRow: ownRow, url: url, options: options, interval: heartbeatInterval, duration: leaseDuration)
                heartbeat.start()
                heartbeats.append(heartbeat)
                return PostgresLease(connection: self, heartbeat: heartbeat)
            }
            if !hasAnnounced {
                waiting(try leaseHolder(table: table, name: request.name))
                hasAnnounced = true
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw lockTimeout(request, database: try currentDatabase(), holder: try leaseHolder(table: table, name: request.name))
            }
            Thread.sleep(forTimeInterval: min(Self.lockRetryInterval, remaining))
        }
    }

    /// Creates the lease table when it is missing; a concurrent creation by another run is fine.
    func createLeaseTable(_ table: String, name: String) throws {
        guard try !tableExists(name) else { return }
        do {
            try execute(
                """
                CREATE TABLE IF NOT EXISTS \(table) (
                    name text PRIMARY KEY,
                    holder text NOT NULL,
                    acquired_at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL,
                    heartbeat_at timestamptz NOT NULL
                )
                """)
        } catch let error as DatabaseError {
            guard try tableExists(name) else { throw error }
        }
    }

    /// Who holds the lease now ("alice@ci (pid 42) since …, lease until …"), nil when free or expired.
    func leaseHolder(table: String, name: String) throws -> String? {
        let rows = try query(
            """
            SELECT holder, to_char(acquired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM \(table) WHERE name = \(dialect.literal(name)) AND expires_at > now()
            """)
        guard let row = rows.first else { return nil }
        return "\(row[0] ?? "an unnamed run") since \(row[1] ?? "?"), lease until \(row[2] ?? "?")"
    }
}
