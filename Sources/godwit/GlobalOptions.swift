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

    @Option(name: [.short, .customLong("env")], help: "The environment (default: default_environment).")
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
        return try Project.locate(explicit: project ?? ProcessInfo.processInfo.environment["GODWIT_PROJECT"], from: cwd)
    }

    /// Loads the project and hands it the drivers.
    func workspace(_ console: Console) throws -> Workspace {
        let project = try Project(root: projectRoot())
        let identity = Identity.current(actor: actor, project: project)
        return Workspace(project: project, drivers: [SQLiteDriver(), PostgresDriver()], identity: identity) { event in
            render(event, console)
        }
    }
}

/// Renders progress events to stderr.
func render(_ event: Event, _ console: Console) {
    switch event {
    case .waitingForLock(let environment, let holder):
        console.progress("waiting for the migration lock of '\(environment)'\(holder.map { ", held by \($0)" } ?? "")…")
    case .stepStarted(let index, let count, let revision, let direction, let message, let runsSQL):
        let verb = runsSQL ? (direction == .upgrade ? "applying" : "reverting") : (direction == .upgrade ? "recording" : "forgetting")
        console.progress("\(console.dim("[\(index + 1)/\(count)]")) \(verb) \(revision) \(message)")
    case .stepFinished(_, _, _, _, let duration):
        if console.isVerbose { console.progress("   done in \(duration) ms") }
    case .hookStarted(_, let path):
        console.progress("running \(path)")
    case .warning(let text):
        console.warn(text)
    }
}

/// A command that works on a project: loads it, runs, and lets `main` map errors to exit codes.
protocol ProjectCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func run(in workspace: Workspace, console: Console) throws
}

extension ProjectCommand {
    func run() throws {
        let console = global.console
        try run(in: global.workspace(console), console: console)
    }
}
