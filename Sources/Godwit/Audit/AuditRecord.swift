import Foundation
import GodwitCore

/// One audit record (SPEC §4): an operation that changed or tried to change an environment.
public struct AuditRecord: Sendable, Equatable {
    /// One revision moved by the operation.
    public struct Step: Sendable, Equatable {
        public var revision: String
        /// Upgrade or downgrade; a repair's steps (`old_checksum` set) are written `repair`.
        public var direction: Direction
        public var checksum: String
        public var durationMS: Int
        /// The checksum recorded before a `repair` re-recorded it as `checksum`; nil for other steps.
        public var oldChecksum: String?

        /// Creates a step.
        public init(revision: String, direction: Direction, checksum: String, durationMS: Int) {
            self.revision = revision
            self.direction = direction
            self.checksum = checksum
            self.durationMS = durationMS
        }

        /// Creates a step of `repair`: `revision`'s recorded checksum `old` replaced by `new`.
        public init(repairing revision: String, from old: String, to new: String) {
            self.init(revision: revision, direction: .upgrade, checksum: new, durationMS: 0)
            oldChecksum = old
        }

        /// The direction as written in the record: `upgrade`, `downgrade` or `repair`.
        public var directionName: String { oldChecksum == nil ? direction.rawValue : "repair" }

        var json: JSONValue {
            var members: [String: JSONValue] = [
                "revision": .string(revision), "direction": .string(directionName), "checksum": .string(checksum),
                "duration_ms": .int(durationMS),
            ]
            if let oldChecksum { members["old_checksum"] = .string(oldChecksum) }
            return .object(members)
        }

        init?(json: JSONValue) {
            guard let revision = json["revision"]?.stringValue, let name = json["direction"]?.stringValue,
                let checksum = json["checksum"]?.stringValue, let duration = json["duration_ms"]?.intValue
            else { return nil }
            if name == "repair" {
                guard let old = json["old_checksum"]?.stringValue else { return nil }
                self.init(repairing: revision, from: old, to: checksum)
                durationMS = duration
                return
            }
            guard let direction = Direction(rawValue: name) else { return nil }
            self.init(revision: revision, direction: direction, checksum: checksum, durationMS: duration)
        }
    }

    public var id: Int
    public var environment: String
    public var operation: String
    public var startedAt: String
    public var finishedAt: String?
    public var durationMS: Int?
    /// `succeeded` or `failed`; nil while the operation runs.
    public var outcome: String?
    public var error: String?
    public var fromHeads: [String]
    public var toHeads: [String]?
    public var steps: [Step]
    public var actor: String
    public var host: String
    public var toolVersion: String
    public var gitCommit: String?
    public var reason: String?
    /// The variables the operation's SQL used (SPEC §11), secret ones' values as `***`.
    public var variables: [String: String]
    public var prevHash: String?
    public var hash: String?
    /// The target of a fleet whose audit table the record was read from (SPEC §10), set by the
    /// reader; nil for an environment of one database. In the JSON only when set, and never one
    /// of the hashed fields: the record as stored, and its hash, are the same either way.
    public var target: String?

