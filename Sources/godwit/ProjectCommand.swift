import ArgumentParser
import Godwit
import GodwitCore

/// A command that prints through a `Console`: its default `run()` builds the console from the
/// global options, runs, and renders a Godwit error once, exiting with its SPEC §8 code.
protocol ConsoleCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func run(console: Console) throws
}

extension ConsoleCommand {
    func run() throws {
        let console = global.console
        do {
            try run(console: console)
        } catch var error as FleetError {
            // The library does not know which command met the fleet; the command does.
            if case .notSupported(let environment, nil) = error.code {
                error.code = .notSupported(environment: environment, command: Self.configuration.commandName)
            }
            console.error(error)
            throw ArgumentParser.ExitCode(error.exitCode.rawValue)
        } catch let error as any GodwitError {
            StepTicker.shared.interrupt()
            console.error(error)
            throw ArgumentParser.ExitCode(error.exitCode.rawValue)
        }
    }
}

/// A command that works on a project: its default `run(console:)` loads the project and hands
/// it, with its drivers, to `run(in:console:)`. Connections are opened and closed by the
/// library calls themselves, on every path.
protocol ProjectCommand: ConsoleCommand {
    func run(in workspace: Workspace, console: Console) throws
}

extension ProjectCommand {
    func run(console: Console) throws {
        try run(in: global.workspace(console), console: console)
    }
}

/// Exits 3 (SPEC §8: something was found) when `isFound`.
func exitWhenFound(_ isFound: Bool) throws {
    if isFound { throw ArgumentParser.ExitCode(GodwitCore.ExitStatus.found.rawValue) }
}
