import ArgumentParser
import Godwit

extension GodwitCommand {
    struct Branches: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "branches", abstract: "Show the branch points of the revision graph.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            renderRevisionList(graph.branchPoints, graph: graph, empty: "no branch points", showsChildren: true, console: console)
        }
    }
}
