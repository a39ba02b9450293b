import Foundation
import Testing

/// `--dry-run` changes nothing; `--sql` prints a script that does what `upgrade` does (SPEC §5).
@Suite struct DryRunAndOfflineTests {
    static let base = WorkflowTests.base

    /// A project with a branch and a merge on top of the base revision: base → a, b → m.
    static func branchedProject(_ sandbox: Sandbox) throws -> [String] {
        try sandbox.initProject()
        let a = try sandbox.newRevision(
            "a", upgrade: "CREATE TABLE a (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));\nCREATE INDEX a_user ON a (user_id);\n",
            downgrade: "DROP INDEX a_user;\nDROP TABLE a;\n")
        let b = try sandbox.newRevision(
            "b", upgrade: "CREATE TABLE b (id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT 'it''s; fine');\n",
            downgrade: "DROP TABLE b;\n", extra: ["--head", Self.base, "--splice"])
        let merged = try sandbox.godwit(["merge", "-m", "join a and b", "--json"])
        guard merged.status == 0, let m = try merged.jsonObject()["revision"] as? String,
            let path = try merged.jsonObject()["path"] as? String
        else {
            throw HarnessError("merge failed\n\(merged)")
        }
        try sandbox.fill(path, upgrade: "CREATE VIEW ab AS SELECT a.id FROM a JOIN b ON a.id = b.id;\n", downgrade: "DROP VIEW ab;\n")
        return [Self.base, a.id, b.id, m]
    }

    @Test func aDryRunOnAMissingDatabaseCreatesNoFile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()

        let plan = try sandbox.godwit(["upgrade", "--dry-run"])
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains(Self.base) && plan.stdout.contains("CREATE TABLE users"), "the plan shows each step's SQL\n\(plan)")
        #expect(!sandbox.exists("var/dev.sqlite3"), "a dry-run creates no database")
        #expect(!sandbox.exists("var/dev.sqlite3.godwit.lock"))

        let json = try sandbox.godwit(["upgrade", "--dry-run", "--json"])
        #expect(json.status == 0, "\(json)")
        let result = try json.jsonObject()
        #expect(result["dry_run"] as? Bool == true)
        #expect(result["audit_id"] is NSNull, "a dry-run writes no audit record")
        #expect(strings(result["from_heads"]) == [])
        #expect(strings(result["to_heads"]) == [Self.base])
        let steps = try #require(result["steps"] as? [[String: Any]])
        #expect(steps.count == 1)
        #expect((steps.first?["sql"] as? String)?.contains("CREATE TABLE users") == true)
        #expect(!sandbox.exists("var/dev.sqlite3"))
    }

    @Test func aDryRunLeavesTheDatabaseByteForByteUnchanged() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let ids = try Self.branchedProject(sandbox)
        let dev = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade", ids[1]]).status == 0)
        let hash = try sha256(dev)
        let content = try dump(dev)

        for args in [["upgrade", "--dry-run"], ["downgrade", "base", "--dry-run"], ["stamp", "heads", "--dry-run"], ["upgrade", "heads", "--dry-run", "--json"]] {
            let result = try sandbox.godwit(args)
            #expect(result.status == 0, "\(args)\n\(result)")
            #expect(try sha256(dev) == hash, "\(args) changed the database file")
        }
        #expect(try dump(dev) == content)
        #expect(try appliedIDs(dev) == [Self.base, ids[1]])

        let plan = try sandbox.godwit(["upgrade", "--dry-run", "--json"]).jsonObject()
        let steps = try #require(plan["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["revision"] as? String } == [ids[2], ids[3]], "the plan is what upgrade would do")
        #expect(steps.allSatisfy { $0["duration_ms"] is NSNull }, "nothing ran, so no durations")
    }

    @Test func theOfflineScriptLeavesWhatUpgradeLeaves() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let ids = try Self.branchedProject(sandbox)

        let script = try sandbox.godwit(["upgrade", "--sql"])
        #expect(script.status == 0, "\(script)")
        #expect(!sandbox.exists("var/dev.sqlite3"), "--sql needs no database and creates none")
        for id in ids { #expect(script.stdout.contains(id), "the script has step \(id)") }

        let offline = sandbox.url("offline.sqlite3")
        let ran = try sqliteScript(offline, script.stdout)
        #expect(ran.status == 0 && ran.stderr.isEmpty, "the script runs in sqlite3 as it is\n\(ran)")

        let online = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)

        let rows = "SELECT revision, checksum, state FROM godwit_revisions ORDER BY seq"
        #expect(try sqlite(offline, rows) == (try sqlite(online, rows)))
        #expect(try sqlite(offline, rows).count == 4)
        let schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        #expect(try sqlite(offline, schema) == (try sqlite(online, schema)), "same user tables, indexes, views and Godwit tables")
        #expect(try sqlite(offline, "SELECT operation, outcome FROM godwit_audit") == [["upgrade", "succeeded"]], "the script writes its audit record")

        // Godwit reads the state the script left, as its own.
        let env = ["TEST_DATABASE_URL": "sqlite:offline.sqlite3"]
        let current = try sandbox.godwit(["current", "-e", "test", "--json"], env: env).jsonObject()
        #expect(Set(strings(current["applied"]) ?? []) == Set(ids))
        #expect(strings(current["pending"]) == [])
        let nothing = try sandbox.godwit(["upgrade", "-e", "test"], env: env)
        #expect(nothing.status == 0, "\(nothing)")
        #expect(nothing.stdout.contains("nothing to do"), "\(nothing)")
        let sealed = try sqlite(offline, "SELECT outcome, length(hash) FROM godwit_audit")
        #expect(sealed == [["succeeded", "64"]], "the next run seals the script's audit record into the chain")

        // And the downgrade script takes it back to base.
        let down = try sandbox.godwit(["downgrade", "base", "--sql", "--from", ids[3]])
        #expect(down.status == 0, "\(down)")
        let reverted = try sqliteScript(offline, down.stdout)
        #expect(reverted.status == 0, "\(reverted)")
        #expect(try revisionRows(offline) == [])
        #expect(userTables(offline) == [])
    }

    @Test func anOfflineScriptFromARevisionHasOnlyTheLaterSteps() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let ids = try Self.branchedProject(sandbox)
        let script = try sandbox.godwit(["upgrade", "--sql", "--from", ids[1]])
        #expect(script.status == 0, "\(script)")
        #expect(!script.stdout.contains("CREATE TABLE users"), "the base is already there")
        #expect(!script.stdout.contains("CREATE TABLE a "), "a is already there")
        #expect(script.stdout.contains("CREATE TABLE b ") && script.stdout.contains("CREATE VIEW ab"))

        let withoutSQL = try sandbox.godwit(["upgrade", "--from", ids[1]])
        #expect(withoutSQL.status == 2, "--from goes with --sql\n\(withoutSQL)")
    }
}
