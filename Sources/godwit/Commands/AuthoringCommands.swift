import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a project: environments/environments.yaml (SQLite dev, test, prod) and a first revision.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder (default: the current one).") var directory: String?

        func run() throws {
            let console = global.console
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let folder = URL(fileURLWithPath: directory ?? ".", relativeTo: cwd).standardizedFileURL
            let written = try Scaffold.create(in: folder)
            if console.isJSON { return console.json(.object(["project": .string(folder.path), "files": .strings(written)])) }
            console.out("created a Godwit project in \(folder.path):")
            for path in written { console.out("  \(path)") }
            console.out("next: 'godwit upgrade' applies the first revision to the dev environment")
        }
    }

    struct Revision: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "revision",
            abstract: "Write a new revision file whose parent is the current head, and print its path.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "The revision's message.") var message: String
        @Option(name: .long, help: "The parent: a revision, 'LABEL@head', or 'base' for a new root.") var head: String?
        @Option(name: .customLong("branch-label"), help: "A branch label for the new revision (repeatable).") var branchLabels: [String] = []
        @Option(name: .customLong("depends-on"), help: "A revision the new one depends on (repeatable).") var dependsOn: [String] = []
        @Flag(name: .long, help: "Generate the SQL from the desired schema (not available yet).") var autogenerate = false

        func run(in workspace: Workspace, console: Console) throws {
            if autogenerate {
                throw ConfigurationError("--autogenerate is not available in this version of Godwit; write the SQL by hand")
            }
            let author = Authoring(project: workspace.project, graph: try workspace.graph())
            let written = try author.newRevision(
                message: message, head: head, branchLabels: branchLabels.flatMap { $0.split(separator: ",").map(String.init) },
                dependsOn: dependsOn.flatMap { $0.split(separator: ",").map(String.init) })
            if console.isJSON { return console.json(.object(["revision": .string(written.id), "path": .string(written.path)])) }
            console.out(written.path)
        }
    }

    struct Merge: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "merge", abstract: "Write a merge revision joining heads (default: all of them).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "The merge's message.") var message: String
        @Argument(help: "The revisions to join, or 'heads'.") var revisions: [String] = []

        func run(in workspace: Workspace, console: Console) throws {
            let author = Authoring(project: workspace.project, graph: try workspace.graph())
            let written = try author.merge(message: message, names: revisions)
            if console.isJSON { return console.json(.object(["revision": .string(written.id), "path": .string(written.path)])) }
            console.out(written.path)
        }
    }
}
