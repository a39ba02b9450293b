import GodwitCore
import Testing

/// (graph, applied set, target) → the revisions a downgrade removes, in order, or the error it refuses with.
@Suite struct DowngradeStepsTests {
    static let linearAll = ["a", "b", "c", "d"]
    static let branchedAll = ["a", "b", "c1", "d1", "c2", "d2"]
    static let mergedAll = ["a", "b", "c1", "c2", "d", "e"]

    static let cases: [StepCase] = [
        // Linear chain.
        StepCase("linear", Graphs.linear, applied: linearAll, "base", .steps(["d", "c", "b", "a"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "b", .steps(["d", "c"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "a", .steps(["d", "c", "b"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "d", .steps([])),
        StepCase("linear", Graphs.linear, applied: linearAll, "head", .steps([])),
        StepCase("linear", Graphs.linear, applied: linearAll, "-1", .steps(["d"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "-2", .steps(["d", "c"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "-4", .steps(["d", "c", "b", "a"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "c-1", .steps(["d", "c"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "a-1", .steps(["d", "c", "b", "a"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "b+1", .steps(["d"])),
        StepCase("linear", Graphs.linear, applied: linearAll, "head-1", .steps(["d"])),
        StepCase("linear", Graphs.linear, applied: ["a", "b"], "-2", .steps(["b", "a"])),
        StepCase("linear", Graphs.linear, applied: ["a"], "-1", .steps(["a"])),
        StepCase("linear", Graphs.linear, applied: [], "base", .steps([])),
        StepCase("linear", Graphs.linear, applied: linearAll, "-5", .error(.belowBase(target: "-5", possible: 4))),
        StepCase("linear", Graphs.linear, applied: ["a"], "-2", .error(.belowBase(target: "-2", possible: 1))),
        StepCase("linear", Graphs.linear, applied: linearAll, "-9223372036854775807", .error(.belowBase(target: "-9223372036854775807", possible: 4))),
        StepCase("linear", Graphs.linear, applied: [], "-1", .error(.nothingApplied(target: "-1"))),
        StepCase("linear", Graphs.linear, applied: linearAll, "+1", .error(.downgradeAboveCurrentHead(target: "+1"))),
        StepCase("linear", Graphs.linear, applied: ["a", "b"], "c", .error(.notApplied("c"))),
        StepCase("linear", Graphs.linear, applied: linearAll, "zzz", .error(.unknownRevision("zzz"))),

        // A point on one branch leaves the other branch alone.
        StepCase("branched", Graphs.branched, applied: branchedAll, "c1", .steps(["d1"])),
        StepCase("branched", Graphs.branched, applied: branchedAll, "c2", .steps(["d2"])),
        StepCase("branched", Graphs.branched, applied: branchedAll, "d1-1", .steps(["d1"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "c2"], "c1", .steps([])),
        // The branch point itself: both branches go.
        StepCase("branched", Graphs.branched, applied: branchedAll, "b", .steps(["d2", "c2", "d1", "c1"])),
        StepCase("branched", Graphs.branched, applied: branchedAll, "c2-1", .steps(["d2", "c2", "d1", "c1"])),
        StepCase("branched", Graphs.branched, applied: branchedAll, "base", .steps(["d2", "c2", "d1", "c1", "b", "a"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "d1"], "-1", .steps(["d1"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "d1"], "-2", .steps(["d1", "c1"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "d1"], "a", .steps(["d1", "c1", "b"])),
        StepCase("branched", Graphs.branched, applied: branchedAll, "-1", .error(.ambiguousCurrentHead(target: "-1", heads: ["d1", "d2"]))),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "d1"], "d2", .error(.notApplied("d2"))),

        // Merge of two heads: going back to one parent keeps the other.
        StepCase("merged", Graphs.merged, applied: mergedAll, "-1", .steps(["e"])),
        StepCase("merged", Graphs.merged, applied: mergedAll, "c1", .steps(["e", "d"])),
        StepCase("merged", Graphs.merged, applied: mergedAll, "c2", .steps(["e", "d"])),
        StepCase("merged", Graphs.merged, applied: mergedAll, "b", .steps(["e", "d", "c2", "c1"])),
        StepCase("merged", Graphs.merged, applied: mergedAll, "base", .steps(["e", "d", "c2", "c1", "b", "a"])),
        StepCase("merged", Graphs.merged, applied: mergedAll, "-2", .error(.ambiguousMerge(target: "-2", revision: "d", parents: ["c1", "c2"]))),
        StepCase("merged", Graphs.merged, applied: mergedAll, "d-1", .error(.ambiguousMerge(target: "d-1", revision: "d", parents: ["c1", "c2"]))),
        StepCase("merged", Graphs.merged, applied: ["a", "b", "c1", "c2", "d"], "-1", .error(.ambiguousMerge(target: "-1", revision: "d", parents: ["c1", "c2"]))),

        // Merge of three heads.
        StepCase("merged3", Graphs.merged3, applied: ["a", "b1", "b2", "b3", "m"], "b2", .steps(["m"])),
        StepCase("merged3", Graphs.merged3, applied: ["a", "b1", "b2", "b3", "m"], "a", .steps(["m", "b3", "b2", "b1"])),
        StepCase("merged3", Graphs.merged3, applied: ["a", "b1", "b2", "b3", "m"], "-1", .error(.ambiguousMerge(target: "-1", revision: "m", parents: ["b1", "b2", "b3"]))),
        StepCase("merged3", Graphs.merged3, applied: ["a", "b1", "b2", "b3"], "-1", .error(.ambiguousCurrentHead(target: "-1", heads: ["b1", "b2", "b3"]))),

        // Labels.
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1", "bill2", "ship1", "ship2"], "billing@head", .steps([])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1", "bill2", "ship1", "ship2"], "shipping@head-1", .steps(["ship2"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1", "bill2", "ship1", "ship2"], "billing", .steps(["bill2"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1", "bill2", "ship1", "ship2"], "b", .steps(["ship2", "ship1", "bill2", "bill1"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1", "bill2", "ship1", "ship2"], "billing@head+1", .error(.pastHead(target: "billing@head+1", possible: 0))),

        // depends_on: downgrading the dependency removes its dependents, dependents first.
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "c", "x", "y", "z"], "a", .steps(["z", "y", "c", "b"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "c", "x", "y", "z"], "b-1", .steps(["z", "y", "c", "b"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "c", "x", "y", "z"], "base", .steps(["z", "y", "x", "c", "b", "a"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "c", "x", "y", "z"], "x", .steps(["z", "y"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "c", "x", "y", "z"], "y", .steps(["z"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "x", "y"], "-1", .steps(["y"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "c", "x", "y", "z"], "-1", .error(.ambiguousCurrentHead(target: "-1", heads: ["c", "z"]))),
    ]

    @Test(arguments: cases)
    func downgradeSteps(_ c: StepCase) throws {
        let graph = try RevisionGraph(describing: c.graph)
        let target = try Target(parsing: c.target)
        check(c.outcome) { try graph.downgradeSteps(applied: Set(c.applied), to: target) }
    }

    @Test(arguments: cases)
    func downgradeStepsDoNotDependOnTheOrderFilesAreListed(_ c: StepCase) throws {
        guard case .steps = c.outcome else { return }
        let target = try Target(parsing: c.target)
        let first = try RevisionGraph(describing: c.graph).downgradeSteps(applied: Set(c.applied), to: target)
        let again = try RevisionGraph(describing: c.graph.reversed()).downgradeSteps(applied: Set(c.applied), to: target)
        #expect(again == first)
    }

    // MARK: - Walking below base reports how far it can go

    /// From d on a ← b ← c ← d, `-4` reaches base (4 steps), so `-5` should say that 4 steps are possible.
    @Test(arguments: [
        (["a", "b", "c", "d"], "-4", "-5", 4),
        (["a"], "-1", "-2", 1),
        (["a", "b", "c", "d"], "b-2", "b-3", 2),
    ])
    func belowBaseCountsTheStepsThatArePossible(
        _ applied: [String], _ longest: String, _ tooFar: String, _ possible: Int
    ) throws {
        let graph = try RevisionGraph(describing: Graphs.linear)
        // The longest walk is legal and ends at base: everything on the line is removed.
        let all = try graph.downgradeSteps(applied: Set(applied), to: try Target(parsing: longest))
        #expect(Set(all) == Set(applied).intersection(graph.descendants(of: ["a"])))
        let error = #expect(throws: GraphError.self) {
            try graph.downgradeSteps(applied: Set(applied), to: try Target(parsing: tooFar))
        }
        #expect(error?.code == .belowBase(target: tooFar, possible: possible))
    }

    // MARK: - Downgrading TO a revision keeps what depends on it (Alembic)

    /// `downgrade b` keeps b applied, so y (which depends on b but lives on the x line) stays;
    /// only c, above b on b's own line, goes.
    @Test func downgradeToADependencyKeepsItsDependents() throws {
        let graph = try RevisionGraph(describing: Graphs.crossDependency)
        let steps = try graph.downgradeSteps(applied: ["a", "b", "c", "x", "y", "z"], to: .revision("b"))
        #expect(steps == ["c"])
    }

    /// Alembic `DependsOnBranchTestFive` (issue #1373): b1 depends on a1, bmerge merges a1 and b1;
    /// downgrading from bmerge to a1 removes bmerge only and leaves b1.
    @Test func alembicDependsOnBranchTestFive() throws {
        let graph = try RevisionGraph(describing: ["a1", "b1: deps=a1", "bmerge: a1 b1"])
        #expect(try graph.downgradeSteps(applied: ["a1", "b1", "bmerge"], to: .revision("a1")) == ["bmerge"])
        #expect(try graph.downgradeSteps(applied: ["a1", "b1", "bmerge"], to: .revision("b1")) == ["bmerge"])
    }

    /// Alembic `DependsOnBranchTestThree` (issue #377): from heads a3, b2, downgrading to b1 removes b2 only;
    /// a3 depends on b1, which stays.
    @Test func alembicDependsOnBranchTestThree() throws {
        let graph = try RevisionGraph(describing: ["a1", "a2: a1", "b1", "b2: b1 deps=a2", "b3: b2", "a3: a2 deps=b1"])
        let applied: Set<String> = ["a1", "a2", "a3", "b1", "b2"]
        #expect(graph.heads(ofApplied: applied) == ["a3", "b2"])
        #expect(try graph.downgradeSteps(applied: applied, to: .revision("b1")) == ["b2"])
    }
}
