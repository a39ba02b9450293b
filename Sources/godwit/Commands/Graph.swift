import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Graph: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Draw the revision graph with every environment's heads on it: dot, mermaid or svg.",
            discussion: """
                Newest at the top; merges have a double border, branch labels stand in brackets, and each environment \
                is a note on its heads (a fleet one note, its edges counting targets). -e ENV (repeatable) shades what \
                ENV lacks. Runs of 4 or more plain revisions are folded into one node unless --full. The format \
                defaults to the extension of -o (.svg, .mmd or .md for mermaid), else dot; svg needs Graphviz's dot.
                """)
        @Option(name: .long, help: "The project folder (default: the first folder upward with environments/environments.yaml; or GODWIT_PROJECT).")
        var project: String?
        @Option(name: [.short, .customLong("env")], help: ArgumentHelp("Shade what this environment lacks (repeatable).", valueName: "env"))
        var environments: [String] = []
        @Option(name: .long, help: ArgumentHelp("dot, mermaid or svg.", valueName: "format")) var format: GraphFormat?
        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to FILE, not stdout.", valueName: "file")) var output: String?
        @Flag(name: .long, help: "Draw every revision: fold no run of plain revisions.") var full = false
        @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for each database.") var connectTimeout = 5
        @Flag(name: .long, help: "Refused: the graph is dot, mermaid or svg.") var json = false
        @Flag(name: [.short, .long], help: "Print only results and errors.") var quiet = false
        @Flag(name: .customLong("no-color"), help: "No colour (also NO_COLOR).") var noColor = false

        /// The options every command takes, from this command's own (its -e is repeatable).
        var global: GlobalOptions {
            var arguments: [String] = []
            if let project { arguments += ["--project", project] }
            if json { arguments.append("--json") }
            if quiet { arguments.append("--quiet") }
            if noColor { arguments.append("--no-color") }
            return (try? GlobalOptions.parse(arguments)) ?? GlobalOptions.parseOrExit([])
        }

        func validate() throws {
            if json { throw ValidationError("graph draws dot, mermaid or svg; leave out --json (status --json has the same facts)") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let picture = try ReportReader(workspace: workspace).picture(shaded: environments, isFull: full, connectTimeout: connectTimeout)
            for marker in picture.markers {
                if let error = marker.error { console.warn(console.yellow("environment '\(marker.name)' is unreachable, drawn as a note: \(error)")) }
            }
            let text: String
            switch format ?? GraphFormat(path: output) {
            case .dot: text = DotRenderer.render(picture)
            case .mermaid: text = MermaidRenderer.render(picture)
            case .svg: text = try SVGRenderer().render(picture)
            }
            guard let output else { return console.raw(text) }
            try write(text, to: output)
            console.progress("wrote \(output)")
        }
    }
}

/// The formats of `graph`.
enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    case dot, mermaid, svg

    /// The format a file's extension names: svg, mermaid for .mmd and .md, else dot.
    init(path: String?) {
        switch path.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "svg": self = .svg
        case "mmd", "md", "mermaid": self = .mermaid
        default: self = .dot
        }
    }
}

/// Writes a picture or a page to `path` (relative to the current folder).
/// - Throws: `PictureError.unwritable`.
func write(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw PictureError(.unwritable(path: path, reason: (error as NSError).localizedDescription))
    }
}
