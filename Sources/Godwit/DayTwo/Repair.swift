import Foundation
import GodwitCore

/// `repair` (SPEC §11): re-records the checksum of applied revisions whose file changed in a way
/// the team accepts (a comment, a `godwit:ignore`), without running SQL, under the migration lock,
/// audited as operation `repair` with each revision's old and new checksum.
public struct Repair {
    /// What to repair and how.
    public struct Request: Sendable {
        /// The revisions named (ids or unique prefixes); empty with `isAll`.
        public var revisions: [String]
        /// `--all`: every applied revision whose file differs.
        public var isAll: Bool
        /// `--reason`, required, stored in the audit record.
        public var reason: String
        /// `--yes` (or a typed confirmation) for a protected environment.
        public var isConfirmed = false
        /// `--dry-run`: list what would be re-recorded, change nothing.
        public var isDryRun = false
        /// A named revision whose checksum already matches is passed over instead of refused
        /// (a fleet's targets: some were repaired by an earlier run, or never edited).
        public var passesOverUnchanged = false

        /// Creates a request.
        public init(revisions: [String], isAll: Bool, reason: String) {
            self.revisions = revisions
            self.isAll = isAll
            self.reason = reason
        }
    }

    /// The workspace.
    public let workspace: Workspace
    /// The environment whose records are repaired.
    public let environment: Environment

    /// Creates a repair of one environment.
    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    var migrator: Migrator { Migrator(workspace: workspace, environment: environment) }

    /// Re-records the checksums `request` asks for (with `isDryRun`, only lists them).
    /// - Throws: `RepairError` (exit 2) for no revision named, or one that is not applied or whose
    ///   checksum matches; `FleetError.notSupported` for a fleet; `PlanRefusal.protectedEnvironment`
    ///   (exit 5) without confirmation; `DatabaseError` (reason `.lockTimeout`, exit 4, when the lock
    ///   is not had in time); graph errors for a bad name.
    public func run(_ request: Request) throws -> RepairResult {
        if environment.isFleet { throw FleetError(.notSupported(environment: environment.name, command: "repair"), environment: environment.name) }
        guard request.isAll != !request.revisions.isEmpty else { throw RepairError.nothingNamed }
        if !request.isDryRun && environment.isProtected && !request.isConfirmed {
            throw PlanRefusal.protectedEnvironment(environment: environment.name, operation: "repair")
        }
        let graph = try workspace.graph()
        // Read-only first: a bad name is refused before the lock is taken or a table created.
        let rows = try workspace.readState(of: environment)
        let preview = try repairs(request, graph: graph, rows: rows)
        let heads = graph.heads(ofApplied: Set(rows.filter { !$0.isFailed }.map(\.revision)))
        if request.isDryRun || preview.isEmpty {
            return RepairResult(environment: environment.name, isDryRun: request.isDryRun, heads: heads, steps: preview, auditID: nil)
        }
        let url = try workspace.url(of: environment)
        let connection = try workspace.connect(environment, readOnly: false)
        defer { connection.close() }
        let store = StateStore(for: connection, project: workspace.project)
        return try migrator.withMigrationLock(on: connection, store: store, url: url, graph: graph) { trail in
            let steps = try repairs(request, graph: graph, rows: store.readRevisions(on: connection))
            if steps.isEmpty { return RepairResult(environment: environment.name, isDryRun: false, heads: heads, steps: [], auditID: nil) }
            return try record(steps, request: request, heads: heads, connection: connection, store: store, trail: trail, url: url)
        }
    }

    /// Writes the new checksums and the audit record's steps in one transaction, the record
    /// opened before and sealed after.
    func record(
        _ steps: [AuditRecord.Step], request: Request, heads: [String], connection: any DriverConnection, store: StateStore,
        trail: AuditTrail, url: DatabaseURL
    ) throws -> RepairResult {
        let identity = workspace.identity
        let started = Date()
        var record = AuditRecord(
            id: 0, environment: environment.name, operation: "repair", startedAt: AuditRecord.timestamp(started), fromHeads: heads,
            actor: identity.actor, host: identity.host, toolVersion: identity.toolVersion, gitCommit: identity.gitCommit,
            reason: request.reason)
        try trail.start(&record)
        record.steps = steps
        do {
            let sql = steps.map { store.updateRevisionSQL($0.revision, state: "applied", checksum: $0.checksum) }.joined()
                + store.updateAuditStepsSQL(record)
            try connection.withTransaction { try connection.execute(sql) }
        } catch {
            let message = (error as? DatabaseError).map { workspace.contextualize($0, environment: environment, url: url).description }
                ?? url.redact(String(describing: error))
            record.steps = []
            try? trail.finish(&record, outcome: "failed", error: message, heads: heads, started: started)
            throw error
        }
        try trail.finish(&record, outcome: "succeeded", error: nil, heads: heads, started: started)
        return RepairResult(environment: environment.name, isDryRun: false, heads: heads, steps: steps, auditID: record.id)
    }

