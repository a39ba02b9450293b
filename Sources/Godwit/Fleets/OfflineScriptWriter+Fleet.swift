import GodwitCore

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
