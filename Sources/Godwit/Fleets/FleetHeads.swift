import GodwitCore

extension FleetReader {
    /// The members grouped by their recorded heads (`base` for none, a failed revision or an
    /// unreadable target as its own group), in the order each group first appears: what `--sql`
    /// and `promote` from a fleet need to be one state.
    func headGroups(of members: [Fleet.Member], parallel: Int, graph: RevisionGraph) -> [(heads: String, names: [String])] {
        let workspace = workspace
        let keys = map(members, parallel: parallel) { member -> String in
            do {
                let rows = try workspace.readState(of: member.environment)
                if let failed = rows.first(where: \.isFailed) { return "failed \(failed.revision)" }
                let heads = graph.heads(ofApplied: Set(rows.map(\.revision)))
                return heads.isEmpty ? "base" : heads.joined(separator: "+")
            } catch {
                return "unreadable"
            }
        }
        var groups: [(heads: String, names: [String])] = []
        for (member, key) in zip(members, keys) {
            if let index = groups.firstIndex(where: { $0.heads == key }) {
                groups[index].names.append(member.name)
            } else {
                groups.append((key, [member.name]))
            }
        }
        return groups
    }

    /// Throws unless every member stands at the same heads.
    /// - Throws: `FleetError.headsDiffer` (exit 5) naming each group (at most ten names a group), with `advice`.
    func requireOneState(of members: [Fleet.Member], fleet: Fleet, graph: RevisionGraph, advice: String) throws {
        let groups = headGroups(of: members, parallel: fleet.environment.rollout.parallel, graph: graph)
        guard groups.count > 1 else { return }
        let described = groups.map { group in
            let names = group.names.prefix(10).joined(separator: ", ") + (group.names.count > 10 ? " and \(group.names.count - 10) more" : "")
            return "\(names) at \(group.heads)"
        }
        throw FleetError(.headsDiffer(environment: fleet.name, groups: described, advice: advice), environment: fleet.name)
    }
}

extension OfflineScriptWriter {
    /// `--sql` on a fleet: one script for the one state the picked targets share, written with
    /// the first target's settings; with `from`, the targets are not read.
    /// - Throws: `FleetError.headsDiffer` (exit 5) when the targets are at different heads,
    ///   `FleetError.scriptPerSchema` for several targets of a `schemas` fleet, `FleetError.noTargets`;
    ///   what `script` throws.
    public func fleetScript(_ request: ChangeRequest, environment: Environment, rollout: Rollout, from: String?) throws -> String {
        let fleet = try FleetResolver(workspace: workspace).resolve(environment)
        let phases = try rollout.phases(of: fleet)
        let members = phases.canary + phases.rest
        guard let first = members.first else { throw FleetError(.noTargets(environment: fleet.name), environment: fleet.name) }
        if case .schemas = environment.targets, members.count > 1 {
            throw FleetError(.scriptPerSchema(environment: fleet.name), environment: fleet.name)
        }
        if from == nil {
            try FleetReader(workspace: workspace).requireOneState(
                of: members, fleet: fleet, graph: try workspace.graph(),
                advice: "a script is written for one state: give --from REV, or --target the targets at one of them")
        }
        return try script(request, environment: first.environment, from: from)
    }
}

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
