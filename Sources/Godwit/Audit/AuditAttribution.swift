import Foundation
import GodwitCore

/// Tells a record Godwit opened from one written by hand (SPEC §6): a record is Godwit's when a
/// state row names its id (a run that committed a step), when its `opened` column holds the
/// hash of its opening fields (with a key: their HMAC, which only the key can make), when the
/// `audit_log:` file holds its opening line, or when the keyed anchor holds a MAC of them. A run seals an open
/// record, and copies a sealed one to the log, only when it is Godwit's.
struct AuditAttribution {
    /// The audit ids the state rows name.
    let stateIDs: Set<Int>
    /// The opening lines of the log (for this environment), with whether each names an id.
    let openings: [(record: AuditRecord, idKnown: Bool)]
    /// The keyed anchor, and the key that checks it.
    let anchor: AuditAnchor?
    let key: AuditKey?
    /// The `opened` attestations of the open records, by id.
    let opened: [Int: String]

    /// Reads what attests openings: the state rows, the log's opening lines, the anchor.
    /// - Throws: `DatabaseError`.
    init(rows: [AppliedRevision], logFile: URL?, anchor: AuditAnchor?, key: AuditKey?, environment: String, opened: [Int: String] = [:]) {
        self.opened = opened
        stateIDs = Set(rows.compactMap(\.auditID))
        openings = (logFile.flatMap { try? AuditLogFile.readLines($0).openings } ?? []).filter { $0.record.environment == environment }
        self.anchor = anchor
        self.key = key
    }

    /// True when a state row names the record or its opening is attested.
    func attributes(_ record: AuditRecord) -> Bool {
        stateIDs.contains(record.id) || isAttested(record)
    }

    /// True when the log holds the record's opening line, or the keyed anchor its opening's MAC.
    func isAttested(_ record: AuditRecord) -> Bool {
        if let attestation = opened[record.id], attestation == Self.attestation(of: record, key: key) { return true }
        if openings.contains(where: { record.isOpened(by: $0.record, idKnown: $0.idKnown) }) { return true }
        if let key, let anchor, anchor.openID == record.id, anchor.openMAC == key.mac(record.openingJSON()) { return true }
        return false
    }

    /// What a run writes into `opened` when it opens `record`: SHA-256 of its opening fields, or
    /// their HMAC under the key.
    static func attestation(of record: AuditRecord, key: AuditKey?) -> String {
        let opening = record.openingJSON()
        return key.map { $0.mac(opening) } ?? Checksum.sha256(opening)
    }
}
