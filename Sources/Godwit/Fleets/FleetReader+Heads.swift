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
