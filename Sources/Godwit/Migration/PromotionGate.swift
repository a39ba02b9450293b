import GodwitCore

/// The promotion gate of SPEC §6: what a plan brings to an environment must already be applied
/// in its predecessor in `promotion:`.
public struct PromotionGate {
    /// The workspace, to read the predecessor.
    public let workspace: Workspace
    /// The environment being changed.
    public let environment: Environment

    /// Creates the gate of one environment.
    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// Lets `plan` through, or refuses it: every revision the plan brings (upgrades and stamps alike)
    /// must be applied in the predecessor, with the checksum of the file about to run.
    /// - Throws: `PlanRefusal` (exit 5) naming the revisions the predecessor lacks, or the first one
    ///   whose file differs from what the predecessor applied (both checksums);
    ///   `OperationError.predecessorUnreadable` when the predecessor cannot be read.
    public func check(_ plan: Plan, request: ChangeRequest) throws {
        let added = plan.steps.filter { $0.direction == .upgrade }.map(\.revision)
        guard !added.isEmpty, !request.skipsPromotionCheck, !request.isResolve,
            let predecessorName = workspace.project.predecessor(of: environment.name),
            let predecessor = workspace.project.environments[predecessorName]
        else { return }
        let rows: [AppliedRevision]
        do {
            rows = try workspace.readState(of: predecessor)
        } catch let error as GodwitError {
            throw OperationError.predecessorUnreadable(environment: environment.name, predecessor: predecessorName, reason: error.message)
        }
        var there: [String: String] = [:]
        for row in rows where !row.isFailed { there[row.revision] = row.checksum }
        let missing = added.map(\.id).filter { there[$0] == nil }
        if !missing.isEmpty {
            throw PlanRefusal.promotionGate(missing: missing, predecessor: predecessorName, environment: environment.name)
        }
        if let edited = added.first(where: { there[$0.id] != $0.checksum }), let recorded = there[edited.id] {
            throw PlanRefusal.promotionGateChecksum(
                revision: edited.id, predecessor: predecessorName, environment: environment.name, recorded: recorded,
                current: edited.checksum, file: edited.path)
        }
    }

    /// The reason stored in the audit; a skipped gate is always said there.
    public func auditReason(_ request: ChangeRequest) -> String? {
        guard request.skipsPromotionCheck, workspace.project.predecessor(of: environment.name) != nil else { return request.reason }
        return "promotion check skipped: " + (request.reason ?? "")
    }
}
