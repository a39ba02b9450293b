import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

@testable import Godwit

/// `repair` (SPEC §11) on SQLite.
@Suite struct RepairTests {
    /// The shop revisions applied to `environment`, then a comment added to `bbb222`'s file.
    func editedProject(_ environments: [String] = ["dev"]) throws -> TestProject {
        let project = try TestProject(revisions: shopRevisions)
        for environment in environments {
            var request = ChangeRequest(.upgrade(.heads))
            request.isConfirmed = true
            request.skipsPromotionCheck = true
            request.reason = "setup"
            _ = try project.migrator(environment).run(request)
        }
        var revision = shopRevisions[1]
        revision.upgrade = "-- orders belong to users\n" + revision.upgrade
        try project.add(revision)
        return project
    }

    func repair(_ project: TestProject, _ environment: String = "dev") throws -> Repair {
        let workspace = try project.workspace()
        return Repair(workspace: workspace, environment: try workspace.project.environment(environment))
    }

    @Test func aCommentOnlyEditIsReRecordedAndVerifyIsCleanAgain() throws {
        let project = try editedProject()
        defer { project.remove() }
        let workspace = try project.workspace()
        let dev = try workspace.project.environment("dev")
        #expect(try EnvironmentChecks(workspace: workspace).verify(dev).problems.map(\.revision) == ["bbb222"])
        let old = try #require(try project.query("dev", "SELECT checksum FROM godwit_revisions WHERE revision = 'bbb222'").first?.first ?? nil)
        let tables = try project.query("dev", "SELECT name FROM sqlite_master ORDER BY name")

        let result = try repair(project).run(Repair.Request(revisions: ["bbb"], isAll: false, reason: "comment only"))
        let new = try workspace.graph().revisions["bbb222"]?.checksum
        #expect(result.steps.map(\.revision) == ["bbb222"])
        #expect(try EnvironmentChecks(workspace: workspace).verify(dev).problems.isEmpty)
        #expect(try project.query("dev", "SELECT checksum FROM godwit_revisions WHERE revision = 'bbb222'") == [[new]])
        #expect(try project.query("dev", "SELECT name FROM sqlite_master ORDER BY name") == tables, "no SQL ran")

        let record = try #require(try AuditReader(workspace: workspace).records(of: dev).first { $0.id == result.auditID })
        #expect(record.operation == "repair")
        #expect(record.outcome == "succeeded")
        #expect(record.reason == "comment only")
        #expect(record.fromHeads == ["ccc333"] && record.toHeads == ["ccc333"])
        #expect(record.steps == [AuditRecord.Step(repairing: "bbb222", from: old, to: try #require(new))])
        #expect(record.json["steps"] == .array([.object([
            "revision": .string("bbb222"), "direction": .string("repair"), "checksum": .string(new ?? ""),
            "old_checksum": .string(old), "duration_ms": .int(0),
        ])]))
        #expect(try AuditReader(workspace: workspace).verify(dev).isOK)
        let json = result.json(graph: try workspace.graph())
        #expect(json["operation"] == .string("repair"))
        #expect(json["audit_id"] == .int(record.id))
    }

    @Test func aProtectedEnvironmentNeedsConfirmation() throws {
        let project = try editedProject(["dev", "test", "prod"])
        defer { project.remove() }
        let before = try project.query("prod", "SELECT revision, checksum FROM godwit_revisions ORDER BY revision")
        let refusal = try #require(throws: PlanRefusal.self) {
            try repair(project, "prod").run(Repair.Request(revisions: [], isAll: true, reason: "comment only"))
        }
        #expect(refusal.exitCode == .refused)
        #expect(try project.query("prod", "SELECT revision, checksum FROM godwit_revisions ORDER BY revision") == before)
        var confirmed = Repair.Request(revisions: [], isAll: true, reason: "comment only")
        confirmed.isConfirmed = true
        #expect(try repair(project, "prod").run(confirmed).steps.map(\.revision) == ["bbb222"])
    }

    @Test func aDryRunListsAndChangesNothing() throws {
        let project = try editedProject()
        defer { project.remove() }
        let before = try project.query("dev", "SELECT * FROM godwit_revisions ORDER BY revision")
        let audits = try project.query("dev", "SELECT count(*) FROM godwit_audit")
        var request = Repair.Request(revisions: [], isAll: true, reason: "comment only")
        request.isDryRun = true
        let result = try repair(project).run(request)
        #expect(result.isDryRun)
        #expect(result.auditID == nil)
        #expect(result.steps.map(\.revision) == ["bbb222"])
        #expect(try project.query("dev", "SELECT * FROM godwit_revisions ORDER BY revision") == before)
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_audit") == audits)
    }

    @Test func aRevisionNotAppliedOrUnchangedIsAnErrorNamingIt() throws {
        let project = try editedProject()
        defer { project.remove() }
        try project.add(("ddd444", "ccc333", "CREATE TABLE d (id INTEGER);", "DROP TABLE d;", ""))
        let notApplied = try #require(throws: RepairError.self) {
            try repair(project).run(Repair.Request(revisions: ["ddd444"], isAll: false, reason: "x"))
        }
        #expect(notApplied == .notApplied(revision: "ddd444", environment: "dev"))
        #expect(notApplied.exitCode == .usage)
        let unchanged = try #require(throws: RepairError.self) {
            try repair(project).run(Repair.Request(revisions: ["bbb222", "aaa111"], isAll: false, reason: "x"))
        }
        #expect(unchanged == .unchanged(revision: "aaa111", environment: "dev"))
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_audit") == [["1"]], "nothing was recorded")
        #expect(throws: RepairError.nothingNamed) { try repair(project).run(Repair.Request(revisions: [], isAll: false, reason: "x")) }
    }

    /// `Repair.run` is one database's; a fleet goes through `FleetReads.repair` (the command does).
    @Test func oneDatabasesRepairRefusesAFleet() throws {
        let project = try FleetTests.project(count: 2)
        defer { project.remove() }
        let error = try #require(throws: FleetError.self) {
            try repair(project, "prod").run(Repair.Request(revisions: [], isAll: true, reason: "x"))
        }
        #expect(error.exitCode == .usage)
        #expect(error.message == "'prod' is a fleet; repair does not support fleets yet")
    }

    @Test func nothingToRepairSucceedsWithoutARecord() throws {
        let project = try TestProject(revisions: shopRevisions)
        defer { project.remove() }
        _ = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        let result = try repair(project).run(Repair.Request(revisions: [], isAll: true, reason: "x"))
        #expect(result.steps.isEmpty)
        #expect(result.auditID == nil)
        #expect(try project.query("dev", "SELECT count(*) FROM godwit_audit") == [["1"]])
    }
}
