import GodwitCore
import Testing

/// Literal graphs in `RevisionGraph(describing:)` syntax, shared by the graph, target and plan tests.
enum Graphs {
    /// a ← b ← c ← d
    static let linear = ["a", "b: a", "c: b", "d: c"]
    /// a ← b, then b branches into c1 ← d1 and c2 ← d2.
    static let branched = ["a", "b: a", "c1: b", "d1: c1", "c2: b", "d2: c2"]
    /// a ← b, b branches into c1 and c2, d merges them, e follows.
    static let merged = ["a", "b: a", "c1: b", "c2: b", "d: c1 c2", "e: d"]
    /// a branches into b1, b2, b3; m merges all three.
    static let merged3 = ["a", "b1: a", "b2: a", "b3: a", "m: b1 b2 b3"]
    /// a ← b, then a 'billing' branch and a 'shipping' branch from b.
    static let labeled = [
        "a", "b: a", "bill1: b labels=billing", "bill2: bill1", "ship1: b labels=shipping", "ship2: ship1",
    ]
    /// Two lines: a ← b ← c, and x ← y ← z where y depends on b.
    static let crossDependency = ["a", "b: a", "c: b", "x", "y: x deps=b", "z: y"]
    /// a ← b ← c with b irreversible.
    static let irreversible = ["a", "b: a irreversible", "c: b"]
    /// Generated-looking ids sharing prefixes.
    static let hexIDs = ["3f2a9c1b7d4e", "3f2b00000000: 3f2a9c1b7d4e", "9b1c0d2e3f4a: 3f2b00000000"]

    /// Every literal graph, by name, for invariants that hold on all of them.
    static let all: [(String, [String])] = [
        ("linear", linear), ("branched", branched), ("merged", merged), ("merged3", merged3),
        ("labeled", labeled), ("crossDependency", crossDependency), ("irreversible", irreversible),
        ("hexIDs", hexIDs),
    ]
}

/// What resolving a target should give: the steps in order, or the graph error it refuses with.
enum Outcome: Sendable, CustomStringConvertible {
    case steps([String])
    case error(GraphError.Code)

    var description: String {
        switch self {
        case .steps(let ids): return "[\(ids.joined(separator: ", "))]"
        case .error(let code): return "error \(code)"
        }
    }
}

/// One row of a (graph, applied set, target) → outcome table.
struct StepCase: Sendable, CustomTestStringConvertible {
    var graphName: String
    var graph: [String]
    var applied: [String]
    var target: String
    var outcome: Outcome

    init(_ graphName: String, _ graph: [String], applied: [String], _ target: String, _ outcome: Outcome) {
        self.graphName = graphName
        self.graph = graph
        self.applied = applied
        self.target = target
        self.outcome = outcome
    }

    var testDescription: String {
        "\(graphName), applied [\(applied.joined(separator: ","))], '\(target)' → \(outcome)"
    }
}

/// Checks `body` against an expected outcome.
func check(
    _ outcome: Outcome, sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () throws -> [String]
) {
    switch outcome {
    case .steps(let expected):
        do {
            let actual = try body()
            #expect(actual == expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(expected), got error: \(error)", sourceLocation: sourceLocation)
        }
    case .error(let code):
        do {
            let actual = try body()
            Issue.record("expected the error \(code), got \(actual)", sourceLocation: sourceLocation)
        } catch let error as GraphError {
            #expect(error.code == code, "message: \(error.message)", sourceLocation: sourceLocation)
            #expect(error.exitCode == .usage, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a GraphError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        }
    }
}
