import GodwitCore

/// Turns a request, the revision graph and an environment's recorded rows into a `Plan`, or
/// refuses: pure, without a database, so that every refusal is tested on literal graphs.
public struct Planner: Sendable {
    /// The environment's name, for the messages.
    public let environment: String
    /// The project's versions folder, for the messages.
    public let versionsPath: String
    /// The values of `{{ name }}` in the steps' SQL; nil leaves the SQL as written.
    public let variables: [String: String]?

    /// Creates a planner for one environment.
    public init(environment: String, versionsPath: String = "versions", variables: [String: String]? = nil) {
        self.environment = environment
        self.versionsPath = versionsPath
        self.variables = variables
    }

    /// The plan for `request` against `rows`. An upgrade (or promote) ends with a `repeat` step for
    /// each of `repeatables` whose checksum differs from the one in `recorded` (by id), in
    /// file-name order, whatever its target (SPEC §11).
    /// - Throws: `PlanRefusal` (exit 5) for a failed revision in the way, resolving a revision not
    ///   recorded as failed, or `--atomic` with a non-transactional revision; `GraphError` for
    ///   applied revisions without files (unless purged) or a bad target; `SQLTemplateError` for a
    ///   `{{ name }}` that `variables` lacks, checked in every step before any runs.
    public func plan(
        _ request: ChangeRequest, graph: RevisionGraph, rows: [AppliedRevision], repeatables: [Repeatable] = [],
        recorded: [String: String] = [:]
    ) throws -> Plan {
        let applied = Set(rows.map(\.revision))
        var plan: Plan
        switch request.kind {
        case .resolve(let name, let markApplied):
            return try resolvePlan(name, markApplied: markApplied, graph: graph, rows: rows)
        case .upgrade(let target):
            try checkRecorded(rows, graph: graph, purging: false)
            plan = try graph.upgradePlan(applied: applied, to: target)
            plan.steps += Self.changed(repeatables, recorded: recorded).map(\.step)
        case .downgrade(let target):
            try checkRecorded(rows, graph: graph, purging: false)
            plan = try graph.downgradePlan(applied: applied, to: target)
        case .stamp(let target, let purge):
            try checkRecorded(rows, graph: graph, purging: purge)
            plan = try graph.stampPlan(applied: applied, to: target, purge: purge)
        }
        plan.operation = request.operation
        if let variables { plan = try plan.rendered(variables: variables) }
        if request.isAtomic, let step = plan.steps.first(where: { !$0.revision.isTransactional && $0.sql != nil }) {
            throw PlanRefusal.atomicWithNonTransactional(
                revision: step.revision.id, file: step.revision.path, line: step.revision.headerLines["transactional"])
        }
        return plan
    }

    /// The repeatables whose checksum differs from the one recorded (or that never ran), in order.
    public static func changed(_ repeatables: [Repeatable], recorded: [String: String]) -> [Repeatable] {
        repeatables.filter { recorded[$0.id] != $0.checksum }
    }

    /// Refuses rows that a plan cannot start from: a failed revision, or revisions without files.
    func checkRecorded(_ rows: [AppliedRevision], graph: RevisionGraph, purging: Bool) throws {
        if let failed = rows.first(where: \.isFailed) {
            throw PlanRefusal.failedRevision(revision: failed.revision, environment: environment)
        }
        let unknown = rows.map(\.revision).filter { graph.revisions[$0] == nil }
        if !unknown.isEmpty && !purging {
            throw GraphError(
                .appliedWithoutFile(environment: environment, versionsPath: versionsPath, revisions: unknown),
                revision: unknown.first)
        }
    }

    /// The plan of `resolve`: one bookkeeping step for a revision recorded as failed.
    func resolvePlan(_ name: String, markApplied: Bool, graph: RevisionGraph, rows: [AppliedRevision]) throws -> Plan {
        let id = rows.first(where: { $0.revision == name })?.revision ?? (try? graph.resolve(name)) ?? name
        guard let row = rows.first(where: { $0.revision == id }), row.isFailed else {
            throw PlanRefusal.notFailed(revision: id, environment: environment)
        }
        // The failed revision is not applied: the heads before leave it out, and `--applied` adds it.
        let before = Set(rows.filter { !$0.isFailed }.map(\.revision))
        let state = markApplied ? before.union([id]) : before
        let step = graph.revisions[id].map { Plan.Step(revision: $0, direction: markApplied ? .upgrade : .downgrade, sql: nil) }
        return Plan(
            operation: .resolve, steps: step.map { [$0] } ?? [], fromHeads: graph.heads(ofApplied: before),
            toHeads: graph.heads(ofApplied: state), resultingState: state)
    }
}

extension ChangeRequest {
    /// True for `resolve`.
    var isResolve: Bool {
        if case .resolve = kind { return true }
        return false
    }
}
