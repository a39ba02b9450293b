import GodwitCore
import Testing

/// (graph, applied set, target) → the revisions an upgrade applies, in order, or the error it refuses with.
@Suite struct UpgradeStepsTests {
    static let cases: [StepCase] = [
        // Linear chain a ← b ← c ← d.
        StepCase("linear", Graphs.linear, applied: [], "heads", .steps(["a", "b", "c", "d"])),
        StepCase("linear", Graphs.linear, applied: [], "head", .steps(["a", "b", "c", "d"])),
        StepCase("linear", Graphs.linear, applied: ["a"], "c", .steps(["b", "c"])),
        StepCase("linear", Graphs.linear, applied: ["a", "b"], "+1", .steps(["c"])),
        StepCase("linear", Graphs.linear, applied: ["a", "b"], "+2", .steps(["c", "d"])),
        StepCase("linear", Graphs.linear, applied: [], "+1", .steps(["a"])),
        StepCase("linear", Graphs.linear, applied: [], "+4", .steps(["a", "b", "c", "d"])),
        StepCase("linear", Graphs.linear, applied: ["a"], "b+1", .steps(["b", "c"])),
        StepCase("linear", Graphs.linear, applied: ["a"], "d-1", .steps(["b", "c"])),
        StepCase("linear", Graphs.linear, applied: ["a"], "head-2", .steps(["b"])),
        // Already applied: nothing to do.
        StepCase("linear", Graphs.linear, applied: ["a", "b", "c", "d"], "head", .steps([])),
        StepCase("linear", Graphs.linear, applied: ["a", "b", "c", "d"], "heads", .steps([])),
        StepCase("linear", Graphs.linear, applied: ["a", "b", "c"], "b", .steps([])),
        StepCase("linear", Graphs.linear, applied: ["a", "b", "c"], "base", .steps([])),
        // Past head, below base, wrong direction, unknown.
        StepCase("linear", Graphs.linear, applied: ["a", "b"], "+3", .error(.pastHead(target: "+3", possible: 2))),
        StepCase("linear", Graphs.linear, applied: ["a", "b", "c", "d"], "+1", .error(.pastHead(target: "+1", possible: 0))),
        StepCase("linear", Graphs.linear, applied: [], "+5", .error(.pastHead(target: "+5", possible: 4))),
        StepCase("linear", Graphs.linear, applied: [], "c+2", .error(.pastHead(target: "c+2", possible: 1))),
        StepCase("linear", Graphs.linear, applied: ["a"], "+9223372036854775807", .error(.pastHead(target: "+9223372036854775807", possible: 3))),
        StepCase("linear", Graphs.linear, applied: ["a", "b"], "-1", .error(.upgradeBelowCurrentHead(target: "-1"))),
        StepCase("linear", Graphs.linear, applied: [], "-1", .error(.nothingApplied(target: "-1"))),
        StepCase("linear", Graphs.linear, applied: [], "a-1", .error(.upgradeBelowBase(target: "a-1"))),
        StepCase("linear", Graphs.linear, applied: [], "zzz", .error(.unknownRevision("zzz"))),
        StepCase("linear", Graphs.linear, applied: [], "zzz+1", .error(.unknownRevision("zzz"))),

        // Two branches from the branch point b.
        StepCase("branched", Graphs.branched, applied: [], "heads", .steps(["a", "b", "c1", "d1", "c2", "d2"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "d1"], "heads", .steps(["c2", "d2"])),
        StepCase("branched", Graphs.branched, applied: [], "d1", .steps(["a", "b", "c1", "d1"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1"], "d2", .steps(["c2", "d2"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1"], "+1", .steps(["d1"])),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1"], "c2+1", .steps(["c2", "d2"])),
        StepCase("branched", Graphs.branched, applied: [], "head", .error(.multipleHeads(["d1", "d2"]))),
        StepCase("branched", Graphs.branched, applied: ["a", "b"], "+1", .error(.ambiguousBranch(target: "+1", children: ["c1", "c2"]))),
        StepCase("branched", Graphs.branched, applied: ["a"], "b+2", .error(.ambiguousBranch(target: "b+2", children: ["c1", "c2"]))),
        StepCase("branched", Graphs.branched, applied: ["a", "b", "c1", "c2"], "+1", .error(.ambiguousCurrentHead(target: "+1", heads: ["c1", "c2"]))),

        // Merge of two heads: walking up into a merge is fine and brings its other parent.
        StepCase("merged", Graphs.merged, applied: [], "heads", .steps(["a", "b", "c1", "c2", "d", "e"])),
        StepCase("merged", Graphs.merged, applied: [], "head", .steps(["a", "b", "c1", "c2", "d", "e"])),
        StepCase("merged", Graphs.merged, applied: ["a", "b"], "d", .steps(["c1", "c2", "d"])),
        StepCase("merged", Graphs.merged, applied: ["a", "b", "c1"], "+1", .steps(["c2", "d"])),
        StepCase("merged", Graphs.merged, applied: ["a", "b", "c2"], "+2", .steps(["c1", "d", "e"])),
        StepCase("merged", Graphs.merged, applied: ["a", "b", "c1"], "c1+2", .steps(["c2", "d", "e"])),
        StepCase("merged", Graphs.merged, applied: ["a", "b", "c1", "c2", "d"], "+1", .steps(["e"])),
        StepCase("merged", Graphs.merged, applied: [], "e-1", .steps(["a", "b", "c1", "c2", "d"])),
        // Walking down from a merge is ambiguous.
        StepCase("merged", Graphs.merged, applied: [], "e-2", .error(.ambiguousMerge(target: "e-2", revision: "d", parents: ["c1", "c2"]))),
        StepCase("merged", Graphs.merged, applied: ["a", "b", "c1", "c2"], "+1", .error(.ambiguousCurrentHead(target: "+1", heads: ["c1", "c2"]))),

        // Merge of three heads.
        StepCase("merged3", Graphs.merged3, applied: [], "heads", .steps(["a", "b1", "b2", "b3", "m"])),
        StepCase("merged3", Graphs.merged3, applied: ["a", "b2"], "m", .steps(["b1", "b3", "m"])),
        StepCase("merged3", Graphs.merged3, applied: ["a", "b1"], "+1", .steps(["b2", "b3", "m"])),
        StepCase("merged3", Graphs.merged3, applied: ["a"], "+1", .error(.ambiguousBranch(target: "+1", children: ["b1", "b2", "b3"]))),
        StepCase("merged3", Graphs.merged3, applied: ["a", "b1", "b2", "b3"], "+1", .error(.ambiguousCurrentHead(target: "+1", heads: ["b1", "b2", "b3"]))),
        StepCase("merged3", Graphs.merged3, applied: [], "m-1", .error(.ambiguousMerge(target: "m-1", revision: "m", parents: ["b1", "b2", "b3"]))),

        // Branch labels and LABEL@head.
        StepCase("labeled", Graphs.labeled, applied: ["a", "b"], "billing@head", .steps(["bill1", "bill2"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b"], "shipping@head", .steps(["ship1", "ship2"])),
        StepCase("labeled", Graphs.labeled, applied: [], "billing@head", .steps(["a", "b", "bill1", "bill2"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b"], "billing", .steps(["bill1"])),
        StepCase("labeled", Graphs.labeled, applied: [], "billing@head-1", .steps(["a", "b", "bill1"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1"], "billing+1", .steps(["bill2"])),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b"], "heads", .steps(["bill1", "bill2", "ship1", "ship2"])),
        StepCase("labeled", Graphs.labeled, applied: [], "nope@head", .error(.unknownBranchLabel("nope", labels: ["billing", "shipping"]))),
        StepCase("labeled", Graphs.labeled, applied: [], "head", .error(.multipleHeads(["bill2", "ship2"]))),
        StepCase("labeled", Graphs.labeled, applied: ["a", "b", "bill1", "ship1"], "+1", .error(.ambiguousCurrentHead(target: "+1", heads: ["bill1", "ship1"]))),

        // depends_on across branches: the dependency comes first.
        StepCase("crossDependency", Graphs.crossDependency, applied: [], "y", .steps(["a", "b", "x", "y"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["x"], "y", .steps(["a", "b", "y"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b"], "z", .steps(["x", "y", "z"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: [], "heads", .steps(["a", "b", "c", "x", "y", "z"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "x", "y"], "heads", .steps(["c", "z"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a"], "+1", .steps(["b"])),
        StepCase("crossDependency", Graphs.crossDependency, applied: ["a", "b", "x"], "+1", .error(.ambiguousCurrentHead(target: "+1", heads: ["b", "x"]))),
        StepCase("crossDependency", Graphs.crossDependency, applied: [], "head", .error(.multipleHeads(["c", "z"]))),

        // Prefixes.
        StepCase("hexIDs", Graphs.hexIDs, applied: [], "9b", .steps(["3f2a9c1b7d4e", "3f2b00000000", "9b1c0d2e3f4a"])),
        StepCase("hexIDs", Graphs.hexIDs, applied: [], "3f2a", .steps(["3f2a9c1b7d4e"])),
        StepCase("hexIDs", Graphs.hexIDs, applied: [], "3f2a+1", .steps(["3f2a9c1b7d4e", "3f2b00000000"])),
        StepCase("hexIDs", Graphs.hexIDs, applied: ["3f2a9c1b7d4e"], "9b1c-1", .steps(["3f2b00000000"])),
        StepCase("hexIDs", Graphs.hexIDs, applied: [], "3f2", .error(.ambiguousPrefix("3f2", matches: ["3f2a9c1b7d4e", "3f2b00000000"]))),
        StepCase("hexIDs", Graphs.hexIDs, applied: [], "77", .error(.unknownRevision("77"))),
        // Two bases: '+1' from nothing is ambiguous.
        StepCase("forest", ["q", "r: q", "a", "b: a"], applied: [], "+1", .error(.ambiguousBranch(target: "+1", children: ["a", "q"]))),
        StepCase("forest", ["q", "r: q", "a", "b: a"], applied: ["q"], "+1", .steps(["r"])),
        StepCase("exact beats prefix", ["a", "ab: a", "abc: ab"], applied: [], "ab", .steps(["a", "ab"])),
    ]

    @Test(arguments: cases)
    func upgradeSteps(_ c: StepCase) throws {
        let graph = try RevisionGraph(describing: c.graph)
        let target = try Target(parsing: c.target)
        check(c.outcome) { try graph.upgradeSteps(applied: Set(c.applied), to: target) }
    }

    @Test(arguments: cases)
    func upgradeStepsAreTheSameEveryTime(_ c: StepCase) throws {
        guard case .steps = c.outcome else { return }
        let target = try Target(parsing: c.target)
        let first = try RevisionGraph(describing: c.graph).upgradeSteps(applied: Set(c.applied), to: target)
        // The same revisions listed in other orders (as a directory listing might give them).
        for shift in 1..<max(c.graph.count, 2) {
            let rotated = Array(c.graph[(shift % c.graph.count)...] + c.graph[..<(shift % c.graph.count)])
            for lines in [rotated, rotated.reversed()] {
                let again = try RevisionGraph(describing: lines).upgradeSteps(applied: Set(c.applied), to: target)
                #expect(again == first)
            }
        }
    }
}
