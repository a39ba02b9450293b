import GodwitCore
import Testing

/// Plans built from the steps: their SQL, heads before and after, the resulting state; stamps;
/// and the refusal of a downgrade through an irreversible revision.
@Suite struct PlanTests {
    /// a ← b ← c ← d where every section's SQL names its revision, so a plan's SQL can be traced.
    static func sqlGraph(irreversible: Set<String> = []) throws -> RevisionGraph {
        let parents = ["a": [String](), "b": ["a"], "c": ["b"], "d": ["c"]]
        return try RevisionGraph(parents.keys.sorted().map { id in
            Revision(
                id: id, downRevisions: parents[id]!, message: "create \(id)",
                upgrade: SQLSection(sql: "CREATE TABLE \(id) (x int);\n", line: 6),
                downgrade: irreversible.contains(id) ? nil : SQLSection(sql: "DROP TABLE \(id);\n", line: 9),
                path: "versions/\(id)_create_\(id).sql")
        })
    }

    // MARK: - Upgrade and downgrade plans

    @Test func upgradePlanRunsEachUpgradeSectionInOrder() throws {
        let graph = try Self.sqlGraph()
        let plan = try graph.upgradePlan(applied: ["a"], to: .head)
        #expect(plan.operation == .upgrade)
        #expect(plan.steps.map(\.revision.id) == ["b", "c", "d"])
        #expect(plan.steps.allSatisfy { $0.direction == .upgrade })
        #expect(plan.steps.map { $0.sql?.sql } == ["CREATE TABLE b (x int);\n", "CREATE TABLE c (x int);\n", "CREATE TABLE d (x int);\n"])
        #expect(plan.fromHeads == ["a"])
        #expect(plan.toHeads == ["d"])
        #expect(plan.resultingState == ["a", "b", "c", "d"])
        #expect(!plan.isEmpty)
    }

    @Test func upgradePlanToWhatIsAppliedIsEmpty() throws {
        let plan = try Self.sqlGraph().upgradePlan(applied: ["a", "b", "c", "d"], to: .heads)
        #expect(plan.isEmpty)
        #expect(plan.fromHeads == ["d"])
        #expect(plan.toHeads == ["d"])
        #expect(plan.resultingState == ["a", "b", "c", "d"])
    }

    @Test func downgradePlanRunsEachDowngradeSectionChildrenFirst() throws {
        let plan = try Self.sqlGraph().downgradePlan(applied: ["a", "b", "c", "d"], to: .revision("b"))
        #expect(plan.operation == .downgrade)
        #expect(plan.steps.map(\.revision.id) == ["d", "c"])
        #expect(plan.steps.allSatisfy { $0.direction == .downgrade })
        #expect(plan.steps.map { $0.sql?.sql } == ["DROP TABLE d;\n", "DROP TABLE c;\n"])
        #expect(plan.fromHeads == ["d"])
        #expect(plan.toHeads == ["b"])
        #expect(plan.resultingState == ["a", "b"])
    }

    @Test func downgradePlanToBaseEmptiesTheState() throws {
        let plan = try Self.sqlGraph().downgradePlan(applied: ["a", "b"], to: .base)
        #expect(plan.steps.map(\.revision.id) == ["b", "a"])
        #expect(plan.toHeads == [])
        #expect(plan.resultingState == [])
    }

    @Test func downgradePlanOnBranchesKeepsTheOtherBranchHead() throws {
        let graph = try RevisionGraph(describing: Graphs.branched)
        let plan = try graph.downgradePlan(applied: ["a", "b", "c1", "d1", "c2", "d2"], to: .revision("c1"))
        #expect(plan.steps.map(\.revision.id) == ["d1"])
        #expect(plan.fromHeads == ["d1", "d2"])
        #expect(plan.toHeads == ["c1", "d2"])
    }

    // MARK: - Irreversible revisions

