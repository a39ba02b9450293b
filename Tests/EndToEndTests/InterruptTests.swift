import Foundation
import GodwitTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RunningProcess {
    /// Sends a signal (SIGINT as Ctrl-C does, SIGTERM as a deploy being stopped does).
    func send(_ signal: Int32) { _ = Glibc.kill(process.processIdentifier, signal) }

    /// Waits for the process, failing when it takes longer than `seconds` (then it is killed).
    func wait(within seconds: Double) throws -> RunResult {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill()
            throw HarnessError("the process did not end within \(seconds)s of the signal\n\(try wait())")
        }
        return try wait()
    }
}

/// Starts the built binary in `dir`, as `Sandbox.godwit` would run it, without waiting.
func startGodwit(_ args: [String], in dir: URL) throws -> RunningProcess {
    var environment = ProcessInfo.processInfo.environment
    environment["GODWIT_PROJECT"] = nil
    environment["NO_COLOR"] = "1"
    environment["GODWIT_ACTOR"] = "e2e-tester"
    return try RunningProcess(try Paths.requireBinary(), args, in: dir, environment: environment)
}

/// Waits until `condition` holds, polling every 20 ms.
/// - Throws: `HarnessError` when it does not hold within `seconds`.
func pollUntil(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(20_000)
    }
    throw HarnessError("timed out after \(seconds)s waiting until \(what)")
}

@Suite("Interrupts on SQLite (SPEC §11)")
struct SQLiteInterruptTests {
    /// A statement that runs for minutes: counting a billion rows of a recursive CTE.
    static let longStatement = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) INSERT INTO slow SELECT count(*) FROM c;"

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalDuringARevisionRollsItBackSealsTheRecordAndExits(signal: Int32) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initProject()
        #expect(try box.godwit(["upgrade"]).status == 0)
        let slow = try box.newRevision("slow", upgrade: "CREATE TABLE slow (n int);\n" + Self.longStatement + "\n", downgrade: "DROP TABLE slow;")
        let database = box.url("var/dev.sqlite3")

        let run = try startGodwit(["upgrade", "-v"], in: box.root)
        // The step's line is printed just before its SQL runs; the statement is then interrupted
        // (or, when the signal comes first, the step never starts): either way nothing is applied.
        try pollUntil("the slow revision runs") {
            (try? sqlite(database, "SELECT count(*) FROM godwit_audit WHERE outcome IS NULL").first?.first) == "1"
        }
        usleep(300_000)
        let started = Date()
        run.send(signal)
        let result = try run.wait(within: 10)
        #expect(Date().timeIntervalSince(started) < 5, "\(result)")
        #expect(result.status == 128 + signal, "\(result)")
        #expect(result.stderr.contains("interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"), "\(result)")
        #expect(result.stderr.contains("revision '\(slow.id)' rolled back"), "\(result)")
        #expect(!result.stderr.contains("Fatal error"), "\(result)")

        #expect(try revisionRows(database) == ["3f2a9c1b7d4e|applied"], "the interrupted revision is not recorded")
        #expect(!userTables(database).contains("slow"), "its transaction was rolled back")
        let audit = try sqlite(database, "SELECT outcome, error, hash IS NOT NULL FROM godwit_audit ORDER BY id DESC LIMIT 1")
        #expect(audit == [["failed", "interrupted", "1"]], "the record is sealed as failed with the error 'interrupted'")

        // The lock is free: the next run neither waits nor finds an open record to seal.
        try box.fill(slow.path, upgrade: "CREATE TABLE slow (n int);\n", downgrade: "DROP TABLE slow;")
        let next = try box.godwit(["upgrade"])
        #expect(next.status == 0, "\(next)")
        #expect(!next.stderr.contains("waiting"), "\(next)")
        #expect(try revisionRows(database) == ["3f2a9c1b7d4e|applied", "\(slow.id)|applied"])
    }
}

