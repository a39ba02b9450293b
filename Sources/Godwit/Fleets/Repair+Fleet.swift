import GodwitCore

extension FleetReads {
    /// `repair` on a fleet (SPEC §10, §11): each target the rollout picks (`--target`, `--shard`)
    /// re-records its own mismatched checksums under its own lock, audited in its own chain,
    /// `rollout.parallel` at a time. A named revision that already matches on a target is passed
    /// over there; a target with nothing to repair has no steps. A target that fails (unreachable,
    /// a revision not applied there, its lock not had in time) is that target's result.
    /// - Throws: `PlanRefusal.protectedEnvironment` (exit 5) for a protected fleet without
    ///   confirmation, before any target starts; `RepairError.nothingNamed`; `FleetError` or
    ///   `ConfigurationError` when the targets cannot be resolved or picked.
    public func repair(_ request: Repair.Request, environment: Environment, rollout: Rollout) throws -> [Read<RepairResult>] {
        guard request.isAll != !request.revisions.isEmpty else { throw RepairError.nothingNamed }
        if !request.isDryRun && environment.isProtected && !request.isConfirmed {
            throw PlanRefusal.protectedEnvironment(environment: environment.name, operation: "repair")
        }
        let fleet = try FleetResolver(workspace: workspace).resolve(environment)
        let phases = try rollout.phases(of: fleet)
        var each = request
        each.passesOverUnchanged = true
        let workspace = workspace, perTarget = each
        return FleetReader(workspace: workspace).map(phases.canary + phases.rest, parallel: environment.rollout.parallel) { member in
            Read(target: member.name, value: Result { try Repair(workspace: workspace, environment: member.environment).run(perTarget) })
        }
    }

    /// `repair --json` of a fleet: `{environment, operation: "repair", dry_run, targets}`, each
    /// target the change object of its repair (SPEC §9) with `target` and `error`.
    public static func repairJSON(
        _ reads: [Read<RepairResult>], environment: String, isDryRun: Bool, graph: RevisionGraph?
    ) -> JSONValue {
        .object([
            "environment": .string(environment), "operation": .string("repair"), "dry_run": .bool(isDryRun),
            "targets": .array(reads.map { read in read.marking(read.found?.json(graph: graph) ?? .object([:])) }),
        ])
    }
}
