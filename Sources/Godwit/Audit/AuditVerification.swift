import Foundation
import GodwitCore

/// One thing `audit verify` found in the audit table or the JSON Lines log.
public struct AuditProblem: Sendable, Equatable {
    /// What is wrong.
    public enum Kind: String, Sendable {
        /// A record's `hash` does not match its contents: a field was edited after it was sealed.
        case edited
        /// A record's `prev_hash` names another record than the one before it: rows were reordered.
        case reordered
        /// Ids are missing: records were deleted.
        case missing
        /// A record's `prev_hash` is not the hash of the record before it, for no reason found.
        case brokenLink = "broken_link"
        /// A record has no hash yet.
        case unsealed
        /// A record of the table is not in the log.
        case notInLog = "not_in_log"
        /// A record of the log is not in the table.
        case notInTable = "not_in_table"
        /// The table and the log hold different records under one id.
        case differs
        /// A line of the log is not an audit record.
        case corrupt
        /// A record no run of Godwit opened: no state row names it and nothing attests its opening
        /// (written into the table by hand); it is never sealed nor copied to the log.
        case unattributed
        /// A state row names an audit record that is not there, or one that does not list the
        /// revision: audit records were deleted (the table wiped and its chain restarted).
        case orphanedState = "orphaned_state"
        /// The anchor of a keyed chain (`<prefix>audit_head`) does not match the table: its newest
        /// records were deleted or rewritten, or the anchor itself was edited or removed.
        case anchor
        /// The chain is keyed and no key is set here: it cannot be checked.
        case keyed
    }

    /// What is wrong.
    public var kind: Kind
    /// The id of the record concerned, when known.
    public var id: Int?
    /// The line of the log, for a problem found there (path relative to the project root).
    public var location: SourceLocation?
    /// What is wrong and what to do, for people.
    public var message: String

    /// Creates a problem.
    public init(kind: Kind, id: Int?, location: SourceLocation? = nil, message: String) {
        self.kind = kind
        self.id = id
        self.location = location
        self.message = message
    }

    /// `{"kind", "id", "file", "line", "message"}`.
    public var json: JSONValue {
        .object([
            "kind": .string(kind.rawValue), "id": .optional(id), "file": .optional(location?.file),
            "line": .optional(location?.line), "message": .string(message),
        ])
    }
}

/// The outcome of `audit verify` for one environment: ok, or the problems found (exit 3).
public struct AuditVerification: Sendable {
    /// The environment.
    public var environment: String
    /// How many records the audit table holds.
    public var records: Int
    /// The JSON Lines log checked as well (path relative to the project root), when `audit_log:` is set.
    public var logPath: String?
    /// What was found, by record id (the table's findings before the log's for one id); empty when all is well.
    public var problems: [AuditProblem]
    /// What was not checked, and why (an `audit_log:` file absent on this machine): not findings.
    public var notes: [String] = []

    /// True when nothing was found.
    public var isOK: Bool { problems.isEmpty }

    /// The lowest record id a problem is about; nil when all is well.
    public var firstBadID: Int? { problems.compactMap(\.id).min() }

    /// The JSON of SPEC §9, `{"ok", "records", "first_bad_id"}`, plus `environment`, `audit_log`
    /// and `problems`.
    public var json: JSONValue {
        .object([
            "ok": .bool(isOK), "records": .int(records), "first_bad_id": .optional(firstBadID),
            "environment": .string(environment), "audit_log": .optional(logPath),
            "problems": .array(problems.map(\.json)), "notes": .strings(notes),
        ])
    }
}