@Suite(
    "Interrupts on PostgreSQL (SPEC §11)", .serialized,
    .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresInterruptTests {
    /// The sessions of godwit runs still connected to the test's database.
    static func godwitSessions(_ db: PostgresDatabase) throws -> String {
        try db.value(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'godwit %'")
    }

    /// Starts `args`, waits for `pg_sleep` on the server, sends `signal`, and checks the exit
    /// status, its time, and that no session of the run is left.
    static func interrupt(_ project: PostgresProject, _ args: [String], signal: Int32) throws -> RunResult {
        let run = try project.start(args)
        try project.database.waitForActiveQuery(containing: "pg_sleep(30)")
        let started = Date()
        run.send(signal)
        let result = try run.wait(within: 10)
        #expect(Date().timeIntervalSince(started) < 5, "exits within a few seconds, not after the 30 s statement\n\(result)")
        #expect(result.status == 128 + signal, "\(result)")
        #expect(try godwitSessions(project.database) == "0", "no backend of the run is left working")
        return result
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalCancelsTheStatementRollsBackSealsAndReleases(signal: Int32) throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("i1_first", upgrade: "CREATE TABLE i1 (id int);", downgrade: "DROP TABLE i1;")
        let slow = try project.revision("i2_slow", parent: "i1_first", upgrade: "CREATE TABLE i2 (id int);\nSELECT pg_sleep(30);", downgrade: "DROP TABLE i2;")
        let db = project.database

        let result = try Self.interrupt(project, ["upgrade"], signal: signal)
        #expect(result.stderr.contains("interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"), "\(result)")
        #expect(result.stderr.contains("revision 'i2_slow' rolled back"), "\(result)")
        #expect(try db.revisionRows() == ["i1_first|applied"])
        #expect(try db.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "i1"])
        #expect(try db.rows("SELECT outcome, error, hash IS NOT NULL, steps LIKE '%i1_first%' AND steps NOT LIKE '%i2_slow%' FROM godwit_audit")
            == ["failed|interrupted|t|t"], "sealed as failed 'interrupted', with the step that committed")

        // The lock is free: a second run does not wait.
        try project.sandbox.write(slow, try project.sandbox.read(slow).replacingOccurrences(of: "SELECT pg_sleep(30);", with: ""))
        let next = try project.godwit(["upgrade"])
        #expect(next.status == 0, "\(next)")
        #expect(!next.stderr.contains("waiting"), "\(next)")
        #expect(try db.revisionRows() == ["i1_first|applied", "i2_slow|applied"])
    }

    @Test func aNonTransactionalRevisionInterruptedIsRecordedFailed() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("n1_slow", header: ["-- transactional: false"], upgrade: "CREATE TABLE n1 (id int);\nSELECT pg_sleep(30);")
        let db = project.database

        let result = try Self.interrupt(project, ["upgrade"], signal: SIGTERM)
        #expect(result.stderr.contains("recorded as failed"), "\(result)")
        #expect(try db.revisionRows() == ["n1_slow|failed"])
        #expect(try db.rows("SELECT outcome, error, hash IS NOT NULL FROM godwit_audit") == ["failed|interrupted|t"])
    }

    @Test func anAtomicRunInterruptedLeavesNothing() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("a1_first", upgrade: "CREATE TABLE a1 (id int);", downgrade: "DROP TABLE a1;")
        try project.revision("a2_slow", parent: "a1_first", upgrade: "SELECT pg_sleep(30);", downgrade: "")
        let db = project.database

        let result = try Self.interrupt(project, ["upgrade", "--atomic"], signal: SIGINT)
        #expect(result.stderr.contains("--atomic"), "\(result)")
        #expect(try db.revisionRows() == [])
        #expect(try db.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions"])
        #expect(try db.rows("SELECT outcome, error, steps FROM godwit_audit") == ["failed|interrupted|[]"])
    }

    @Test func aRunWaitingForTheLockStopsAtOnce() throws {
        let project = try PostgresProject(dev: ["lock_timeout: 60s"])
        defer { project.remove() }
        try project.revision("w1_slow", upgrade: "SELECT pg_sleep(30);")
        let db = project.database

        let holder = try project.start(["upgrade"], actor: "holder")
        try db.waitForActiveQuery(containing: "pg_sleep(30)")
        let waiter = try project.start(["upgrade"], actor: "waiter")
        try db.waitUntil("the second run waits") {
            try db.value("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'godwit waiter%'") != "0"
        }
        usleep(300_000)
        waiter.send(SIGINT)
        let waited = try waiter.wait(within: 5)
        #expect(waited.status == 130, "\(waited)")
        holder.send(SIGINT)
        #expect(try holder.wait(within: 10).status == 130)
        #expect(try Self.godwitSessions(db) == "0")
    }
}

