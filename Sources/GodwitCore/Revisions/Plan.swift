/// What an operation will do, computed before anything runs: a value that a dry-run or `--sql`
/// renders and that the migrator executes.
public struct Plan: Sendable {
    /// The kind of operation.
    public enum Operation: String, Sendable, Codable {
        case upgrade, downgrade, stamp, resolve, promote, adopt
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
    /// The recorded revisions that `stamp --purge` forgets and does not record again, newest first
    /// (those without a file included): they are no steps, since a step needs a revision file.
    public var purged: [String] = []

    /// Creates a plan.
    public init(operation: Operation, steps: [Step], fromHeads: [String], toHeads: [String], resultingState: Set<String>) {
        self.operation = operation
        self.steps = steps
        self.fromHeads = fromHeads
        self.toHeads = toHeads
        self.resultingState = resultingState
    }

    /// True when the plan does nothing: no steps, and nothing for `--purge` to forget.
    public var isEmpty: Bool { steps.isEmpty && purged.isEmpty }
}

/// A plan that a rule refuses (exit 5): what was refused, with the data to say why and what to do.
public enum PlanRefusal: GodwitError, Hashable {
    /// A downgrade to `target` would remove `revision`, which has no downgrade section (in `file`).
    case irreversible(revision: String, target: Target, file: String)
    /// A change of a protected environment without `--yes`.
    case protectedEnvironment(environment: String, operation: String)
    /// `--atomic` with a non-transactional revision, whose header says so at `file:line`.
    case atomicWithNonTransactional(revision: String, file: String, line: Int?)
    /// A revision recorded as failed stands in the way of every plan but `resolve`.
    case failedRevision(revision: String, environment: String)
    /// `resolve` of a revision that is not recorded as failed.
    case notFailed(revision: String, environment: String)
    /// An environment with `lint: error` and a plan with `count` findings, `first` the first of them.
    case lintFindings(environment: String, count: Int, first: LintFinding)
    /// The promotion gate: `missing` are not applied in `predecessor`, which comes before `environment`.
    case promotionGate(missing: [String], predecessor: String, environment: String)
    /// The promotion gate: `revision` is applied in `predecessor` with checksum `recorded`, but its
    /// file (at `file`) now has checksum `current`: what would run is not what was tested.
    case promotionGateChecksum(revision: String, predecessor: String, environment: String, recorded: String, current: String, file: String)
    /// The promotion gate: repeatable `repeatable` (`repeatable/<name>`) is not recorded in `predecessor`
    /// with the checksum `current` of its file (at `file`): `recorded` is what ran there, nil when it never ran.
    case promotionGateRepeatable(repeatable: String, predecessor: String, environment: String, recorded: String?, current: String, file: String)
    /// `promote`: a revision failed part-way in the environment promoted from.
    case failedInSource(revision: String, source: String)
    /// `promote`: a revision as applied in `source` differs from its file (at `file`, when it has one).
    case editedInSource(revision: String, source: String, target: String, file: String?)
    /// `promote`: `target` has revisions (`extra`) that `source` lacks.
    case diverged(extra: [String], source: String, target: String)

    public var exitCode: ExitStatus { .refused }

    /// The revision the refusal is about.
    public var revision: String? {
        switch self {
        case .irreversible(let revision, _, _), .atomicWithNonTransactional(let revision, _, _),
            .failedRevision(let revision, _), .notFailed(let revision, _), .failedInSource(let revision, _),
            .editedInSource(let revision, _, _, _), .promotionGateChecksum(let revision, _, _, _, _, _),
            .promotionGateRepeatable(let revision, _, _, _, _, _):
            return revision
        case .lintFindings(_, _, let first): return first.revision
        case .promotionGate(let missing, _, _): return missing.first
        case .diverged(let extra, _, _): return extra.first
        case .protectedEnvironment: return nil
        }
    }

    /// The file (and line) the refusal points at.
    public var location: SourceLocation? {
        switch self {
        case .irreversible(_, _, let file): return SourceLocation(file: file)
        case .atomicWithNonTransactional(_, let file, let line): return SourceLocation(file: file, line: line)
        case .lintFindings(_, _, let first): return first.location
        case .editedInSource(_, _, _, let file): return file.map { SourceLocation(file: $0) }
        case .promotionGateChecksum(_, _, _, _, _, let file), .promotionGateRepeatable(_, _, _, _, _, let file): return SourceLocation(file: file)
        default: return nil
        }
    }

