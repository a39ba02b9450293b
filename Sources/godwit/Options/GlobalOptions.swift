import ArgumentParser
import Foundation
import Godwit
import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The project folder (default: the first folder upward with environments/environments.yaml; or GODWIT_PROJECT).")
    var project: String?

    @Option(name: [.short, .customLong("env")], help: "The environment (default: default_environment).", completion: Completion.environments)
    var env: String?

    @Flag(name: .long, help: "Machine output: one JSON document on stdout.")
    var json = false

    @Flag(name: [.short, .long], help: "Print only results and errors.")
    var quiet = false

    @Flag(name: [.short, .long], help: "Print more detail.")
    var verbose = false

    @Flag(name: .customLong("no-color"), help: "No colour (also NO_COLOR).")
    var noColor = false

    @Option(name: .long, help: "Who is acting, for the audit (default: GODWIT_ACTOR, the CI's user, the OS user).")
    var actor: String?

    var console: Console { Console(json: json, quiet: quiet, verbose: verbose, noColor: noColor) }

    /// The project's root folder.
    func projectRoot() throws -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // `--project ''` is an error; an empty GODWIT_PROJECT counts as unset.
        let variable = ProcessInfo.processInfo.environment["GODWIT_PROJECT"].flatMap { $0.isEmpty ? nil : $0 }
        return try Project.locate(explicit: project ?? variable, from: cwd)
    }

    /// Loads the project and hands it the drivers.
    func workspace(_ console: Console) throws -> Workspace {
        let project = try Project(root: projectRoot())
        let identity = try Identity.current(actor: actor, project: project, readsGitCommit: false)
        return try Workspace(
            project: project, drivers: [SQLiteDriver(), PostgresDriver()], identity: identity, readsGitCommitLazily: true,
            linters: [.postgresql: PostgresLinter(), .sqlite: PostgresLinter(dialect: .sqlite)]
        ) { event in
            render(event, console)
        }
    }
}
