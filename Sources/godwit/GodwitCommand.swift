import ArgumentParser
import Foundation
import Godwit
import GodwitCore

/// `godwit`: the root command.
///
/// Every subcommand names itself (`commandName:`): left to ArgumentParser, the name comes from
/// `String(describing:)` of the type, whose first dynamic casts scan every protocol conformance
/// of the statically linked binary, a third of the start-up of `godwit heads`.
struct GodwitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "godwit",
        abstract: "Database migrations across environments: a revision graph with Alembic's semantics, promotion dev → test → prod, locks, dry-runs and an audit log.",
        discussion: """
            Revisions are SQL files in versions/; environments are declared in environments/environments.yaml.
            Exit codes: 0 success, 1 operation failed, 2 usage or configuration error, 3 check, verify, lint, diff or \
            audit verify found something, 4 lock or wait timed out, 5 refused by a rule, 130/143 interrupted by SIGINT/SIGTERM.
            """,
        version: Identity.version,
        subcommands: [
            Init.self, Revision.self, Merge.self, Upgrade.self, Downgrade.self, Stamp.self, Resolve.self,
            Current.self, History.self, Heads.self, Branches.self, Show.self, Status.self, Promote.self,
            Check.self, Verify.self, Repair.self, Lint.self, Wait.self, Audit.self, Diff.self, Graph.self, Report.self,
            SchemaCommand.self, Import.self, Adopt.self,
        ]
    )
}

@main
enum Main {
    static func main() {
        Interrupts.install()
        useFewMallocArenas()
        let arguments = ArgumentOrder.normalized(Array(CommandLine.arguments.dropFirst()))
        // Errors of a command's run() are rendered by `ConsoleCommand`; this console only renders
        // what fails before a command runs (parsing, validation).
        let wantsJSON = arguments.contains("--json")
        let console = Console(json: wantsJSON, quiet: false, verbose: false, noColor: arguments.contains("--no-color"))
        do {
            var command = try GodwitCommand.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let error as any GodwitError {
            StepTicker.shared.interrupt()
            console.error(error)
            exit(Interrupts.exitStatus(for: error))
        } catch let exit as ArgumentParser.ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = GodwitCommand.exitCode(for: error)
            if code == .success {
                print(GodwitCommand.fullMessage(for: error))
                exit(0)
            }
            let message = GodwitCommand.message(for: error)
            if GodwitCommand.fullMessage(for: error).contains("Usage:") && !wantsJSON {
                console.write(StyledText(GodwitCommand.fullMessage(for: error)), to: .standardError)
                exit(2)
            }
            console.error(ContextualError(.usage, message.isEmpty ? "\(error)" : message))
            exit(2)
        }
    }
}

/// Makes glibc's malloc keep at most two arenas. It gives each thread that allocates an arena of
/// its own (`status` reads every environment on a thread): megabytes of peak RSS for a command
/// done in milliseconds. Two, not one, so that the cores loading revision files do not wait on
/// one lock. `mallopt` is looked up at run time, for `malloc.h` is not part of Swift's Glibc
/// module; elsewhere this does nothing.
func useFewMallocArenas() {
    #if canImport(Glibc)
    guard let symbol = dlsym(nil, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    _ = mallopt(-8, 2)  // M_ARENA_MAX
    #endif
}