    /// What was refused and what to do next.
    public var message: String {
        switch self {
        case .irreversible(let revision, let target, _):
            return "revision '\(revision)' has no '-- +downgrade' section, so it is irreversible and the downgrade to '\(target)' is refused; nothing was run"
        case .protectedEnvironment(let environment, let operation):
            return "environment '\(environment)' is protected; pass --yes to confirm the \(operation) (nothing was changed)"
        case .atomicWithNonTransactional(let revision, _, _):
            return "revision '\(revision)' is 'transactional: false', so the plan cannot run in one transaction; drop --atomic"
        case .failedRevision(let revision, let environment):
            return "revision '\(revision)' failed part-way in environment '\(environment)' (it runs outside a transaction); finish or undo it by hand, then run 'godwit resolve \(revision) -e \(environment) --applied' or '--rolled-back'"
        case .notFailed(let revision, let environment):
            return "revision '\(revision)' is not recorded as failed in environment '\(environment)'; only a failed non-transactional revision needs resolving"
        case .lintFindings(let environment, let count, let first):
            return "environment '\(environment)' has 'lint: error' and the plan has \(count) lint finding\(count == 1 ? "" : "s"); the first: [\(first.rule.id)] \(first.message); make the change safely, or silence it on its line with '-- godwit:ignore \(first.rule.id)'"
        case .promotionGate(let missing, let predecessor, let environment):
            let one = missing.count == 1
            return "promotion gate: \(one ? "revision" : "revisions") \(missing.map { "'\($0)'" }.joined(separator: ", ")) \(one ? "is" : "are") not applied in '\(predecessor)', which comes before '\(environment)' in promotion; apply them to '\(predecessor)' first (then 'godwit promote \(predecessor) \(environment)'), or override with --skip-promotion-check --reason TEXT"
        case .promotionGateChecksum(let revision, let predecessor, let environment, let recorded, let current, _):
            return "promotion gate: revision '\(revision)' was applied in '\(predecessor)' with checksum \(recorded), but its file now has checksum \(current): the file was edited after '\(predecessor)' ran it, so '\(environment)' would get SQL nobody tested; revert the edit (and write a new revision for the change), or override with --skip-promotion-check --reason TEXT"
        case .promotionGateRepeatable(let repeatable, let predecessor, let environment, let recorded, let current, _):
            let there = recorded.map { "ran in '\(predecessor)' with checksum \($0), but its file now has checksum \(current)" } ?? "has not run in '\(predecessor)'"
            return "promotion gate: repeatable '\(repeatable)' \(there); '\(predecessor)' comes before '\(environment)' in promotion, so '\(environment)' would get SQL nobody tested; upgrade '\(predecessor)' first (then 'godwit promote \(predecessor) \(environment)'), or override with --skip-promotion-check --reason TEXT"
        case .failedInSource(let revision, let source):
            return "revision '\(revision)' failed part-way in '\(source)'; resolve it there before promoting"
        case .editedInSource(let revision, let source, let target, _):
            return "revision '\(revision)' as applied in '\(source)' differs from its file (checksum); what '\(target)' would get is not what '\(source)' was tested with — revert the file or write a new revision"
        case .diverged(let extra, let source, let target):
            return "'\(target)' has \(extra.map { "'\($0)'" }.joined(separator: ", ")), which '\(source)' lacks: the two have diverged; apply them to '\(source)' first, or downgrade '\(target)'"
        }
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
        if let irreversible = removed.first(where: { !$0.isReversible }) {
            throw PlanRefusal.irreversible(revision: irreversible.id, target: target, file: irreversible.path)
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
        var plan = Plan(
            operation: .stamp, steps: steps, fromHeads: heads(ofApplied: applied), toHeads: heads(ofApplied: state),
            resultingState: state)
        if purge {
            let forgotten = applied.subtracting(state)
            plan.purged = order.reversed().filter { forgotten.contains($0) } + forgotten.filter { revisions[$0] == nil }.sorted()
        }
        return plan
    }
}
