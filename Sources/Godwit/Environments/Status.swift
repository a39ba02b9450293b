import Foundation
import GodwitCore

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

    /// The JSON of SPEC §9.
    public var json: JSONValue {
        .object([
            "name": .string(name), "url": .optional(url), "reachable": .bool(isReachable), "error": .optional(error),
            "heads": .strings(heads), "pending": .strings(pending), "failed": .strings(failed),
            "checksum_mismatches": .strings(checksumMismatches), "lock_holder": .optional(lockHolder),
            "last_audit": lastAudit?.json ?? .null, "schema_fingerprint": .optional(schemaFingerprint),
            "protected": .bool(isProtected),
        ])
    }
}

extension Workspace {
    /// Reads every environment at once, each with a connect timeout: promotion order, then the
    /// others by name. An unreachable environment is reported, never thrown.
    /// - Throws: `RevisionFileError` or `GraphError` for a bad revision graph only.
    public func status(connectTimeout: Int = 5) throws -> [EnvironmentStatus] {
        let graph = try graph()
        let environments = project.orderedEnvironments
        let results = StatusBox(count: environments.count)
        // One thread per environment: the reads block on the network, so they must not queue
        // behind the machine's core count (concurrentPerform would run only two at once here).
        let group = DispatchGroup()
        for (index, environment) in environments.enumerated() {
            group.enter()
            Thread.detachNewThread {
                results.set(index, self.status(of: environment, graph: graph, connectTimeout: connectTimeout))
                group.leave()
            }
        }
        group.wait()
        return results.values
    }

    /// Reads one environment's status; failures become `isReachable == false` with the error.
    public func status(of environment: Environment, graph: RevisionGraph, connectTimeout: Int = 5) -> EnvironmentStatus {
        var result = EnvironmentStatus(
            name: environment.name, url: (try? url(of: environment))?.description, isProtected: environment.isProtected,
            isReachable: false, error: nil, heads: [], pending: [], failed: [], checksumMismatches: [], unknown: [],
            lockHolder: nil, lastAudit: nil, schemaFingerprint: nil)
        do {
            let connection = try connect(environment, readOnly: true, connectTimeout: connectTimeout)
            defer { connection.close() }
            try withReadTransaction(connection, environment: environment) {
                let store = store(for: connection)
                let rows = try store.readRevisions(on: connection)
                let state = StateReport(graph: graph, rows: rows)
                result.heads = state.heads
                result.pending = state.pending
                result.failed = state.failed
                result.checksumMismatches = state.checksumMismatches
                result.unknown = state.unknown
                result.lockHolder = try connection.lockHolder(lockRequest(for: environment))
                result.lastAudit = try store.newestAuditRecord(on: connection)
                // A schema the reader cannot read leaves the fingerprint empty, not the environment unreachable.
                result.schemaFingerprint = try? SchemaFingerprint.of(connection, schema: environment.schema, prefix: project.tablePrefix)
            }
            result.isReachable = true
        } catch let error as GodwitError {
            result.error = error.message
        } catch {
            result.error = "\(error)"
        }
        return result
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

    /// Compares recorded rows with the graph.
    public init(graph: RevisionGraph, rows: [AppliedRevision]) {
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

final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [EnvironmentStatus?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: EnvironmentStatus) {
        lock.lock()
        items[index] = value
        lock.unlock()
    }
    var values: [EnvironmentStatus] {
        lock.lock()
        defer { lock.unlock() }
        return items.compactMap { $0 }
    }
}

/// A short hash of a live schema: what `status` shows to tell environments apart at a glance.
public enum SchemaFingerprint {
    /// The first 12 hex characters of SHA-256 over the canonical description of the schema model
    /// (`Schema.fingerprint`), Godwit's own tables left out: equal fingerprints, equal schemas as
    /// `diff` compares them.
    /// - Throws: `DatabaseError`; `ConfigurationError` when the driver cannot read schemas.
    public static func of(_ connection: any DriverConnection, schema: String?, prefix: String) throws -> String {
        try Workspace.readSchema(connection, schema: schema, prefix: prefix).fingerprint
    }
}
