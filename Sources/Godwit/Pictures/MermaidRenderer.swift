/// Renders a `GraphPicture` as a Mermaid flowchart (GitHub draws it in a ```mermaid block):
/// newest at the top, merges as double-bordered boxes, runs as stadiums, shaded revisions in the
/// `pending` class, each environment a flag beside its heads (a fleet's edges carry counts).
public enum MermaidRenderer {
    /// The Mermaid source of `picture`.
    public static func render(_ picture: GraphPicture) -> String {
        var names: [String: String] = [:]
        for (index, node) in picture.nodes.enumerated() { names[node.id] = "n\(index)" }
        var out = "flowchart TB\n"
        var shaded: [String] = []
        for node in picture.nodes {
            let name = names[node.id] ?? ""
            switch node {
            case .revision(let revision):
                let label = text(GraphPicture.lines(of: revision))
                out += revision.isMerge ? "  \(name)[[\"\(label)\"]]\n" : "  \(name)[\"\(label)\"]\n"
                if revision.isShaded { shaded.append(name) }
            case .run(let run):
                out += "  \(name)([\"\(text([GraphPicture.label(of: run)]))\"])\n"
                if run.isShaded { shaded.append(name) }
            }
        }
        for edge in picture.edges {
            guard let from = names[edge.from], let to = names[edge.to] else { continue }
            out += "  \(from) \(edge.isDependency ? "-.-" : "---") \(to)\n"
        }
        var reachable: [String] = []
        var unreachable: [String] = []
        for (index, marker) in picture.markers.enumerated() {
            let name = "e\(index)"
            out += "  \(name)>\"\(text(GraphPicture.lines(of: marker)))\"]\n"
            if marker.isReachable { reachable.append(name) } else { unreachable.append(name) }
            for head in marker.heads {
                guard let to = names[head.revision] else { continue }
                let label = GraphPicture.edgeLabel(of: marker, count: head.count).map { "|\"\(text([$0]))\"|" } ?? ""
                out += "  \(name) -.->\(label) \(to)\n"
            }
        }
        out += "  classDef pending fill:#fde68a,stroke:#b45309\n"
        out += "  classDef environment fill:#dbeafe,stroke:#1d4ed8\n"
        out += "  classDef unreachable fill:#fee2e2,stroke:#b91c1c\n"
        if !shaded.isEmpty { out += "  class \(shaded.joined(separator: ",")) pending\n" }
        if !reachable.isEmpty { out += "  class \(reachable.joined(separator: ",")) environment\n" }
        if !unreachable.isEmpty { out += "  class \(unreachable.joined(separator: ",")) unreachable\n" }
        return out
    }

    /// Label text for a quoted Mermaid label: lines joined with `<br/>`, `"`, `#`, `<`, `>` and `&`
    /// written as Mermaid's entity codes, control characters as spaces.
    static func text(_ lines: [String]) -> String {
        lines.map { $0.escaped(["\"": "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;"], controlCharacter: " ") }
            .joined(separator: "<br/>")
    }
}