    @Test(arguments: [Target.revision("a"), .base, .relative(from: nil, steps: -3)])
    func downgradeThroughAnIrreversibleRevisionIsRefused(_ target: Target) throws {
        let graph = try Self.sqlGraph(irreversible: ["b"])
        let refusal = #expect(throws: PlanRefusal.self) {
            try graph.downgradePlan(applied: ["a", "b", "c", "d"], to: target)
        }
        #expect(refusal?.exitCode == .refused)
        #expect(refusal?.exitCode.rawValue == 5)
        #expect(refusal?.revision == "b")
        #expect(refusal?.location?.file == "versions/b_create_b.sql")
        #expect(refusal == .irreversible(revision: "b", target: target, file: "versions/b_create_b.sql"))
    }

    @Test func downgradeThatStopsAboveAnIrreversibleRevisionIsAllowed() throws {
        let graph = try Self.sqlGraph(irreversible: ["b"])
        let plan = try graph.downgradePlan(applied: ["a", "b", "c", "d"], to: .revision("b"))
        #expect(plan.steps.map(\.revision.id) == ["d", "c"])
    }

    @Test func irreversibleRevisionsUpgradeAndStampNormally() throws {
        let graph = try RevisionGraph(describing: Graphs.irreversible)
        #expect(try graph.upgradePlan(applied: [], to: .head).steps.map(\.revision.id) == ["a", "b", "c"])
        let stamp = try graph.stampPlan(applied: ["a", "b", "c"], to: .revision("a"), purge: false)
        #expect(stamp.steps.map(\.revision.id) == ["c", "b"])
        let refusal = #expect(throws: PlanRefusal.self) { try graph.downgradePlan(applied: ["a", "b", "c"], to: .base) }
        #expect(refusal?.revision == "b")
    }

    @Test func targetErrorsInAPlanAreGraphErrors() throws {
        let graph = try RevisionGraph(describing: Graphs.branched)
        #expect(throws: GraphError.self) { try graph.upgradePlan(applied: [], to: .head) }
        #expect(throws: GraphError.self) { try graph.downgradePlan(applied: ["a"], to: .revision("nope")) }
        #expect(throws: GraphError.self) { try graph.stampPlan(applied: [], to: .head, purge: false) }
    }

    // MARK: - Stamps

    struct StampCase: Sendable, CustomTestStringConvertible {
        var graph: [String]
        var applied: [String]
        var target: String
        var purge: Bool
        /// "+x" records x, "-x" forgets it, in order.
        var steps: [String]
        var state: [String]
        var toHeads: [String]
        var testDescription: String {
            "[\(applied.joined(separator: ","))] stamp \(target)\(purge ? " --purge" : "") → \(steps)"
        }
    }

    static let stamps: [StampCase] = [
        // Forward.
        StampCase(graph: Graphs.linear, applied: [], target: "c", purge: false, steps: ["+a", "+b", "+c"], state: ["a", "b", "c"], toHeads: ["c"]),
        StampCase(graph: Graphs.linear, applied: ["a", "b"], target: "head", purge: false, steps: ["+c", "+d"], state: ["a", "b", "c", "d"], toHeads: ["d"]),
        StampCase(graph: Graphs.linear, applied: ["a", "b"], target: "+1", purge: false, steps: ["+c"], state: ["a", "b", "c"], toHeads: ["c"]),
        StampCase(graph: Graphs.merged, applied: ["a", "b", "c1"], target: "e", purge: false, steps: ["+c2", "+d", "+e"], state: ["a", "b", "c1", "c2", "d", "e"], toHeads: ["e"]),
        // Forward onto another branch: the current branch head stays.
        StampCase(graph: Graphs.branched, applied: ["a", "b", "c1"], target: "d2", purge: false, steps: ["+c2", "+d2"], state: ["a", "b", "c1", "c2", "d2"], toHeads: ["c1", "d2"]),
        // Backward.
        StampCase(graph: Graphs.linear, applied: ["a", "b", "c", "d"], target: "b", purge: false, steps: ["-d", "-c"], state: ["a", "b"], toHeads: ["b"]),
        StampCase(graph: Graphs.linear, applied: ["a", "b", "c", "d"], target: "-1", purge: false, steps: ["-d"], state: ["a", "b", "c"], toHeads: ["c"]),
        StampCase(graph: Graphs.linear, applied: ["a", "b", "c", "d"], target: "base", purge: false, steps: ["-d", "-c", "-b", "-a"], state: [], toHeads: []),
        StampCase(graph: Graphs.branched, applied: ["a", "b", "c1", "d1", "c2", "d2"], target: "c1", purge: false, steps: ["-d1"], state: ["a", "b", "c1", "c2", "d2"], toHeads: ["c1", "d2"]),
        StampCase(graph: Graphs.merged, applied: ["a", "b", "c1", "c2", "d", "e"], target: "c2", purge: false, steps: ["-e", "-d"], state: ["a", "b", "c1", "c2"], toHeads: ["c1", "c2"]),
        // No change.
        StampCase(graph: Graphs.linear, applied: ["a", "b"], target: "b", purge: false, steps: [], state: ["a", "b"], toHeads: ["b"]),
        // --purge: the state is rebuilt from nothing.
        StampCase(graph: Graphs.linear, applied: ["a", "b", "c", "d"], target: "b", purge: true, steps: ["+a", "+b"], state: ["a", "b"], toHeads: ["b"]),
        StampCase(graph: Graphs.branched, applied: ["a", "b", "c1", "d1"], target: "c2", purge: true, steps: ["+a", "+b", "+c2"], state: ["a", "b", "c2"], toHeads: ["c2"]),
        StampCase(graph: Graphs.linear, applied: ["a", "b", "gone"], target: "d", purge: true, steps: ["+a", "+b", "+c", "+d"], state: ["a", "b", "c", "d"], toHeads: ["d"]),
        StampCase(graph: Graphs.linear, applied: ["a", "b"], target: "base", purge: true, steps: [], state: [], toHeads: []),
    ]

    @Test(arguments: stamps)
    func stampPlan(_ c: StampCase) throws {
        let graph = try RevisionGraph(describing: c.graph)
        let plan = try graph.stampPlan(applied: Set(c.applied), to: try Target(parsing: c.target), purge: c.purge)
        #expect(plan.operation == .stamp)
        #expect(plan.steps.map { ($0.direction == .upgrade ? "+" : "-") + $0.revision.id } == c.steps)
        #expect(plan.steps.allSatisfy { $0.sql == nil }, "a stamp runs no SQL")
        #expect(plan.resultingState == Set(c.state))
        #expect(plan.toHeads == c.toHeads)
        #expect(plan.fromHeads == graph.heads(ofApplied: Set(c.applied)))
    }

    @Test func stampWithSeveralHeadsAndHeadIsAnError() throws {
        let graph = try RevisionGraph(describing: Graphs.branched)
        let error = #expect(throws: GraphError.self) { try graph.stampPlan(applied: ["a"], to: .head, purge: false) }
        #expect(error?.code == .multipleHeads(["d1", "d2"]))
        let heads = try graph.stampPlan(applied: ["a"], to: .heads, purge: false)
        #expect(heads.resultingState == ["a", "b", "c1", "d1", "c2", "d2"])
    }
}
