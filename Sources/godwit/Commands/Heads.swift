import ArgumentParser
import Godwit

extension GodwitCommand {
    struct Heads: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "heads", abstract: "Show the heads of the revision graph.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            renderRevisionList(graph.heads, graph: graph, empty: "no revisions yet", showsChildren: false, console: console)
        }
    }
}
