import Foundation
import GodwitTestSupport
import Testing

/// Every `-e` command on a SQLite glob fleet through the built binary (SPEC §10, issue 12):
/// downgrade, stamp and promote through the fleet runner, `--sql` once for one shared state,
/// `--rehearse` per target, the read commands per target with a summary, audit records marked
/// with their target, lint in the fleet's dialect, and the protected fleet's typed confirmation.
@Suite struct FleetEveryCommandTests {
    static func sandbox(count: Int = 3, prod: [String] = []) throws -> Sandbox {
        try FleetCommandTests.sandbox(count: count, prod: prod)
    }

    static func tenant(_ sandbox: Sandbox, _ index: Int) -> URL {
        sandbox.url("var/tenants/\(FleetCommandTests.name(index)).sqlite3")
    }

    @Test func downgradeStampAndRehearseRunPerTarget() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        let down = try sandbox.godwit(["downgrade", "-e", "prod", "a1"])
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout == "prod: 3 targets: 3 downgraded, 0 unchanged\n", "\(down)")
        #expect(down.stderr.contains("t_002: downgraded, 1 revision, b2 -> a1"), "\(down)")
        for index in 1...3 { #expect(try appliedIDs(Self.tenant(sandbox, index)) == ["a1"]) }

        let rehearsal = try sandbox.godwit(["upgrade", "-e", "prod", "--rehearse"])
        #expect(rehearsal.status == 0, "\(rehearsal)")
        #expect(rehearsal.stdout == "prod: 3 targets: 3 rehearsed, 0 unchanged (rehearsal: every target rolled back)\n", "\(rehearsal)")
        #expect(rehearsal.stderr.contains("t_001: rehearsed, 1 revision, a1 -> b2"), "\(rehearsal)")
        for index in 1...3 { #expect(try appliedIDs(Self.tenant(sandbox, index)) == ["a1"], "a rehearsal keeps nothing") }

        let stamp = try sandbox.godwit(["stamp", "-e", "prod", "b2", "--target", "t_00[12]", "--json"])
        #expect(stamp.status == 0, "\(stamp)")
        let json = try stamp.jsonObject()
        #expect(json["operation"] as? String == "stamp")
        #expect((json["targets"] as? [[String: Any]])?.compactMap { $0["target"] as? String } == ["t_001", "t_002"])
        #expect(try appliedIDs(Self.tenant(sandbox, 1)) == ["a1", "b2"])
        #expect(try appliedIDs(Self.tenant(sandbox, 3)) == ["a1"])
    }

    /// A changed repeatable is pending on each target: `status` counts it, `check` exits 3 naming
    /// the targets, and an upgrade runs it everywhere.
    @Test func aChangedRepeatableIsPendingOnEveryTarget() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        try sandbox.write("versions/repeatable/v.sql", "-- message: a view\n\n-- +upgrade\nDROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM users;\n")
        let check = try sandbox.godwit(["check", "-e", "prod"])
        #expect(check.status == 3, "\(check)")
        #expect(check.stdout.contains("repeatable_pending: target 't_002': repeatable 'repeatable/v'"), "\(check)")
        #expect(try sandbox.godwit(["status", "-e", "prod"]).stdout.contains("3 targets: 3 pending"))
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        #expect(try sandbox.godwit(["check", "-e", "prod"]).status == 0)
    }

    /// `repair -e FLEET`: each target re-records its own changed checksum in its own audit chain;
    /// a rerun finds nothing; `--target` picks targets; a protected fleet needs `--yes`.
    @Test func repairRunsPerTargetAndIsAuditedInEach() throws {
        let sandbox = try Self.sandbox(prod: ["protected: true"])
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "a1", "--yes"]).status == 0)
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--yes", "--target", "t_001"]).status == 0)
        // A comment-only edit of a1, applied everywhere.
        let path = "versions/a1_users.sql"
        try sandbox.write(path, try sandbox.read(path) + "-- a comment\n")
        #expect(try sandbox.godwit(["verify", "-e", "prod"]).status == 3)

        let refused = try sandbox.godwit(["repair", "-e", "prod", "--all", "--reason", "comment"])
        #expect(refused.status == 5, "\(refused)")
        let some = try sandbox.godwit(["repair", "-e", "prod", "a1", "--reason", "comment", "--yes", "--target", "t_001"])
        #expect(some.status == 0, "\(some)")
        #expect(some.stdout.contains("t_001: re-recorded 1 checksum (audit #3)"), "\(some)")
        #expect(some.stdout.hasSuffix("prod: 1 target: 1 repaired\n"), "\(some)")
        let rest = try sandbox.godwit(["repair", "-e", "prod", "a1", "--reason", "comment", "--yes", "--json"])
        #expect(rest.status == 0, "\(rest)")
        let targets = try #require(try rest.jsonObject()["targets"] as? [[String: Any]])
        #expect(targets.map { ($0["target"] as? String ?? "", ($0["steps"] as? [Any])?.count ?? -1) }.map { "\($0.0)=\($0.1)" }
                == ["t_001=0", "t_002=1", "t_003=1"], "t_001 was repaired before: passed over\n\(rest)")
        #expect(try sandbox.godwit(["verify", "-e", "prod"]).status == 0)
        let audit = try sandbox.godwit(["audit", "-e", "prod", "--operation", "repair", "--json"]).jsonArray()
        #expect(audit.compactMap { $0["target"] as? String }.sorted() == ["t_001", "t_002", "t_003"], "one repair record in each target's chain")
        #expect(try sandbox.godwit(["audit", "verify", "-e", "prod"]).status == 0)
        let again = try sandbox.godwit(["repair", "-e", "prod", "--all", "--reason", "again", "--yes"])
        #expect(again.status == 0 && again.stdout.hasSuffix("prod: 3 targets: 3 unchanged\n"), "\(again)")
    }

    @Test func sqlPrintsOneScriptForOneSharedStateElseRefusesNamingTheTargets() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "a1"]).status == 0)
        let script = try sandbox.godwit(["upgrade", "-e", "prod", "--sql"])
        #expect(script.status == 0, "\(script)")
        #expect(script.stdout.components(separatedBy: "CREATE TABLE orders").count == 2, "one script\n\(script)")
        #expect(!script.stdout.contains("CREATE TABLE users"), "it starts from the shared heads\n\(script)")
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--target", "t_003"]).status == 0)
        let refused = try sandbox.godwit(["upgrade", "-e", "prod", "--sql"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stdout.isEmpty, "\(refused)")
        #expect(refused.stderr.contains("(t_001, t_002 at a1; t_003 at b2)"), "\(refused)")
        let some = try sandbox.godwit(["upgrade", "-e", "prod", "--sql", "--target", "t_00[12]"])
        #expect(some.status == 0, "\(some)")
        let from = try sandbox.godwit(["upgrade", "-e", "prod", "--sql", "--from", "base"])
        #expect(from.status == 0 && from.stdout.contains("CREATE TABLE users"), "\(from)")
    }

    @Test func promoteIntoAFleetAndFromAFleetWhoseTargetsMustAgree() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "dev", "a1"]).status == 0)
        let into = try sandbox.godwit(["promote", "dev", "prod"])
        #expect(into.status == 0, "\(into)")
        #expect(into.stdout == "prod: 3 targets: 3 promoted, 0 unchanged\n", "\(into)")
        for index in 1...3 { #expect(try appliedIDs(Self.tenant(sandbox, index)) == ["a1"], "each target goes to dev's heads") }

        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--target", "t_002"]).status == 0)
        let differ = try sandbox.godwit(["promote", "prod", "dev"])
        #expect(differ.status == 5, "\(differ)")
        #expect(differ.stderr.contains("t_001, t_003 at a1; t_002 at b2"), "\(differ)")
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == ["a1"])

        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        let level = try sandbox.godwit(["promote", "prod", "dev"])
        #expect(level.status == 0, "\(level)")
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == ["a1", "b2"])

        #expect(try sandbox.godwit(["downgrade", "-e", "dev", "a1"]).status == 0)
        let diverged = try sandbox.godwit(["promote", "dev", "prod"])
        #expect(diverged.status == 5, "\(diverged)")
        #expect(diverged.stderr.contains("t_001: b2"), "\(diverged)")
    }

    @Test func currentVerifyAndWaitReadEveryTarget() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--target", "t_00[12]"]).status == 0)
        let current = try sandbox.godwit(["current", "-e", "prod"])
        #expect(current.status == 0, "\(current)")
        #expect(current.stdout.contains("t_001: b2 (head)\n"), "\(current)")
        #expect(current.stdout.contains("t_003: base, 2 pending\n"), "\(current)")
        #expect(current.stdout.hasSuffix("prod: 3 targets: 2 at b2, 1 at base\n"), "\(current)")
        let json = try sandbox.godwit(["current", "-e", "prod", "--json"]).jsonObject()
        #expect(json["environment"] as? String == "prod")
        let targets = try #require(json["targets"] as? [[String: Any]])
        #expect(targets.map { $0["target"] as? String } == ["t_001", "t_002", "t_003"])
        #expect(targets.last?["pending"] as? [String] == ["a1", "b2"])

        let late = try sandbox.godwit(["wait", "-e", "prod", "--timeout", "300ms", "--interval", "0.1"])
        #expect(late.status == 4, "\(late)")
        #expect(late.stderr.contains("t_003") && !late.stderr.contains("t_001"), "\(late)")
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        let reached = try sandbox.godwit(["wait", "-e", "prod", "--timeout", "2s"])
        #expect(reached.status == 0, "\(reached)")
        #expect(reached.stdout.contains("'prod' has reached heads on 3 targets (b2)"), "\(reached)")

        #expect(try sandbox.godwit(["verify", "-e", "prod"]).status == 0)
        _ = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [Self.tenant(sandbox, 2).path, "UPDATE godwit_revisions SET checksum = 'x' WHERE revision = 'a1';"], in: sandbox.root, environment: [:], stdin: nil)
        let verify = try sandbox.godwit(["verify", "-e", "prod"])
        #expect(verify.status == 3, "\(verify)")
        #expect(verify.stdout.contains("t_002: ") && verify.stdout.contains("1 differ from their files (t_002)"), "\(verify)")
        let failed = try sandbox.godwit(["wait", "-e", "prod", "--timeout", "5s"])
        #expect(failed.status == 0, "a checksum is not a failed revision\n\(failed)")
    }

    @Test func auditMarksEachRecordWithItsTargetAndAuditVerifyChecksEveryChain() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        let audit = try sandbox.godwit(["audit", "-e", "prod"])
        #expect(audit.status == 0, "\(audit)")
        #expect(audit.stdout.contains("prod/t_001") && audit.stdout.contains("prod/t_003"), "\(audit)")
        let records = try sandbox.godwit(["audit", "-e", "prod", "--json"]).jsonArray()
        #expect(records.count == 3)
        #expect(Set(records.compactMap { $0["target"] as? String }) == ["t_001", "t_002", "t_003"])
        #expect(records.allSatisfy { $0["environment"] as? String == "prod" })
        #expect(try sandbox.godwit(["audit", "-e", "prod", "--json", "--limit", "2"]).jsonArray().count == 2)

        let ok = try sandbox.godwit(["audit", "verify", "-e", "prod", "--json"])
        #expect(ok.status == 0, "\(ok)")
        let verified = try ok.jsonObject()
        #expect(verified["ok"] as? Bool == true && verified["records"] as? Int == 3)
        _ = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [Self.tenant(sandbox, 3).path, "UPDATE godwit_audit SET actor = 'mallory';"], in: sandbox.root, environment: [:], stdin: nil)
        let bad = try sandbox.godwit(["audit", "verify", "-e", "prod", "--json"])
        #expect(bad.status == 3, "\(bad)")
        let report = try bad.jsonObject()
        #expect(report["ok"] as? Bool == false && report["first_bad_id"] as? Int == 1)
        let targets = try #require(report["targets"] as? [[String: Any]])
        #expect(targets.map { $0["ok"] as? Bool } == [true, true, false])
        #expect(Set(targets.last?.keys.map { $0 } ?? []) == ["target", "ok", "records", "first_bad_id", "error"])
        let text = try sandbox.godwit(["audit", "verify", "-e", "prod"])
        #expect(text.status == 3 && text.stdout.contains("prod: 3 targets: 2 verified, 1 bad (t_003)"), "\(text)")
    }

    @Test func diffExpectedPerTargetAndLintInTheFleetsDialect() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod"]).status == 0)
        let same = try sandbox.godwit(["diff", "prod", "--expected"])
        #expect(same.status == 0, "\(same)")
        #expect(same.stdout.hasSuffix("prod: 3 targets: 3 match\n"), "\(same)")
        _ = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [Self.tenant(sandbox, 2).path, "CREATE TABLE by_hand (x INTEGER);"], in: sandbox.root, environment: [:], stdin: nil)
        let drift = try sandbox.godwit(["diff", "prod", "--expected"])
        #expect(drift.status == 3, "\(drift)")
        #expect(drift.stdout.contains("by_hand") && drift.stdout.contains("2 match, 1 drifted (t_002)"), "\(drift)")
        let json = try sandbox.godwit(["diff", "prod", "--expected", "--json"]).jsonObject()
        #expect(json["ok"] as? Bool == false)
        #expect((json["changes"] as? [[String: Any]])?.first?["target"] as? String == "t_002")
        #expect((json["targets"] as? [[String: Any]])?.count == 3)

        // A SQLite fleet lints with SQLite's rules: no PostgreSQL-only finding for an index.
        try sandbox.write("versions/c3_index.sql", "-- revision: c3\n-- down_revision: b2\n-- message: index\n\n-- +upgrade\nCREATE INDEX orders_id ON orders (id);\n-- +downgrade\nDROP INDEX orders_id;\n")
        let lint = try sandbox.godwit(["lint", "-e", "prod"])
        #expect(lint.status == 0, "\(lint)")
        #expect(try sandbox.godwit(["lint", "-e", "prod", "c3"]).status == 0)
    }

    @Test func aProtectedFleetAsksOnceWithTheNumberOfTargets() throws {
        let sandbox = try Self.sandbox(count: 4, prod: ["protected: true"])
        defer { sandbox.remove() }
        let refused = try runInTerminal(["upgrade", "-e", "prod"], in: sandbox.root, stdin: "no\n")
        #expect(refused.status == 5, "\(refused)")
        #expect(withoutColors(refused.stdout).contains("prod is protected: 4 targets will be upgraded. Type 'prod' to continue:"), "\(refused)")
        #expect(try appliedIDs(Self.tenant(sandbox, 1)) == [])
        let some = try runInTerminal(["upgrade", "-e", "prod", "--target", "t_00[12]"], in: sandbox.root, stdin: "prod\n")
        #expect(some.status == 0, "\(some)")
        let text = withoutColors(some.stdout)
        #expect(text.components(separatedBy: "Type 'prod' to continue").count == 2, "asked once\n\(some)")
        #expect(text.contains("prod is protected: 2 targets will be upgraded."), "\(some)")
        #expect(try appliedIDs(Self.tenant(sandbox, 2)) == ["a1", "b2"])
        #expect(try appliedIDs(Self.tenant(sandbox, 3)) == [])
        #expect(try sandbox.godwit(["downgrade", "-e", "prod", "base", "--yes"]).status == 0)
        #expect(try appliedIDs(Self.tenant(sandbox, 2)) == [])
    }

    @Test func resolveTakesTheTargetsWhoseRevisionFailed() throws {
        let sandbox = try Self.sandbox()
        defer { sandbox.remove() }
        try sandbox.write("versions/c3_loose.sql", "-- revision: c3\n-- down_revision: b2\n-- message: loose\n-- transactional: false\n\n-- +upgrade\nCREATE TABLE c3 (id INTEGER);\nCREATE TABLE by_hand (x INTEGER);\n-- +downgrade\nDROP TABLE c3;\n")
        _ = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [Self.tenant(sandbox, 2).path, "CREATE TABLE by_hand (x INTEGER);"], in: sandbox.root, environment: [:], stdin: nil)
        let upgrade = try sandbox.godwit(["upgrade", "-e", "prod"])
        #expect(upgrade.status == 1, "\(upgrade)")
        #expect(upgrade.stderr.contains("'godwit resolve c3 -e prod --target t_002 --applied'"), "\(upgrade)")
        let everywhere = try sandbox.godwit(["resolve", "-e", "prod", "c3", "--applied"])
        #expect(everywhere.status == 2, "\(everywhere)")
        #expect(everywhere.stderr.contains("--target NAME"), "\(everywhere)")
        let resolved = try sandbox.godwit(["resolve", "-e", "prod", "c3", "--applied", "--target", "t_002"])
        #expect(resolved.status == 0, "\(resolved)")
        #expect(resolved.stdout == "prod: 1 target: 1 resolved, 0 unchanged\n", "\(resolved)")
        #expect(try appliedIDs(Self.tenant(sandbox, 2)) == ["a1", "b2", "c3"])
        #expect(try sandbox.godwit(["check", "-e", "prod"]).status == 0)
    }
}
