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
        guard let url else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AuditError.unwritableLog(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let line = record.json.canonical + "\n"
        let written = line.withCString { write(descriptor, $0, strlen($0)) }
        guard written == line.utf8.count, fsync(descriptor) == 0 else {
            throw AuditError.unwritableLog(path: url.path, reason: String(cString: strerror(errno)))
        }
    }

    /// Reads every record of a JSON Lines audit log.
    /// - Throws: `AuditError.notARecord` naming the line of a corrupt record.
    public static func read(_ url: URL) throws -> [AuditRecord] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var records: [AuditRecord] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            guard let value = try? JSONValue(parsing: String(line)), let record = AuditRecord(json: value) else {
                throw AuditError.notARecord(path: url.path, line: index + 1)
            }
            records.append(record)
        }
        return records
    }
}
