import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Current: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "current", abstract: "Show the environment's heads, and whether each is a head of the graph.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            if environment.isFleet {
                let reader = StatusReader(workspace: workspace)
                let reads = try FleetReads(workspace: workspace).each(environment) { try reader.current(of: $0.environment) }
                return try renderFleetCurrent(reads, environment: environment.name, console: console)
            }
            let state = try StatusReader(workspace: workspace).current(of: environment)
            if console.isJSON { return console.json(state.json) }
            renderCurrent(state, graph: try workspace.graph(), versions: workspace.project.versionsPath, console: console)
        }
    }
}

/// `current` for people: one line per head, then failed and pending revisions.
func renderCurrent(_ state: CurrentState, graph: RevisionGraph, versions: String, console: Console) {
    if state.heads.isEmpty { console.out("\(state.environment): base (nothing applied)") }
    for head in state.heads {
        let message = graph.revisions[head.id]?.message ?? "(not in \(versions)/)"
        console.out("\(state.environment): \(console.bold(head.id)) \(head.isGraphHead ? "(head)" : "(not a head of the graph)") \(message)")
    }
    if !state.failed.isEmpty { console.out(console.red("failed: \(state.failed.joined(separator: ", "))")) }
    if !state.pending.isEmpty && console.isVerbose {
        console.out("pending: \(state.pending.joined(separator: ", "))")
    } else if !state.pending.isEmpty {
        let revisions = state.pending.count - state.changedRepeatables.count
        let repeatables = state.changedRepeatables.count
        var parts: [String] = []
        if revisions > 0 { parts.append("\(revisions) pending") }
        if repeatables > 0 { parts.append("\(repeatables) repeatable\(repeatables == 1 ? "" : "s") changed") }
        console.out("\(parts.joined(separator: ", "))")
    }
}
