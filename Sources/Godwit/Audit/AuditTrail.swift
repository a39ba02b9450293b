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
    /// The key of a keyed chain (`GODWIT_AUDIT_KEY`), when set.
    let key: AuditKey?
    /// Says on stderr what the trail will not do (seal or copy a record it cannot attribute).
    let warn: (String) -> Void

    /// Writes a run's record, open, with the next id, after its opening line in the log file;
    /// with a key, the anchor gets a MAC of its opening fields. The id never goes back below the
    /// anchor's newest, so deleting the newest records cannot make a run reuse their ids.
    /// - Throws: `DatabaseError`; `AuditError` when the log file cannot be written.
    func start(_ record: inout AuditRecord) throws {
        var anchor = try key == nil ? nil : store.readAuditAnchor(on: connection)
        record.id = max(try store.nextAuditID(on: connection), (anchor?.newestID ?? 0) + 1)
        try AuditLogFile.appendOpening(record, to: logFile)
        var sql = store.insertAuditSQL(record) + store.openedSQL(id: record.id, attestation: AuditAttribution.attestation(of: record, key: key))
        if let key {
            if anchor == nil {
                let newest = try store.sealedAuditRecords(on: connection).last
                anchor = Self.anchor(newestID: newest?.id ?? 0, newestHash: newest?.hash, keyedSince: record.id, key: key, environment: environment)
            }
            if var opened = anchor {
                opened.openID = record.id
                opened.openMAC = key.mac(record.openingJSON())
                sql = store.createAuditHeadSQL + sql + store.writeAuditAnchorSQL(opened)
            }
        }
        let statements = sql
        try connection.withTransaction { try connection.execute(statements) }
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

    /// Links a record to the chain (after the newest sealed record before it), writes its final
    /// fields and appends it to the log file; with a key, the hash is an HMAC and the anchor moves.
    func seal(_ record: inout AuditRecord) throws {
        record.prevHash = try store.previousHash(before: record.id, on: connection)
        record.hash = record.computedHash(key: key)
        var sql = store.finishAuditSQL(record)
        if let key {
            let old = try store.readAuditAnchor(on: connection)
            let newest = max(old?.newestID ?? 0, record.id)
            var anchor = Self.anchor(
                newestID: newest, newestHash: newest == record.id ? record.hash : old?.newestHash,
                keyedSince: old?.keyedSince ?? record.id, key: key, environment: environment)
            if let old, old.openID != record.id {
                anchor.openID = old.openID
                anchor.openMAC = old.openMAC
            }
            sql = store.createAuditHeadSQL + sql + store.writeAuditAnchorSQL(anchor)
        }
        let statements = sql
        try connection.withTransaction { try connection.execute(statements) }
        try AuditLogFile.append(record, to: logFile)
    }

    /// An anchor with its MAC.
    static func anchor(newestID: Int, newestHash: String?, keyedSince: Int, key: AuditKey, environment: String) -> AuditAnchor {
        let text = AuditAnchor.anchorText(environment: environment, newestID: newestID, newestHash: newestHash, keyedSince: keyedSince)
        return AuditAnchor(newestID: newestID, newestHash: newestHash, keyedSince: keyedSince, mac: key.mac(text), openID: nil, openMAC: nil)
    }

    /// Seals records a killed run left open: they are marked failed, with the steps they committed.
    /// An open record that cannot be attributed to a run (`AuditAttribution`) is never sealed: it
    /// was written by hand, and `audit verify` keeps reporting it; the run warns and goes on.
    /// - Throws: `DatabaseError`; `AuditError` when the log file cannot be written.
    func sealInterrupted(graph: RevisionGraph?) throws {
        let open = try store.openAuditRecords(on: connection)
        guard !open.isEmpty else { return }
        let rows = try store.readRevisions(on: connection)
        let attribution = AuditAttribution(
            rows: rows, logFile: logFile, anchor: try key == nil ? nil : store.readAuditAnchor(on: connection), key: key, environment: environment,
            opened: try store.openedAttestations(on: connection))
        let applied = Set(rows.map(\.revision))
        for var record in open {
            guard attribution.attributes(record) else {
                warn("audit record \(record.id) of '\(environment)' is open, but no run of Godwit opened it (no state row names it, its opening is not attested\(key == nil ? "" : " under the audit key")): it is not sealed; 'godwit audit verify' reports it")
                continue
            }
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
    /// offline script wrote on PostgreSQL — so that the file keeps holding every record. Only
    /// records whose opening line the file holds are copied: a record written into the table by
    /// hand never reaches the file (the run warns; `audit verify` reports it).
    /// - Throws: `DatabaseError`; `AuditError` when the log file cannot be written.
    func catchUpLogFile() throws {
        guard let file = logFile, let lines = try? AuditLogFile.readLines(file) else { return }
        let logged = Set(lines.records.filter { $0.environment == environment }.compactMap(\.hash))
        let sealed = try store.sealedAuditRecords(on: connection)
        // Only the tail after the newest logged record: records from before the file was set
        // stay out, so that the file's order stays the chain's order.
        guard let last = sealed.last(where: { $0.hash.map(logged.contains) ?? false }) else { return }
        let attribution = AuditAttribution(rows: [], logFile: file, anchor: nil, key: nil, environment: environment)
        for record in sealed where record.id > last.id {
            guard let hash = record.hash, !logged.contains(hash) else { continue }
            guard attribution.isAttested(record) else {
                warn("audit record \(record.id) of '\(environment)' is in the audit table, but Godwit did not open it (the audit log has no opening line for it): it is not copied to the log; 'godwit audit verify' reports it")
                continue
            }
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
