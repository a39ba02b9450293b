import Foundation
@testable import Godwit
import GodwitCore
import GodwitTestSupport
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `graph` (SPEC §13) on literal graphs: the picture model, and golden `dot` and `mermaid` output
/// with branches, a merge, a branch label, environments, a fleet and an unreachable environment.
@Suite struct GraphPictureTests {
    /// a ← b ← (c1 [billing], c2) ← d: a branch point, a label and a merge.
    static func graph() throws -> RevisionGraph {
        try RevisionGraph(describing: ["a", "b: a", "c1: b labels=billing", "c2: b", "d: c1 c2"])
    }

    /// dev at the head, test on one branch, prod a fleet of four, qa unreachable.
    static let markers = [
        EnvironmentMarker(name: "dev", heads: [("d", 1)]),
        EnvironmentMarker(name: "test", heads: [("c1", 1)], pending: ["c2", "d"]),
        EnvironmentMarker(name: "prod", heads: [("b", 2), ("c1", 1)], pending: ["c1", "c2", "d"], isFleet: true, targetCount: 4, targetsAtBase: 1),
        EnvironmentMarker(name: "qa", heads: [], error: "connection refused"),
    ]

    @Test func dotGolden() throws {
        let picture = GraphPicture(graph: try Self.graph(), markers: Self.markers, shaded: ["test"])
        #expect(
            DotRenderer.render(picture) == #"""
                digraph godwit {
                  rankdir=TB;
                  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];
                  edge [color="#555555", arrowhead=none];
                  label="shaded: pending in test"; labelloc=b; fontname="Helvetica"; fontsize=10;
                  "d" [label="d\nd\nmerge, head", peripheries=2, fillcolor="#fde68a"];
                  "c2" [label="c2\nc2", fillcolor="#fde68a"];
                  "c1" [label="c1 [billing]\nc1"];
                  "b" [label="b\nb\nbranch point"];
                  "a" [label="a\na"];
                  "d" -> "c1";
                  "d" -> "c2";
                  "c2" -> "b";
                  "c1" -> "b";
                  "b" -> "a";
                  "env:dev" [shape=note, style=filled, fillcolor="#dbeafe", color="#1d4ed8", label="dev"];
                  "env:dev" -> "d" [style=dotted, color="#1d4ed8", arrowhead=normal];
                  { rank=same; "env:dev"; "d"; }
                  "env:test" [shape=note, style=filled, fillcolor="#dbeafe", color="#1d4ed8", label="test"];
                  "env:test" -> "c1" [style=dotted, color="#1d4ed8", arrowhead=normal];
                  { rank=same; "env:test"; "c1"; }
                  "env:prod" [shape=note, style=filled, fillcolor="#dbeafe", color="#1d4ed8", label="prod\n4 targets, 1 at base"];
                  "env:prod" -> "b" [style=dotted, color="#1d4ed8", arrowhead=normal, label="2 targets", fontsize=9];
                  "env:prod" -> "c1" [style=dotted, color="#1d4ed8", arrowhead=normal, label="1 target", fontsize=9];
                  "env:qa" [shape=note, style=filled, fillcolor="#fee2e2", color="#b91c1c", label="qa\nunreachable: connection refused"];
                }

