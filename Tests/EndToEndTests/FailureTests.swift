import Foundation
import Testing

/// When SQL fails, and when a rule refuses (SPEC §3, §8: "never a partially recorded state").
@Suite struct FailureTests {
    static let base = WorkflowTests.base

    /// A revision whose second statement violates NOT NULL between two CREATE TABLEs.
    static let failingUpgrade = """
        CREATE TABLE t1 (id INTEGER PRIMARY KEY);
        INSERT INTO users (id, email) VALUES (1, NULL);
        CREATE TABLE t2 (id INTEGER);

        """

    @Test func aFailingStatementRollsBackItsRevisionAndNamesFileLineEnvironmentAndRevision() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let good = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        let bad = try sandbox.newRevision("broken", upgrade: Self.failingUpgrade, downgrade: "DROP TABLE t2;\nDROP TABLE t1;\n")
        let line = try sandbox.line(of: "INSERT INTO users", in: bad.path)

        let failed = try sandbox.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("\(bad.path):\(line)"), "names the file and the line of the failing statement\n\(failed)")
        #expect(failed.stderr.contains("'dev'"), "names the environment\n\(failed)")
        #expect(failed.stderr.contains(bad.id), "names the revision\n\(failed)")
        #expect(failed.stderr.contains("NOT NULL"), "gives the database's message\n\(failed)")
        #expect(failed.stdout.isEmpty, "\(failed)")
        expectNoCrash(failed)

        // One transaction per revision: the good one stays, the bad one left nothing behind.
        #expect(userTables(dev) == ["posts", "users"], "neither t1 nor t2 exists")
        #expect(try revisionRows(dev) == ["\(Self.base)|applied", "\(good.id)|applied"])
        #expect(try sqlite(dev, "SELECT count(*) FROM users") == [["0"]])

        let audit = try sqlite(dev, "SELECT operation, outcome, error, steps, hash, to_heads FROM godwit_audit ORDER BY id DESC LIMIT 1")
        let record = try #require(audit.first)
        #expect(record[0] == "upgrade")
        #expect(record[1] == "failed", "the audit has the failed run: \(record)")
        #expect(record[2].contains("\(bad.path):\(line)"), "the audit's error names the place: \(record)")
        #expect(record[3].contains(good.id) && !record[3].contains(bad.id), "the audit's steps are what was committed: \(record)")
        #expect(record[4].count == 64, "the failed record is sealed: \(record)")
        #expect(record[5] == "[\"\(good.id)\"]", "to_heads are the heads actually reached: \(record)")

        // The same failure as JSON on stdout.
        let json = try sandbox.godwit(["upgrade", "--json"])
        #expect(json.status == 1, "\(json)")
        let error = try #require(json.jsonObject()["error"] as? [String: Any], "\(json)")
        #expect(error["code"] as? Int == 1)
        #expect(error["file"] as? String == bad.path)
        #expect(error["line"] as? Int == line)
        #expect(error["environment"] as? String == "dev")
        #expect(error["revision"] as? String == bad.id)
        #expect((error["sqlstate"] as? String)?.isEmpty == false, "a database error carries its SQLSTATE (or SQLite code)")
        #expect((error["message"] as? String)?.contains("NOT NULL") == true)

        // A transactional revision does not block the environment: fix the file, upgrade again.
        try sandbox.fill(
            bad.path, upgrade: Self.failingUpgrade.replacingOccurrences(of: "NULL)", with: "'a@example.com')"),
            downgrade: "DROP TABLE t2;\nDROP TABLE t1;\n")
        let fixed = try sandbox.godwit(["upgrade"])
        #expect(fixed.status == 0, "\(fixed)")
        #expect(userTables(dev) == ["posts", "t1", "t2", "users"])
    }

    /// SPEC §8: "for a failing SQL statement the line where that statement starts in the revision file".
    @Test func aSyntaxErrorInsideAMultiLineStatementNamesTheLineWhereTheStatementStarts() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let bad = try sandbox.newRevision(
            "broken",
            upgrade: "CREATE TABLE t1 (id INTEGER PRIMARY KEY);\nCREATE TABLE t2 (\n    id INTEGER,\n    name TEXT NOT NULL DEFAULT garbage garbage\n);\n",
            downgrade: "DROP TABLE t2;\nDROP TABLE t1;\n")
        let start = try sandbox.line(of: "CREATE TABLE t2", in: bad.path)

        let failed = try sandbox.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        #expect(
            failed.stderr.contains("\(bad.path):\(start):") || failed.stderr.hasPrefix("\(bad.path):\(start) "),
            "the place is the line where the failing statement starts (\(start))\n\(failed)")
        #expect(userTables(sandbox.url("var/dev.sqlite3")) == ["users"], "the base revision ran in its own transaction; t1 was rolled back")
    }

    @Test func atomicRollsBackTheWholePlan() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        _ = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        _ = try sandbox.newRevision("broken", upgrade: Self.failingUpgrade, downgrade: "DROP TABLE t2;\nDROP TABLE t1;\n")

        let failed = try sandbox.godwit(["upgrade", "--atomic"])
        #expect(failed.status == 1, "\(failed)")
        #expect(userTables(dev) == ["users"], "--atomic: the good revision is rolled back too")
        #expect(try revisionRows(dev) == ["\(Self.base)|applied"])
        #expect(try sqlite(dev, "SELECT outcome FROM godwit_audit ORDER BY id DESC LIMIT 1") == [["failed"]])
    }

    @Test func aDowngradeThroughAnIrreversibleRevisionIsRefusedBeforeAnythingRuns() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let oneWay = try sandbox.newRevision("one way", upgrade: "CREATE TABLE archive (id INTEGER);\n", downgrade: nil)
        let top = try sandbox.newRevision("top", upgrade: "CREATE TABLE top (id INTEGER);\n", downgrade: "DROP TABLE top;\n")
        #expect(!(try sandbox.read(oneWay.path)).contains("-- +downgrade"))
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        _ = try sqlite(dev, "INSERT INTO top (id) VALUES (7)")
        let before = try dump(dev)
        let auditRows = try sqlite(dev, "SELECT count(*) FROM godwit_audit")

        let refused = try sandbox.godwit(["downgrade", "base"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains(oneWay.id), "names the irreversible revision\n\(refused)")
        #expect(refused.stderr.contains("downgrade"), "\(refused)")
        expectNoCrash(refused)
        #expect(try dump(dev) == before, "nothing ran: not even the reversible revision above it")
        #expect(try sqlite(dev, "SELECT count(*) FROM godwit_audit") == auditRows)

        let json = try sandbox.godwit(["downgrade", "base", "--json"])
        #expect(json.status == 5, "\(json)")
        let error = try #require(json.jsonObject()["error"] as? [String: Any])
        #expect(error["code"] as? Int == 5)
        #expect(error["revision"] as? String == oneWay.id)

        // Above the irreversible revision, downgrades still work.
        let one = try sandbox.godwit(["downgrade", "-1"])
        #expect(one.status == 0, "\(one)")
        #expect(try appliedIDs(dev) == [Self.base, oneWay.id])
        #expect(!userTables(dev).contains("top"))

        let shown = try sandbox.godwit(["show", oneWay.id, "--json"]).jsonObject()
        #expect(shown["downgrade_sql"] is NSNull, "no downgrade section: downgrade_sql is null")
        _ = top
    }

    @Test func aFailedNonTransactionalRevisionBlocksUpgradesUntilResolved() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let bad = try sandbox.newRevision("outside", upgrade: Self.failingUpgrade, downgrade: "DROP TABLE t2;\nDROP TABLE t1;\n")
        var text = try sandbox.read(bad.path)
        text = text.replacingOccurrences(of: "-- message: outside\n", with: "-- message: outside\n-- transactional: false\n")
        try sandbox.write(bad.path, text)
        let line = try sandbox.line(of: "INSERT INTO users", in: bad.path)

        let failed = try sandbox.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("\(bad.path):\(line)"), "\(failed)")
        #expect(failed.stderr.contains("resolve"), "says what to do next\n\(failed)")
        #expect(try revisionRows(dev) == ["\(Self.base)|applied", "\(bad.id)|failed"])
        #expect(userTables(dev).contains("t1"), "outside a transaction, the first statement stays")
        let current = try sandbox.godwit(["current", "--json"]).jsonObject()
        #expect(strings(current["failed"]) == [bad.id])

        let blocked = try sandbox.godwit(["upgrade"])
        #expect(blocked.status == 5, "a failed revision refuses later upgrades\n\(blocked)")
        #expect(blocked.stderr.contains(bad.id), "\(blocked)")

        _ = try sqlite(dev, "DROP TABLE t1")
        let resolved = try sandbox.godwit(["resolve", bad.id, "--rolled-back"])
        #expect(resolved.status == 0, "\(resolved)")
        #expect(try revisionRows(dev) == ["\(Self.base)|applied"])
        #expect(try sqlite(dev, "SELECT operation FROM godwit_audit ORDER BY id DESC LIMIT 1") == [["resolve"]])
    }
}
