import Foundation
import GodwitTestSupport
import Testing

/// `upgrade` of a fleet through the built binary (SPEC §10): the line per target, the summary,
/// `-q`, `--json`, the exit codes, `--shard`, `--target`, `--canary`, and the clear error of a
/// command that does not support fleets; `status` and `check` of a fleet.
@Suite struct FleetCommandTests {
    /// A sandbox whose `prod` is a glob of `count` SQLite tenants, with two revisions.
    static func sandbox(count: Int = 100, prod: [String] = []) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("environments/environments.yaml", (["environments:", "  dev:", "    url: sqlite:var/dev.sqlite3", "  prod:",
            "    targets:", "      glob: var/tenants/*.sqlite3"] + prod.map { "    " + $0 }).joined(separator: "\n") + "\n")
        try sandbox.write("versions/a1_users.sql", "-- revision: a1\n-- down_revision:\n-- message: users\n\n-- +upgrade\nCREATE TABLE users (id INTEGER);\n-- +downgrade\nDROP TABLE users;\n")
        try sandbox.write("versions/b2_orders.sql", "-- revision: b2\n-- down_revision: a1\n-- message: orders\n\n-- +upgrade\nCREATE TABLE orders (id INTEGER);\n-- +downgrade\nDROP TABLE orders;\n")
        for index in 1...count { try sandbox.write("var/tenants/\(name(index)).sqlite3", "") }
        return sandbox
    }

    static func name(_ index: Int) -> String { "t_" + String(format: "%03d", index) }

    @Test func upgradeReportsEachTargetThenTheSummaryAndARerunIsUnchanged() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        let first = try sandbox.godwit(["upgrade", "-e", "prod"])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout == "prod: 100 targets: 100 upgraded, 0 unchanged\n", "\(first)")
        #expect(first.stderr.contains("t_042: upgraded, 2 revisions, base -> b2"), "\(first)")
        #expect(first.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("t_") }.count == 100, "\(first)")

        let quiet = try sandbox.godwit(["upgrade", "-e", "prod", "-q"])
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stdout == "prod: 100 targets: 0 upgraded, 100 unchanged\n", "\(quiet)")
        #expect(quiet.stderr.isEmpty, "\(quiet)")

        let json = try sandbox.godwit(["upgrade", "-e", "prod", "--json"]).jsonObject()
        #expect(json["environment"] as? String == "prod")
        #expect(json["operation"] as? String == "upgrade")
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary.keys.sorted() == ["failed", "skipped", "succeeded", "unchanged"])
        #expect(summary["unchanged"] as? Int == 100 && summary["succeeded"] as? Int == 0 && summary["failed"] as? Int == 0)
        let targets = try #require(json["targets"] as? [[String: Any]])
        #expect(targets.count == 100)
        #expect(targets.first?["target"] as? String == "t_001")
        #expect(targets.first?["outcome"] as? String == "unchanged")
        #expect(targets.first?["to_heads"] as? [String] == ["b2"])
        #expect(Set(targets.first?.keys.map { $0 } ?? []) == ["target", "outcome", "from_heads", "to_heads", "error", "audit_id", "duration_ms"])
    }

    @Test func aFailingTenantIsNamedInTheSummaryAndExitsOne() throws {
        let sandbox = try Self.sandbox(count: 20, prod: ["rollout: {on_error: continue, parallel: 3}"])
        defer { sandbox.remove() }
        let bad = sandbox.url("var/tenants/t_017.sqlite3").path
        _ = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [bad, "CREATE TABLE orders (x INTEGER);"], in: sandbox.root, environment: [:], stdin: nil)
        let result = try sandbox.godwit(["upgrade", "-e", "prod"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout == "prod: 20 targets: 19 upgraded, 0 unchanged, 1 failed (t_017)\n", "\(result)")
        #expect(result.stderr.contains("t_017: failed: versions/b2_orders.sql:"), "\(result)")
        expectNoCrash(result)
        let json = try sandbox.godwit(["upgrade", "-e", "prod", "--json"])
        #expect(json.status == 1)
        let failed = try #require((try json.jsonObject()["targets"] as? [[String: Any]])?.first { $0["outcome"] as? String == "failed" })
        #expect(failed["target"] as? String == "t_017")
        #expect((failed["error"] as? String)?.contains("orders") == true)
    }

    @Test func shardsAndTargetsAfterTheCanary() throws {
        let sandbox = try Self.sandbox(count: 30, prod: ["rollout: {canary: 1}"])
        defer { sandbox.remove() }
        let refused = try sandbox.godwit(["upgrade", "-e", "prod", "--shard", "2/3"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("--canary"), "\(refused)")
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--target", "t_02*"]).status == 5)
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--shard", "4/3"]).status == 2)
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--canary", "--shard", "1/3"]).status == 2)

        let canary = try sandbox.godwit(["upgrade", "-e", "prod", "--canary"])
        #expect(canary.status == 0, "\(canary)")
        #expect(canary.stdout == "prod: 1 target: 1 upgraded, 0 unchanged\n", "\(canary)")
        var seen: [String] = []
        for index in 1...3 {
            let shard = try sandbox.godwit(["upgrade", "-e", "prod", "--shard", "\(index)/3", "--json"])
            #expect(shard.status == 0, "\(shard)")
            seen += (try shard.jsonObject()["targets"] as? [[String: Any]] ?? []).compactMap { $0["target"] as? String }
        }
        #expect(seen.sorted() == (1...30).map(Self.name))
        let some = try sandbox.godwit(["upgrade", "-e", "prod", "--target", "t_00[1-3]", "--target", "t_030", "-q"])
        #expect(some.stdout == "prod: 4 targets: 0 upgraded, 4 unchanged\n", "\(some)")
    }

    @Test func commandsWithoutFleetSupportSaySo() throws {
        let sandbox = try Self.sandbox(count: 2)
        defer { sandbox.remove() }
        for (args, command) in [(["history", "-e", "prod", "-r", "current:"], "history")] {
            let result = try sandbox.godwit(args)
            #expect(result.status == 2, "\(args)\n\(result)")
            #expect(result.stderr.contains("'prod' is a fleet; \(command) does not support fleets yet"), "\(args)\n\(result)")
            expectNoCrash(result)
        }
        let single = try sandbox.godwit(["upgrade", "-e", "dev", "--target", "x"])
        #expect(single.status == 2, "\(single)")
        #expect(single.stderr.contains("not a fleet"), "\(single)")
    }

    @Test func statusShowsAFleetAsOneRowOrOneRowPerTargetAndCheckNamesTheTarget() throws {
        let sandbox = try Self.sandbox(count: 3)
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--target", "t_00[12]"]).status == 0)
        let status = try sandbox.godwit(["status"])
        expectNoCrash(status)
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("3 targets: 2 up to date, 1 pending"), "\(status)")
        #expect(status.stdout.contains("b2 (2), base (1)"), "\(status)")
        let rows = try sandbox.godwit(["status", "-e", "prod", "--targets"])
        #expect(rows.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("t_00") }.count == 3, "\(rows)")
        #expect(rows.stdout.contains("TARGET"), "\(rows)")
        let json = try sandbox.godwit(["status", "-e", "prod", "--json"]).jsonObject()
        let prod = try #require((json["environments"] as? [[String: Any]])?.first)
        let targets = try #require(prod["targets"] as? [[String: Any]])
        #expect(targets.map { $0["name"] as? String } == ["t_001", "t_002", "t_003"])
        #expect(targets.last?["pending"] as? [String] == ["a1", "b2"])
        let check = try sandbox.godwit(["check", "-e", "prod"])
        #expect(check.status == 3, "\(check)")
        #expect(check.stdout.contains("target 't_003': revision 'a1'"), "\(check)")
        #expect(!check.stdout.contains("target 't_001'"), "\(check)")
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        #expect(try sandbox.godwit(["check", "-e", "prod"]).status == 0)
    }

    @Test func targetsAndRolloutKeysAreValidatedWithTheirLine() throws {
        let cases: [(prod: [String], line: Int, fragment: String)] = [
            (["url: sqlite:var/x.sqlite3"], 7, "both 'url' and 'targets'"),
            (["rollout: {parallel: 0}"], 7, "rollout.parallel '0'"),
            (["rollout: {on_error: halt}"], 7, "must be 'stop' or 'continue'"),
            (["rollout: {canry: 1}"], 7, "did you mean 'canary'?"),
        ]
        for (prod, line, fragment) in cases {
            let sandbox = try Self.sandbox(count: 1, prod: prod)
            defer { sandbox.remove() }
            let result = try sandbox.godwit(["upgrade", "-e", "prod"])
            #expect(result.status == 2, "\(prod)\n\(result)")
            #expect(result.stderr.contains("environments/environments.yaml:\(line):"), "\(prod)\n\(result)")
            #expect(result.stderr.contains(fragment), "\(prod)\n\(result)")
        }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("environments/environments.yaml", "environments:\n  prod:\n    targets:\n      query: SELECT 1\n")
        let missing = try sandbox.godwit(["upgrade", "-e", "prod"])
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr.contains("'query' needs 'catalog_url'"), "\(missing)")
        try sandbox.write("environments/environments.yaml", "environments:\n  dev:\n    url: sqlite:x.db\n    rollout: {parallel: 2}\n")
        let single = try sandbox.godwit(["current"])
        #expect(single.status == 2, "\(single)")
        #expect(single.stderr.contains("environments/environments.yaml:4:"), "\(single)")
    }
}
