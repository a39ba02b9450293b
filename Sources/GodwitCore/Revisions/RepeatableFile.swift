import Foundation

/// Reads repeatable revision files (SPEC §11): `versions/repeatable/<name>.sql`, an optional
/// `-- message:` header line and a `-- +upgrade` body; no ids, no downgrade, always transactional.
public enum RepeatableFile {
    /// The folder of repeatables inside the versions folder.
    public static let folder = "repeatable"

    /// Parses the text of a repeatable file; its name is the file's stem.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - path: the file's path relative to the project root, for error messages and the name.
    /// - Throws: `RevisionFileError` at `path:line` for a `-- revision:` or `-- down_revision:`
    ///   line, a `-- +downgrade` marker, another header key, SQL above or no `-- +upgrade`
    ///   marker, and the same NUL, control character and UTF-8 faults as a revision file.
    public static func parse(_ text: String, path: String) throws -> Repeatable {
        let normalized = Checksum.normalizingLineEndings(text)
        let bytes = Array(normalized.utf8)
        if TextFault.hasControlCharacter(bytes), let fault = TextFault(firstIn: bytes) {
            throw RevisionFileError(fault, file: path)
        }
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        let count = lines.last?.isEmpty == true ? lines.count - 1 : lines.count
        var message = ""
        var messageLine: Int?
        var upgradeIndex: Int?
        for index in 0..<count {
            let lineNumber = index + 1
            let line = RevisionFile.Line(lines[index])
            if upgradeIndex != nil {
                switch line {
                case .upgradeMarker:
                    throw RevisionFileError(.repeatedUpgradeMarker(firstLine: (upgradeIndex ?? 0) + 1), file: path, line: lineNumber)
                case .downgradeMarker:
                    throw RevisionFileError(.downgradeInRepeatable, file: path, line: lineNumber)
                default:
                    continue
                }
            }
            switch line {
            case .upgradeMarker:
                upgradeIndex = index
            case .downgradeMarker:
                throw RevisionFileError(.downgradeInRepeatable, file: path, line: lineNumber)
            case .blank:
                continue
            case .other:
                throw RevisionFileError(.sqlBeforeUpgrade, file: path, line: lineNumber)
            case .comment(let comment):
                if let near = RevisionFile.nearMissKey(comment) {
                    throw RevisionFileError(.unknownKey(near.0, suggestion: near.1 == "message" ? "message" : nil), file: path, line: lineNumber)
                }
                guard let (key, value) = RevisionFile.headerEntry(comment) else { continue }
                if key != "message" {
                    if RevisionFile.headerKeys.contains(key) {
                        throw RevisionFileError(.keyInRepeatable(key), file: path, line: lineNumber)
                    }
                    throw RevisionFileError(.unknownKey(key, suggestion: closestMatch(to: key, in: ["message"])), file: path, line: lineNumber)
                }
                if let first = messageLine {
                    throw RevisionFileError(.duplicateKey(key, firstLine: first), file: path, line: lineNumber)
                }
                message = value
                messageLine = lineNumber
            }
        }
        guard let upgradeIndex else {
            throw RevisionFileError(.missingUpgradeMarker, file: path, line: max(count, 1))
        }
        var sql = lines[(upgradeIndex + 1)..<max(count, upgradeIndex + 1)].joined(separator: "\n")
        if !sql.isEmpty { sql.append("\n") }
        let stem = (path.split(separator: "/").last.map(String.init) ?? path)
        let name = stem.hasSuffix(".sql") ? String(stem.dropLast(4)) : stem
        return Repeatable(
            name: name, message: message, upgrade: SQLSection(sql: sql, line: upgradeIndex + 2), path: path,
            checksum: Checksum.sha256(normalized))
    }

    /// Loads every `*.sql` file of `<versions>/repeatable/` in file-name order (dot-files left
    /// out, as for revisions); none when the folder does not exist.
    /// - Parameters:
    ///   - versions: the versions folder.
    ///   - root: the project root, so that paths are relative to it.
    /// - Throws: `RevisionFileError` for the first bad file in name order.
    public static func load(versions: URL, root: URL) throws -> [Repeatable] {
        let directory = versions.appendingPathComponent(folder, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
        let relativeFolder = RevisionGraph.relativePath(of: directory, to: root)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") && !$0.hasPrefix(".") && $0.count > 4 }.sorted()
        return try names.map { name in
            let path = relativeFolder.isEmpty ? name : "\(relativeFolder)/\(name)"
            return try parse(try RevisionFile.text(atPath: directory.path + "/" + name, path: path), path: path)
        }
    }
}
