import Foundation
import GodwitCore

/// The tools whose state `adopt` reads, each with its state table.
public enum AdoptionFormat: String, CaseIterable, Sendable {
    /// Flyway: `flyway_schema_history`.
    case flyway
    /// golang-migrate: `schema_migrations(version, dirty)`.
    case golangMigrate = "golang-migrate"
    /// goose: `goose_db_version`.
    case goose
    /// dbmate: `schema_migrations(version)`.
    case dbmate
    /// Alembic: `alembic_version`.
    case alembic

    /// The table the tool records its state in.
    public var table: String {
        switch self {
        case .flyway: return "flyway_schema_history"
        case .golangMigrate, .dbmate: return "schema_migrations"
        case .goose: return "goose_db_version"
        case .alembic: return "alembic_version"
        }
    }
}

/// One version the tool records, and the revision it is.
public struct AdoptionRecord: Sendable, Equatable {
    /// The version as the tool's table writes it.
    public var version: String
    /// The Godwit revision id.
    public var revision: String

    /// Creates a record.
    public init(version: String, revision: String) {
        self.version = version
        self.revision = revision
    }

    /// A mapping as JSON: `[{"version", "revision"}]`.
    public static func json(_ mapping: [AdoptionRecord]) -> JSONValue {
        .array(mapping.map { .object(["version": .string($0.version), "revision": .string($0.revision)]) })
    }
}

/// What `adopt` did or would do: the mapping read from the tool's table and the stamp.
public struct AdoptionResult: Sendable {
    /// The tool.
    public var format: AdoptionFormat
    /// Each version the tool records as applied, and its revision.
    public var mapping: [AdoptionRecord]
    /// The stamp, audited as `adopt`.
    public var operation: OperationResult

    /// The JSON of a change (SPEC §9) with `format` and `mapping` (`[{"version", "revision"}]`).
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        if case .object(let object) = operation.json { members = object }
        members["format"] = .string(format.rawValue)
        members["mapping"] = AdoptionRecord.json(mapping)
        return .object(members)
    }
}

/// Reads another tool's state table in an environment's database and records what it says was
/// applied as applied in Godwit's tables, through the stamp path, audited as `adopt` (SPEC §12).
public struct Adopter {
    /// The workspace.
    public let workspace: Workspace
    /// The environment to adopt.
    public let environment: Environment

    /// Creates an adopter.
    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    /// Reads the tool's table of one database, maps it onto `versions/`, and stamps (or, with
    /// `isDryRun`, plans) it. A fleet goes through `FleetRunner` with `targetRequest(_:workspace:)`.
    /// - Throws: `FleetError.notSupported` for a fleet; `AdoptionError` (exit 5) for a missing table,
    ///   existing Godwit state, a failed or dirty record, an unknown version or a gap; what
    ///   `Migrator.run` throws (a protected environment without confirmation, the promotion gate,
    ///   the lock); `DatabaseError` when the table cannot be read.
    public func run(_ format: AdoptionFormat, isDryRun: Bool, isConfirmed: Bool, reason: String?) throws -> AdoptionResult {
        if environment.isFleet {
            throw FleetError(.notSupported(environment: environment.name, command: "adopt"), environment: environment.name)
        }
        let graph = try workspace.graph()
        let (recorded, rows) = try readTable(format)
        if !recorded.isEmpty { throw AdoptionError.hasGodwitState(environment: environment.name, count: recorded.count) }
        guard let rows else { throw AdoptionError.noStateTable(table: format.table, environment: environment.name) }
        let (mapping, heads) = try Self.map(rows, format: format, graph: graph, environment: environment.name)
        var request = Self.request(isDryRun: isDryRun, isConfirmed: isConfirmed, reason: reason)
        request.kind = .stamp(.revisions(heads), purge: false)
        let result = try Migrator(workspace: workspace, environment: environment).run(request)
        return AdoptionResult(format: format, mapping: mapping, operation: result)
    }

    /// The request of an `adopt` run, audited as `adopt`: a stamp whose heads each database's
    /// tool table gives (here none; `targetRequest` fills them in per target of a fleet).
    public static func request(isDryRun: Bool, isConfirmed: Bool, reason: String?) -> ChangeRequest {
        var request = ChangeRequest(.stamp(.revisions([]), purge: false))
        request.operationName = .adopt
        request.isDryRun = isDryRun
        request.isConfirmed = isConfirmed
        request.reason = reason
        return request
    }

    /// `adopt` on a fleet, for `FleetRunner(perTarget:)`: each target's own tool table read and
    /// mapped, the run's request made a stamp to that target's heads, its mapping noted on the
    /// target. A target whose Godwit state already has every revision its table records applied
    /// is left as it is (`unchanged`: a rerun of the fleet); one with other Godwit state fails.
    /// What it throws (an `AdoptionError`, a `DatabaseError`) is that target's failure.
    public static func targetRequest(_ format: AdoptionFormat, workspace: Workspace) -> FleetRunner.TargetRequest {
        { request, member, target in
            let environment = member.environment
            let graph = try workspace.graph()
            let (recorded, rows) = try Adopter(workspace: workspace, environment: environment).readTable(format)
            guard let rows else { throw AdoptionError.noStateTable(table: format.table, environment: environment.name) }
            let (mapping, heads) = try map(rows, format: format, graph: graph, environment: environment.name)
            target.mapping = mapping
            var request = request
            request.kind = .stamp(.revisions(heads), purge: false)
            guard !recorded.isEmpty else { return request }
            let applied = Set(recorded.filter { !$0.isFailed }.map(\.revision))
            guard !recorded.contains(where: \.isFailed), graph.ancestry(of: heads).isSubset(of: applied) else {
                throw AdoptionError.hasGodwitState(environment: environment.name, count: recorded.count)
            }
            // Already adopted: a stamp to the recorded heads changes nothing.
            request.kind = .stamp(.revisions(graph.heads(ofApplied: applied)), purge: false)
            return request
        }
    }

