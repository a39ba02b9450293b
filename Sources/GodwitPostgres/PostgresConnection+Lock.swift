import CLibPQ
import Foundation
import GodwitCore

/// A held session-level advisory lock; `release()` calls `pg_advisory_unlock`, and the server
/// drops it when the session ends.
final class PostgresAdvisoryLock: DatabaseLock {
    let connection: PostgresConnection
    let key: Int64
    var isReleased = false

    init(connection: PostgresConnection, key: Int64) {
        self.connection = connection
        self.key = key
    }

    func release() {
        guard !isReleased else { return }
        isReleased = true
        connection.leaveFailedTransaction()
        _ = try? connection.query("SELECT pg_catalog.pg_advisory_unlock(\(key))")
    }
}

extension PostgresConnection {
    /// How long to sleep between two tries of a busy lock.
    static let lockRetryInterval: TimeInterval = 0.1

    /// Takes the migration lock: a session advisory lock (`.advisory`) or a lease row (`.table`).
    ///
    /// Both are taken in autocommit, so the session must have no transaction open; and while it
    /// holds an advisory lock it should keep none open between revisions, so that
    /// `CREATE INDEX CONCURRENTLY` (on any session) never waits on it.
    /// - Throws: `DatabaseError` with reason `.lockTimeout(holder:)` when the wait runs out,
    ///   `.interrupted` when a signal stops the wait, or `.statement` when a transaction is open or
    ///   the lock's SQL fails.
    public func acquireLock(_ request: LockRequest, waiting: (String?) -> Void) throws -> any DatabaseLock {
        _ = try liveHandle()
        guard isIdle else {
            throw DatabaseError(
                .statement,
                "the migration lock '\(request.name)' must be taken outside a transaction; commit or roll back first")
        }
        switch request.mode {
        case .advisory: return try acquireAdvisoryLock(request, waiting: waiting)
        case .table: return try acquireLease(request, waiting: waiting)
        }
    }

    /// Describes who holds the migration lock now, or nil when it is free; takes nothing and creates
    /// nothing (a missing lease table means a free lock).
    /// - Throws: `DatabaseError`.
    public func lockHolder(_ request: LockRequest) throws -> String? {
        switch request.mode {
        case .advisory:
            return try advisoryHolder(key: Self.lockKey(database: try currentDatabase(), name: request.name))
        case .table:
            guard try tableExists(request.tablePrefix + "lock") else { return nil }
            return try leaseHolder(table: leaseTable(schema: session.schema ?? "public", prefix: request.tablePrefix), name: request.name)
        }
    }

    /// The advisory lock key of a lock name in a database: FNV-1a 64 over `"<database>/<name>"`,
    /// as a signed 64-bit value; the same in every process and on every platform.
    package static func lockKey(database: String, name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(database)/\(name)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// `pg_try_advisory_lock` every 100 ms until it succeeds, the request's timeout runs out or the
    /// process is interrupted.
    func acquireAdvisoryLock(_ request: LockRequest, waiting: (String?) -> Void) throws -> any DatabaseLock {
        let database = try currentDatabase()
        let key = Self.lockKey(database: database, name: request.name)
        let deadline = Date().addingTimeInterval(request.timeout.seconds)
        var hasAnnounced = false
        while true {
            try Interruption.shared.check()
            if try query("SELECT pg_catalog.pg_try_advisory_lock(\(key))").first?.first == "t" {
                return PostgresAdvisoryLock(connection: self, key: key)
            }
            if !hasAnnounced {
                waiting(try advisoryHolder(key: key))
                hasAnnounced = true
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                let holder = try advisoryHolder(key: key)
                throw lockTimeout(request, database: database, holder: holder)
            }
            Thread.sleep(forTimeInterval: min(Self.lockRetryInterval, remaining))
        }
    }

    /// Who holds the advisory lock `key` of this database, from `pg_locks` (a bigint key is split
    /// into `classid`, its high 32 bits, and `objid`, its low ones) and `pg_stat_activity`.
    func advisoryHolder(key: Int64) throws -> String? {
        let bits = UInt64(bitPattern: key)
        let rows = try query(
            """
            SELECT l.pid, a.application_name, a.usename,
                   to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
              AND l.classid::int8 = \(bits >> 32) AND l.objid::int8 = \(bits & 0xffff_ffff)
            LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        let pid = row[0] ?? "?"
        let who: String
        if let application = row[1], !application.isEmpty {
            who = application
        } else if let user = row[2] {
            who = "a session of user '\(user)'"
        } else {
            who = "a session"
        }
        return "\(who) (pid \(pid))" + (row[3].map { " since \($0)" } ?? "")
    }

    /// The error of a lock that was not had in time.
    func lockTimeout(_ request: LockRequest, database: String, holder: String?) -> DatabaseError {
        DatabaseError(
            .lockTimeout(holder: holder),
            "the migration lock '\(request.name)' of database '\(database)' was not acquired within \(request.timeout)"
                + (holder.map { "; it is held by \($0)" } ?? "")
                + "; try again when that run has finished, or raise lock_timeout")
    }

    /// `current_database()`, as read at connect.
    func currentDatabase() throws -> String {
        if let databaseName { return databaseName }
        guard let name = try query("SELECT current_database()").first?.first ?? nil else {
            throw DatabaseError(.statement, "the server did not name the current database")
        }
        databaseName = name
        return name
    }

    /// Rolls back a failed transaction, whose statements the server would refuse, so that a lock
    /// can still be released.
    func leaveFailedTransaction() {
        if let handle, PQtransactionStatus(handle) == PQTRANS_INERROR { try? execute("ROLLBACK") }
    }
}
