import GodwitCore

extension PromotionGate {
    /// What the predecessor has applied (revision → checksum, failed rows left out): one map for
    /// one database, one per target for a fleet (SPEC §6: "applied there" means in every target).
    /// A fleet without targets has one empty map, so that it lets nothing through.
    /// - Throws: `DatabaseError` (or, for a fleet, `FleetError.targetUnreadable`) when a database cannot be read.
    func appliedChecksums(of predecessor: Environment) throws -> [[String: String]] {
        func applied(_ rows: [AppliedRevision]) -> [String: String] {
            var there: [String: String] = [:]
            for row in rows where !row.isFailed { there[row.revision] = row.checksum }
            return there
        }
        guard predecessor.isFleet else { return [applied(try workspace.readState(of: predecessor))] }
        let fleet = try FleetResolver(workspace: workspace).resolve(predecessor)
        let states = try FleetReader(workspace: workspace).states(of: fleet).map { state in
            do {
                return applied(try state.rows.get())
            } catch let error as GodwitError {
                throw FleetError(.targetUnreadable(target: state.member.name, reason: error.message), environment: fleet.name)
            }
        }
        return states.isEmpty ? [[:]] : states
    }
}

extension FleetRunner {
    /// The promotion gate of a fleet being changed, once for the run before any target starts
    /// (SPEC §6): every revision the request brings to any of `members` must be applied in the
    /// predecessor. Targets that cannot be read or planned are left to fail on their own.
    /// Returns the request marked so that no target repeats the gate.
    /// - Throws: what `PromotionGate.check` throws.
    func gated(_ request: ChangeRequest, fleet: Fleet, members: [Fleet.Member]) throws -> ChangeRequest {
        guard workspace.project.predecessor(of: fleet.name) != nil, !request.skipsPromotionCheck, !request.isResolve else { return request }
        let graph = try workspace.graph()
        let planner = Planner(environment: fleet.name, versionsPath: workspace.project.versionsPath)
        let workspace = workspace
        let plans = FleetReader(workspace: workspace).map(members, parallel: fleet.environment.rollout.parallel) { member in
            try? planner.plan(request, graph: graph, rows: workspace.readState(of: member.environment))
        }
        let added = Set(plans.compactMap { $0 }.flatMap { $0.steps.filter { $0.direction == .upgrade }.map(\.revision.id) })
        try PromotionGate(workspace: workspace, environment: fleet.environment).check(graph.revisions(graph.order.filter(added.contains)), request: request)
        var request = request
        request.isGatedForFleet = true
        return request
    }
}
