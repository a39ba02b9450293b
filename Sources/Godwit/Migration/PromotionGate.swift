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

    /// Lets `plan` through, or refuses it.
    /// - Throws: `PlanRefusal` (exit 5) naming the revisions the predecessor lacks;
    ///   `OperationError.predecessorUnreadable` when the predecessor cannot be read.
    public func check(_ plan: Plan, request: ChangeRequest) throws {
        let added = plan.steps.filter { $0.direction == .upgrade }.map(\.revision.id)
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
        let there = Set(rows.filter { !$0.isFailed }.map(\.revision))
        let missing = added.filter { !there.contains($0) }
        if !missing.isEmpty {
            throw PlanRefusal.promotionGate(missing: missing, predecessor: predecessorName, environment: environment.name)
        }
    }

    /// The reason stored in the audit; a skipped gate is always said there.
    public func auditReason(_ request: ChangeRequest) -> String? {
        guard request.skipsPromotionCheck, workspace.project.predecessor(of: environment.name) != nil else { return request.reason }
        return "promotion check skipped: " + (request.reason ?? "")
    }
}
