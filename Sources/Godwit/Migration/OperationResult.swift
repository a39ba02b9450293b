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
    /// Steps' time when rehearsed.
    public var isRehearsal: Bool = false

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
        ])
    }
}
