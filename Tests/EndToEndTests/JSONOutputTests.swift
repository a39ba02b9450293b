import Foundation
import Testing

/// `--json`: one JSON document on stdout with the keys of SPEC §9; progress on stderr.
@Suite struct JSONOutputTests {
    static let base = WorkflowTests.base

    /// A project with the base revision and `posts` on top of it, nothing applied.
    static func project(_ sandbox: Sandbox) throws -> (id: String, path: String) {
        try sandbox.initProject()
        return try sandbox.newRevision(
            "add posts", upgrade: "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n",
            downgrade: "DROP TABLE posts;\n")
    }

    @Test func upgradeAndDowngradeReportTheirSteps() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let posts = try Self.project(sandbox)
        let dev = sandbox.url("var/dev.sqlite3")

        let up = try sandbox.godwit(["upgrade", "--json"])
        #expect(up.status == 0, "\(up)")
        #expect(up.stderr.contains("applying"), "progress goes to stderr\n\(up)")
        let result = try up.jsonObject()
        expectKeys(result, ["environment", "operation", "dry_run", "from_heads", "to_heads", "steps", "audit_id"], "upgrade --json")
        #expect(result["environment"] as? String == "dev")
        #expect(result["operation"] as? String == "upgrade")
        #expect(result["dry_run"] as? Bool == false)
        #expect(strings(result["from_heads"]) == [])
        #expect(strings(result["to_heads"]) == [posts.id])
        let steps = try #require(result["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["revision"] as? String } == [Self.base, posts.id])
        for step in steps {
            expectKeys(step, ["revision", "direction", "message", "sql", "warnings", "duration_ms"], "upgrade step")
            #expect(step["direction"] as? String == "upgrade")
            #expect(step["warnings"] is [Any])
            #expect(step["duration_ms"] is NSNumber, "an applied step has a duration")
        }
        #expect(steps.last?["message"] as? String == "add posts")
        #expect((steps.last?["sql"] as? String)?.contains("CREATE TABLE posts") == true)
        let auditID = try #require(result["audit_id"] as? Int)
        #expect(try sqlite(dev, "SELECT operation, outcome FROM godwit_audit WHERE id = \(auditID)") == [["upgrade", "succeeded"]])

