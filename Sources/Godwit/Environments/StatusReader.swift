import Foundation
import GodwitCore
import Synchronization

/// Reads where environments stand: `status` (every environment at once) and `current`.
public struct StatusReader: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates a reader.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// Reads every environment at once, each with a connect timeout: promotion order, then the
    /// others by name. An unreachable environment is reported, never thrown.
    /// - Throws: `RevisionFileError` or `GraphError` for a bad revision graph only.
    public func status(connectTimeout: Int = 5) throws -> [EnvironmentStatus] {
        let graph = try workspace.graph()
        _ = try workspace.repeatables()
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

    /// Reads one environment's status (a fleet's with its targets); failures become `isReachable == false` with the error.
    public func status(of environment: Environment, graph: RevisionGraph, connectTimeout: Int = 5) -> EnvironmentStatus {
        if environment.isFleet { return fleetStatus(of: environment, graph: graph, connectTimeout: connectTimeout) }
        var result = EnvironmentStatus(
            name: environment.name, url: (try? workspace.url(of: environment))?.description, isProtected: environment.isProtected,
            isReachable: false, error: nil, heads: [], pending: [], failed: [], checksumMismatches: [], unknown: [],
            lockHolder: nil, lastAudit: nil, schemaFingerprint: nil)
        do {
            let connection = try workspace.connect(environment, readOnly: true, connectTimeout: connectTimeout)
            defer { connection.close() }
            try workspace.withReadTransaction(connection, environment: environment) {
                let store = StateStore(for: connection, project: project)
                let rows = try store.readRevisions(on: connection)
                let state = StateReport(
                    graph: graph, rows: rows, repeatables: (try? workspace.repeatables()) ?? [], recorded: try store.readRepeatables(on: connection))
                result.heads = state.heads
                result.pending = state.pending + state.changedRepeatables
                result.failed = state.failed
                result.checksumMismatches = state.checksumMismatches
                result.unknown = state.unknown
                result.lockHolder = try connection.lockHolder(environment.lockRequest(tablePrefix: project.tablePrefix, holder: workspace.holder))
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

    /// Reads where an environment stands.
    /// - Throws: `DatabaseError` when unreachable; `GraphError`/`RevisionFileError` for bad revisions.
    public func current(of environment: Environment) throws -> CurrentState {
        let graph = try workspace.graph()
        let rows = try workspace.readState(of: environment)
        let state = StateReport(
            graph: graph, rows: rows, repeatables: try workspace.repeatables(), recorded: try workspace.readRepeatables(of: environment))
        var current = CurrentState(
            environment: environment.name,
            heads: state.heads.map { ($0, graph.heads.contains($0)) },
            applied: rows.filter { !$0.isFailed }.map(\.revision), pending: state.pending + state.changedRepeatables, failed: state.failed)
        current.changedRepeatables = state.changedRepeatables
        return current
    }
}

/// The statuses the reading threads fill in, each at its environment's index.
final class StatusBox: Sendable {
    private let items: Mutex<[EnvironmentStatus?]>
    init(count: Int) { items = Mutex(Array(repeating: nil, count: count)) }
    func set(_ index: Int, _ value: EnvironmentStatus) {
        items.withLock { $0[index] = value }
    }
    var values: [EnvironmentStatus] {
        items.withLock { $0.compactMap { $0 } }
    }
}
