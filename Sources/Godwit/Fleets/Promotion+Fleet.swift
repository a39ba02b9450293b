import GodwitCore

extension Promotion {
    /// `promote [FROM] TO` where either is a fleet (SPEC §10): every target of a FROM fleet must
    /// stand at the same heads, which every target of a TO fleet is brought to; with neither a
    /// fleet, `request(from:to:)`.
    /// - Throws: what `request(from:to:)` throws; `FleetError.headsDiffer` (exit 5) naming the
    ///   targets of FROM at each heads; `FleetError.divergedTargets` (exit 5) naming the targets of
    ///   TO with revisions FROM lacks; `FleetError.targetUnreadable` for a target of FROM.
    public func fleetRequest(from source: String?, to targetName: String) throws -> (from: Environment, to: Environment, target: Target) {
        let target = try project.environment(targetName)
        let from = try (source ?? project.predecessor(of: target.name)).map { try project.environment($0) }
        guard let from, from.name != target.name, from.isFleet || target.isFleet else { return try request(from: source, to: targetName) }
        let graph = try workspace.graph()
        let reader = FleetReader(workspace: workspace)
        var fromRows: [AppliedRevision]
        if from.isFleet {
            let fleet = try FleetResolver(workspace: workspace).resolve(from)
            try reader.requireOneState(
                of: fleet.members, fleet: fleet, graph: graph, advice: "promote from a fleet needs one state: bring its targets level first")
            fromRows = []
            for state in reader.states(of: fleet) {
                do {
                    let rows = try state.rows.get()
                    try checkSource(rows, of: from, to: target, graph: graph)
                    fromRows = rows
                } catch let error as DatabaseError {
                    throw FleetError(.targetUnreadable(target: state.member.name, reason: error.message), environment: fleet.name)
                }
            }
        } else {
            fromRows = try workspace.readState(of: from)
            try checkSource(fromRows, of: from, to: target, graph: graph)
        }
        let fromApplied = Set(fromRows.map(\.revision))
        if target.isFleet {
            let fleet = try FleetResolver(workspace: workspace).resolve(target)
            // Targets that cannot be read are left to fail on their own.
            let diverged = reader.states(of: fleet).compactMap { state -> String? in
                let extra = ((try? state.rows.get()) ?? []).map(\.revision).filter { !fromApplied.contains($0) }
                return extra.isEmpty ? nil : "\(state.member.name): \(extra.joined(separator: ", "))"
            }
            if !diverged.isEmpty {
                throw FleetError(.divergedTargets(source: from.name, environment: target.name, targets: diverged), environment: target.name)
            }
        } else {
            let extra = try workspace.readState(of: target).map(\.revision).filter { !fromApplied.contains($0) }
            if !extra.isEmpty { throw PlanRefusal.diverged(extra: extra, source: from.name, target: target.name) }
        }
        return (from, target, .revisions(graph.heads(ofApplied: fromApplied)))
    }

    /// Refuses a source with a failed revision, or one whose recorded checksum differs from its file.
    func checkSource(_ rows: [AppliedRevision], of from: Environment, to target: Environment, graph: RevisionGraph) throws {
        if let failed = rows.first(where: \.isFailed) {
            throw PlanRefusal.failedInSource(revision: failed.revision, source: from.name)
        }
        if let id = StateReport(graph: graph, rows: rows).checksumMismatches.first {
            throw PlanRefusal.editedInSource(revision: id, source: from.name, target: target.name, file: graph.revisions[id]?.path)
        }
    }
}
