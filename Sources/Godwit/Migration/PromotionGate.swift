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
    /// must be applied in the predecessor, and every repeatable it runs recorded there, with the
    /// checksum of the file about to run.
    /// - Throws: `PlanRefusal` (exit 5) naming the revisions the predecessor lacks, or the first one
    ///   whose file differs from what the predecessor applied (both checksums);
    ///   `OperationError.predecessorUnreadable` when the predecessor cannot be read.
    public func check(_ plan: Plan, request: ChangeRequest) throws {
        try check(plan.steps.filter { $0.direction != .downgrade }.map(\.revision), request: request)
    }

    /// Lets `added` through, or refuses them: each must be applied in the predecessor — in every
    /// target of a fleet — with the checksum of its file; a repeatable (`repeatable/<name>`) must
    /// be recorded there with that checksum.
    /// - Throws: as `check(_:request:)`.
    func check(_ added: [Revision], request: ChangeRequest) throws {
        guard !added.isEmpty, !request.skipsPromotionCheck, !request.isResolve, !request.isGatedForFleet,
            let predecessorName = workspace.project.predecessor(of: environment.name),
            let predecessor = workspace.project.environments[predecessorName]
        else { return }
        let states: [[String: String]]
        do {
            states = try appliedChecksums(of: predecessor, includingRepeatables: added.contains { Repeatable.isRepeatableID($0.id) })
        } catch let error as GodwitError {
            throw OperationError.predecessorUnreadable(environment: environment.name, predecessor: predecessorName, reason: error.message)
        }
        let repeatables = added.filter { Repeatable.isRepeatableID($0.id) }
        let added = added.filter { !Repeatable.isRepeatableID($0.id) }
        let missing = added.map(\.id).filter { id in states.contains { $0[id] == nil } }
        if !missing.isEmpty {
            throw PlanRefusal.promotionGate(missing: missing, predecessor: predecessorName, environment: environment.name)
        }
        for edited in added {
            if let recorded = states.lazy.compactMap({ $0[edited.id] }).first(where: { $0 != edited.checksum }) {
                throw PlanRefusal.promotionGateChecksum(
                    revision: edited.id, predecessor: predecessorName, environment: environment.name, recorded: recorded,
                    current: edited.checksum, file: edited.path)
            }
        }
        for repeatable in repeatables {
            if let state = states.first(where: { $0[repeatable.id] != repeatable.checksum }) {
                throw PlanRefusal.promotionGateRepeatable(
                    repeatable: repeatable.id, predecessor: predecessorName, environment: environment.name, recorded: state[repeatable.id],
                    current: repeatable.checksum, file: repeatable.path)
            }
        }
    }

    /// The reason stored in the audit; a skipped gate is always said there.
    public func auditReason(_ request: ChangeRequest) -> String? {
        guard request.skipsPromotionCheck, workspace.project.predecessor(of: environment.name) != nil else { return request.reason }
        return "promotion check skipped: " + (request.reason ?? "")
    }
}
