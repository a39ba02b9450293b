import Foundation
import Testing

/// Repeatable revisions (SPEC §11; issue 13): `versions/repeatable/<name>.sql` run after the
/// versioned steps whenever their checksum changes, on SQLite.
@Suite struct RepeatableTests {
    static let base = WorkflowTests.base
    static let view = "versions/repeatable/views.sql"

    /// A `godwit init` project (dev, test, prod protected) with the repeatable `views`.
    func project() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        try writeView(sandbox, columns: "id")
        return sandbox
    }

    func writeView(_ sandbox: Sandbox, columns: String) throws {
        try sandbox.write(Self.view, """
            -- message: the user list views

            -- +upgrade
            DROP VIEW IF EXISTS user_list;
            CREATE VIEW user_list AS SELECT \(columns) FROM users;

            """)
    }

    /// `name|checksum|applied_at` of each row of `godwit_repeatables`.
    func repeatableRows(_ database: URL) throws -> [String] {
        try sqlite(database, "SELECT name, checksum, applied_at FROM godwit_repeatables ORDER BY name").map { $0.joined(separator: "|") }
    }

    /// The columns of the view `user_list`.
    func viewColumns(_ database: URL) throws -> [String] {
        try sqlite(database, "SELECT name FROM pragma_table_info('user_list')").map { $0[0] }
    }

    /// The scratch replay runs the repeatables too: a repeatable view is no drift, it is in
    /// `schema dump --expected`, and autogenerate against a dump of the environment finds nothing.
    @Test func scratchReplaysRepeatablesForDriftDumpAndAutogenerate() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let drift = try sandbox.godwit(["diff", "dev", "--expected"])
        #expect(drift.status == 0, "the view a repeatable made is expected\n\(drift)")
        let expected = try sandbox.godwit(["schema", "dump", "--expected"])
        #expect(expected.status == 0 && expected.stdout.contains("user_list"), "\(expected)")
        let live = try sandbox.godwit(["schema", "dump", "-o", "schema.sql"])
        #expect(live.status == 0, "\(live)")
        let environments = sandbox.url("environments/environments.yaml")
        try Data((try String(contentsOf: environments, encoding: .utf8) + "\nschema: schema.sql\n").utf8).write(to: environments)
        let generated = try sandbox.godwit(["revision", "--autogenerate", "-m", "nothing"])
        #expect(generated.status == 0, "\(generated)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).filter { $0.hasSuffix(".sql") }.count == 1,
                "no revision written: the repeatable's view is in the replay\n\(generated)")
        // A hand-made change is still drift.
        try sqlite(sandbox.url("var/dev.sqlite3"), "DROP VIEW user_list")
        #expect(try sandbox.godwit(["diff", "dev", "--expected"]).status == 3)
    }

    @Test func runsOnUpgradeOnlyWhenChangedAndShowsEverywhere() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        let dev = sandbox.url("var/dev.sqlite3")

        let first = try sandbox.godwit(["upgrade", "--json"])
        #expect(first.status == 0, "\(first)")
        let steps = try #require(try first.jsonObject()["steps"] as? [[String: Any]])
        #expect(steps.map { "\($0["direction"] ?? "")\u{20}\($0["revision"] ?? "")" } == ["upgrade \(Self.base)", "repeat repeatable/views"], "\(first)")
        #expect(try viewColumns(dev) == ["id"])
        let rows = try repeatableRows(dev)
        let checksum = try sha256(sandbox.url(Self.view))
        #expect(rows.count == 1 && rows[0].hasPrefix("views|\(checksum)|"), "\(rows)")
        let audit = try #require(try sandbox.godwit(["audit", "--json"]).jsonArray().first)
        let auditSteps = try #require(audit["steps"] as? [[String: Any]])
        #expect(auditSteps.last?["direction"] as? String == "repeat" && auditSteps.last?["revision"] as? String == "repeatable/views", "\(audit)")

        // Unchanged: no step, no new row time.
        let again = try sandbox.godwit(["upgrade", "--json"])
        #expect(again.status == 0, "\(again)")
        #expect((try again.jsonObject()["steps"] as? [Any])?.isEmpty == true, "\(again)")
        #expect(try repeatableRows(dev) == rows)
        let current = try sandbox.godwit(["current", "--json"])
        #expect(strings(try current.jsonObject()["pending"]) == [], "\(current)")
        #expect(try sandbox.godwit(["check"]).status == 0)

        // Changed: pending in current, status and check; shown by --dry-run and --sql.
        try writeView(sandbox, columns: "id, email")
        let pending = try sandbox.godwit(["current", "--json"])
        #expect(strings(try pending.jsonObject()["pending"]) == ["repeatable/views"], "\(pending)")
        let text = try sandbox.godwit(["current"])
        #expect(text.stdout.contains("1 repeatable changed"), "\(text)")
        let status = try sandbox.godwit(["status", "--json"])
        let environments = try #require(try status.jsonObject()["environments"] as? [[String: Any]])
        #expect(strings(environments[0]["pending"]) == ["repeatable/views"], "\(status)")
        #expect(strings(environments[1]["pending"]) == [Self.base, "repeatable/views"], "\(status)")
        let check = try sandbox.godwit(["check", "--json"])
        #expect(check.status == 3, "\(check)")
        let problems = try #require(try check.jsonObject()["problems"] as? [[String: Any]])
        #expect(problems.map { $0["kind"] as? String } == ["repeatable_pending"], "\(check)")
        #expect(problems.first?["revision"] as? String == "repeatable/views" && problems.first?["file"] as? String == Self.view)

        let dry = try sandbox.godwit(["upgrade", "--dry-run"])
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stdout.contains("repeat repeatable/views") && dry.stdout.contains("CREATE VIEW user_list AS SELECT id, email FROM users"), "\(dry)")
        let script = try sandbox.godwit(["upgrade", "--sql"])
        #expect(script.status == 0, "\(script)")
        #expect(script.stdout.contains("-- repeat repeatable/views"), "\(script)")
        #expect(script.stdout.contains("INSERT INTO \"godwit_repeatables\""), "\(script)")
        #expect(try viewColumns(dev) == ["id"], "dry-run and --sql changed nothing")

        let rerun = try sandbox.godwit(["upgrade"])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.stdout.contains("ran 1 repeatable"), "\(rerun)")
        #expect(try viewColumns(dev) == ["id", "email"])
        #expect(try repeatableRows(dev) != rows)
        #expect(strings(try sandbox.godwit(["current", "--json"]).jsonObject()["pending"]) == [])
    }

    @Test func theGateHoldsARepeatableUntilThePredecessorHasIt() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["promote", "test"]).status == 0)
        #expect(try sandbox.godwit(["promote", "prod", "--yes"]).status == 0)
        #expect(try viewColumns(sandbox.url("var/prod.sqlite3")) == ["id"])

        try writeView(sandbox, columns: "id, email")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let refused = try sandbox.godwit(["promote", "prod", "--yes"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("repeatable 'repeatable/views'") && refused.stderr.contains("'test'"), "\(refused)")
        #expect(try viewColumns(sandbox.url("var/prod.sqlite3")) == ["id"], "the refusal ran nothing")

        #expect(try sandbox.godwit(["promote", "test"]).status == 0)
        #expect(try viewColumns(sandbox.url("var/test.sqlite3")) == ["id", "email"])
        let promoted = try sandbox.godwit(["promote", "prod", "--yes"])
        #expect(promoted.status == 0, "\(promoted)")
        #expect(try viewColumns(sandbox.url("var/prod.sqlite3")) == ["id", "email"])

        // The override, as for revisions.
        try writeView(sandbox, columns: "email")
        let skipped = try sandbox.godwit(["upgrade", "-e", "test", "--skip-promotion-check", "--reason", "hotfix"])
        #expect(skipped.status == 0, "\(skipped)")
        #expect(try viewColumns(sandbox.url("var/test.sqlite3")) == ["email"])
    }

    @Test func aFailingRepeatableLeavesTheVersionedPartApplied() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        try sandbox.write("versions/repeatable/zz_broken.sql", "-- +upgrade\nINSERT INTO missing_table VALUES (1);\n")
        let dev = sandbox.url("var/dev.sqlite3")

        let failed = try sandbox.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("versions/repeatable/zz_broken.sql:2"), "\(failed)")
        expectNoCrash(failed)
        #expect(try appliedIDs(dev) == [Self.base], "the versioned step stays applied")
        #expect(try repeatableRows(dev).map { String($0.prefix(6)) } == ["views|"], "views ran before; broken did not")
        let record = try #require(try sandbox.godwit(["audit", "--json"]).jsonArray().first)
        #expect(record["outcome"] as? String == "failed")
        #expect((record["error"] as? String)?.contains("repeatable/zz_broken") == true, "\(record)")

        // Fixed, the next upgrade runs only the broken one.
        try sandbox.write("versions/repeatable/zz_broken.sql", "-- +upgrade\nCREATE VIEW IF NOT EXISTS broken AS SELECT id FROM users;\n")
        let fixed = try sandbox.godwit(["upgrade", "--json"])
        #expect(fixed.status == 0, "\(fixed)")
        #expect((try fixed.jsonObject()["steps"] as? [[String: Any]])?.map { $0["revision"] as? String } == ["repeatable/zz_broken"], "\(fixed)")
    }

    @Test func atomicRunsThemInTheOneTransactionAndTheHookRunsAfter() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        try sandbox.write("environments/dev/after_upgrade.sql", "INSERT INTO hook_saw SELECT count(*) FROM user_list;\n")
        try sandbox.newRevision("hook table", upgrade: "CREATE TABLE hook_saw (n INTEGER);\n", downgrade: "DROP TABLE hook_saw;\n")
        let result = try sandbox.godwit(["upgrade", "--atomic"])
        #expect(result.status == 0, "\(result)")
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT n FROM hook_saw") == [["0"]], "the hook saw the view")

        try sandbox.write("versions/repeatable/zz_broken.sql", "-- +upgrade\nINSERT INTO missing_table VALUES (1);\n")
        try sandbox.newRevision("more", upgrade: "CREATE TABLE more_things (id INTEGER);\n", downgrade: "DROP TABLE more_things;\n")
        let atomic = try sandbox.godwit(["upgrade", "--atomic"])
        #expect(atomic.status == 1, "\(atomic)")
        #expect(!userTables(sandbox.url("var/dev.sqlite3")).contains("more_things"), "--atomic rolled the revision back with the repeatable")
    }

    @Test func repeatablesAreLinted() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        try sandbox.write("versions/repeatable/cleanup.sql", "-- message: drop the old report\n-- +upgrade\nDROP TABLE IF EXISTS old_report;\n")
        let lint = try sandbox.godwit(["lint"])
        #expect(lint.status == 3, "\(lint)")
        #expect(lint.stdout.contains("versions/repeatable/cleanup.sql:3: warning: [drop-table]"), "\(lint)")
        let named = try sandbox.godwit(["lint", "repeatable/cleanup", "--json"])
        #expect(named.status == 3, "\(named)")
        let problems = try #require(try named.jsonObject()["problems"] as? [[String: Any]])
        #expect(problems.map { $0["revision"] as? String } == ["repeatable/cleanup"], "\(named)")
        #expect(try sandbox.godwit(["lint", "repeatable/views"]).status == 0)
        let unknown = try sandbox.godwit(["lint", "repeatable/nope"])
        #expect(unknown.status == 2, "\(unknown)")
        expectNoCrash(unknown)
    }

    @Test func aBadRepeatableFileIsAnErrorAtItsLine() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        try sandbox.write("versions/repeatable/bad.sql", "-- message: x\n-- +upgrade\nSELECT 1;\n-- +downgrade\nSELECT 2;\n")
        let result = try sandbox.godwit(["upgrade"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("versions/repeatable/bad.sql:4"), "\(result)")
        let applied = sandbox.exists("var/dev.sqlite3") ? try appliedIDs(sandbox.url("var/dev.sqlite3")) : []
        #expect(applied.isEmpty, "nothing ran")
    }
}