@Suite(
    "Server notices, permissions and keepalives on PostgreSQL", .serialized,
    .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresSessionTests {
    @Test func noticesShowWithVerboseAndWarningsAlways() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision(
            "s1_notice",
            upgrade: "DO $$ BEGIN RAISE NOTICE 'hello from the notice'; RAISE WARNING 'careful with the warning'; END $$;",
            downgrade: "DO $$ BEGIN RAISE NOTICE 'down notice'; END $$;")

        let verbose = try project.godwit(["upgrade", "-v"])
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stderr.contains("notice: hello from the notice [environment 'dev']"), "\(verbose)")
        #expect(verbose.stderr.contains("warning: careful with the warning [environment 'dev']"), "\(verbose)")

        let quiet = try project.godwit(["downgrade", "base"])
        #expect(quiet.status == 0, "\(quiet)")
        #expect(!quiet.stderr.contains("down notice"), "notices need -v\n\(quiet)")
        let again = try project.godwit(["upgrade"])
        #expect(!again.stderr.contains("hello from the notice"), "\(again)")
        #expect(again.stderr.contains("warning: careful with the warning"), "a warning shows without -v\n\(again)")
    }

    @Test func aRoleWithoutUsageOnTheSchemaIsAnErrorNotAnEmptyDatabase() throws {
        let project = try PostgresProject(dev: ["schema: app"])
        defer { project.remove() }
        try project.revision("p1_first", upgrade: "CREATE TABLE p1 (id int);", downgrade: "DROP TABLE p1;")
        try project.revision("p2_second", parent: "p1_first", upgrade: "CREATE TABLE p2 (id int);", downgrade: "DROP TABLE p2;")
        #expect(try project.godwit(["upgrade", "p1_first"]).status == 0)
        let db = project.database
        let role = "godwit_e2e_reader_" + db.name.suffix(8)
        _ = try db.value("CREATE ROLE \(role) LOGIN")
        defer { _ = try? db.value("DROP OWNED BY \(role); DROP ROLE \(role)") }
        guard var components = URLComponents(string: db.url) else { throw HarnessError("bad url \(db.url)") }
        components.user = role
        let env = ["PG_URL": components.string ?? ""]

        let current = try project.godwit(["current"], env: env)
        #expect(current.status == 1, "\(current)")
        #expect(current.stderr.contains("role '\(role)' lacks the USAGE privilege on schema 'app'"), "\(current)")
        #expect(!current.stdout.contains("pending"), "\(current)")

        let check = try project.godwit(["check"], env: env)
        #expect(check.status == 1, "\(check)")

        let status = try project.godwit(["status", "--json"], env: env)
        let environments = try #require(try status.jsonObject()["environments"] as? [[String: Any]])
        let dev = environments.first { $0["name"] as? String == "dev" }
        #expect((dev?["error"] as? String)?.contains("USAGE privilege on schema 'app'") == true, "\(status)")
        #expect((dev?["heads"] as? [String]) == [], "\(status)")

        // USAGE without SELECT on Godwit's table: an error naming the table.
        _ = try db.value("GRANT USAGE ON SCHEMA app TO \(role)")
        let noSelect = try project.godwit(["current"], env: env)
        #expect(noSelect.status == 1, "\(noSelect)")
        #expect(noSelect.stderr.contains("lacks the SELECT privilege on table 'app.godwit_revisions'"), "\(noSelect)")

        _ = try db.value("GRANT SELECT ON ALL TABLES IN SCHEMA app TO \(role)")
        let readable = try project.godwit(["current", "--json"], env: env)
        #expect(readable.status == 0, "\(readable)")
        #expect(try readable.jsonObject()["heads"] as? [String] == ["p1_first"], "\(readable)")
    }
}
