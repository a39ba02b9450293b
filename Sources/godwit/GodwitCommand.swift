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
            Check.self, Verify.self, Lint.self, Wait.self, Audit.self, Diff.self,
        ]
    )
}

@main
enum Main {
    static func main() {
        Interrupts.install()
        useFewMallocArenas()
        let arguments = movingNegativeTargets(nestingAuditVerify(hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst()))))
        let wantsJSON = arguments.contains("--json")
        let console = Console(
            json: wantsJSON, quiet: false, verbose: false,
            noColor: arguments.contains("--no-color"))
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
                FileHandle.standardError.write(Data((GodwitCommand.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            console.error(ContextualError(.usage, message.isEmpty ? "\(error)" : message))
            exit(2)
        }
    }
}

/// Moves global options written before the subcommand (`godwit --json heads`) behind it, where
/// the subcommand's option group reads them.
func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
    let takesValue: Set<String> = ["--project", "-e", "--env", "--actor"]
    var leading: [String] = []
    var index = 0
    while index < arguments.count, arguments[index].hasPrefix("-") {
        let argument = arguments[index]
        if ["--help", "-h", "--version", "--experimental-dump-help"].contains(argument) { return arguments }
        leading.append(argument)
        if takesValue.contains(argument), index + 1 < arguments.count {
            leading.append(arguments[index + 1])
            index += 1
        }
        index += 1
    }
    guard !leading.isEmpty, index < arguments.count else { return arguments }
    var result = [arguments[index]]
    var rest = Array(arguments[(index + 1)...])
    // A nested subcommand (`audit verify`) stays first.
    if let first = rest.first, !first.hasPrefix("-"), arguments[index] == "audit", first == "verify" {
        result.append(first)
        rest.removeFirst()
    }
    return result + leading + rest
}

/// Moves `verify` right behind `audit` when options stand between them (`godwit audit -e prod
/// verify`), so that they reach `audit verify` and not the listing, which would ignore them.
func nestingAuditVerify(_ arguments: [String]) -> [String] {
    guard arguments.first == "audit" else { return arguments }
    let takesValue: Set<String> = ["--project", "-e", "--env", "--actor", "--since", "--limit", "--operation"]
    var index = 1
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "verify" {
            var moved = arguments
            moved.remove(at: index)
            moved.insert(argument, at: 1)
            return moved
        }
        guard argument.hasPrefix("-"), argument != "--" else { return arguments }
        index += takesValue.contains(argument) ? 2 : 1
    }
    return arguments
}

/// Moves relative targets such as `-1` behind `--`, so that they are read as the target and not
/// as an option: `godwit downgrade -1 -e dev` works as a user expects.
func movingNegativeTargets(_ arguments: [String]) -> [String] {
    guard !arguments.contains("--") else { return arguments }
    let isNegative = { (text: String) in text.count > 1 && text.hasPrefix("-") && text.dropFirst().allSatisfy(\.isNumber) }
    let targets = arguments.filter(isNegative)
    guard !targets.isEmpty else { return arguments }
    return arguments.filter { !isNegative($0) } + ["--"] + targets
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
