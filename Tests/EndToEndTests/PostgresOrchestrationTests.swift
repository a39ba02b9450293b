import Foundation
import GodwitTestSupport
import Testing

/// Locks, kills, timeouts and non-transactional revisions on PostgreSQL, through the built binary,
/// each test in a database of its own. Fails, not skips, when `GODWIT_REQUIRE_POSTGRES=1` and no
/// server is given.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresOrchestrationTests {
    @Test func eightUpgradesStartedAtOnceApplyEachRevisionExactlyOnce() throws {
        let project = try PostgresProject(dev: ["lock_timeout: 30s"])
        defer { project.remove() }
        try project.revision("c1_base", upgrade: "CREATE TABLE runs (id serial PRIMARY KEY, note text NOT NULL);\nINSERT INTO runs (note) VALUES ('c1');")
        try project.revision("c2_slow", parent: "c1_base", upgrade: "SELECT pg_sleep(0.3);\nINSERT INTO runs (note) VALUES ('c2');")
        try project.revision("c3_last", parent: "c2_slow", upgrade: "CREATE TABLE done (id int);\nINSERT INTO runs (note) VALUES ('c3');")

        let runs = try (0..<8).map { try project.start(["upgrade"], actor: "runner-\($0)") }
        let results = try runs.map { try $0.wait() }
        for result in results {
            #expect(result.status == 0, "\(result)")
            expectNoCrash(result)
        }
        let db = project.database
        #expect(try db.rows("SELECT revision, count(*), min(state) FROM godwit_revisions GROUP BY revision ORDER BY revision")
            == ["c1_base|1|applied", "c2_slow|1|applied", "c3_last|1|applied"])
        #expect(try db.rows("SELECT note FROM runs ORDER BY id") == ["c1", "c2", "c3"], "each revision's SQL ran once")
        #expect(try db.rows("SELECT outcome, hash IS NOT NULL FROM godwit_audit") == ["succeeded|t"], "one run applied, the others found nothing to do")
        #expect(results.filter { $0.stdout.contains("applied 3 revisions") }.count == 1, "\(results)")
        #expect(results.filter { $0.stdout.contains("nothing to do") }.count == 7, "\(results)")
    }

    @Test func aRunKilledMidPlanLeavesTheRecordedStateTrueAndTheNextRunFinishes() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("k1_first", upgrade: "CREATE TABLE k1 (id int);", downgrade: "DROP TABLE k1;")
        try project.revision("k2_slow", parent: "k1_first", upgrade: "CREATE TABLE k2 (id int);\nSELECT pg_sleep(1.5);", downgrade: "DROP TABLE k2;")
        try project.revision("k3_last", parent: "k2_slow", upgrade: "CREATE TABLE k3 (id int);", downgrade: "DROP TABLE k3;")
        let db = project.database

        let victim = try project.start(["upgrade"], actor: "victim")
        // k2 sleeps inside its transaction: k1 has committed by then.
        try db.waitForActiveQuery(containing: "pg_sleep(1.5)")
        victim.kill()
        let killed = try victim.wait()
        #expect(killed.status == 128 + SIGKILL, "\(killed)")

        // What is recorded is what is there: k1 committed with its row; k2's transaction never commits.
        #expect(try db.revisionRows() == ["k1_first|applied"])
        #expect(try db.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "k1"])
        #expect(try db.rows("SELECT actor, outcome IS NULL, hash IS NULL, steps FROM godwit_audit")
            == ["victim|t|t|[]"], "the killed run's record is open; its steps are written when a run ends")
        let current = try project.godwit(["current", "--json"])
        #expect(try current.jsonObject()["heads"] as? [String] == ["k1_first"], "\(current)")

        // The next run waits for the dead session to go, seals the open record, and finishes.
        let next = try project.godwit(["upgrade"], actor: "rescuer")
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout.contains("applied 2 revisions"), "\(next)")
        #expect(try db.revisionRows() == ["k1_first|applied", "k2_slow|applied", "k3_last|applied"])
        #expect(try db.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "k1", "k2", "k3"])
        let audit = try db.rows(
            "SELECT id, actor, outcome, coalesce(error LIKE 'interrupted%', false), hash IS NOT NULL, to_heads FROM godwit_audit ORDER BY id")
        #expect(audit == ["1|victim|failed|t|t|[\"k1_first\"]", "2|rescuer|succeeded|f|t|[\"k3_last\"]"])
        #expect(try db.value("SELECT steps LIKE '%k1_first%' AND steps NOT LIKE '%k2_slow%' FROM godwit_audit WHERE id = 1") == "t",
            "the sealed record lists the step the killed run committed, read back from the state table")
        #expect(try db.value("SELECT prev_hash = (SELECT hash FROM godwit_audit WHERE id = 1) FROM godwit_audit WHERE id = 2") == "t")
    }

    @Test(arguments: ["advisory", "table"])
    func aRunWaitingPastLockTimeoutExitsFourNamingTheHolder(mode: String) throws {
        let project = try PostgresProject(dev: ["lock_timeout: 1s", "lock: \(mode)"])
        defer { project.remove() }
        try project.revision("l1_slow", upgrade: "SELECT pg_sleep(3);\nCREATE TABLE l1 (id int);")
        let db = project.database

        let holder = try project.start(["upgrade"], actor: "holder-alice")
        try db.waitForActiveQuery(containing: "pg_sleep(3)")
        let started = Date()
        let waiter = try project.godwit(["upgrade"], actor: "waiter-bob")
        let waited = Date().timeIntervalSince(started)
        #expect(waiter.status == 4, "\(waiter)")
        expectNoCrash(waiter)
        #expect(waiter.stderr.contains("holder-alice"), "the holder is named\n\(waiter)")
        #expect(waited >= 1 && waited < 3, "waited \(waited)s with lock_timeout: 1s")

        let held = try holder.wait()
        #expect(held.status == 0, "\(held)")
        #expect(try db.revisionRows() == ["l1_slow|applied"])
        #expect(try db.rows("SELECT actor, outcome FROM godwit_audit") == ["holder-alice|succeeded"], "the waiter recorded nothing")
        if mode == "table" {
            #expect(try db.value("SELECT count(*) FROM godwit_lock") == "0", "the lease was given back")
        }
    }

    @Test(arguments: [false, true])
    func anExceededStatementTimeoutExitsOneWithSQLSTATE57014(inRevisionHeader: Bool) throws {
        let project = try PostgresProject(dev: inRevisionHeader ? [] : ["statement_timeout: 500ms"])
        defer { project.remove() }
        try project.revision("t1_base", upgrade: "CREATE TABLE t1 (id int);")
        let path = try project.revision(
            "t2_slow", parent: "t1_base", header: inRevisionHeader ? ["-- statement_timeout: 500ms"] : [],
            upgrade: "CREATE TABLE t2 (id int);\nSELECT pg_sleep(10);")
        let line = try project.sandbox.line(of: "pg_sleep", in: path)

        let started = Date()
        let failed = try project.godwit(["upgrade"])
        #expect(Date().timeIntervalSince(started) < 8, "the statement was cancelled after 500ms")
        #expect(failed.status == 1, "\(failed)")
        expectNoCrash(failed)
        #expect(failed.stderr.contains("57014"), "\(failed)")
        #expect(failed.stderr.contains("\(path):\(line):"), "\(failed)")
        #expect(try project.database.revisionRows() == ["t1_base|applied"])
        #expect(try project.database.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "t1"])

        let json = try project.godwit(["upgrade", "--json"])
        #expect(json.status == 1, "\(json)")
        let error = try #require(try json.jsonObject()["error"] as? [String: Any], "\(json)")
        #expect(error["sqlstate"] as? String == "57014")
        #expect(error["revision"] as? String == "t2_slow")
        #expect(error["file"] as? String == path)
        #expect(error["line"] as? Int == line)
        #expect(try project.database.rows("SELECT outcome, error LIKE '%statement timeout%', steps LIKE '%t1_base%' FROM godwit_audit ORDER BY id")
            == ["failed|t|t", "failed|t|f"], "each run is recorded as failed, the first with the step it committed")
    }

    @Test(arguments: ["--applied", "--rolled-back"])
    func aFailedNonTransactionalRevisionBlocksUntilResolved(resolution: String) throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("n1_base", upgrade: "CREATE TABLE users (id int, email text);")
        let path = try project.revision(
            "n2_index", parent: "n1_base", header: ["-- transactional: false"],
            upgrade: "CREATE TABLE trail (id int);\n\nCREATE INDEX CONCURRENTLY trail_id\n    ON missing_table (id);\n",
            downgrade: "DROP INDEX CONCURRENTLY IF EXISTS trail_id;\nDROP TABLE trail;")
        try project.revision("n3_later", parent: "n2_index", upgrade: "CREATE TABLE later (id int);")
        let db = project.database
        let line = try project.sandbox.line(of: "CREATE INDEX CONCURRENTLY", in: path)

        let failed = try project.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        expectNoCrash(failed)
        #expect(failed.stderr.contains("\(path):\(line):"), "the statement that failed starts on line \(line)\n\(failed)")
        #expect(failed.stderr.contains("42P01"), "\(failed)")
        #expect(failed.stderr.contains("godwit resolve n2_index"), "\(failed)")
        #expect(try db.revisionRows() == ["n1_base|applied", "n2_index|failed"])
        #expect(try db.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "trail", "users"], "the first statement ran, outside a transaction")
        #expect(try db.rows("SELECT outcome FROM godwit_audit ORDER BY id") == ["failed"])

        let refused = try project.godwit(["upgrade"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("n2_index") && refused.stderr.contains("resolve"), "\(refused)")
        let current = try project.godwit(["current", "--json"])
        #expect(try current.jsonObject()["failed"] as? [String] == ["n2_index"], "\(current)")

        if resolution == "--applied" {
            // The DBA finishes the revision by hand, then says so.
            _ = try db.value("CREATE TABLE missing_table (id int); CREATE INDEX trail_id ON missing_table (id);")
        } else {
            // The DBA undoes it by hand and fixes the file.
            _ = try db.value("DROP TABLE trail")
            try project.sandbox.write(path, try project.sandbox.read(path).replacingOccurrences(of: "missing_table", with: "trail"))
        }
        let resolved = try project.godwit(["resolve", "n2_index", resolution, "--reason", "fixed by hand"])
        #expect(resolved.status == 0, "\(resolved)")
        #expect(try db.revisionRows() == (resolution == "--applied" ? ["n1_base|applied", "n2_index|applied"] : ["n1_base|applied"]))

        let finished = try project.godwit(["upgrade"])
        #expect(finished.status == 0, "\(finished)")
        #expect(try db.revisionRows().map { $0.components(separatedBy: "|")[1] } == ["applied", "applied", "applied"])
        #expect(Set(try db.rows("SELECT revision FROM godwit_revisions")) == ["n1_base", "n2_index", "n3_later"])
        #expect(try db.tables().contains("later"))
        #expect(try db.value("SELECT count(*) FROM pg_index WHERE indexrelid = 'trail_id'::regclass AND indisvalid") == "1")
        #expect(try db.rows("SELECT operation, outcome, reason FROM godwit_audit ORDER BY id")
            == ["upgrade|failed|", "resolve|succeeded|fixed by hand", "upgrade|succeeded|"])
    }

    /// CREATE INDEX CONCURRENTLY waits for every transaction open on the server: it only finishes
    /// when the session that holds the migration lock has none open.
    @Test(arguments: ["advisory", "table"])
    func createIndexConcurrentlyRunsWhileTheLockIsHeld(mode: String) throws {
        let project = try PostgresProject(dev: ["lock: \(mode)", "lock_timeout: 3s", "statement_timeout: 20s"])
        defer { project.remove() }
        try project.revision("i1_users", upgrade: "CREATE TABLE users (id int, email text);\nINSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 2000) g;")
        try project.revision(
            "i2_index", parent: "i1_users", header: ["-- transactional: false"],
            upgrade: "CREATE INDEX CONCURRENTLY users_email ON users (email);\nCREATE UNIQUE INDEX CONCURRENTLY users_id ON users (id);",
            downgrade: "DROP INDEX CONCURRENTLY users_id;\nDROP INDEX CONCURRENTLY users_email;")

        let result = try project.godwit(["upgrade"])
        #expect(result.status == 0, "\(result)")
        let db = project.database
        #expect(try db.rows("SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = 'users'::regclass ORDER BY 1")
            == ["users_email|t", "users_id|t"])
        #expect(try db.revisionRows() == ["i1_users|applied", "i2_index|applied"])
        let down = try project.godwit(["downgrade", "i1_users"])
        #expect(down.status == 0, "\(down)")
        #expect(try db.value("SELECT count(*) FROM pg_index WHERE indrelid = 'users'::regclass") == "0")
    }
}
