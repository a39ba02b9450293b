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
    ///   `ContextualError` when the predecessor cannot be read.
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
            throw ContextualError(
                .failed,
                "cannot check the promotion gate of '\(environment.name)': its predecessor '\(predecessorName)' cannot be read: \(error.message)",
                environment: predecessorName)
        }
        let there = Set(rows.filter { !$0.isFailed }.map(\.revision))
        let missing = added.filter { !there.contains($0) }
        if !missing.isEmpty {
            throw PlanRefusal(
                "promotion gate: \(missing.count == 1 ? "revision" : "revisions") \(missing.map { "'\($0)'" }.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not applied in '\(predecessorName)', which comes before '\(environment.name)' in promotion; apply them to '\(predecessorName)' first (then 'godwit promote \(predecessorName) \(environment.name)'), or override with --skip-promotion-check --reason TEXT",
                revision: missing.first)
        }
    }

    /// The reason stored in the audit; a skipped gate is always said there.
    public func auditReason(_ request: ChangeRequest) -> String? {
        guard request.skipsPromotionCheck, workspace.project.predecessor(of: environment.name) != nil else { return request.reason }
        return "promotion check skipped: " + (request.reason ?? "")
    }
}