    /// Creates a record.
    public init(
        id: Int, environment: String, operation: String, startedAt: String, finishedAt: String? = nil,
        durationMS: Int? = nil, outcome: String? = nil, error: String? = nil, fromHeads: [String], toHeads: [String]? = nil,
        steps: [Step] = [], actor: String, host: String, toolVersion: String, gitCommit: String?, reason: String?,
        prevHash: String? = nil, hash: String? = nil, variables: [String: String] = [:]
    ) {
        self.variables = variables
        self.id = id
        self.environment = environment
        self.operation = operation
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMS = durationMS
        self.outcome = outcome
        self.error = error
        self.fromHeads = fromHeads
        self.toHeads = toHeads
        self.steps = steps
        self.actor = actor
        self.host = host
        self.toolVersion = toolVersion
        self.gitCommit = gitCommit
        self.reason = reason
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The record as JSON, with every field of SPEC §4 (the keys of `godwit audit --json`).
    public var json: JSONValue {
        var members = hashedFields
        members["hash"] = .optional(hash)
        if let target { members["target"] = .string(target) }
        return .object(members)
    }

    /// Every field but `hash`; `variables` only when there are some, so that the records written
    /// before it existed hash as they did.
    var hashedFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "id": .int(id), "environment": .string(environment), "operation": .string(operation),
            "started_at": .string(startedAt), "finished_at": .optional(finishedAt), "duration_ms": .optional(durationMS),
            "outcome": .optional(outcome), "error": .optional(error), "from_heads": .strings(fromHeads),
            "to_heads": toHeads.map { .strings($0) } ?? .null, "steps": .array(steps.map(\.json)),
            "actor": .string(actor), "host": .string(host), "tool_version": .string(toolVersion),
            "git_commit": .optional(gitCommit), "reason": .optional(reason), "prev_hash": .optional(prevHash),
        ]
        if !variables.isEmpty { fields["variables"] = .object(variables.mapValues { .string($0) }) }
        return fields
    }

    /// The canonical JSON the hash covers: every field but `hash`, `prev_hash` included,
    /// keys sorted, no white space.
    public var canonicalJSON: String { JSONValue.object(hashedFields).canonical }

    /// SHA-256 of `canonicalJSON`, lowercase hex.
    public var computedHash: String { Checksum.sha256(canonicalJSON) }

    /// The hash the record is sealed with: HMAC-SHA256 of `canonicalJSON` under `key`, else SHA-256.
    public func computedHash(key: AuditKey?) -> String {
        key.map { $0.mac(canonicalJSON) } ?? computedHash
    }

    /// The fields a run knows when it opens its record, as canonical JSON (`id` included unless
    /// `withID` is false: an offline script's id is the database's).
    func openingJSON(withID: Bool = true) -> String {
        var fields = hashedFields.filter { Self.openingKeys.contains($0.key) }
        if !withID { fields["id"] = nil }
        return JSONValue.object(fields).canonical
    }

    /// The keys of the opening fields.
    static let openingKeys: Set<String> = [
        "id", "environment", "operation", "started_at", "from_heads", "actor", "host", "tool_version", "git_commit", "reason",
    ]

    /// True when `opening` (a line of the log with `hash` null) is this record's opening: the
    /// same opening fields, and the same id unless the line has none (an offline script's).
    func isOpened(by opening: AuditRecord, idKnown: Bool) -> Bool {
        (!idKnown || opening.id == id) && opening.openingJSON(withID: false) == openingJSON(withID: false)
    }

    /// Reads a record from `json` (a line of the JSONL sink or an element of `audit --json`).
    public init?(json: JSONValue) {
        guard let id = json["id"]?.intValue, let environment = json["environment"]?.stringValue,
            let operation = json["operation"]?.stringValue, let startedAt = json["started_at"]?.stringValue
        else { return nil }
        self.init(
            id: id, environment: environment, operation: operation, startedAt: startedAt,
            finishedAt: json["finished_at"]?.stringValue, durationMS: json["duration_ms"]?.intValue,
            outcome: json["outcome"]?.stringValue, error: json["error"]?.stringValue,
            fromHeads: json["from_heads"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            toHeads: json["to_heads"]?.arrayValue?.compactMap(\.stringValue),
            steps: json["steps"]?.arrayValue?.compactMap(Step.init(json:)) ?? [],
            actor: json["actor"]?.stringValue ?? "", host: json["host"]?.stringValue ?? "",
            toolVersion: json["tool_version"]?.stringValue ?? "", gitCommit: json["git_commit"]?.stringValue,
            reason: json["reason"]?.stringValue, prevHash: json["prev_hash"]?.stringValue, hash: json["hash"]?.stringValue,
            variables: Self.variables(from: json["variables"]))
        target = json["target"]?.stringValue
    }

    /// The `variables` object of a record's JSON (empty when absent).
    static func variables(from json: JSONValue?) -> [String: String] {
        guard case .object(let members)? = json else { return [:] }
        return members.compactMapValues(\.stringValue)
    }

    /// The current time as ISO 8601 UTC with milliseconds (`2026-11-25T20:12:19.392Z`).
    public static func timestamp(_ date: Date = Date()) -> String {
        Timestamp.iso8601(date)
    }
}
