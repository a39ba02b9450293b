import GodwitCore
import Testing

/// The shape of literal graphs (order, heads, bases, branch points, current heads), the
/// invariants every order keeps, its determinism, and the validation errors of a bad graph.
@Suite struct RevisionGraphTests {
    // MARK: - Shape

    struct Shape: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: [String]
        var order: [String]
        var heads: [String]
        var bases: [String]
        var branchPoints: [String]
        var merges: [String]
        var testDescription: String { name }
    }

    static let shapes: [Shape] = [
        Shape(name: "linear", lines: Graphs.linear, order: ["a", "b", "c", "d"], heads: ["d"], bases: ["a"], branchPoints: [], merges: []),
        Shape(
            name: "branched", lines: Graphs.branched, order: ["a", "b", "c1", "d1", "c2", "d2"], heads: ["d1", "d2"],
            bases: ["a"], branchPoints: ["b"], merges: []),
        Shape(
            name: "merged", lines: Graphs.merged, order: ["a", "b", "c1", "c2", "d", "e"], heads: ["e"], bases: ["a"],
            branchPoints: ["b"], merges: ["d"]),
        Shape(
            name: "merged3", lines: Graphs.merged3, order: ["a", "b1", "b2", "b3", "m"], heads: ["m"], bases: ["a"],
            branchPoints: ["a"], merges: ["m"]),
        // Parents are visited in the order the header lists them.
        Shape(
            name: "merge listing parents in reverse", lines: ["a", "b1: a", "b2: a", "m: b2 b1"],
            order: ["a", "b2", "b1", "m"], heads: ["m"], bases: ["a"], branchPoints: ["a"], merges: ["m"]),
        Shape(
            name: "labeled", lines: Graphs.labeled, order: ["a", "b", "bill1", "bill2", "ship1", "ship2"],
            heads: ["bill2", "ship2"], bases: ["a"], branchPoints: ["b"], merges: []),
        // A dependency is not a child: 'b' stays a head of the graph although 'y' depends on it.
        Shape(
            name: "crossDependency", lines: Graphs.crossDependency, order: ["a", "b", "c", "x", "y", "z"],
            heads: ["c", "z"], bases: ["a", "x"], branchPoints: [], merges: []),
        // Two independent trees: heads visited by id.
        Shape(
            name: "forest", lines: ["q", "r: q", "a", "b: a"], order: ["a", "b", "q", "r"], heads: ["b", "r"],
            bases: ["a", "q"], branchPoints: [], merges: []),
        Shape(name: "empty", lines: [], order: [], heads: [], bases: [], branchPoints: [], merges: []),
    ]

    @Test(arguments: shapes)
    func shape(_ shape: Shape) throws {
        let graph = try RevisionGraph(describing: shape.lines)
        #expect(graph.order == shape.order)
        #expect(graph.heads == shape.heads)
        #expect(graph.bases == shape.bases)
        #expect(graph.branchPoints == shape.branchPoints)
        #expect(graph.order.filter { graph[$0]?.isMerge == true } == shape.merges)
        #expect(graph.order.filter { graph[$0]?.isBase == true } == shape.bases)
    }

    @Test func childrenAndDependentsAreSortedAndSeparate() throws {
        let graph = try RevisionGraph(describing: ["a", "z: a", "m: a", "k: a", "x", "y: x deps=a", "w: x deps=a"])
        #expect(graph.children["a"] == ["k", "m", "z"])
        #expect(graph.dependents["a"] == ["w", "y"])
        #expect(graph.successors(of: "a") == ["k", "m", "z", "w", "y"])
        #expect(graph.requirements(of: "y") == ["x", "a"])
        #expect(graph.isBranchPoint("a"))
        #expect(graph.isBranchPoint("x"))  // y and w
        #expect(!graph.isBranchPoint("y"))
        #expect(graph.labels.isEmpty)
    }

    @Test func labelsMapToTheRevisionThatCarriesThem() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a labels=billing,invoicing", "c: b"])
        #expect(graph.labels == ["billing": "b", "invoicing": "b"])
    }

    // MARK: - Current heads of an applied set

    @Test(arguments: [
        (Graphs.linear, ["a", "b"], ["b"]),
        (Graphs.linear, [], []),
        (Graphs.branched, ["a", "b", "c1", "c2"], ["c1", "c2"]),
        (Graphs.branched, ["a", "b", "c1", "d1", "c2"], ["d1", "c2"]),
        (Graphs.merged, ["a", "b", "c1", "c2", "d"], ["d"]),
        // An applied dependent hides its dependency, as in Alembic's version table.
        (Graphs.crossDependency, ["a", "b", "x", "y"], ["y"]),
        (Graphs.crossDependency, ["a", "b", "c", "x", "y", "z"], ["c", "z"]),
        (Graphs.crossDependency, ["a", "b", "x"], ["b", "x"]),
        // Ids the graph does not know (a deleted file) are not heads.
        (Graphs.linear, ["a", "gone"], ["a"]),
    ])
    func headsOfApplied(_ lines: [String], _ applied: [String], _ expected: [String]) throws {
        let graph = try RevisionGraph(describing: lines)
        #expect(graph.heads(ofApplied: Set(applied)) == expected)
    }

    // MARK: - Invariants on every literal graph

    @Test(arguments: Graphs.all.map(\.1))
    func orderPutsParentsAndDependenciesFirst(_ lines: [String]) throws {
        let graph = try RevisionGraph(describing: lines)
        #expect(graph.order.count == lines.count)
        #expect(Set(graph.order) == Set(graph.revisions.keys))
        let position = Dictionary(uniqueKeysWithValues: graph.order.enumerated().map { ($1, $0) })
        for id in graph.order {
            for parent in graph[id]?.downRevisions ?? [] {
                #expect(position[parent]! < position[id]!, "parent \(parent) after \(id)")
            }
            for dependency in graph[id]?.dependsOn ?? [] {
                #expect(position[dependency]! < position[id]!, "dependency \(dependency) after \(id)")
            }
        }
        #expect(graph.heads == graph.order.filter { graph.children[$0] == nil })
    }

    @Test(arguments: Graphs.all.map(\.1))
    func upgradeFromNothingToEachRevisionAppliesExactlyItsAncestryInOrder(_ lines: [String]) throws {
        let graph = try RevisionGraph(describing: lines)
        for target in graph.order {
            let steps = try graph.upgradeSteps(applied: [], to: .revision(target))
            #expect(steps.last == target)
            var applied = Set<String>()
            for step in steps {
                for requirement in graph.requirements(of: step) {
                    #expect(applied.contains(requirement), "\(step) before its requirement \(requirement)")
                }
                applied.insert(step)
            }
            #expect(applied == graph.ancestry(of: [target]))
        }
    }

    @Test(arguments: Graphs.all.map(\.1))
    func downgradeFromEverythingToEachRevisionKeepsItAndItsAncestry(_ lines: [String]) throws {
        let graph = try RevisionGraph(describing: lines)
        let everything = Set(graph.order)
        for target in graph.order {
            let steps = try graph.downgradeSteps(applied: everything, to: .revision(target))
            #expect(Set(steps).count == steps.count)
            #expect(Set(steps).isDisjoint(with: graph.ancestry(of: [target])))
            var remaining = everything
            for step in steps {
                // Nothing still applied may need what this step removes.
                for successor in graph.successors(of: step) {
                    #expect(!remaining.contains(successor), "\(step) removed before \(successor)")
                }
                remaining.remove(step)
            }
            for id in remaining {
                #expect(Set(graph.requirements(of: id)).isSubset(of: remaining), "\(id) left without a requirement")
            }
        }
    }

    // MARK: - Determinism

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        var result: [[T]] = []
        for index in items.indices {
            var rest = items
            let first = rest.remove(at: index)
            for tail in permutations(rest) { result.append([first] + tail) }
        }
        return result
    }

    @Test(arguments: Graphs.all.map(\.1))
    func theSameRevisionsInAnyOrderGiveTheSameGraph(_ lines: [String]) throws {
        let reference = try RevisionGraph(describing: lines)
        let referenceSteps = try reference.upgradeSteps(applied: [], to: .heads)
        let referenceDown = try reference.downgradeSteps(applied: Set(reference.order), to: .base)
        for permutation in Self.permutations(lines) {
            let graph = try RevisionGraph(describing: permutation)
            #expect(graph.order == reference.order)
            #expect(graph.heads == reference.heads)
            #expect(graph.bases == reference.bases)
            #expect(graph.children == reference.children)
            #expect(try graph.upgradeSteps(applied: [], to: .heads) == referenceSteps)
            #expect(try graph.downgradeSteps(applied: Set(graph.order), to: .base) == referenceDown)
        }
    }

    // MARK: - Validation, on parsed files so that errors carry file and line

    /// A revision file whose keys sit on fixed lines: revision 2, down_revision 4, depends_on 5, branch_labels 6.
    static func file(_ id: String, down: String = "", deps: String = "", labels: String = "", slug: String = "x")
        throws -> Revision
    {
        let text = """
            -- A revision for a graph test.
            -- revision: \(id)
            -- message: \(id)
            -- down_revision: \(down)
            -- depends_on: \(deps)
            -- branch_labels: \(labels)

            -- +upgrade
            SELECT 1;

            -- +downgrade
            SELECT 2;

            """
        return try RevisionFile.parse(text, path: "versions/\(id)_\(slug).sql")
    }

    func graphError(_ revisions: [Revision]) -> GraphError? {
        #expect(throws: GraphError.self) { try RevisionGraph(revisions) }
    }

    @Test func duplicateIdNamesBothFiles() throws {
        let error = graphError([try Self.file("a"), try Self.file("b", down: "a"), try Self.file("a", slug: "again")])
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/a_again.sql", line: 2))
        #expect(error?.code == .duplicateRevision("a", otherPath: "versions/a_x.sql"))
        #expect(error?.revision == "a")
        #expect(error?.exitCode == .usage)
    }

    @Test func unknownDownRevisionPointsAtItsLine() throws {
        let error = graphError([try Self.file("a"), try Self.file("b", down: "a, nope")])
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/b_x.sql", line: 4))
        #expect(error?.code == .unknownDownRevision("nope", of: "b"))
        #expect(error?.description.hasPrefix("versions/b_x.sql:4: ") == true)
    }

    @Test func unknownDependsOnPointsAtItsLine() throws {
        let error = graphError([try Self.file("a"), try Self.file("b", down: "a", deps: "ghost")])
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/b_x.sql", line: 5))
        #expect(error?.code == .unknownDependency("ghost", of: "b"))
    }

    @Test func cycleThroughDownRevisionsIsNamedWithALine() throws {
        let error = graphError([try Self.file("base0"), try Self.file("a", down: "base0, b"), try Self.file("b", down: "a")])
        #expect(error?.code == .cycle(["a", "b", "a"]))
        #expect(["versions/a_x.sql", "versions/b_x.sql"].contains(error?.location?.file ?? ""))
        #expect(error?.location?.line == 4)
    }

    @Test func cycleWithoutAnyBaseIsFound() throws {
        let error = graphError([try Self.file("a", down: "c"), try Self.file("b", down: "a"), try Self.file("c", down: "b")])
        #expect(error?.message.contains("cycle") == true)
        #expect(error?.location?.line == 4)
    }

    /// A cycle closed by a `depends_on` edge should point at the `depends_on` line, where the bad edge is written.
    @Test func cycleThroughDependsOnPointsAtTheDependsOnLine() throws {
        let error = graphError([try Self.file("a"), try Self.file("b", down: "a", deps: "c"), try Self.file("c", down: "b")])
        #expect(error?.message.contains("cycle") == true)
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/b_x.sql", line: 5), "\(String(describing: error?.location))")
    }

    @Test func duplicateBranchLabelPointsAtTheSecondUse() throws {
        let error = graphError([
            try Self.file("a", labels: "billing"), try Self.file("b", down: "a"), try Self.file("c", down: "b", labels: "core, billing"),
        ])
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/c_x.sql", line: 6))
        #expect(error?.code == .branchLabelTaken("billing", owner: "a"))
    }

    @Test func branchLabelThatIsAlsoARevisionIdIsRefused() throws {
        let error = graphError([try Self.file("a"), try Self.file("b", down: "a", labels: "a")])
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/b_x.sql", line: 6))
        #expect(error?.code == .branchLabelIsRevision("a"))
    }

    /// Lookups of ids the graph does not have answer nothing; they never crash (SPEC §8).
    @Test func unknownIdsAreLookedUpWithoutACrash() throws {
        let graph = try RevisionGraph(describing: Graphs.linear)
        #expect(graph["nope"] == nil)
        #expect(graph.requirements(of: "nope") == [])
        #expect(graph.ancestry(of: ["nope", "b"]) == ["nope", "a", "b"])
        #expect(graph.revisions(["c", "nope", "a"]).map(\.id) == ["c", "a"])
    }

    @Test func validFilesBuildAGraph() throws {
        let graph = try RevisionGraph([
            try Self.file("a", labels: "core"), try Self.file("b", down: "a"), try Self.file("x"),
            try Self.file("y", down: "x", deps: "b"),
        ])
        #expect(graph.order == ["a", "b", "x", "y"])
        #expect(graph.labels == ["core": "a"])
        #expect(graph["y"]?.path == "versions/y_x.sql")
    }
}
