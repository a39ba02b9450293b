import GodwitCore

/// What an upgrade, downgrade, promote or stamp did or would do (the JSON of SPEC §9).
public struct OperationResult: Sendable {
    /// One step as reported.
    public struct Step: Sendable {
        public var revision: String
        public var direction: Direction
        public var message: String
        /// The SQL the step runs (nil for a stamp).
        public var sql: String?
        public var warnings: [String]
        /// How long it took; nil in a dry-run.
        public var durationMS: Int?
        /// False when the revision has no downgrade section.
        public var isReversible: Bool
        /// True unless the revision runs outside a transaction.
        public var isTransactional: Bool
        /// The lock_timeout and statement_timeout that apply to the step (PostgreSQL).
        public var lockTimeout: TimeoutValue?
        public var statementTimeout: TimeoutValue?
    }

    /// A step of the plan that `--rehearse` did not run, and why.
    public struct NotRehearsed: Sendable {
        public var revision: String
        public var direction: Direction
        public var reason: String
    }

    public var environment: String
    public var operation: Plan.Operation
    public var isDryRun: Bool
    public var fromHeads: [String]
    public var toHeads: [String]
    public var steps: [Step]
    public var auditID: Int?
    /// The lock that applies (or would apply), described for people.
    public var lockDescription: String
    /// True when the whole plan runs in one transaction.
    public var isAtomic: Bool
    /// The after_upgrade hook that runs (or would run), relative path.
    public var hook: String?
    /// The recorded revisions `stamp --purge` forgot (or would forget) without recording them again.
    public var purged: [String] = []
    /// Steps' time when rehearsed.
    public var isRehearsal: Bool = false
    /// The steps a rehearsal did not run: a non-transactional revision and those after it.
    public var notRehearsed: [NotRehearsed] = []

    /// The result as the JSON of SPEC §9.
    public var json: JSONValue {
        .object([
            "environment": .string(environment), "operation": .string(operation.rawValue), "dry_run": .bool(isDryRun),
            "from_heads": .strings(fromHeads), "to_heads": .strings(toHeads),
            "steps": .array(steps.map { step in
                .object([
                    "revision": .string(step.revision), "direction": .string(step.direction.rawValue),
                    "message": .string(step.message), "sql": .optional(step.sql), "warnings": .strings(step.warnings),
                    "duration_ms": .optional(step.durationMS), "transactional": .bool(step.isTransactional),
                    "reversible": .bool(step.isReversible),
                ])
            }),
            "audit_id": .optional(auditID),
        ].merging(extraJSON) { first, _ in first })
    }

    /// Keys only some results have: `purged` (a stamp with `--purge` that forgets something) and
    /// `not_rehearsed` (a rehearsal).
    var extraJSON: [String: JSONValue] {
        var extra: [String: JSONValue] = [:]
        if !purged.isEmpty { extra["purged"] = .strings(purged) }
        if isRehearsal {
            extra["not_rehearsed"] = .array(notRehearsed.map { step in
                .object(["revision": .string(step.revision), "direction": .string(step.direction.rawValue), "reason": .string(step.reason)])
            })
        }
        return extra
    }
}
