import Foundation
import GodwitCore

/// What a user asks of one environment: an upgrade, downgrade, stamp or resolve, and how.
public struct ChangeRequest: Sendable {
    /// The operation and its target.
    public enum Kind: Sendable {
        case upgrade(Target)
        case downgrade(Target)
        case stamp(Target, purge: Bool)
        case resolve(revision: String, applied: Bool)
    }

    public var kind: Kind
    /// Connect read-only, plan, change nothing.
    public var isDryRun: Bool = false
    /// The whole plan in one transaction.
    public var isAtomic: Bool = false
    /// `--yes` (or a typed confirmation) for a protected environment.
    public var isConfirmed: Bool = false
    /// `--skip-promotion-check`.
    public var skipsPromotionCheck: Bool = false
    /// `--reason`, stored in the audit record.
    public var reason: String?
    /// Run the plan in one transaction and roll it back (`--rehearse`).
    public var isRehearsal: Bool = false
    /// The operation name to record (`promote` for a promotion).
    public var operationName: Plan.Operation?
    /// Fill each step's `warnings` with the lint findings of its SQL. A caller that does not show
    /// them (a change rendered as text) turns this off: linting parses every revision's SQL,
    /// which cost an upgrade of 1,000 revisions as much as running them.
    public var includesLintWarnings: Bool = true
    /// Set by `FleetRunner` once the fleet's gate has passed for the whole run, so that no target repeats it.
    var isGatedForFleet: Bool = false

    /// Creates a request.
    public init(_ kind: Kind) { self.kind = kind }

    /// True for `stamp --purge`.
    var isPurge: Bool {
        if case .stamp(_, true) = kind { return true }
        return false
    }

    var operation: Plan.Operation {
        if let operationName { return operationName }
        switch kind {
        case .upgrade: return .upgrade
        case .downgrade: return .downgrade
        case .stamp: return .stamp
        case .resolve: return .resolve
        }
    }
}