        let down = try sandbox.godwit(["downgrade", "base", "--json"])
        #expect(down.status == 0, "\(down)")
        let reverted = try down.jsonObject()
        expectKeys(reverted, ["environment", "operation", "dry_run", "from_heads", "to_heads", "steps", "audit_id"], "downgrade --json")
        #expect(reverted["operation"] as? String == "downgrade")
        #expect(strings(reverted["from_heads"]) == [posts.id])
        #expect(strings(reverted["to_heads"]) == [])
        let downSteps = try #require(reverted["steps"] as? [[String: Any]])
        #expect(downSteps.compactMap { $0["revision"] as? String } == [posts.id, Self.base], "children first")
        #expect(downSteps.allSatisfy { $0["direction"] as? String == "downgrade" })
        #expect((downSteps.first?["sql"] as? String)?.contains("DROP TABLE posts") == true)
    }

    @Test func currentReportsHeadsAppliedPendingAndFailed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let posts = try Self.project(sandbox)

        let before = try sandbox.godwit(["current", "--json"])
        #expect(before.status == 0, "\(before)")
        let empty = try before.jsonObject()
        #expect(keys(empty) == ["applied", "environment", "failed", "heads", "pending"])
        #expect(empty["environment"] as? String == "dev")
        #expect(strings(empty["heads"]) == [])
        #expect(strings(empty["applied"]) == [])
        #expect(strings(empty["pending"]) == [Self.base, posts.id])
        #expect(strings(empty["failed"]) == [])
        #expect(!sandbox.exists("var/dev.sqlite3"), "current does not create the database")

        #expect(try sandbox.godwit(["upgrade", Self.base]).status == 0)
        let half = try sandbox.godwit(["current", "--json"]).jsonObject()
        #expect(strings(half["heads"]) == [Self.base])
        #expect(strings(half["applied"]) == [Self.base])
        #expect(strings(half["pending"]) == [posts.id])

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let full = try sandbox.godwit(["current", "--json"]).jsonObject()
        #expect(strings(full["heads"]) == [posts.id])
        #expect(strings(full["applied"]) == [Self.base, posts.id], "in the order applied")
        #expect(strings(full["pending"]) == [])
    }

    @Test func historyIsNewestFirstWithTheGraphMarked() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let posts = try Self.project(sandbox)
        let tags = try sandbox.newRevision("tags", upgrade: "CREATE TABLE tags (id INTEGER);\n", downgrade: "DROP TABLE tags;\n")

        let history = try sandbox.godwit(["history", "--json"])
        #expect(history.status == 0, "\(history)")
        let items = try history.jsonArray()
        #expect(items.compactMap { $0["revision"] as? String } == [tags.id, posts.id, Self.base], "newest first")
        for item in items {
            expectKeys(
                item, ["revision", "down_revisions", "message", "create_date", "is_head", "is_base", "is_merge", "is_branch_point"],
                "history --json item")
        }
        #expect(items[0]["is_head"] as? Bool == true)
        #expect(items[0]["is_base"] as? Bool == false)
        #expect(strings(items[0]["down_revisions"]) == [posts.id])
        #expect(items[2]["is_base"] as? Bool == true)
        #expect(items[2]["is_head"] as? Bool == false)
        #expect(strings(items[2]["down_revisions"]) == [])
        #expect(items.allSatisfy { $0["is_merge"] as? Bool == false && $0["is_branch_point"] as? Bool == false })
        let date = try #require(items[0]["create_date"] as? String)
        #expect(ISO8601DateFormatter().date(from: date) != nil, "create_date is ISO 8601 UTC: \(date)")
        #expect(date.hasSuffix("Z"))
    }

    @Test func showGivesTheRevisionWithItsFileAndSQL() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let posts = try Self.project(sandbox)

        let shown = try sandbox.godwit(["show", String(posts.id.prefix(5)), "--json"])
        #expect(shown.status == 0, "\(shown)")
        let object = try shown.jsonObject()
        expectKeys(
            object,
            [
                "revision", "down_revisions", "message", "create_date", "is_head", "is_base", "is_merge", "is_branch_point",
                "path", "checksum", "transactional", "upgrade_sql", "downgrade_sql",
            ], "show --json")
        #expect(object["revision"] as? String == posts.id, "a unique prefix names the revision; the full id is shown")
        #expect(object["path"] as? String == posts.path)
        #expect(object["checksum"] as? String == (try sha256(sandbox.url(posts.path))))
        #expect(object["transactional"] as? Bool == true)
        #expect((object["upgrade_sql"] as? String)?.contains("CREATE TABLE posts") == true)
        #expect((object["downgrade_sql"] as? String)?.contains("DROP TABLE posts") == true)
        #expect(strings(object["down_revisions"]) == [Self.base])

        let human = try sandbox.godwit(["show", posts.id])
        #expect(human.status == 0, "\(human)")
        #expect(human.stdout.contains(posts.path) && human.stdout.contains("CREATE TABLE posts"), "\(human)")
    }

    @Test func globalOptionsWorkBeforeTheSubcommand() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let posts = try Self.project(sandbox)
        try FileManager.default.createDirectory(at: sandbox.url("elsewhere"), withIntermediateDirectories: true)

        let heads = try sandbox.godwit(["--json", "heads"])
        #expect(heads.status == 0, "\(heads)")
        #expect(try heads.jsonArray().compactMap { $0["revision"] as? String } == [posts.id])

        let current = try sandbox.godwit(["-e", "test", "--json", "current"])
        #expect(current.status == 0, "\(current)")
        #expect(try current.jsonObject()["environment"] as? String == "test")

        let history = try sandbox.godwit(["--project", sandbox.root.path, "--json", "history"], dir: "elsewhere")
        #expect(history.status == 0, "\(history)")
        #expect(try history.jsonArray().count == 2)

        let upgrade = try sandbox.godwit(["--json", "-q", "upgrade"])
        #expect(upgrade.status == 0, "\(upgrade)")
        #expect(try upgrade.jsonObject()["operation"] as? String == "upgrade")
        #expect(upgrade.stderr.isEmpty, "-q silences progress\n\(upgrade)")
    }

    @Test func everyReadingCommandPrintsOneJSONDocument() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try Self.project(sandbox)
        #expect(try sandbox.godwit(["upgrade", "-q"]).status == 0)
        for args in [["heads"], ["branches"], ["history"], ["current"], ["show", "head"], ["upgrade"], ["upgrade", "--dry-run"], ["downgrade", "-1", "--dry-run"]] {
            let result = try sandbox.godwit(args + ["--json"])
            #expect(result.status == 0, "\(args)\n\(result)")
            do { _ = try result.json() } catch { Issue.record("\(args): \(error)") }
        }
    }
}
