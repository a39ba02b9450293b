/// Renders a `GraphPicture` as Graphviz `dot` source: newest at the top, merges drawn with a
/// double border, branch labels in brackets, shaded revisions filled, each environment a note
/// beside its heads (a fleet's edges carry counts), an unreachable environment a red note.
public enum DotRenderer {
    /// The fill of a revision a shaded environment lacks.
    static let shadedFill = "#fde68a"

    /// The `dot` source of `picture`.
    public static func render(_ picture: GraphPicture) -> String {
        var out = "digraph godwit {\n"
        out += "  rankdir=TB;\n"
        out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=11];\n"
        out += "  edge [color=\"#555555\", arrowhead=none];\n"
        if !picture.shaded.isEmpty {
            out += "  label=\(quoted("shaded: pending in " + picture.shaded.joined(separator: ", "))); labelloc=b; fontname=\"Helvetica\"; fontsize=10;\n"
        }
        for node in picture.nodes {
            switch node {
            case .revision(let revision):
                var attributes = ["label=" + quoted(GraphPicture.lines(of: revision).joined(separator: "\n"))]
                if revision.isMerge { attributes.append("peripheries=2") }
                if revision.isShaded { attributes.append("fillcolor=\"\(shadedFill)\"") }
                out += "  \(quoted(revision.id)) [\(attributes.joined(separator: ", "))];\n"
            case .run(let run):
                var attributes = ["label=" + quoted(GraphPicture.label(of: run)), "style=\"rounded,filled,dashed\""]
                if run.isShaded { attributes.append("fillcolor=\"\(shadedFill)\"") }
                out += "  \(quoted(run.id)) [\(attributes.joined(separator: ", "))];\n"
            }
        }
        for edge in picture.edges {
            out += "  \(quoted(edge.from)) -> \(quoted(edge.to))\(edge.isDependency ? " [style=dashed]" : "");\n"
        }
        let ids = picture.nodeIDs
        for marker in picture.markers {
            let id = quoted("env:" + marker.name)
            let colour = marker.isReachable ? "fillcolor=\"#dbeafe\", color=\"#1d4ed8\"" : "fillcolor=\"#fee2e2\", color=\"#b91c1c\""
            out += "  \(id) [shape=note, style=filled, \(colour), label=\(quoted(GraphPicture.lines(of: marker).joined(separator: "\n")))];\n"
            let heads = marker.heads.filter { ids.contains($0.revision) }
            for head in heads {
                let label = GraphPicture.edgeLabel(of: marker, count: head.count).map { ", label=\(quoted($0)), fontsize=9" } ?? ""
                out += "  \(id) -> \(quoted(head.revision)) [style=dotted, color=\"#1d4ed8\", arrowhead=normal\(label)];\n"
            }
            if heads.count == 1, let head = heads.first {
                out += "  { rank=same; \(id); \(quoted(head.revision)); }\n"
            }
        }
        return out + "}\n"
    }

    /// A `dot` string: quotes and backslashes escaped, each line ended with `\n`, no raw control character.
    static func quoted(_ text: String) -> String {
        "\"" + text.escaped(["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r\n": "\\n"], controlCharacter: " ") + "\""
    }
}
