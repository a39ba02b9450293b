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
            abstract: "Write a new revision file whose parent is the current head, and print its path.",
            discussion: """
                With --autogenerate, Godwit replays the revisions up to the parent into the scratch database (scratch_url), \
                loads the desired schema (schema: in the environments file, or the live schema of --from-env) and writes \
                the upgrade and downgrade DDL between them; what it cannot do safely is a -- TODO comment. When the \
                schemas are equal it writes nothing and says so.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "The revision's message.") var message: String
        @Option(name: .long, help: "The parent: a revision, 'LABEL@head', or 'base' for a new root.") var head: String?
        @Option(name: .customLong("branch-label"), help: "A branch label for the new revision (repeatable).") var branchLabels: [String] = []
        @Option(name: .customLong("depends-on"), help: "A revision the new one depends on (repeatable).") var dependsOn: [String] = []
        @Flag(name: .long, help: "Write the SQL that turns the head's schema into the desired one.") var autogenerate = false
        @Option(name: .customLong("from-env"), help: "With --autogenerate: take the desired schema from this environment's live database instead of schema:.")
        var fromEnv: String?

        func validate() throws {
            if fromEnv != nil && !autogenerate { throw ValidationError("--from-env needs --autogenerate") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let labels = branchLabels.flatMap { $0.split(separator: ",").map(String.init) }
            let dependencies = dependsOn.flatMap { $0.split(separator: ",").map(String.init) }
            if autogenerate {
                let result = try Autogenerate(workspace: workspace).revision(
                    message: message, from: fromEnv.map { .environment($0) } ?? .schemaFile,
                    environment: try workspace.project.targetEnvironment(global.env), head: head, branchLabels: labels, dependsOn: dependencies)
                if console.isJSON { return console.json(result.json) }
                guard let path = result.path else {
                    return console.out("no changes: the schema of the head revision matches the desired schema; no revision written")
                }
                console.out(path)
                for difference in result.diff.differences where !console.isQuiet {
                    console.progress("  \(differenceLine(difference, console: console))")
                }
                let todos = result.todoCount
                if todos > 0 { console.warn("\(path) has \(todos) TODO \(todos == 1 ? "comment" : "comments"): read and resolve them before applying") }
                return
            }
            let author = Authoring(project: workspace.project, graph: try workspace.graph())
            let written = try author.newRevision(message: message, head: head, branchLabels: labels, dependsOn: dependencies)
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
