import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// The JSON Lines audit sink of `audit_log:`.
public enum AuditLogFile {
    /// Appends a record as one canonical JSON line, flushed and fsynced.
    /// - Throws: `AuditError.unwritableLog` when the file cannot be written.
    public static func append(_ record: AuditRecord, to url: URL?) throws {
        try append(line: record.json.canonical, to: url)
    }

    /// Appends the opening line of a record a run is about to write (`"hash": null`; `"id": null`
    /// for an offline script, whose id the database gives): it attests that Godwit opened the
    /// record, so that a later run may seal it or copy it here. Readers of records skip such lines.
    /// - Throws: `AuditError.unwritableLog` when the file cannot be written.
    public static func appendOpening(_ record: AuditRecord, withID: Bool = true, to url: URL?) throws {
        var opening = record
        opening.hash = nil
        var members = opening.json
        if !withID, case .object(var fields) = members {
            fields["id"] = .null
            members = .object(fields)
        }
        try append(line: members.canonical, to: url)
    }

    /// True when a line of the log is an opening line (`"hash": null`), not a record.
    public static func isOpening(_ value: JSONValue) -> Bool {
        value["hash"] == .null
    }

    static func append(line text: String, to url: URL?) throws {
        guard let url else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AuditError.unwritableLog(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let line = text + "\n"
        let written = line.withCString { write(descriptor, $0, strlen($0)) }
        guard written == line.utf8.count, fsync(descriptor) == 0 else {
            throw AuditError.unwritableLog(path: url.path, reason: String(cString: strerror(errno)))
        }
    }

    /// Reads every sealed record of a JSON Lines audit log (opening lines are skipped).
    /// - Throws: `AuditError.notARecord` naming the line of a corrupt record.
    public static func read(_ url: URL) throws -> [AuditRecord] {
        try readLines(url).records
    }

    /// The sealed records of a log, and its opening lines (each with whether it names an id).
    /// - Throws: `AuditError.notARecord` naming the line of a corrupt record.
    static func readLines(_ url: URL) throws -> (records: [AuditRecord], openings: [(record: AuditRecord, idKnown: Bool)]) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return ([], []) }
        var records: [AuditRecord] = []
        var openings: [(record: AuditRecord, idKnown: Bool)] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            guard let value = try? JSONValue(parsing: String(line)) else {
                throw AuditError.notARecord(path: url.path, line: index + 1)
            }
            if isOpening(value) {
                var fields: [String: JSONValue] = [:]
                if case .object(let members) = value { fields = members }
                let idKnown = fields["id"]?.intValue != nil
                if !idKnown { fields["id"] = .int(0) }
                if let record = AuditRecord(json: .object(fields)) { openings.append((record, idKnown)) }
                continue
            }
            guard let record = AuditRecord(json: value) else {
                throw AuditError.notARecord(path: url.path, line: index + 1)
            }
            records.append(record)
        }
        return (records, openings)
    }
}
