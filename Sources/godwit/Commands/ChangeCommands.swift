import ArgumentParser
import Foundation
import Godwit
import GodwitCore

/// Options of the commands that change an environment.
struct ChangeOptions: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Connect read-only, print the plan, change nothing.")
    var dryRun = false
    @Flag(name: .long, help: "Print the plan's full SQL script, bookkeeping included; needs no database.")
    var sql = false
    @Option(name: .long, help: "With --sql: the revision the database is at (default: base).")
    var from: String?
    @Flag(name: .long, help: "Run the plan in one transaction and roll it back; report each step's time.")
    var rehearse = false
    @Flag(name: .long, help: "Run the whole plan in one transaction.")
    var atomic = false
    @Flag(name: .long, help: "Confirm a change to a protected environment.")
    var yes = false
    @Option(name: .long, help: "Why: stored in the audit record.")
    var reason: String?
    @Flag(name: .customLong("skip-promotion-check"), help: "Override the promotion gate (needs --reason).")
    var skipPromotionCheck = false

    func validate() throws {
        if skipPromotionCheck && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--skip-promotion-check needs --reason TEXT, which is stored in the audit record")
        }
        if [dryRun, sql, rehearse].filter({ $0 }).count > 1 {
            throw ValidationError("--dry-run, --sql and --rehearse exclude each other")
        }
        if from != nil && !sql { throw ValidationError("--from goes with --sql") }
    }

    func request(_ kind: ChangeRequest.Kind) -> ChangeRequest {
        var request = ChangeRequest(kind)
        request.isDryRun = dryRun
        request.isRehearsal = rehearse
        request.isAtomic = atomic
        request.isConfirmed = yes
        request.reason = reason
        request.skipsPromotionCheck = skipPromotionCheck
        return request
    }
}

/// A command that changes one environment: upgrade, downgrade, stamp.
protocol ChangeCommand: ProjectCommand {
    var change: ChangeOptions { get }
    func kind(in workspace: Workspace) throws -> ChangeRequest.Kind
}

extension ChangeCommand {
    func run(in workspace: Workspace, console: Console) throws {
        let environment = try workspace.project.environment(global.env)
        var request = change.request(try kind(in: workspace))
        request.includesLintWarnings = console.isJSON  // text shows them for a dry-run only, which lints anyway
        if change.sql {
            let script = try OfflineScriptWriter(workspace: workspace).script(request, environment: environment, from: change.from)
            if console.isJSON { return console.json(.object(["environment": .string(environment.name), "sql": .string(script)])) }
            return print(script, terminator: "")
        }
        if environment.isProtected && !request.isConfirmed && !request.isDryRun && console.isInteractive && !console.isJSON {
            request.isConfirmed = confirm(environment, console: console)
        }
        let result = try Migrator(workspace: workspace, environment: environment).run(request)
        renderResult(result, console: console)
    }
}

/// Asks the operator to type the environment's name.
func confirm(_ environment: Environment, console: Console) -> Bool {
    FileHandle.standardError.write(Data("environment '\(environment.name)' is protected; type its name to continue: ".utf8))
    guard let answer = readLine() else { return false }
    return answer.trimmingCharacters(in: .whitespaces) == environment.name
}

