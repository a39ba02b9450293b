import GodwitCore

/// What a change of a fleet did (or, in a dry-run, would do) to each target (SPEC §10).
public struct FleetResult: Sendable {
    /// What happened to one target.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Revisions were applied (in a dry-run: would be).
        case succeeded
        /// The target was already at the plan's target.
        case unchanged
        /// The target could not be reached, its SQL failed, or its lock was not had in time.
        case failed
        /// The target was not started: a canary or (with `on_error: stop`) another target failed, or a signal came.
        case skipped
    }

    /// One target's result.
    public struct Target: Sendable {
        /// The target's name.
        public var name: String
        /// What happened.
        public var outcome: Outcome
        /// The heads before, when the target was read.
        public var fromHeads: [String]?
        /// The heads after (in a dry-run: the heads it would reach), when known.
        public var toHeads: [String]?
        /// How many revisions were (or would be) applied.
        public var stepCount: Int = 0
        /// Why it failed: the error as shown to people, password redacted.
        public var error: String?
        /// True when it failed only because its migration lock was not had in time.
        public var isLockTimeout: Bool = false
        /// The id of the audit record written, when one was.
        public var auditID: Int?
        /// How long the target took.
        public var durationMS: Int?
        /// For `adopt`: each version the target's tool table records, and its revision (nil for
        /// the other operations, and when the table could not be read or mapped).
        public var mapping: [AdoptionRecord]?
    }

    /// The fleet's name.
    public var environment: String
    /// The operation.
    public var operation: Plan.Operation
    /// True for `--dry-run`.
    public var isDryRun: Bool
    /// True for `--rehearse`: each target's steps ran in a transaction that was rolled back.
    public var isRehearsal: Bool = false
    /// How many targets the fleet has in all (the run may take fewer).
    public var fleetSize: Int
    /// The targets the run took, canary first, then in the fleet's order.
    public var targets: [Target]
    /// The signal that stopped the run, when one did.
    public var interruption: Int32?

    /// What a succeeded target had done to it, for people: `upgraded`, `downgraded`, `stamped`,
    /// `promoted`, `rehearsed`.
    public var verb: String { Self.verb(of: operation, isRehearsal: isRehearsal) }

    /// What `operation` (or its rehearsal) does to a target, for people: `upgraded`, `rehearsed`.
    public static func verb(of operation: Plan.Operation, isRehearsal: Bool = false) -> String {
        if isRehearsal { return "rehearsed" }
        return operation.rawValue.hasSuffix("e") ? operation.rawValue + "d" : operation.rawValue + "ed"
    }

    /// How many targets had `outcome`.
    public func count(_ outcome: Outcome) -> Int { targets.filter { $0.outcome == outcome }.count }

    /// The names of the targets that failed.
    public var failedNames: [String] { targets.filter { $0.outcome == .failed }.map(\.name) }

    /// How the run ends (SPEC §10): nil for success, `.failed` when any target failed other than on
    /// its lock, `.lockTimeout` when some timed out on their lock and none failed otherwise.
    public var exitStatus: ExitStatus? {
        let failed = targets.filter { $0.outcome == .failed }
        if failed.contains(where: { !$0.isLockTimeout }) { return .failed }
        return failed.isEmpty ? nil : .lockTimeout
    }

    /// The heads every target that is (or would be) at the plan's target has.
    var reachedHeads: [String] {
        targets.first { $0.outcome == .succeeded || $0.outcome == .unchanged }?.toHeads ?? []
    }

    /// The result as the JSON of SPEC §9-§10: the change object with `targets` and `summary`.
    public var json: JSONValue {
        .object([
            "environment": .string(environment), "operation": .string(operation.rawValue), "dry_run": .bool(isDryRun),
            "from_heads": .null, "to_heads": .strings(reachedHeads), "steps": .array([]), "audit_id": .null,
            "targets": .array(targets.map { target in
                var object: [String: JSONValue] = [
                    "target": .string(target.name), "outcome": .string(target.outcome.rawValue),
                    "from_heads": target.fromHeads.map(JSONValue.strings) ?? .null,
                    "to_heads": target.toHeads.map(JSONValue.strings) ?? .null,
                    "error": .optional(target.error), "audit_id": .optional(target.auditID), "duration_ms": .optional(target.durationMS),
                ]
                if let mapping = target.mapping { object["mapping"] = AdoptionRecord.json(mapping) }
                return .object(object)
            }),
            "summary": .object(Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, JSONValue.int(count($0))) })),
        ])
    }
}
