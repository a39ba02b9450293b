import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Merge: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "merge", abstract: "Write a merge revision joining heads (default: all of them).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "The merge's message (default: none).") var message: String = ""
        @Argument(help: "The revisions to join, or 'heads'.", completion: Completion.revisions) var revisions: [String] = []

        func run(in workspace: Workspace, console: Console) throws {
            let author = Authoring(project: workspace.project, graph: try workspace.graph())
            let written = try author.merge(message: message, names: revisions)
            if console.isJSON { return console.json(CommandJSON.written(id: written.id, path: written.path)) }
            console.out(StyledText(written.path))
        }
    }
}
