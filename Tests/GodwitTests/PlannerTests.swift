import GodwitCore
import Testing

@testable import Godwit

/// The planner on literal graphs and rows: no database.
struct PlannerTests {
    let planner = Planner(environment: "dev", versionsPath: "versions")

    func rows(_ ids: [String], failed: Set<String> = []) -> [AppliedRevision] {
        ids.map {
            AppliedRevision(
                revision: $0, checksum: "", state: failed.contains($0) ? "failed" : "applied", appliedAt: "", appliedBy: "", auditID: nil)
        }
    }

    @Test(arguments: [
        ([String](), ["a", "b", "c", "d"]),
        (["a", "b"], ["c", "d"]),
        (["a", "b", "c", "d"], []),
    ])
    func upgradeToHeadPlansWhatIsMissing(applied: [String], expected: [String]) throws {
        let graph = try RevisionGraph(describing: ["a", "b: a", "c: b", "d: c"])
        let plan = try planner.plan(ChangeRequest(.upgrade(.head)), graph: graph, rows: rows(applied))
        #expect(plan.steps.map(\.revision.id) == expected)
        #expect(plan.operation == .upgrade)
    }

    @Test func aFailedRevisionRefusesEveryPlanButResolve() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a"])
        let error = try #require(throws: PlanRefusal.self) {
            try planner.plan(ChangeRequest(.upgrade(.head)), graph: graph, rows: rows(["a"], failed: ["a"]))
        }
        #expect(error == .failedRevision(revision: "a", environment: "dev"))
        let plan = try planner.plan(ChangeRequest(.resolve(revision: "a", applied: true)), graph: graph, rows: rows(["a"], failed: ["a"]))
        #expect(plan.operation == .resolve)
        #expect(plan.steps.map(\.revision.id) == ["a"])
    }

    @Test func resolvingARevisionNotFailedIsRefused() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a"])
        #expect(throws: PlanRefusal.notFailed(revision: "a", environment: "dev")) {
            try planner.plan(ChangeRequest(.resolve(revision: "a", applied: false)), graph: graph, rows: rows(["a"]))
        }
    }

    @Test func unknownAppliedRevisionsNeedAPurge() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a"])
        let error = try #require(throws: GraphError.self) {
            try planner.plan(ChangeRequest(.upgrade(.head)), graph: graph, rows: rows(["a", "gone"]))
        }
        #expect(error.message.contains("not in versions/: gone"))
        let plan = try planner.plan(ChangeRequest(.stamp(.head, purge: true)), graph: graph, rows: rows(["a", "gone"]))
        #expect(plan.operation == .stamp)
    }
}
