import GodwitCore

// The JSON of the read commands on a fleet (SPEC §9-§10): the one-environment object plus
// `targets`, one object per target with its `target` and `error` (null when it was read).

extension FleetReads.Read {
    /// `json` (an object) with this target's `target` and `error` added.
    func marking(_ json: JSONValue) -> JSONValue {
        guard case .object(var members) = json else { return json }
        members["target"] = .string(target)
        members["error"] = .optional(error)
        return .object(members)
    }

    /// What was read, nil when the target could not be read.
    public var found: Value? { try? value.get() }
}

extension FleetReads {
    /// The union of lists, each item once, in first-seen order.
    static func union(_ lists: [[String]]) -> [String] {
        var seen = Set<String>()
        return lists.joined().filter { seen.insert($0).inserted }
    }

    /// `current --json` of a fleet: the fleet's lists are the union of its targets'.
    public static func currentJSON(_ reads: [Read<CurrentState>], environment: String) -> JSONValue {
        let states = reads.compactMap(\.found)
        let empty = JSONValue.object(["heads": .array([]), "applied": .array([]), "pending": .array([]), "failed": .array([])])
        return .object([
            "environment": .string(environment), "heads": .strings(union(states.map { $0.heads.map(\.id) })),
            "applied": .strings(union(states.map(\.applied))), "pending": .strings(union(states.map(\.pending))),
            "failed": .strings(union(states.map(\.failed))),
            "targets": .array(reads.map { read in
                guard case .object(var members) = read.marking(read.found?.json ?? empty) else { return .null }
                members["environment"] = .string(environment)
                return .object(members)
            }),
        ])
    }

    /// `verify --json` of a fleet: every target's problems, each with its `target`.
    public static func verifyJSON(_ reads: [Read<CheckReport>]) -> JSONValue {
        .object([
            "ok": .bool(reads.allSatisfy { $0.found?.isOK == true }),
            "problems": .array(reads.flatMap { read in (read.found?.problems ?? []).map { read.marking($0.json) } }),
            "targets": .array(reads.map { read in read.marking(read.found?.json ?? .object(["ok": .bool(false), "problems": .array([])])) }),
        ])
    }

    /// `wait --json` of a fleet that got there: the union of the heads, and each target's.
    public static func waitJSON(_ reads: [Read<[String]>], environment: String) -> JSONValue {
        .object([
            "environment": .string(environment), "reached": .bool(true), "heads": .strings(union(reads.map { $0.found ?? [] })),
            "targets": .array(reads.map { read in read.marking(.object(["heads": .strings(read.found ?? [])])) }),
        ])
    }

    /// `audit verify --json` of a fleet: `ok`, `records` of all targets, the first bad target's
    /// `first_bad_id`, and `targets` of `{target, ok, records, first_bad_id, error}`.
    public static func auditVerifyJSON(_ reads: [Read<AuditVerification>]) -> JSONValue {
        let verifications = reads.compactMap(\.found)
        return .object([
            "ok": .bool(reads.allSatisfy { $0.found?.isOK == true }), "records": .int(verifications.map(\.records).reduce(0, +)),
            "first_bad_id": .optional(verifications.lazy.compactMap(\.firstBadID).first),
            "targets": .array(reads.map { read in
                read.marking(.object([
                    "ok": .bool(read.found?.isOK ?? false), "records": .optional(read.found?.records),
                    "first_bad_id": .optional(read.found?.firstBadID),
                ]))
            }),
        ])
    }

    /// `diff FLEET --expected --json`: every target's changes, each with its `target`.
    public static func driftJSON(_ reads: [Read<[SchemaDifference]>]) -> JSONValue {
        .object([
            "ok": .bool(reads.allSatisfy { $0.found?.isEmpty == true }),
            "changes": .array(reads.flatMap { read in (read.found ?? []).map { read.marking($0.json) } }),
            "targets": .array(reads.map { read in read.marking(CommandJSON.diff(read.found ?? [])) }),
        ])
    }

    /// `audit` of a fleet: the records of every target read, each marked with its target, newest
    /// first, the `limit` newest of all.
    public static func records(_ reads: [Read<[AuditRecord]>], limit: Int?) -> [AuditRecord] {
        var records = reads.flatMap { read in
            (read.found ?? []).map { record in
                var record = record
                record.target = read.target
                return record
            }
        }
        records.sort { ($0.startedAt, $0.id, $0.target ?? "") > ($1.startedAt, $1.id, $1.target ?? "") }
        return limit.map { Array(records.prefix($0)) } ?? records
    }
}
