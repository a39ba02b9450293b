import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Status: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show every environment side by side (with -e, that one alone): heads, pending, failed, checksum mismatches, lock holder, last change.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for each database.") var connectTimeout = 5
        @Flag(name: .customLong("targets"), help: "With -e FLEET: one row per target.") var perTarget = false

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            let environments = try global.env.map { name in
                [StatusReader(workspace: workspace).status(of: try workspace.project.environment(name), graph: graph, connectTimeout: connectTimeout)]
            } ?? StatusReader(workspace: workspace).status(connectTimeout: connectTimeout)
            if console.isJSON { return console.json(CommandJSON.status(environments)) }
            if perTarget {
                guard global.env != nil, let targets = environments.first?.targets else {
                    throw ValidationError("--targets goes with -e and a fleet")
                }
                return renderStatus(targets, graph: graph, console: console, firstColumn: "TARGET")
            }
            renderStatus(environments, graph: graph, console: console)
        }
    }
}

/// `status` for people: a table of environments, then a warning when the graph has several heads.
func renderStatus(_ environments: [EnvironmentStatus], graph: RevisionGraph, console: Console, firstColumn: String = "ENVIRONMENT") {
    let rows = environments.map { status -> [StyledText] in
        let name = StyledText(status.name + (status.isProtected ? " (protected)" : ""))
        guard status.isReachable else {
            return [name, console.red("unreachable"), "", "", "", "", StyledText(status.error ?? "")]
        }
        if let targets = status.targets {
            let states = status.targetStateCounts.map { "\($0.count) \($0.state.rawValue)" }.joined(separator: ", ")
            let heads = status.targetHeadCounts.map { "\($0.heads) (\($0.count))" }.joined(separator: ", ")
            let state = "\(targets.count) targets: " + (states.isEmpty ? "none" : states)
            let styled = targets.allSatisfy { TargetState($0) == .upToDate } ? console.green(state) : console.yellow(state)
            return [name, styled, StyledText(heads), "", "", "", ""]
        }
        let heads = status.heads.isEmpty ? "base" : status.heads.map { String($0.prefix(12)) }.joined(separator: ", ")
        let state: StyledText
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
        return [name, state, StyledText(heads), StyledText(status.lockHolder ?? "—"), StyledText(status.schemaFingerprint ?? ""), StyledText(last), StyledText(status.url ?? "")]
    }
    for line in console.table([firstColumn, "STATE", "HEADS", "LOCK", "SCHEMA", "LAST CHANGE", "URL"], rows) {
        console.out(line)
    }
    if graph.heads.count > 1 {
        console.out(console.yellow("the graph has \(graph.heads.count) heads: \(graph.heads.joined(separator: ", "))"))
    }
}
