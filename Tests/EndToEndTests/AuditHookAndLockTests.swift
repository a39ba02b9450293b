import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The audit log file, the after_upgrade hook and the migration lock (SPEC §2, §4, §6, §8).
@Suite struct AuditHookAndLockTests {
    static let base = WorkflowTests.base

    static let auditKeys = [
        "id", "environment", "operation", "started_at", "finished_at", "duration_ms", "outcome", "error", "from_heads",
        "to_heads", "steps", "actor", "host", "tool_version", "git_commit", "reason", "prev_hash", "hash",
    ]

    @Test func theAuditLogFileGetsEveryRecordTheTableGets() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write(
            "environments/environments.yaml",
            try sandbox.read("environments/environments.yaml").replacingOccurrences(
                of: "table_prefix: godwit_\n", with: "table_prefix: godwit_\naudit_log: var/audit.jsonl\n"))
        let dev = sandbox.url("var/dev.sqlite3")

        #expect(try sandbox.godwit(["upgrade", "--actor", "alice", "--reason", "first deploy"]).status == 0)
        _ = try sandbox.newRevision("broken", upgrade: "CREATE TABLE t (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n", downgrade: "DROP TABLE t;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 1)

        let lines = try auditLogRecords(sandbox)
        #expect(lines.count == 2, "one line per operation, the failed one included")
        let records = try lines.map { line -> [String: Any] in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        for record in records {
            expectKeys(record, Self.auditKeys, "audit record")
            for step in record["steps"] as? [[String: Any]] ?? [] {
                expectKeys(step, ["revision", "direction", "checksum", "duration_ms"], "audit step")
            }
        }
        #expect((records[0]["steps"] as? [[String: Any]])?.first?["revision"] as? String == Self.base)
        #expect(records.map { $0["operation"] as? String } == ["upgrade", "upgrade"])
        #expect(records.map { $0["outcome"] as? String } == ["succeeded", "failed"])
        #expect(records[0]["actor"] as? String == "alice", "--actor beats GODWIT_ACTOR")
        #expect(records[1]["actor"] as? String == "e2e-tester", "GODWIT_ACTOR")
        #expect(records[0]["reason"] as? String == "first deploy")
        #expect((records[1]["error"] as? String)?.contains("nowhere") == true)
        #expect(records[1]["prev_hash"] as? String == records[0]["hash"] as? String)
        let table = try sqlite(dev, "SELECT id, hash FROM godwit_audit ORDER BY id")
        #expect(table == records.map { ["\($0["id"] as? Int ?? -1)", $0["hash"] as? String ?? ""] }, "the file and the table agree")
    }

    @Test func theAuditRecordsTheGitCommitOfTheProjectAndWhetherVersionsIsDirty() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let git = URL(fileURLWithPath: "/usr/bin/git")
        func runGit(_ args: [String]) throws -> String {
            let result = try runProcess(
                git, ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "-c", "commit.gpgsign=false"] + args,
                in: sandbox.root, environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") })
            guard result.status == 0 else { throw HarnessError("git \(args) failed\n\(result)") }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try runGit(["init", "-q", "."])
        _ = try runGit(["add", "-A"])
        _ = try runGit(["commit", "-q", "-m", "init"])
        let head = try runGit(["rev-parse", "HEAD"])
        let dev = sandbox.url("var/dev.sqlite3")

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        // Untracked files outside versions/ do not make it dirty; a change under versions/ does.
        try sandbox.write("notes.txt", "scratch\n")
        #expect(try sandbox.godwit(["downgrade", "base"]).status == 0)
        try sandbox.write("versions/\(Self.base)_create_users.sql", try sandbox.read("versions/\(Self.base)_create_users.sql") + "-- edited\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)

        let commits = try sqlite(dev, "SELECT git_commit FROM godwit_audit ORDER BY id").map { $0[0] }
        #expect(commits == [head, head, head + "+dirty"])
    }

    @Test func theAfterUpgradeHookRunsAfterAnUpgradeThatAppliedSomething() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        try sandbox.write(
            "environments/dev/after_upgrade.sql",
            "CREATE TABLE IF NOT EXISTS hook_runs (n INTEGER);\nINSERT INTO hook_runs VALUES (1);\n")

        let dry = try sandbox.godwit(["upgrade", "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("environments/dev/after_upgrade.sql"), "a dry-run shows the hook\n\(dry)")
        let script = try sandbox.godwit(["upgrade", "--sql"])
        #expect(script.status == 0 && script.stdout.contains("INSERT INTO hook_runs"), "--sql includes the hook\n\(script)")

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sqlite(dev, "SELECT count(*) FROM hook_runs") == [["1"]])
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sqlite(dev, "SELECT count(*) FROM hook_runs") == [["1"]], "a no-op upgrade runs no hook")
        #expect(try sandbox.godwit(["upgrade", "-e", "test"]).status == 0)
        #expect(!userTables(sandbox.url("var/test.sqlite3")).contains("hook_runs"), "the hook belongs to dev only")

        // A failing hook: exit 1, the revision stays applied, the hook's own transaction is rolled back.
        try sandbox.write("environments/dev/after_upgrade.sql", "INSERT INTO hook_runs VALUES (2);\nINSERT INTO nowhere VALUES (1);\n")
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        let failed = try sandbox.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("environments/dev/after_upgrade.sql:2"), "\(failed)")
        expectNoCrash(failed)
        #expect(try appliedIDs(dev) == [Self.base, posts.id])
        #expect(try sqlite(dev, "SELECT count(*) FROM hook_runs") == [["1"]])
        let audit = try sqlite(dev, "SELECT outcome, error FROM godwit_audit ORDER BY id DESC LIMIT 1")
        #expect(audit.first?[0] == "failed" && audit.first?[1].contains("after_upgrade.sql") == true, "\(audit)")
    }

    @Test func aHeldLockEndsTheRunWithExitFourAndChangesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write(
            "environments/environments.yaml",
            try sandbox.read("environments/environments.yaml").replacingOccurrences(
                of: "    url: sqlite:var/dev.sqlite3\n", with: "    url: sqlite:var/dev.sqlite3\n    lock_timeout: 500ms\n"))
        try FileManager.default.createDirectory(at: sandbox.url("var"), withIntermediateDirectories: true)
        let lockFile = sandbox.url("var/dev.sqlite3.godwit.lock")

        // This test process holds the migration lock, as another godwit run would.
        let descriptor = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0, "cannot open \(lockFile.path)")
        var isHeld = true
        defer { if isHeld { close(descriptor) } }
        try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0, "cannot take the lock")

        let waited = try sandbox.godwit(["upgrade"])
        #expect(waited.status == 4, "\(waited)")
        #expect(waited.stderr.contains("lock"), "\(waited)")
        expectNoCrash(waited)
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == [])
        #expect(userTables(sandbox.url("var/dev.sqlite3")) == [])

        close(descriptor)
        isHeld = false
        let after = try sandbox.godwit(["upgrade"])
        #expect(after.status == 0, "\(after)")
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == [Self.base])
    }
}
