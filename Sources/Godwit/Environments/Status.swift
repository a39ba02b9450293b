import Foundation
import GodwitCore

/// Where one environment stands (`godwit current`).
public struct CurrentState: Sendable {
    public var environment: String
    /// The environment's heads, and whether each is a head of the graph.
    public var heads: [(id: String, isGraphHead: Bool)]
    /// Applied revisions in the order they were applied.
    public var applied: [String]
    /// Revisions of the graph not applied, parents first, then the changed repeatables (`repeatable/<name>`).
    public var pending: [String]
    /// Revisions recorded as failed.
    public var failed: [String]
    /// The repeatables of `pending` (`repeatable/<name>`): changed or never run (SPEC §11).
    public var changedRepeatables: [String] = []

    /// The JSON of SPEC §9.
    public var json: JSONValue {
        .object([
            "environment": .string(environment), "heads": .strings(heads.map(\.id)), "applied": .strings(applied),
            "pending": .strings(pending), "failed": .strings(failed),
        ])
    }
}

/// Where one environment stands, as `status` shows it (SPEC §5, §9).
public struct EnvironmentStatus: Sendable {
    public var name: String
    /// The URL, redacted; nil when it cannot be expanded.
    public var url: String?
    public var isProtected: Bool
    public var isReachable: Bool
    /// Why the environment could not be read.
    public var error: String?
    public var heads: [String]
    public var pending: [String]
    public var failed: [String]
    /// Applied revisions whose recorded checksum differs from the file's.
    public var checksumMismatches: [String]
    /// Applied revisions that have no file.
    public var unknown: [String]
    /// Who holds the migration lock now.
    public var lockHolder: String?
    /// The newest audit record.
    public var lastAudit: AuditRecord?
    /// A short hash of the live schema (Godwit's tables left out).
    public var schemaFingerprint: String?
    /// For a fleet: one status per target, `name` the target's (SPEC §10); nil for one database.
    public var targets: [EnvironmentStatus]? = nil

    /// The JSON of SPEC §9 (a fleet's with `targets`).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "url": .optional(url), "reachable": .bool(isReachable), "error": .optional(error),
            "heads": .strings(heads), "pending": .strings(pending), "failed": .strings(failed),
            "checksum_mismatches": .strings(checksumMismatches), "lock_holder": .optional(lockHolder),
            "last_audit": lastAudit?.json ?? .null, "schema_fingerprint": .optional(schemaFingerprint),
            "protected": .bool(isProtected),
        ]
        if let targets { object["targets"] = .array(targets.map(\.json)) }
        return .object(object)
    }
}

/// What an environment's recorded rows say against the graph: the facts `status`, `check`,
/// `verify` and `current` are made of.
public struct StateReport: Sendable {
    /// The environment's heads.
    public var heads: [String]
    /// Graph revisions not recorded, parents first.
    public var pending: [String]
    /// Revisions recorded as failed.
    public var failed: [String]
    /// Applied revisions whose recorded checksum differs from the file's.
    public var checksumMismatches: [String]
    /// Recorded revisions with no file.
    public var unknown: [String]
    /// Repeatables whose file's checksum differs from the one recorded, or that never ran (`repeatable/<name>`).
    public var changedRepeatables: [String]

    /// Compares recorded rows with the graph, and the repeatables' recorded checksums (by id) with their files.
    public init(graph: RevisionGraph, rows: [AppliedRevision], repeatables: [Repeatable] = [], recorded: [String: String] = [:]) {
        changedRepeatables = Planner.changed(repeatables, recorded: recorded).map(\.id)
        let applied = Set(rows.filter { !$0.isFailed }.map(\.revision))
        let recorded = Set(rows.map(\.revision))
        heads = graph.heads(ofApplied: applied) + rows.filter { !$0.isFailed && graph.revisions[$0.revision] == nil }.map(\.revision)
        pending = graph.order.filter { !recorded.contains($0) }
        failed = rows.filter(\.isFailed).map(\.revision)
        checksumMismatches = rows.filter { row in
            graph.revisions[row.revision].map { $0.checksum != row.checksum } ?? false
        }.map(\.revision)
        unknown = rows.filter { graph.revisions[$0.revision] == nil }.map(\.revision)
    }
}

/// A short hash of a live schema: what `status` shows to tell environments apart at a glance.
public enum SchemaFingerprint {
    /// The first 12 hex characters of SHA-256 over the canonical description of the schema model
    /// (`Schema.fingerprint`), Godwit's own tables left out: equal fingerprints, equal schemas as
    /// `diff` compares them.
    /// - Throws: `DatabaseError`; `ConfigurationError` when the driver cannot read schemas.
    public static func of(_ connection: any DriverConnection, schema: String?, prefix: String) throws -> String {
        try connection.readSchema(schema: schema, excludingPrefix: prefix).fingerprint
    }
}
