import GodwitCore
import Testing

/// `Target(parsing:)` and the resolution of names (`resolve`, `resolveSingle`) against literal graphs.
@Suite struct TargetTests {
    // MARK: - Parsing

    static let parsed: [(String, Target)] = [
        ("head", .head),
        ("heads", .heads),
        ("base", .base),
        ("  head  ", .head),
        ("billing@head", .branchHead("billing")),
        ("+1", .relative(from: nil, steps: 1)),
        ("+12", .relative(from: nil, steps: 12)),
        ("-1", .relative(from: nil, steps: -1)),
        ("-3", .relative(from: nil, steps: -3)),
        ("ae10+2", .relative(from: "ae10", steps: 2)),
        ("ae10-2", .relative(from: "ae10", steps: -2)),
        ("billing@head-1", .relative(from: "billing@head", steps: -1)),
        ("head-1", .relative(from: "head", steps: -1)),
        ("3f2a9c1b7d4e", .revision("3f2a9c1b7d4e")),
        ("3f2a", .revision("3f2a")),
        ("add_users_v2", .revision("add_users_v2")),
    ]

    @Test(arguments: parsed)
    func parses(_ text: String, _ expected: Target) throws {
        #expect(try Target(parsing: text) == expected)
    }

    @Test(arguments: ["", "   ", "+0", "-0", "+x", "abc-", "abc+", "@head", "a b", "ab@cd", "a.b", "++1", "a+-1", "+1.5", "bill-ing@head"])
    func refusesMalformed(_ text: String) {
        #expect(throws: GraphError.self) { try Target(parsing: text) }
    }

    @Test func malformedRelativeExplainsTheSyntax() {
        let error = #expect(throws: GraphError.self) { try Target(parsing: "+0") }
        #expect(error?.code == .invalidRelativeTarget("+0"))
        #expect(error?.message.contains("'+N', '-N', 'REV+N' or 'REV-N'") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: parsed.map(\.1))
    func descriptionParsesBackToTheSameTarget(_ target: Target) throws {
        #expect(try Target(parsing: target.description) == target)
    }

    // MARK: - Resolving names

    @Test(arguments: [
        // (graph, name, expected id)
        (Graphs.hexIDs, "3f2a9c1b7d4e", "3f2a9c1b7d4e"),
        (Graphs.hexIDs, "3f2a", "3f2a9c1b7d4e"),
        (Graphs.hexIDs, "3f2b", "3f2b00000000"),
        (Graphs.hexIDs, "9", "9b1c0d2e3f4a"),
        (Graphs.labeled, "billing", "bill1"),
        (Graphs.labeled, "shipping", "ship1"),
        (Graphs.labeled, "bill2", "bill2"),
        // An exact id wins over being the prefix of a longer id.
        (["a", "ab: a", "abc: ab"], "a", "a"),
        (["a", "ab: a", "abc: ab"], "ab", "ab"),
        // A branch label wins over being the prefix of an id.
        (["3f2a9c1b7d4e", "3f2b00000000: 3f2a9c1b7d4e labels=3f"], "3f", "3f2b00000000"),
    ])
    func resolvesIdsPrefixesAndLabels(_ graph: [String], _ name: String, _ expected: String) throws {
        #expect(try RevisionGraph(describing: graph).resolve(name) == expected)
    }

    @Test func ambiguousPrefixListsEveryCandidate() throws {
        let graph = try RevisionGraph(describing: Graphs.hexIDs)
        let error = #expect(throws: GraphError.self) { try graph.resolve("3f2") }
        #expect(error?.code == .ambiguousPrefix("3f2", matches: ["3f2a9c1b7d4e", "3f2b00000000"]))
        #expect(error?.revision == "3f2")
    }

    @Test func unknownRevisionIsNamed() throws {
        let graph = try RevisionGraph(describing: Graphs.hexIDs)
        let error = #expect(throws: GraphError.self) { try graph.resolve("77aa") }
        #expect(error?.code == .unknownRevision("77aa"))
        #expect(error?.revision == "77aa")
        #expect(error?.exitCode == .usage)
    }

    @Test func resolveSingleHeadOfASingleHeadGraph() throws {
        #expect(try RevisionGraph(describing: Graphs.merged).resolveSingle("head") == "e")
        #expect(try RevisionGraph(describing: Graphs.linear).singleHead() == "d")
    }

    @Test(arguments: [
        (Graphs.branched, ["d1", "d2"]),
        (Graphs.labeled, ["bill2", "ship2"]),
        (Array(Graphs.merged3.dropLast()), ["b1", "b2", "b3"]),
    ])
    func headWithSeveralHeadsListsThemAndSuggestsAlternatives(_ lines: [String], _ heads: [String]) throws {
        let graph = try RevisionGraph(describing: lines)
        let error = #expect(throws: GraphError.self) { try graph.resolveSingle("head") }
        #expect(error?.code == .multipleHeads(heads))
        #expect(error?.message.contains("'heads'") == true)
        #expect(error?.message.contains("LABEL@head") == true)
    }

    @Test func headOfAnEmptyGraphSaysThereAreNoRevisions() throws {
        let graph = try RevisionGraph(describing: [])
        let error = #expect(throws: GraphError.self) { try graph.singleHead() }
        #expect(error?.code == .noRevisions)
    }

    @Test(arguments: [("billing@head", "bill2"), ("shipping@head", "ship2")])
    func branchHeadResolvesToTheHeadOfTheLabelledBranch(_ name: String, _ expected: String) throws {
        #expect(try RevisionGraph(describing: Graphs.labeled).resolveSingle(name) == expected)
    }

    @Test func branchHeadFollowsTheBranchThroughAMerge() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a labels=billing", "c: a", "m: b c", "n: m"])
        #expect(try graph.resolveSingle("billing@head") == "n")
    }

    @Test func branchHeadWithSeveralHeadsListsThem() throws {
        let graph = try RevisionGraph(describing: ["a", "b: a labels=billing", "c1: b", "c2: b"])
        let error = #expect(throws: GraphError.self) { try graph.resolveSingle("billing@head") }
        #expect(error?.code == .multipleBranchHeads(label: "billing", heads: ["c1", "c2"]))
    }

    @Test func unknownBranchLabelListsTheLabels() throws {
        let graph = try RevisionGraph(describing: Graphs.labeled)
        let error = #expect(throws: GraphError.self) { try graph.resolveSingle("nope@head") }
        #expect(error?.code == .unknownBranchLabel("nope", labels: ["billing", "shipping"]))
    }
}