    /// The steps of a repair against `rows`: the named revisions, each applied with a checksum that
    /// differs from its file's, or with `isAll` every such revision, in the order they were applied.
    /// - Throws: `RepairError` for a named revision not applied or unchanged; graph errors for a bad name.
    func repairs(_ request: Request, graph: RevisionGraph, rows: [AppliedRevision]) throws -> [AuditRecord.Step] {
        let applied = rows.filter { !$0.isFailed }
        func step(_ row: AppliedRevision) -> AuditRecord.Step? {
            guard let revision = graph.revisions[row.revision], revision.checksum != row.checksum else { return nil }
            return AuditRecord.Step(repairing: row.revision, from: row.checksum, to: revision.checksum)
        }
        if request.isAll { return applied.compactMap(step) }
        var steps: [AuditRecord.Step] = []
        for name in request.revisions {
            let id = try graph.resolveSingle(name)
            guard let row = applied.first(where: { $0.revision == id }) else {
                throw RepairError.notApplied(revision: id, environment: environment.name)
            }
            guard let repaired = step(row) else {
                if request.passesOverUnchanged { continue }
                throw RepairError.unchanged(revision: id, environment: environment.name)
            }
            if !steps.contains(where: { $0.revision == id }) { steps.append(repaired) }
        }
        return steps
    }
}

/// What a repair did or would do: the change object of SPEC §9 with operation `repair`.
public struct RepairResult: Sendable {
    /// The environment.
    public var environment: String
    /// True for `--dry-run`.
    public var isDryRun: Bool
    /// The environment's heads, which a repair does not move.
    public var heads: [String]
    /// One step per revision re-recorded: `oldChecksum` the recorded one, `checksum` the file's.
    public var steps: [AuditRecord.Step]
    /// The audit record written; nil for a dry-run or when nothing needed repair.
    public var auditID: Int?

    /// The JSON of SPEC §9: `steps` as `{revision, direction: "repair", message, sql: null,
    /// warnings: [], duration_ms, old_checksum, checksum}`.
    public func json(graph: RevisionGraph?) -> JSONValue {
        .object([
            "environment": .string(environment), "operation": .string("repair"), "dry_run": .bool(isDryRun),
            "from_heads": .strings(heads), "to_heads": .strings(heads),
            "steps": .array(steps.map { step in
                .object([
                    "revision": .string(step.revision), "direction": .string("repair"),
                    "message": .string(graph?.revisions[step.revision]?.message ?? ""), "sql": .null, "warnings": .strings([]),
                    "duration_ms": isDryRun ? .null : .int(step.durationMS), "old_checksum": .optional(step.oldChecksum),
                    "checksum": .string(step.checksum),
                ])
            }),
            "audit_id": .optional(auditID),
        ])
    }
}

/// A `repair` that cannot be done as asked (exit 2).
public enum RepairError: GodwitError, Hashable {
    /// Neither revisions nor `--all`, or both.
    case nothingNamed
    /// A named revision that is not applied in the environment.
    case notApplied(revision: String, environment: String)
    /// A named revision whose recorded checksum matches its file.
    case unchanged(revision: String, environment: String)

    public var exitCode: ExitStatus { .usage }

    public var revision: String? {
        switch self {
        case .nothingNamed: return nil
        case .notApplied(let revision, _), .unchanged(let revision, _): return revision
        }
    }

    public var environment: String? {
        switch self {
        case .nothingNamed: return nil
        case .notApplied(_, let environment), .unchanged(_, let environment): return environment
        }
    }

    public var message: String {
        switch self {
        case .nothingNamed:
            return "name the revisions to repair, or give --all for every applied revision whose file changed (not both)"
        case .notApplied(let revision, let environment):
            return "revision '\(revision)' is not applied in '\(environment)'; repair re-records only applied revisions (see 'godwit current -e \(environment)')"
        case .unchanged(let revision, let environment):
            return "revision '\(revision)' in '\(environment)' matches its file; there is nothing to repair (see 'godwit verify -e \(environment)')"
        }
    }
}
