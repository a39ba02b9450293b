import ArgumentParser
import Godwit

extension GodwitCommand {
    struct Show: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one revision: header, checksum and SQL.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A revision id, unique prefix, branch label, 'head' or 'LABEL@head'.", completion: Completion.revisions) var revision: String

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            let id = try graph.resolveSingle(revision)
            if console.isJSON { return console.json(graph.showJSON(id)) }
            // resolveSingle returns ids of the graph only.
            guard let revision = graph[id] else { return }
            renderRevision(revision, graph: graph, console: console)
        }
    }
}