                """#)
    }

    @Test func mermaidGolden() throws {
        let picture = GraphPicture(graph: try Self.graph(), markers: Self.markers, shaded: ["test"])
        #expect(
            MermaidRenderer.render(picture) == #"""
                flowchart TB
                  n0[["d<br/>d<br/>merge, head"]]
                  n1["c2<br/>c2"]
                  n2["c1 [billing]<br/>c1"]
                  n3["b<br/>b<br/>branch point"]
                  n4["a<br/>a"]
                  n0 --- n2
                  n0 --- n1
                  n1 --- n3
                  n2 --- n3
                  n3 --- n4
                  e0>"dev"]
                  e0 -.-> n0
                  e1>"test"]
                  e1 -.-> n2
                  e2>"prod<br/>4 targets, 1 at base"]
                  e2 -.->|"2 targets"| n3
                  e2 -.->|"1 target"| n2
                  e3>"qa<br/>unreachable: connection refused"]
                  classDef pending fill:#fde68a,stroke:#b45309
                  classDef environment fill:#dbeafe,stroke:#1d4ed8
                  classDef unreachable fill:#fee2e2,stroke:#b91c1c
                  class n0,n1 pending
                  class e0,e1,e2 environment
                  class e3 unreachable

                """#)
    }

    /// Quotes, backslashes, newlines and `<>&#` in user text cannot break out of a label.
    @Test func labelsAreEscaped() throws {
        let graph = try RevisionGraph([Revision(id: "a", message: #"say "hi" <b>&</b> #1 \ end"#, path: "versions/a_test.sql")])
        let marker = EnvironmentMarker(name: "qa", heads: [], error: "line one\nline \"two\"")
        let picture = GraphPicture(graph: graph, markers: [marker])
        let dot = DotRenderer.render(picture)
        #expect(dot.contains(#""a" [label="a\nsay \"hi\" <b>&</b> #1 \\ end\nhead"];"#))
        #expect(dot.contains(#"label="qa\nunreachable: line one\nline \"two\"""#))
        let mermaid = MermaidRenderer.render(picture)
        #expect(mermaid.contains(#"n0["a<br/>say #quot;hi#quot; #lt;b#gt;#amp;#lt;/b#gt; #35;1 \ end<br/>head"]"#))
        #expect(mermaid.contains(#"e0>"qa<br/>unreachable: line one line #quot;two#quot;"]"#))
    }

    /// A chain of plain revisions folds into one node; a head, a marker, a shading change end a run.
    @Test func runsOfPlainRevisionsFold() throws {
        let ids = (1...10).map { String(format: "r%02d", $0) }
        let graph = try RevisionGraph(describing: ids.enumerated().map { $0 == 0 ? $1 : "\($1): \(ids[$0 - 1])" })
        let dev = EnvironmentMarker(name: "dev", heads: [("r08", 1)])
        let folded = GraphPicture(graph: graph, markers: [dev])
        // r01 is a base, r08 carries dev, r10 is the head: r02…r07 fold, r09 stands alone.
        #expect(folded.nodes.map(\.id) == ["r10", "r09", "r08", "run:r07", "r01"])
        #expect(folded.edges.map { "\($0.from)>\($0.to)" } == ["r10>r09", "r09>r08", "r08>run:r07", "run:r07>r01"])
        if case .run(let run) = folded.nodes[3] {
            #expect(GraphPicture.label(of: run) == "6 revisions (r02…r07)")
        } else {
            Issue.record("r02…r07 should be one node")
        }
        #expect(DotRenderer.render(folded).contains(#""run:r07" [label="6 revisions (r02…r07)", style="rounded,filled,dashed"];"#))
        #expect(MermaidRenderer.render(folded).contains(#"n3(["6 revisions (r02…r07)"])"#))

        let full = GraphPicture(graph: graph, markers: [dev], isFull: true)
        #expect(full.nodes.map(\.id) == ids.reversed())

        // What prod lacks (r05 and up) is shaded, and a run does not cross the boundary: r02…r04 is three, too short.
        let prod = EnvironmentMarker(name: "prod", heads: [("r04", 1)], pending: Set(ids.suffix(6)))
        let shaded = GraphPicture(graph: graph, markers: [dev, prod], shaded: ["prod"])
        #expect(shaded.nodes.map(\.id) == ["r10", "r09", "r08", "r07", "r06", "r05", "r04", "r03", "r02", "r01"])
        let longer = GraphPicture(graph: graph, markers: [prod], shaded: ["prod"])
        #expect(longer.nodes.map(\.id) == ["r10", "run:r09", "r04", "r03", "r02", "r01"])
    }

    /// The fleet marker counts targets per head from `status`'s target objects.
    @Test func fleetMarkerFromStatus() {
        func target(_ name: String, heads: [String], reachable: Bool = true) -> EnvironmentStatus {
            EnvironmentStatus(
                name: name, url: nil, isProtected: false, isReachable: reachable, error: reachable ? nil : "down", heads: heads, pending: [],
                failed: [], checksumMismatches: [], unknown: [], lockHolder: nil, lastAudit: nil, schemaFingerprint: nil)
        }
        var fleet = target("prod", heads: ["b", "c1"])
        fleet.targets = [target("eu", heads: ["b"]), target("us", heads: ["b"]), target("ap", heads: ["c1"]), target("new", heads: []), target("x", heads: [], reachable: false)]
        let marker = EnvironmentMarker(fleet)
        #expect(marker.isFleet && marker.targetCount == 5 && marker.targetsAtBase == 1)
        #expect(marker.heads.map(\.revision) == ["b", "c1"] && marker.heads.map(\.count) == [2, 1])
    }

    /// The svg is well-formed XML that names every environment. Needs Graphviz; `scripts/test`
    /// installs it, and with GODWIT_REQUIRE_POSTGRES=1 its absence fails the test.
    @Test(.enabled(if: SVGRenderer().isAvailable || PostgresTestServer.isRequired)) func svgIsWellFormedAndNamesEveryEnvironment() throws {
        let picture = GraphPicture(graph: try Self.graph(), markers: Self.markers, shaded: ["test"])
        let svg = try SVGRenderer().render(picture)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        for name in ["dev", "test", "prod", "qa"] {
            #expect(svg.contains(">\(name)</text>"), "\(name) missing from the svg")
        }
    }

    /// Without Graphviz, svg says how to install it (exit 1).
    @Test func svgWithoutGraphvizSaysHowToInstallIt() throws {
        let renderer = SVGRenderer(path: "/nonexistent-\(UUID().uuidString)")
        #expect(!renderer.isAvailable)
        #expect(throws: PictureError(.graphvizMissing)) { try renderer.render(dot: "digraph {}") }
        #expect(PictureError(.graphvizMissing).message.contains("apt-get install graphviz / brew install graphviz"))
        #expect(PictureError(.graphvizMissing).exitCode == .failed)
    }
}
