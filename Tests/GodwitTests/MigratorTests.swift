import Foundation
import GodwitCore
import GodwitSQLite
import GodwitTestSupport
import Testing

@testable import Godwit

@Suite struct MigratorTests {
    @Test func upgradeAppliesRecordsAndSealsTheAudit() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        let result = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        #expect(result.steps.map(\.revision) == ["aaa111", "bbb222", "ccc333"])
        #expect(result.toHeads == ["ccc333"])
        let rows = try project.query("dev", "SELECT revision, state, applied_by, audit_id FROM godwit_revisions ORDER BY seq")
        #expect(rows == [["aaa111", "applied", "tester", "1"], ["bbb222", "applied", "tester", "1"], ["ccc333", "applied", "tester", "1"]])
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name = 'orders_user'") == [["orders_user"]])
        let audit = try project.query("dev", "SELECT operation, outcome, from_heads, to_heads, actor, git_commit FROM godwit_audit")
        #expect(audit == [["upgrade", "succeeded", "[]", "[\"ccc333\"]", "tester", "abc123"]])
        // A second upgrade finds nothing to do and writes no record.
        let again = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        #expect(again.steps.isEmpty)
        #expect(again.auditID == nil)
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_audit") == [["1"]])
    }

    @Test func aFailingStatementLeavesNothingOfItsRevision() throws {
        var revisions = shopRevisions
        revisions.append(("ddd444", "ccc333", "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);\nINSERT INTO missing VALUES (2);\nCREATE TABLE b (y INTEGER);", "DROP TABLE b; DROP TABLE a;", ""))
        let project = try TestProject(revisions: revisions)
        defer { project.remove() }
        let error = try #require(throws: DatabaseError.self) { try project.migrator().run(ChangeRequest(.upgrade(.heads))) }
        #expect(error.exitCode == .failed)
        #expect(error.environment == "dev")
        #expect(error.revision == "ddd444")
        // Header is 4 lines: revision, down_revision, message, blank, then '-- +upgrade' on 5: the third statement is line 8.
        #expect(error.location == SourceLocation(file: "versions/ddd444_test.sql", line: 8))
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name IN ('a', 'b')").isEmpty)
        #expect(try project.query("dev", "SELECT revision FROM godwit_revisions ORDER BY seq") == [["aaa111"], ["bbb222"], ["ccc333"]])
        let audit = try project.query("dev", "SELECT outcome, to_heads, error IS NOT NULL, steps FROM godwit_audit")
        #expect(audit.count == 1)
        #expect(audit[0][0] == "failed")
        #expect(audit[0][1] == "[\"ccc333\"]")
        #expect(audit[0][2] == "1")
        #expect(audit[0][3]?.contains("ccc333") == true)
        #expect(audit[0][3]?.contains("ddd444") == false)
    }

    @Test func atomicRollsBackTheWholePlan() throws {
        var revisions = shopRevisions
        revisions.append(("ddd444", "ccc333", "INSERT INTO nowhere VALUES (1);", "", ""))
        let project = try TestProject(revisions: revisions)
        defer { project.remove() }
        var request = ChangeRequest(.upgrade(.heads))
        request.isAtomic = true
        #expect(throws: DatabaseError.self) { try project.migrator().run(request) }
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_revisions") == [["0"]])
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name = 'users'").isEmpty)
        #expect(try project.query("dev", "SELECT outcome, steps FROM godwit_audit") == [["failed", "[]"]])
    }

    @Test func downgradeRemovesAboveTheTargetAndRefusesIrreversible() throws {
        var revisions = shopRevisions
        revisions.append(("ddd444", "ccc333", "CREATE TABLE t (x INTEGER);", nil, ""))
        let project = try TestProject(revisions: revisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.upgrade(.revision("ccc333"))))
        let result = try project.migrator().run(ChangeRequest(.downgrade(.revision("aaa111"))))
        #expect(result.steps.map(\.revision) == ["ccc333", "bbb222"])
        #expect(try project.query("dev", "SELECT revision FROM godwit_revisions") == [["aaa111"]])
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name = 'orders'").isEmpty)
        _ = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        let refusal = try #require(throws: PlanRefusal.self) { try project.migrator().run(ChangeRequest(.downgrade(.base))) }
        #expect(refusal.exitCode == .refused)
        guard case .irreversible(revision: "ddd444", target: .base, _) = refusal else {
            Issue.record("expected the irreversible revision ddd444, got \(refusal)")
            return
        }
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_revisions") == [["4"]])
    }

    @Test func nonTransactionalFailureIsRecordedAndBlocksUntilResolved() throws {
        var revisions = shopRevisions
        revisions.append(("ddd444", "ccc333", "CREATE TABLE x1 (a INTEGER);\nINSERT INTO nowhere VALUES (1);", "DROP TABLE x1;", "-- transactional: false"))
        let project = try TestProject(revisions: revisions)
        defer { project.remove() }
        let error = try #require(throws: DatabaseError.self) { try project.migrator().run(ChangeRequest(.upgrade(.heads))) }
        #expect(error.message.contains("godwit resolve ddd444"))
        // The first statement ran outside a transaction and stays; the revision is recorded as failed.
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name = 'x1'") == [["x1"]])
        #expect(try project.query("dev", "SELECT state FROM godwit_revisions WHERE revision = 'ddd444'") == [["failed"]])
        let refusal = try #require(throws: PlanRefusal.self) { try project.migrator().run(ChangeRequest(.upgrade(.heads))) }
        #expect(refusal == .failedRevision(revision: "ddd444", environment: "dev"))
        let resolved = try project.migrator().run(ChangeRequest(.resolve(revision: "ddd444", applied: true)))
        #expect(resolved.operation == .resolve)
        #expect(try project.query("dev", "SELECT state FROM godwit_revisions WHERE revision = 'ddd444'") == [["applied"]])
        #expect(try project.migrator().run(ChangeRequest(.upgrade(.heads))).steps.isEmpty)
        #expect(try project.query("dev", "SELECT operation, outcome FROM godwit_audit ORDER BY id") == [["upgrade", "failed"], ["resolve", "succeeded"]])
    }

    @Test func stampRecordsWithoutRunningSQL() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.stamp(.revision("bbb222"), purge: false)))
        #expect(try project.query("dev", "SELECT revision FROM godwit_revisions ORDER BY seq") == [["aaa111"], ["bbb222"]])
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name = 'users'").isEmpty)
        _ = try project.migrator().run(ChangeRequest(.stamp(.revision("aaa111"), purge: false)))
        #expect(try project.query("dev", "SELECT revision FROM godwit_revisions") == [["aaa111"]])
        _ = try project.migrator().run(ChangeRequest(.stamp(.revision("ccc333"), purge: true)))
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_revisions") == [["3"]])
    }

    @Test func protectedEnvironmentAndPromotionGate() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        var request = ChangeRequest(.upgrade(.heads))
        let gate = try #require(throws: PlanRefusal.self) { try project.migrator("test").run(request) }
        #expect(gate == .promotionGate(missing: ["aaa111", "bbb222", "ccc333"], predecessor: "dev", environment: "test"))
        let testFile = project.root.appendingPathComponent("var/test.sqlite3").path
        if FileManager.default.fileExists(atPath: testFile) {
            #expect(try project.query("test", "SELECT count(*) FROM godwit_revisions") == [["0"]])
        }
        _ = try project.migrator("dev").run(ChangeRequest(.upgrade(.revision("bbb222"))))
        let partial = try project.migrator("test").run(ChangeRequest(.upgrade(.revision("bbb222"))))
        #expect(partial.steps.count == 2)
        #expect(throws: PlanRefusal.promotionGate(missing: ["ccc333"], predecessor: "dev", environment: "test")) {
            try project.migrator("test").run(request)
        }
        request.skipsPromotionCheck = true
        request.reason = "hotfix"
        _ = try project.migrator("test").run(request)
        #expect(try project.query("test", "SELECT reason FROM godwit_audit ORDER BY id DESC LIMIT 1") == [["promotion check skipped: hotfix"]])
        // prod is protected: refused before anything connects for writing.
        let protected = try #require(throws: PlanRefusal.self) { try project.migrator("prod").run(ChangeRequest(.upgrade(.heads))) }
        #expect(protected == .protectedEnvironment(environment: "prod", operation: "upgrade"))
        #expect(!FileManager.default.fileExists(atPath: project.root.appendingPathComponent("var/prod.sqlite3").path))
        // An environment outside promotion is never gated.
        #expect(try project.migrator("scratch").run(ChangeRequest(.upgrade(.heads))).steps.count == 3)
    }

    @Test func dryRunChangesNothing() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.upgrade(.revision("aaa111"))))
        let file = project.root.appendingPathComponent("var/dev.sqlite3")
        let before = try Data(contentsOf: file)
        var request = ChangeRequest(.upgrade(.heads))
        request.isDryRun = true
        let result = try project.migrator().run(request)
        #expect(result.isDryRun)
        #expect(result.steps.map(\.revision) == ["bbb222", "ccc333"])
        #expect(result.steps[0].sql?.contains("CREATE TABLE orders") == true)
        #expect(try Data(contentsOf: file) == before)
    }

    @Test func rehearsalRunsEveryStepAndKeepsNothing() throws {
        var revisions = shopRevisions
        let project = try TestProject(revisions: revisions)
        defer { project.remove() }
        var request = ChangeRequest(.upgrade(.heads))
        request.isRehearsal = true
        let result = try project.migrator().run(request)
        #expect(result.isRehearsal)
        #expect(result.steps.map(\.revision) == ["aaa111", "bbb222", "ccc333"])
        #expect(result.steps.allSatisfy { $0.durationMS != nil })
        #expect(try project.query("dev", "SELECT name FROM sqlite_master").isEmpty)
        // The first error is reported, and still nothing is kept.
        revisions.append(("ddd444", "ccc333", "INSERT INTO nowhere VALUES (1);", "", ""))
        try project.add(revisions[3])
        let error = try #require(throws: DatabaseError.self) { try project.migrator().run(request) }
        #expect(error.revision == "ddd444")
        #expect(try project.query("dev", "SELECT name FROM sqlite_master").isEmpty)
    }

    @Test func concurrentUpgradesApplyEachRevisionOnce() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { _ = try project.migrator().run(ChangeRequest(.upgrade(.heads))) } catch { failures.add("\(error)") }
        }
        #expect(failures.all.isEmpty)
        #expect(try project.query("dev", "SELECT revision, count(*) FROM godwit_revisions GROUP BY revision ORDER BY revision") == [["aaa111", "1"], ["bbb222", "1"], ["ccc333", "1"]])
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_audit") == [["1"]])
    }

    @Test func aRunKilledMidwayIsSealedByTheNextRun() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.upgrade(.revision("aaa111"))))
        // What a killed run leaves: an open record, its opening line in the audit log.
        let store = StateStore(dialect: SQLiteDialect(), prefix: "godwit_")
        let open = AuditRecord(id: 2, environment: "dev", operation: "upgrade", startedAt: "2026-01-01T00:00:00.000Z", fromHeads: ["aaa111"], actor: "killed", host: "h", toolVersion: "0", gitCommit: nil, reason: nil)
        try Self.attestOpening(open, in: project)
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        try connection.execute(store.insertAuditSQL(open))
        connection.close()
        _ = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        let rows = try project.query("dev", "SELECT id, outcome, COALESCE(error LIKE 'interrupted%', 0), hash IS NOT NULL FROM godwit_audit ORDER BY id")
        #expect(rows == [["1", "succeeded", "0", "1"], ["2", "failed", "1", "1"], ["3", "succeeded", "0", "1"]])
    }

    @Test func aKilledUpgradeIsSealedWithTheStepsItCommitted() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.upgrade(.revision("aaa111"))))
        // A killed upgrade: its open record, and the state row of the one step it committed.
        let store = StateStore(dialect: SQLiteDialect(), prefix: "godwit_")
        let open = AuditRecord(id: 2, environment: "dev", operation: "upgrade", startedAt: "2026-01-01T00:00:00.000Z", fromHeads: ["aaa111"], actor: "killed", host: "h", toolVersion: "0", gitCommit: nil, reason: nil)
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        try connection.execute(store.insertAuditSQL(open))
        let checksum = try #require(try project.workspace().graph()["bbb222"]).checksum
        try connection.execute(store.insertRevisionSQL("bbb222", checksum: checksum, state: "applied", at: "2026-01-01T00:00:01.000Z", by: "killed", auditID: 2))
        connection.close()
        // The next run, even one with nothing to do, seals the record under the lock.
        _ = try project.migrator().run(ChangeRequest(.upgrade(.revision("bbb222"))))
        let reader = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        defer { reader.close() }
        let sealed = try #require(try store.auditRecords(on: reader).first { $0.id == 2 })
        #expect(sealed.outcome == "failed")
        #expect(sealed.steps == [AuditRecord.Step(revision: "bbb222", direction: .upgrade, checksum: checksum, durationMS: 0)])
        #expect(sealed.toHeads == ["bbb222"])
        #expect(sealed.hash == sealed.computedHash)
    }

    @Test func aKilledDowngradeIsSealedWithTheStepsItCommitted() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        // A killed downgrade from ccc333 that committed its first step: ccc333's row is gone.
        let store = StateStore(dialect: SQLiteDialect(), prefix: "godwit_")
        let open = AuditRecord(id: 2, environment: "dev", operation: "downgrade", startedAt: "2026-01-01T00:00:00.000Z", fromHeads: ["ccc333"], actor: "killed", host: "h", toolVersion: "0", gitCommit: nil, reason: nil)
        // A downgrade leaves no state row naming it: its opening line in the audit log attests it.
        try Self.attestOpening(open, in: project)
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        try connection.execute(store.insertAuditSQL(open) + store.deleteRevisionSQL("ccc333"))
        connection.close()
        _ = try project.migrator().run(ChangeRequest(.downgrade(.revision("aaa111"))))
        let reader = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        defer { reader.close() }
        let records = try store.auditRecords(on: reader)
        let checksum = try #require(try project.workspace().graph()["ccc333"]).checksum
        #expect(records[1].steps == [AuditRecord.Step(revision: "ccc333", direction: .downgrade, checksum: checksum, durationMS: 0)])
        #expect(records[2].steps.map(\.revision) == ["bbb222"])
        #expect(records.allSatisfy { $0.hash == $0.computedHash })
    }

    /// Sets `audit_log:` and appends the opening line a run writes before it opens `record`, so
    /// that the next run can attribute the record to a killed run and seal it.
    static func attestOpening(_ record: AuditRecord, in project: TestProject) throws {
        let config = project.root.appendingPathComponent(Project.configPath)
        let yaml = try String(contentsOf: config, encoding: .utf8)
        if !yaml.contains("audit_log:") { try project.write(Project.configPath, "audit_log: var/audit.jsonl\n" + yaml) }
        try AuditLogFile.appendOpening(record, to: project.root.appendingPathComponent("var/audit.jsonl"))
    }

    @Test func auditChainLinksEveryRecord() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator(actor: "ann").run(ChangeRequest(.upgrade(.revision("bbb222"))))
        _ = try project.migrator(actor: "bob").run(ChangeRequest(.downgrade(.revision("aaa111"))))
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        defer { connection.close() }
        let records = try StateStore(dialect: SQLiteDialect(), prefix: "godwit_").auditRecords(on: connection)
        #expect(records.map(\.actor) == ["ann", "bob"])
        #expect(records[0].prevHash == nil)
        #expect(records[1].prevHash == records[0].hash)
        for record in records { #expect(record.hash == record.computedHash) }
        #expect(records[1].steps.map(\.revision) == ["bbb222"])
        #expect(records[1].steps[0].direction == .downgrade)
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
