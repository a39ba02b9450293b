import GodwitCore
import Testing

@testable import Godwit

/// Where the planner puts repeatables (SPEC §11): after the versioned steps of an upgrade, the
/// changed ones in file-name order, whatever the target; never in a downgrade or a stamp.
struct RepeatablePlannerTests {
    let planner = Planner(environment: "dev", versionsPath: "versions")
    let repeatables = ["a_views", "b_grants", "c_functions"].map {
        Repeatable(name: $0, upgrade: SQLSection(sql: "SELECT 1;\n", line: 2), path: "versions/repeatable/\($0).sql", checksum: "new-\($0)")
    }
    /// a_views never ran, b_grants ran with another checksum, c_functions with this one.
    let recorded = ["repeatable/b_grants": "old", "repeatable/c_functions": "new-c_functions"]

    func rows(_ ids: [String]) -> [AppliedRevision] {
        ids.map { AppliedRevision(revision: $0, checksum: "", state: "applied", appliedAt: "", appliedBy: "", auditID: nil) }
    }

    func steps(_ plan: Plan) -> [String] { plan.steps.map { "\($0.direction.rawValue) \($0.revision.id)" } }

    @Test(arguments: [Target.head, .revisions(["a"])])
    func anUpgradeEndsWithTheChangedRepeatablesWhateverItsTarget(target: Target) throws {
        let graph = try RevisionGraph(describing: ["a", "b: a"])
        let plan = try planner.plan(ChangeRequest(.upgrade(target)), graph: graph, rows: [], repeatables: repeatables, recorded: recorded)
        let versioned = target == .head ? ["upgrade a", "upgrade b"] : ["upgrade a"]
        #expect(steps(plan) == versioned + ["repeat repeatable/a_views", "repeat repeatable/b_grants"])
        #expect(plan.steps.last?.sql == repeatables[1].sql())
        #expect(plan.toHeads == (target == .head ? ["b"] : ["a"]), "a repeatable moves no head")
    }

    @Test func nothingVersionedToDoStillRunsAChangedRepeatable() throws {
        let graph = try RevisionGraph(describing: ["a"])
        var request = ChangeRequest(.upgrade(.head))
        request.operationName = .promote
        let plan = try planner.plan(request, graph: graph, rows: rows(["a"]), repeatables: repeatables, recorded: recorded)
        #expect(steps(plan) == ["repeat repeatable/a_views", "repeat repeatable/b_grants"])
        #expect(!plan.isEmpty)
        let unchanged = try planner.plan(
            request, graph: graph, rows: rows(["a"]), repeatables: [repeatables[2]], recorded: recorded)
        #expect(unchanged.isEmpty)
    }

    @Test func downgradesAndStampsRunNoRepeatable() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a"])
        let down = try planner.plan(ChangeRequest(.downgrade(.base)), graph: graph, rows: rows(["a", "b"]), repeatables: repeatables, recorded: [:])
        #expect(steps(down) == ["downgrade b", "downgrade a"])
        let stamp = try planner.plan(ChangeRequest(.stamp(.head, purge: false)), graph: graph, rows: [], repeatables: repeatables, recorded: [:])
        #expect(steps(stamp) == ["upgrade a", "upgrade b"])
    }
}
