/// What an operation will do, computed before anything runs: a value that a dry-run or `--sql`
/// renders and that the migrator executes.
public struct Plan: Sendable {
    /// The kind of operation.
    public enum Operation: String, Sendable, Codable {
        case upgrade, downgrade, stamp, resolve, promote
    }

    /// One revision moved in one direction.
    public struct Step: Sendable {
        /// The revision.
        public var revision: Revision
        /// Applied (upgrade) or removed (downgrade).
        public var direction: Direction
        /// The SQL this step runs; nil for a stamp, which runs none.
        public var sql: SQLSection?

        /// Creates a step.
        public init(revision: Revision, direction: Direction, sql: SQLSection?) {
            self.revision = revision
            self.direction = direction
            self.sql = sql
        }
    }

    /// The operation.
    public var operation: Operation
    /// The steps, in the order they run.
    public var steps: [Step]
    /// The environment's heads before.
    public var fromHeads: [String]
    /// The environment's heads after.
    public var toHeads: [String]
    /// The applied set after the plan.
    public var resultingState: Set<String>

    /// Creates a plan.
    public init(operation: Operation, steps: [Step], fromHeads: [String], toHeads: [String], resultingState: Set<String>) {
        self.operation = operation
        self.steps = steps
        self.fromHeads = fromHeads
        self.toHeads = toHeads
        self.resultingState = resultingState
    }

    /// True when the plan does nothing.
    public var isEmpty: Bool { steps.isEmpty }
}

/// An error in building a plan that a rule refuses (exit 5), such as an irreversible downgrade.
public struct PlanRefusal: GodwitError {
    public var message: String
    public var revision: String?
    public var location: SourceLocation?
    public var exitCode: ExitStatus { .refused }

    /// Creates a refusal.
    public init(_ message: String, revision: String? = nil, location: SourceLocation? = nil) {
        self.message = message
        self.revision = revision
        self.location = location
    }
}

extension RevisionGraph {
    /// The plan of an upgrade of a database whose applied set is `applied`.
    /// - Throws: `GraphError` when the target cannot be resolved.
    public func upgradePlan(applied: Set<String>, to target: Target) throws -> Plan {
        let ids = try upgradeSteps(applied: applied, to: target)
        let state = applied.union(ids)
        return Plan(
            operation: .upgrade,
            steps: revisions(ids).map { Plan.Step(revision: $0, direction: .upgrade, sql: $0.upgrade) },
            fromHeads: heads(ofApplied: applied), toHeads: heads(ofApplied: state), resultingState: state)
    }

    /// The plan of a downgrade.
    /// - Throws: `GraphError` when the target cannot be resolved; `PlanRefusal` when a revision to
    ///   remove has no downgrade section.
    public func downgradePlan(applied: Set<String>, to target: Target) throws -> Plan {
        let ids = try downgradeSteps(applied: applied, to: target)
        // The step ids come from this graph, so `revisions(_:)` leaves none out.
        let removed = revisions(ids)
        if let revision = removed.first(where: { !$0.isReversible }) {
            throw PlanRefusal(
                "revision '\(revision.id)' has no '-- +downgrade' section, so it is irreversible and the downgrade to '\(target)' is refused; nothing was run",
                revision: revision.id, location: SourceLocation(file: revision.path))
        }
        let state = applied.subtracting(ids)
        return Plan(
            operation: .downgrade,
            steps: removed.map { Plan.Step(revision: $0, direction: .downgrade, sql: $0.downgrade) },
            fromHeads: heads(ofApplied: applied), toHeads: heads(ofApplied: state), resultingState: state)
    }

    /// The plan of a stamp: the steps record or forget revisions without running their SQL.
    /// - Throws: `GraphError` when the target cannot be resolved.
    public func stampPlan(applied: Set<String>, to target: Target, purge: Bool) throws -> Plan {
        let known = applied.filter { revisions[$0] != nil }
        let state = try stampedState(applied: known, to: target, purge: purge)
        let start = purge ? Set<String>() : known
        let removed = order.reversed().filter { start.contains($0) && !state.contains($0) }
        let added = order.filter { state.contains($0) && !start.contains($0) }
        let steps =
            revisions(removed).map { Plan.Step(revision: $0, direction: .downgrade, sql: nil) }
            + revisions(added).map { Plan.Step(revision: $0, direction: .upgrade, sql: nil) }
        return Plan(
            operation: .stamp, steps: steps, fromHeads: heads(ofApplied: applied), toHeads: heads(ofApplied: state),
            resultingState: state)
    }
}
