import GodwitCore

extension PromotionGate {
    /// What the predecessor has applied (revision → checksum, failed rows left out): one map for
    /// one database, one per target for a fleet (SPEC §6: "applied there" means in every target).
    /// A fleet without targets has one empty map, so that it lets nothing through. With
    /// `includingRepeatables`, each map also holds the repeatables' checksums (`repeatable/<name>`).
    /// - Throws: `DatabaseError` (or, for a fleet, `FleetError.targetUnreadable`) when a database cannot be read.
    func appliedChecksums(of predecessor: Environment, includingRepeatables: Bool = false) throws -> [[String: String]] {
        func applied(_ rows: [AppliedRevision]) -> [String: String] {
            var there: [String: String] = [:]
            for row in rows where !row.isFailed { there[row.revision] = row.checksum }
            return there
        }
        func withRepeatables(_ there: [String: String], of environment: Environment) throws -> [String: String] {
            guard includingRepeatables else { return there }
            return there.merging(try workspace.readRepeatables(of: environment)) { revision, _ in revision }
        }
        guard predecessor.isFleet else { return [try withRepeatables(applied(try workspace.readState(of: predecessor)), of: predecessor)] }
        let fleet = try FleetResolver(workspace: workspace).resolve(predecessor)
        let states = try FleetReader(workspace: workspace).states(of: fleet).map { state in
            do {
                return try withRepeatables(applied(try state.rows.get()), of: state.member.environment)
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
        let repeatables = try workspace.repeatables()
        let plans = FleetReader(workspace: workspace).map(members, parallel: fleet.environment.rollout.parallel) { member in
            try? planner.plan(
                self.request(request, for: member), graph: graph, rows: workspace.readState(of: member.environment), repeatables: repeatables,
                recorded: workspace.readRepeatables(of: member.environment))
        }
        let added = Set(plans.compactMap { $0 }.flatMap { $0.steps.filter { $0.direction != .downgrade }.map(\.revision.id) })
        let repeated = repeatables.filter { added.contains($0.id) }.map(\.revision)
        try PromotionGate(workspace: workspace, environment: fleet.environment).check(
            graph.revisions(graph.order.filter(added.contains)) + repeated, request: request)
        var request = request
        request.isGatedForFleet = true
        return request
    }
}
