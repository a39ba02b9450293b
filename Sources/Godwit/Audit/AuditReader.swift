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
    /// `hash` against its contents (an HMAC with `GODWIT_AUDIT_KEY`), each `prev_hash` against the
    /// record before, ids from 1 with no gap, every record sealed, every open record opened by a
    /// run, every state row's `audit_id` naming a record that lists it, and with a key the anchor
    /// — and, when `audit_log:` is set, that the log holds exactly the table's records (same ids
    /// and hashes) in a chain of its own. A log file absent on this machine is a note.
    /// - Throws: `DatabaseError` (with the environment) when the database cannot be read;
    ///   `ConfigurationError` for a bad URL; `AuditError` (exit 1) when the log exists but
    ///   cannot be read, or the key file cannot be read.
    public func verify(_ environment: Environment) throws -> AuditVerification {
        let key = try AuditKey.of(workspace)
        let (records, rows, anchor, opened) = try readAuditState(of: environment)
        var notes: [String] = []
        var logPath: String?
        if let log = project.auditLog {
            logPath = RevisionGraph.relativePath(of: log, to: project.root)
        }
        if key == nil, anchor != nil {
            let problem = AuditProblem(
                kind: .keyed, id: nil,
                message: "the audit chain of '\(environment.name)' is keyed: its hashes are HMACs that only the key can check; set \(AuditKey.variable) or \(AuditKey.fileVariable) to verify it")
            return AuditVerification(environment: environment.name, records: records.count, logPath: logPath, problems: [problem])
        }
        var log: URL?
        if let file = project.auditLog, let path = logPath {
            if FileManager.default.fileExists(atPath: file.path) {
                log = file
            } else {
                notes.append("\(path) does not exist on this machine: only the audit table was checked")
            }
        }
        let attribution = AuditAttribution(rows: rows, logFile: log, anchor: anchor, key: key, environment: environment.name, opened: opened)
        let keyedSince = anchor?.keyedSince ?? Int.max
        let hashOf: (AuditRecord) -> String = { key != nil && $0.id >= keyedSince ? $0.computedHash(key: key) : $0.computedHash }
        var problems = AuditChain.problems(
            in: records.map { AuditChain.Located(record: $0, line: nil) }, source: .table(environment.name), hashOf: hashOf,
            isAttributed: attribution.attributes)
        problems += AuditChain.orphanedState(rows: rows, records: records, environment: environment.name)
        if let key {
            problems += AuditChain.anchorProblems(anchor, records: records, key: key, environment: environment.name)
        }
        if let log, let path = logPath {
            problems += try AuditChain.logProblems(log: log, path: path, table: records, environment: environment.name, hashOf: hashOf)
        }
        var verification = AuditVerification(
            environment: environment.name, records: records.count, logPath: logPath,
            problems: problems.enumerated().sorted { ($0.element.id ?? Int.max, $0.offset) < ($1.element.id ?? Int.max, $1.offset) }.map(\.element))
        verification.notes = notes
        return verification
    }

    /// The audit records, the state rows, the keyed anchor and the open records' `opened`
    /// attestations, in one read-only transaction.
    func readAuditState(of environment: Environment) throws -> ([AuditRecord], [AppliedRevision], AuditAnchor?, [Int: String]) {
        let connection = try workspace.connect(environment, readOnly: true)
        defer { connection.close() }
        return try workspace.withReadTransaction(connection, environment: environment) {
            let store = StateStore(for: connection, project: project)
            return (
                try store.auditRecords(on: connection), try store.readRevisions(on: connection), try store.readAuditAnchor(on: connection),
                try store.openedAttestations(on: connection)
            )
        }
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
