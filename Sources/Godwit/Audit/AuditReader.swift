import Foundation
import GodwitCore

/// Reads an environment's audit trail: `audit` (the records) and `audit verify` (the hash chain,
/// and the `audit_log:` file against it). Writing it is `AuditTrail`'s.
public struct AuditReader: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates a reader.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// `audit`: an environment's audit records that pass `filter`, newest first, read through a
    /// read-only connection; empty when Godwit has never changed the database.
    /// - Throws: `DatabaseError` (with the environment) when the database cannot be read;
    ///   `ConfigurationError` for a bad URL.
    public func records(of environment: Environment, filter: AuditFilter = AuditFilter()) throws -> [AuditRecord] {
        filter.apply(to: try readAuditTable(of: environment))
    }

    /// `audit verify`: checks the hash chain of an environment's audit table — each record's
    /// `hash` against its contents, each `prev_hash` against the record before, ids from 1 with no
    /// gap, every record sealed — and, when `audit_log:` is set, that the log holds exactly the
    /// table's records (same ids and hashes) in a chain of its own.
    /// - Throws: `DatabaseError` (with the environment) when the database cannot be read;
    ///   `ConfigurationError` for a bad URL; `AuditError` (exit 1) when the log exists but
    ///   cannot be read. What it finds is returned, not thrown.
    public func verify(_ environment: Environment) throws -> AuditVerification {
        let records = try readAuditTable(of: environment)
        var problems = AuditChain.problems(in: records, source: .table(environment.name))
        var logPath: String?
        if let log = project.auditLog {
            let path = RevisionGraph.relativePath(of: log, to: project.root)
            logPath = path
            problems += try AuditChain.logProblems(log: log, path: path, table: records, environment: environment.name)
        }
        return AuditVerification(
            environment: environment.name, records: records.count, logPath: logPath,
            problems: problems.enumerated().sorted { ($0.element.id ?? Int.max, $0.offset) < ($1.element.id ?? Int.max, $1.offset) }.map(\.element))
    }

    /// Every record of the environment's audit table, oldest first, read-only.
    func readAuditTable(of environment: Environment) throws -> [AuditRecord] {
        let connection = try workspace.connect(environment, readOnly: true)
        defer { connection.close() }
        return try workspace.withReadTransaction(connection, environment: environment) {
            try StateStore(for: connection, project: project).auditRecords(on: connection)
        }
    }
}