    /// Godwit's recorded revisions and the tool's rows (nil when its table is not there), read in
    /// one read-only transaction.
    /// - Throws: `DatabaseError` when the database cannot be read.
    func readTable(_ format: AdoptionFormat) throws -> (recorded: [AppliedRevision], rows: [[String?]]?) {
        let connection = try workspace.connect(environment, readOnly: true)
        defer { connection.close() }
        return try workspace.withReadTransaction(connection, environment: environment) {
            let recorded = try StateStore(for: connection, project: workspace.project).readRevisions(on: connection)
            guard try connection.tableExists(format.table) else { return (recorded, nil) }
            return (recorded, try connection.query(Self.query(format, table: connection.dialect.qualified(format.table, schema: environment.schema))))
        }
    }

    /// The query that reads a tool's state, oldest record first.
    static func query(_ format: AdoptionFormat, table: String) -> String {
        switch format {
        case .flyway: return "SELECT version, type, success FROM \(table) ORDER BY installed_rank"
        case .golangMigrate: return "SELECT version, dirty FROM \(table)"
        case .dbmate: return "SELECT version FROM \(table) ORDER BY version"
        case .goose: return "SELECT version_id, is_applied FROM \(table) ORDER BY id"
        case .alembic: return "SELECT version_num FROM \(table) ORDER BY version_num"
        }
    }

    /// True for a database's way of writing true: `t` (PostgreSQL), `1` (SQLite), `true`.
    static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return value == "t" || value == "true" || value == "1"
    }

    /// Maps the tool's rows onto the graph: the mapping, in the order the tool applied them, and the
    /// heads to stamp. Pure: the tests hand it literal rows.
    /// - Throws: `AdoptionError` for a failed or dirty record, an unknown version, or a gap.
    public static func map(
        _ rows: [[String?]], format: AdoptionFormat, graph: RevisionGraph, environment: String
    ) throws -> (mapping: [AdoptionRecord], heads: [String]) {
        // (version, and whether everything below it counts as applied too), the latest word per version.
        var applied: [(version: String, withAncestors: Bool)] = []
        func remove(_ version: String) { applied.removeAll { $0.version == version } }
        for row in rows {
            guard let version = row.first ?? nil else { continue }
            switch format {
            case .flyway:
                let type = (row.count > 1 ? row[1] : nil)?.uppercased() ?? "SQL"
                if type == "SCHEMA" || type == "TABLE" { continue }
                if !isTrue(row.count > 2 ? row[2] : nil) {
                    throw AdoptionError.failedRecord(table: format.table, version: version, environment: environment)
                }
                remove(version)
                if type.hasPrefix("UNDO") || type == "DELETE" { continue }
                applied.append((version, type.contains("BASELINE")))
            case .golangMigrate:
                if isTrue(row.count > 1 ? row[1] : nil) {
                    throw AdoptionError.dirty(table: format.table, version: version, environment: environment)
                }
                applied.append((version, true))
            case .dbmate:
                applied.append((version, false))
            case .goose:
                if ImportFolder.canonicalNumber(version[...]) == "0" { continue }
                remove(version)
                if isTrue(row.count > 1 ? row[1] : nil) { applied.append((version, false)) }
            case .alembic:
                applied.append((version, true))
            }
        }
        let index = Self.index(graph, format: format)
        var mapping: [AdoptionRecord] = []
        var exact = Set<String>()
        var below = Set<String>()
        for (version, withAncestors) in applied {
            guard let revision = index[Self.key(version: version, format: format)] else {
                throw AdoptionError.unknownVersion(table: format.table, version: version, environment: environment)
            }
            mapping.append(AdoptionRecord(version: version, revision: revision))
            if withAncestors { below.insert(revision) } else { exact.insert(revision) }
        }
        let state = exact.union(graph.ancestry(of: below))
        for id in graph.sorted(state) {
            if let missing = graph.requirements(of: id).first(where: { !state.contains($0) }) {
                throw AdoptionError.gap(revision: id, missing: missing, environment: environment)
            }
        }
        return (mapping, graph.heads(ofApplied: state))
    }

    /// The graph's revisions by the key their version has in the tool's table.
    static func index(_ graph: RevisionGraph, format: AdoptionFormat) -> [String: String] {
        var index: [String: String] = [:]
        for id in graph.order {
            if format == .alembic {
                index[id] = id
            } else if id.hasPrefix("v") {
                index[key(version: String(id.dropFirst()).replacingOccurrences(of: "_", with: "."), format: format)] = id
            }
        }
        return index
    }

    /// A version as the tool compares it: Flyway by its numeric parts, golang-migrate and goose by
    /// their integer value, dbmate and Alembic as written.
    static func key(version: String, format: AdoptionFormat) -> String {
        switch format {
        case .flyway:
            let parts = version.replacingOccurrences(of: "_", with: ".").split(separator: ".", omittingEmptySubsequences: false)
            guard parts.allSatisfy(ImportFolder.isDigits) else { return version }
            return FlywayImport.key(parts).joined(separator: ".")
        case .golangMigrate, .goose:
            guard ImportFolder.isDigits(version[...]) else { return version }
            return ImportFolder.canonicalNumber(version[...])
        case .dbmate, .alembic:
            return version
        }
    }
}
