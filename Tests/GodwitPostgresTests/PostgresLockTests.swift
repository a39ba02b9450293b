import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

/// Collects what `acquireLock` reports while it waits.
final class WaitLog {
    var holders: [String?] = []
}

@Suite("PostgreSQL migration locks", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresLockTests {
    @Test func advisoryLockIsExclusiveAndTimesOutNamingTheHolder() throws {
        try TestSchema.with { schema in
            let a = try schema.connect(applicationName: "godwit alice@host-a")
            let b = try schema.connect(applicationName: "godwit bob@host-b")
            defer { a.close(); b.close() }
            let request = schema.lockRequest(.advisory, timeout: TimeoutValue(milliseconds: 300))
            #expect(try b.lockHolder(request) == nil)
            let lock = try a.acquireLock(request, waiting: { _ in Issue.record("a free lock made the caller wait") })

            let holder = try #require(try b.lockHolder(request))
            let pid = try #require(try a.query("SELECT pg_backend_pid()").first?.first ?? nil)
            #expect(holder.hasPrefix("godwit alice@host-a (pid \(pid)) since "))
            #expect(holder.hasSuffix("Z"))

            let log = WaitLog()
            let started = Date()
            let error = try #require(throws: DatabaseError.self) {
                try b.acquireLock(request, waiting: { log.holders.append($0) })
            }
            #expect(Date().timeIntervalSince(started) >= 0.3)
            #expect(error.reason == .lockTimeout(holder: holder))
            #expect(error.exitCode == .lockTimeout)
            #expect(error.message.contains("was not acquired within 300ms"))
            #expect(error.message.contains("held by godwit alice@host-a (pid \(pid))"))
            #expect(log.holders == [holder])

            lock.release()
            lock.release()
            #expect(try b.lockHolder(request) == nil)
            let lockB = try b.acquireLock(request, waiting: { _ in })
            #expect(try a.lockHolder(request)?.hasPrefix("godwit bob@host-b") == true)
            lockB.release()
        }
    }

    @Test func advisoryLockUsesTheDerivedKeyAndNoTransaction() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let request = schema.lockRequest(.advisory, timeout: TimeoutValue(milliseconds: 100))
            let database = try #require(try connection.query("SELECT current_database()").first?.first ?? nil)
            let key = PostgresConnection.lockKey(database: database, name: request.name)
            let lock = try connection.acquireLock(request, waiting: { _ in })
            defer { lock.release() }
            let bits = UInt64(bitPattern: key)
            let rows = try connection.query(
                """
                SELECT classid::int8, objid::int8, objsubid FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                """)
            #expect(rows == [[String(bits >> 32), String(bits & 0xffff_ffff), "1"]])
            // The session holding the lock has no transaction open.
            let pid = try #require(try connection.query("SELECT pg_backend_pid()").first?.first ?? nil)
            let state = try schema.admin.query("SELECT state, xact_start IS NULL FROM pg_stat_activity WHERE pid = \(pid)")
            #expect(state == [["idle", "t"]])
        }
    }

    @Test func lockIsRefusedInsideATransaction() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            try connection.execute("BEGIN")
            let error = try #require(throws: DatabaseError.self) {
                try connection.acquireLock(schema.lockRequest(.advisory, timeout: TimeoutValue(milliseconds: 100)), waiting: { _ in })
            }
            #expect(error.reason == .statement)
            #expect(error.message.contains("outside a transaction"))
            try connection.execute("ROLLBACK")
        }
    }

    @Test func createIndexConcurrentlyRunsWhileTheLockIsHeld() throws {
        try TestSchema.with { schema in
            let holder = try schema.connect(statementTimeout: TimeoutValue(milliseconds: 20_000))
            let other = try schema.connect(statementTimeout: TimeoutValue(milliseconds: 20_000))
            defer { holder.close(); other.close() }
            try holder.execute("CREATE TABLE orders (id int, user_id int); INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g")
            let lock = try holder.acquireLock(schema.lockRequest(.advisory, timeout: TimeoutValue(milliseconds: 1000)), waiting: { _ in })
            defer { lock.release() }
            // Outside a transaction, on the session that holds the lock and on another one.
            try holder.execute("CREATE INDEX CONCURRENTLY orders_id ON orders (id)")
            try other.execute("CREATE INDEX CONCURRENTLY orders_user_id ON orders (user_id)")
            let indexes = try holder.query(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'orders' ORDER BY 1")
            #expect(indexes == [["orders_id"], ["orders_user_id"]])
            let valid = try holder.query(
                "SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'orders'::regclass")
            #expect(valid == [["t"]])
        }
    }

    @Test func tableLeaseIsExclusiveAndReleased() throws {
        try TestSchema.with { schema in
            let a = try schema.connect()
            let b = try schema.connect()
            let observer = try schema.connect(isReadOnly: true)
            defer { a.close(); b.close(); observer.close() }
            let requestA = schema.lockRequest(.table, timeout: TimeoutValue(milliseconds: 300), holder: "alice@host-a")
            let requestB = schema.lockRequest(.table, timeout: TimeoutValue(milliseconds: 300), holder: "bob@host-b")
            #expect(try observer.lockHolder(requestA) == nil)
            #expect(try !observer.tableExists("godwit_lock"))

            let lock = try a.acquireLock(requestA, waiting: { _ in Issue.record("a free lease made the caller wait") })
            #expect(try a.tableExists("godwit_lock"))
            let holder = try #require(try observer.lockHolder(requestA))
            #expect(holder.hasPrefix("alice@host-a (pid \(getpid())) since "))
            #expect(holder.contains("lease until"))

            let log = WaitLog()
            let error = try #require(throws: DatabaseError.self) {
                try b.acquireLock(requestB, waiting: { log.holders.append($0) })
            }
            guard case .lockTimeout(let named) = error.reason else {
                Issue.record("expected a lock timeout, got \(error.reason)")
                return
            }
            #expect(named?.hasPrefix("alice@host-a (pid") == true)
            #expect(log.holders.count == 1)
            #expect(log.holders.first??.hasPrefix("alice@host-a") == true)
            #expect(error.message.contains("held by alice@host-a"))

            lock.release()
            #expect(try observer.lockHolder(requestA) == nil)
            #expect(try observer.query("SELECT count(*) FROM godwit_lock") == [["0"]])
            let lockB = try b.acquireLock(requestB, waiting: { _ in })
            #expect(try observer.lockHolder(requestA)?.hasPrefix("bob@host-b") == true)
            lockB.release()
        }
    }

    @Test func expiredLeaseIsTakenOverAndTheOldHolderDoesNotDeleteIt() throws {
        try TestSchema.with { schema in
            let a = try schema.connect()
            let b = try schema.connect()
            defer { a.close(); b.close() }
            let requestA = schema.lockRequest(.table, timeout: TimeoutValue(milliseconds: 200), holder: "alice@crashed")
            let requestB = schema.lockRequest(.table, timeout: TimeoutValue(milliseconds: 1000), holder: "bob@successor")
            let lockA = try a.acquireLock(requestA, waiting: { _ in })
            // The holder stops renewing (a crash): its lease runs out.
            try schema.admin.execute(
                "UPDATE \(SQLDialect.postgresql.quote(schema.name)).godwit_lock SET expires_at = now() - interval '1 second'")
            #expect(try b.lockHolder(requestB) == nil)
            let lockB = try b.acquireLock(requestB, waiting: { _ in Issue.record("an expired lease made the caller wait") })
            #expect(try b.lockHolder(requestB)?.hasPrefix("bob@successor") == true)
            // The old holder's release leaves the successor's lease alone.
            lockA.release()
            #expect(try b.lockHolder(requestB)?.hasPrefix("bob@successor") == true)
            lockB.release()
            #expect(try b.lockHolder(requestB) == nil)
        }
    }

    @Test func heartbeatKeepsTheLeaseAliveUntilTheConnectionCloses() throws {
        try TestSchema.with { schema in
            let a = try schema.connect()
            let b = try schema.connect()
            defer { a.close(); b.close() }
            a.leaseDuration = 1.5
            a.heartbeatInterval = 0.25
            let request = schema.lockRequest(.table, timeout: TimeoutValue(milliseconds: 200), holder: "alice@long-run")
            let lock = try a.acquireLock(request, waiting: { _ in })
            Thread.sleep(forTimeInterval: 2.5)
            // Past the lease's first expiry: still held, renewed by the heartbeat.
            let error = try #require(throws: DatabaseError.self) { try b.acquireLock(request, waiting: { _ in }) }
            #expect(error.reason == .lockTimeout(holder: try b.lockHolder(request)))
            let renewed = try b.query("SELECT heartbeat_at > acquired_at AND expires_at > now() FROM godwit_lock")
            #expect(renewed == [["t"]])
            // Closing the connection stops the heartbeat; the lease then expires and is taken over.
            withExtendedLifetime(lock) {
                a.close()
                Thread.sleep(forTimeInterval: 1.8)
            }
            let waitingRequest = schema.lockRequest(.table, timeout: TimeoutValue(milliseconds: 1000), holder: "bob@next")
            let lockB = try b.acquireLock(waitingRequest, waiting: { _ in })
            #expect(try b.lockHolder(waitingRequest)?.hasPrefix("bob@next") == true)
            lockB.release()
        }
    }
}
