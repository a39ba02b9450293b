import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Status: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show every environment side by side: heads, pending, failed, checksum mismatches, lock holder, last change.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for each database.") var connectTimeout = 5

        func run(in workspace: Workspace, console: Console) throws {
            let environments = try StatusReader(workspace: workspace).status(connectTimeout: connectTimeout)
            if console.isJSON { return console.json(.object(["environments": .array(environments.map(\.json))])) }
            let graph = try workspace.graph()
            let rows = environments.map { status -> [String] in
                let name = status.name + (status.isProtected ? " (protected)" : "")
                guard status.isReachable else {
                    return [name, console.red("unreachable"), "", "", "", "", status.error ?? ""]
                }
                let heads = status.heads.isEmpty ? "base" : status.heads.map { String($0.prefix(12)) }.joined(separator: ", ")
                let state: String
                if !status.failed.isEmpty {
                    state = console.red("\(status.failed.count) failed")
                } else if !status.checksumMismatches.isEmpty || !status.unknown.isEmpty {
                    state = console.yellow("\(status.checksumMismatches.count + status.unknown.count) mismatch")
                } else if status.pending.isEmpty {
                    state = console.green("up to date")
                } else {
                    state = console.yellow("\(status.pending.count) pending")
                }
                let last = status.lastAudit.map { record in
                    "\(record.operation) \(record.outcome ?? "running") by \(record.actor), \(record.finishedAt ?? record.startedAt)"
                } ?? "—"
                return [name, state, heads, status.lockHolder ?? "—", status.schemaFingerprint ?? "", last, status.url ?? ""]
            }
            for line in console.table(["ENVIRONMENT", "STATE", "HEADS", "LOCK", "SCHEMA", "LAST CHANGE", "URL"], rows) {
                console.out(line)
            }
            if graph.heads.count > 1 {
                console.out(console.yellow("the graph has \(graph.heads.count) heads: \(graph.heads.joined(separator: ", "))"))
            }
        }
    }

    struct Promote: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Upgrade TO to exactly FROM's heads (FROM defaults to TO's predecessor in promotion).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @Argument(help: "FROM and TO, or only TO.") var environments: [String]

        func validate() throws {
            guard (1...2).contains(environments.count) else { throw ValidationError("give TO, or FROM and TO") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let source = environments.count == 2 ? environments[0] : nil
            let promotion = try Promotion(workspace: workspace).request(from: source, to: environments.last!)
            var request = change.request(.upgrade(promotion.target))
            request.includesLintWarnings = console.isJSON
            request.operationName = .promote
            if request.reason == nil { request.reason = "promote from \(promotion.from.name)" }
            if change.sql {
                let script = try OfflineScriptWriter(workspace: workspace).script(request, environment: promotion.to, from: change.from)
                if console.isJSON { return console.json(.object(["environment": .string(promotion.to.name), "sql": .string(script)])) }
                return print(script, terminator: "")
            }
            if promotion.to.isProtected && !request.isConfirmed && !request.isDryRun && console.isInteractive && !console.isJSON {
                request.isConfirmed = confirm(promotion.to, console: console)
            }
            renderResult(try Migrator(workspace: workspace, environment: promotion.to).run(request), console: console)
        }
    }

    struct Check: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "CI gate: exit 3 when the graph has several heads, or the environment has pending or failed revisions or checksum mismatches.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            try report(EnvironmentChecks(workspace: workspace).check(environment), console: console, okText: "'\(environment.name)' is up to date with the graph")
        }
    }

    struct Verify: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Compare the checksums of the environment's applied revisions with their files; exit 3 on a difference.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            try report(EnvironmentChecks(workspace: workspace).verify(environment), console: console, okText: "every applied revision of '\(environment.name)' matches its file")
        }
    }

    struct Wait: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "wait",
            abstract: "Block until the environment has reached TARGET (default: heads): for an application's start-up or an init container.",
            discussion: "Exit 0 when reached, 4 on timeout. An unreachable database is waited for.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What must be applied.") var target: String = "heads"
        @Option(name: .long, help: "How long to wait: 30s, 5m, 1h.") var timeout: String = "5m"
        @Option(name: .long, help: "Seconds between reads.") var interval: Double = 1

        func run(in workspace: Workspace, console: Console) throws {
            guard let limit = TimeoutValue(parsing: timeout) else {
                throw ValidationError("--timeout '\(timeout)' is not a duration; write e.g. 30s, 5m or 1h")
            }
            let environment = try workspace.project.environment(global.env)
            let heads = try EnvironmentChecks(workspace: workspace).wait(for: environment, target: try Target(parsing: target), timeout: limit, interval: max(0.05, interval))
            if console.isJSON {
                return console.json(.object(["environment": .string(environment.name), "reached": .bool(true), "heads": .strings(heads)]))
            }
            console.out("'\(environment.name)' has reached \(target) (\(heads.isEmpty ? "base" : heads.joined(separator: ", ")))")
        }
    }
}

/// Prints a check report and exits 3 when it found something.
func report(_ report: CheckReport, console: Console, okText: String) throws {
    if console.isJSON {
        console.json(report.json)
    } else if report.isOK {
        console.out(console.green("ok: ") + okText)
    } else {
        for problem in report.problems {
            let place = problem.file.map { "\($0)\(problem.line.map { ":\($0)" } ?? ""): " } ?? ""
            console.out("\(place)\(console.yellow(problem.kind)): \(problem.message)")
        }
    }
    if !report.isOK { throw ArgumentParser.ExitCode(GodwitCore.ExitStatus.found.rawValue) }
}