func renderResult(_ result: OperationResult, console: Console) {
    if console.isJSON { return console.json(result.json) }
    let from = result.fromHeads.isEmpty ? "base" : result.fromHeads.joined(separator: ", ")
    let to = result.toHeads.isEmpty ? "base" : result.toHeads.joined(separator: ", ")
    if result.isRehearsal {
        console.out(console.bold("rehearsal: \(result.operation.rawValue) of '\(result.environment)' from \(from) to \(to)") + " (run in one transaction and rolled back)")
        for step in result.steps {
            console.out("  \(step.direction.rawValue) \(step.revision) \(step.message): \(step.durationMS ?? 0) ms")
        }
        return console.out(result.steps.isEmpty ? "nothing to do" : "every step succeeded; nothing was kept")
    }
    if result.isDryRun {
        console.out(console.bold("dry-run: \(result.operation.rawValue) of '\(result.environment)' from \(from) to \(to)") + " (nothing was changed)")
        if result.steps.isEmpty { return console.out("nothing to do") }
        console.out("lock: \(result.lockDescription)")
        console.out("transactions: \(result.isAtomic ? "one for the whole plan (--atomic)" : "one per revision")")
        for (index, step) in result.steps.enumerated() {
            var notes: [String] = []
            if !step.isTransactional { notes.append("outside a transaction") }
            if !step.isReversible { notes.append("irreversible") }
            if let lock = step.lockTimeout { notes.append("lock_timeout \(lock)") }
            if let statement = step.statementTimeout { notes.append("statement_timeout \(statement)") }
            console.out("")
            console.out(console.bold("[\(index + 1)/\(result.steps.count)] \(step.direction.rawValue) \(step.revision)") + " \(step.message)" + (notes.isEmpty ? "" : console.dim(" (\(notes.joined(separator: ", ")))")))
            for warning in step.warnings { console.out(console.yellow("  " + warning)) }
            if let sql = step.sql {
                for line in sql.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false) {
                    console.out("    " + line)
                }
            } else {
                console.out(console.dim("    (stamp: no SQL)"))
            }
        }
        if let hook = result.hook { console.out("\nthen: \(hook)") }
        return
    }
    if result.steps.isEmpty {
        return console.out("'\(result.environment)' is already at \(to); nothing to do")
    }
    let verb: String
    switch result.operation {
    case .upgrade, .promote: verb = "applied"
    case .downgrade: verb = "reverted"
    case .stamp: verb = "stamped"
    case .resolve: verb = "resolved"
    }
    let count = result.steps.count
    console.out(console.green("\(result.operation.rawValue) of '\(result.environment)': \(verb) \(count) revision\(count == 1 ? "" : "s"), \(from) -> \(to)") + (result.auditID.map { console.dim(" (audit #\($0))") } ?? ""))
}

extension GodwitCommand {
    struct Upgrade: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade",
            abstract: "Apply revisions up to TARGET (default: heads).",
            discussion: "TARGET: head, heads, an id or unique prefix, LABEL@head, +N, REV+N.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @Argument(help: "Where to go.") var target: String = "heads"

        func kind(in workspace: Workspace) throws -> ChangeRequest.Kind { .upgrade(try Target(parsing: target)) }
    }

    struct Downgrade: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "downgrade",
            abstract: "Roll back to TARGET, removing what stands above it on its lines.",
            discussion: "TARGET: base, an id or unique prefix, -N, REV-N.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @Argument(help: "Where to go back to.") var target: String

        func kind(in workspace: Workspace) throws -> ChangeRequest.Kind { .downgrade(try Target(parsing: target)) }
    }

    struct Stamp: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "stamp",
            abstract: "Set the recorded state to TARGET without running SQL (to adopt an existing database).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @Argument(help: "The state to record.") var target: String
        @Flag(name: .long, help: "Forget the recorded state first.") var purge = false

        func kind(in workspace: Workspace) throws -> ChangeRequest.Kind { .stamp(try Target(parsing: target), purge: purge) }
    }

    struct Resolve: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Clear a failed non-transactional revision after fixing it by hand.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The failed revision.") var revision: String
        @Flag(name: .long, help: "It is now fully applied.") var applied = false
        @Flag(name: .customLong("rolled-back"), help: "It is now fully undone.") var rolledBack = false
        @Option(name: .long, help: "Why: stored in the audit record.") var reason: String?
        @Flag(name: .long, help: "Confirm for a protected environment.") var yes = false

        func validate() throws {
            guard applied != rolledBack else { throw ValidationError("give exactly one of --applied and --rolled-back") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            var request = ChangeRequest(.resolve(revision: revision, applied: applied))
            request.reason = reason
            request.isConfirmed = yes
            renderResult(try Migrator(workspace: workspace, environment: environment).run(request), console: console)
        }
    }

    struct Current: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "current", abstract: "Show the environment's heads, and whether each is a head of the graph.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            let state = try StatusReader(workspace: workspace).current(of: environment)
            if console.isJSON { return console.json(state.json) }
            let graph = try workspace.graph()
            if state.heads.isEmpty { console.out("\(environment.name): base (nothing applied)") }
            for head in state.heads {
                let message = graph.revisions[head.id]?.message ?? "(not in \(workspace.project.versionsPath)/)"
                console.out("\(environment.name): \(console.bold(head.id)) \(head.isGraphHead ? "(head)" : "(not a head of the graph)") \(message)")
            }
            if !state.failed.isEmpty { console.out(console.red("failed: \(state.failed.joined(separator: ", "))")) }
            if !state.pending.isEmpty && global.verbose { console.out("pending: \(state.pending.joined(separator: ", "))") }
            else if !state.pending.isEmpty { console.out("\(state.pending.count) pending") }
        }
    }
}
