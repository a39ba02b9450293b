import Foundation
import GodwitCore

/// The audit trail of one environment (SPEC §6): opens a run's record, seals it into the hash
/// chain when the run ends, seals the records killed runs left open, and copies to the
/// `audit_log:` file the sealed records it lacks. Runs under the migration lock.
struct AuditTrail {
    /// The environment's name.
    let environment: String
    /// Godwit's tables.
    let store: StateStore
    /// The connection, holding the lock.
    let connection: any DriverConnection
    /// The `audit_log:` file, when set.
    let logFile: URL?

    /// Writes a run's record, open, with the next id.
    /// - Throws: `DatabaseError`.
    func start(_ record: inout AuditRecord) throws {
        record.id = try store.nextAuditID(on: connection)
        let opened = record
        try connection.withTransaction { try connection.execute(store.insertAuditSQL(opened)) }
    }

    /// Seals a run's record with its outcome and appends it to the log file.
    /// - Throws: `DatabaseError`; `AuditError` when the log file cannot be written.
    func finish(_ record: inout AuditRecord, outcome: String, error: String?, heads: [String], started: Date) throws {
        let finished = Date()
        record.finishedAt = AuditRecord.timestamp(finished)
        record.durationMS = Int((finished.timeIntervalSince(started) * 1000).rounded())
        record.outcome = outcome
        record.error = error
        record.toHeads = heads
        try seal(&record)
    }

    /// Links a record to the chain, writes its final fields and appends it to the log file.
    func seal(_ record: inout AuditRecord) throws {
        record.prevHash = try store.previousHash(before: record.id, on: connection)
        record.hash = record.computedHash
        let sealed = record
        try connection.withTransaction { try connection.execute(store.finishAuditSQL(sealed)) }
        try AuditLogFile.append(sealed, to: logFile)
    }

    /// Seals records a killed run left open: they are marked failed, with the steps they committed.
    /// - Throws: `DatabaseError`; `AuditError` when the log file cannot be written.
    func sealInterrupted(graph: RevisionGraph?) throws {
        let open = try store.openAuditRecords(on: connection)
        guard !open.isEmpty else { return }
        let rows = try store.readRevisions(on: connection)
        let applied = Set(rows.map(\.revision))
        for var record in open {
            if record.outcome == nil {
                record.outcome = "failed"
                record.error = "interrupted: the run ended before it finished (killed, or the connection was lost); the steps listed were committed"
                record.finishedAt = AuditRecord.timestamp()
                if record.steps.isEmpty, let graph {
                    record.steps = Self.committedSteps(of: record, rows: rows, graph: graph)
                }
            }
            record.toHeads = record.toHeads ?? graph?.heads(ofApplied: applied) ?? []
            try seal(&record)
        }
    }

    /// Appends to the `audit_log:` file the sealed records of this environment it lacks — those an
    /// offline script wrote on PostgreSQL — so that the file keeps holding every record.
    /// - Throws: `DatabaseError`; `AuditError` when the log file cannot be written.
    func catchUpLogFile() throws {
        guard let file = logFile, let lines = try? AuditLogFile.read(file) else { return }
        let logged = Set(lines.filter { $0.environment == environment }.compactMap(\.hash))
        let sealed = try store.sealedAuditRecords(on: connection)
        // Only the tail after the newest logged record: records from before the file was set
        // stay out, so that the file's order stays the chain's order.
        guard let last = sealed.last(where: { $0.hash.map(logged.contains) ?? false }) else { return }
        for record in sealed where record.id > last.id {
            guard let hash = record.hash, !logged.contains(hash) else { continue }
            try AuditLogFile.append(record, to: file)
        }
    }

    /// True when the log file lacks the newest record of the table (read before taking the lock).
    static func logFileLags(_ file: URL?, newestHash: String?) -> Bool {
        guard let file, let newestHash else { return false }
        return !((try? AuditLogFile.read(file)) ?? []).contains { $0.hash == newestHash }
    }

    /// The steps a killed run committed, read back from the state it left, for its audit record
    /// holds its steps only once the run ends (a record rewritten at every step made a run of N
    /// revisions write O(N²) bytes). Each committed step left its trace in the state table, in the
    /// step's own transaction: the revisions it applied are recorded with its audit id, and the
    /// revisions it removed are those of its starting heads' ancestry that are no longer recorded.
    /// Removals come first and each group in the order a plan runs them; durations are unknown (0).
    static func committedSteps(of record: AuditRecord, rows: [AppliedRevision], graph: RevisionGraph) -> [AuditRecord.Step] {
        let recorded = Set(rows.map(\.revision))
        let removed = graph.ancestry(of: record.fromHeads.filter { graph.revisions[$0] != nil }).subtracting(recorded)
        let downgrades = graph.revisions(graph.order.reversed().filter { removed.contains($0) }).map {
            AuditRecord.Step(revision: $0.id, direction: .downgrade, checksum: $0.checksum, durationMS: 0)
        }
        let upgrades = rows.filter { $0.auditID == record.id && !$0.isFailed }.map {
            AuditRecord.Step(revision: $0.revision, direction: .upgrade, checksum: $0.checksum, durationMS: 0)
        }
        return downgrades + upgrades
    }
}
