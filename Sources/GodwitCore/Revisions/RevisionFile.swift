import Foundation

/// An error in a revision file, with the line it is on.
public struct RevisionFileError: GodwitError {
    /// Where the problem is.
    public var location: SourceLocation?
    /// What is wrong and what to do.
    public var message: String
    public var exitCode: ExitStatus { .usage }

    /// Creates an error at `file:line`.
    public init(file: String, line: Int?, _ message: String) {
        self.location = SourceLocation(file: file, line: line)
        self.message = message
    }
}

/// Reads and writes revision files (SPEC §3): the header comment block and the
/// `-- +upgrade` / `-- +downgrade` sections.
public enum RevisionFile {
    /// The header keys a revision file may have.
    public static let headerKeys = [
        "revision", "down_revision", "message", "create_date", "branch_labels", "depends_on",
        "transactional", "lock_timeout", "statement_timeout",
    ]
    static let upgradeMarker = "-- +upgrade"
    static let downgradeMarker = "-- +downgrade"

    /// Parses the text of a revision file.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - path: the file's path relative to the project root, for error messages.
    /// - Throws: `RevisionFileError` naming the line of a bad header, a missing or repeated marker.
    public static func parse(_ text: String, path: String) throws -> Revision {
        let normalized = Checksum.normalizingLineEndings(text)
        let checksum = Checksum.sha256(normalized)
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }

        var values: [String: String] = [:]
        var headerLines: [String: Int] = [:]
        var upgradeMarkerIndex: Int?
        var downgradeMarkerIndex: Int?

        // Header: comment lines and blank lines up to the upgrade marker.
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line == upgradeMarker {
                upgradeMarkerIndex = index
                break
            }
            if line == downgradeMarker {
                throw RevisionFileError(
                    file: path, line: lineNumber,
                    "'-- +downgrade' comes before '-- +upgrade'; put the upgrade section first")
            }
            if line.isEmpty {
                index += 1
                continue
            }
            guard line.hasPrefix("--") else {
                throw RevisionFileError(
                    file: path, line: lineNumber,
                    "SQL before the '-- +upgrade' marker; put the statements of the upgrade below a line '-- +upgrade'")
            }
            let comment = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if let near = nearMissKey(comment) {
                throw RevisionFileError(
                    file: path, line: lineNumber, "unknown header key '\(near.0)'; did you mean '\(near.1)'?")
            }
            if let (key, value) = headerEntry(comment) {
                guard headerKeys.contains(key) else {
                    var message = "unknown header key '\(key)'"
                    if let suggestion = closestMatch(to: key, in: headerKeys) {
                        message += "; did you mean '\(suggestion)'?"
                    } else {
                        message += "; valid keys are \(headerKeys.joined(separator: ", "))"
                    }
                    throw RevisionFileError(file: path, line: lineNumber, message)
                }
                if headerLines[key] != nil {
                    throw RevisionFileError(
                        file: path, line: lineNumber,
                        "header key '\(key)' is given twice (first on line \(headerLines[key]!))")
                }
                values[key] = value
                headerLines[key] = lineNumber
            }
            index += 1
        }
        guard let upgradeStart = upgradeMarkerIndex else {
            throw RevisionFileError(
                file: path, line: lines.isEmpty ? 1 : lines.count,
                "no '-- +upgrade' marker; a revision file needs a line '-- +upgrade' before its SQL")
        }
        for scan in (upgradeStart + 1)..<max(lines.count, upgradeStart + 1) {
            let line = lines[scan].trimmingCharacters(in: .whitespaces)
            if line == upgradeMarker {
                throw RevisionFileError(
                    file: path, line: scan + 1, "a second '-- +upgrade' marker (the first is on line \(upgradeStart + 1))")
            }
            if line == downgradeMarker {
                if let first = downgradeMarkerIndex {
                    throw RevisionFileError(
                        file: path, line: scan + 1, "a second '-- +downgrade' marker (the first is on line \(first + 1))")
                }
                downgradeMarkerIndex = scan
            }
        }

        func section(from start: Int, to end: Int) -> SQLSection {
            let body = start < end ? lines[start..<end].joined(separator: "\n") : ""
            return SQLSection(sql: body.isEmpty ? "" : body + "\n", line: start + 1)
        }
        let upgradeEnd = downgradeMarkerIndex ?? lines.count
        let upgrade = section(from: upgradeStart + 1, to: upgradeEnd)
        let downgrade = downgradeMarkerIndex.map { section(from: $0 + 1, to: lines.count) }

        func fail(_ key: String, _ message: String) -> RevisionFileError {
            RevisionFileError(file: path, line: headerLines[key] ?? 1, message)
        }
        guard let id = values["revision"], !id.isEmpty else {
            throw RevisionFileError(
                file: path, line: headerLines["revision"] ?? 1,
                "missing '-- revision: <id>' in the header")
        }
        guard isValidID(id) else {
            throw fail("revision", "revision id '\(id)' may only hold letters, digits and '_'")
        }
        guard let downText = values["down_revision"] else {
            throw RevisionFileError(
                file: path, line: headerLines["revision"] ?? 1,
                "missing '-- down_revision:' in the header; leave it empty for a base revision")
        }
        let downRevisions = try idList(downText, key: "down_revision", fail: fail)
        if downRevisions.contains(id) {
            throw fail("down_revision", "revision '\(id)' names itself as its down_revision")
        }
        let dependsOn = try idList(values["depends_on"] ?? "", key: "depends_on", fail: fail)
        let labels = try idList(values["branch_labels"] ?? "", key: "branch_labels", fail: fail)
        var transactional = true
        if let text = values["transactional"] {
            switch text.lowercased() {
            case "true", "yes": transactional = true
            case "false", "no": transactional = false
            default: throw fail("transactional", "transactional must be 'true' or 'false', not '\(text)'")
            }
        }
        func timeout(_ key: String) throws -> TimeoutValue? {
            guard let text = values[key] else { return nil }
            guard let value = TimeoutValue(parsing: text) else {
                throw fail(key, "\(key) '\(text)' is not a duration; write e.g. 500ms, 2s, 5m or 1h")
            }
            return value
        }
        let fileName = (path as NSString).lastPathComponent
        if fileName != "\(id).sql" && !fileName.hasPrefix("\(id)_") {
            throw fail(
                "revision",
                "file name '\(fileName)' does not match revision '\(id)'; name it '\(id)_<slug>.sql'")
        }
        return Revision(
            id: id, downRevisions: downRevisions, dependsOn: dependsOn, branchLabels: labels,
            message: values["message"] ?? "", createDate: values["create_date"].flatMap { $0.isEmpty ? nil : $0 },
            isTransactional: transactional, lockTimeout: try timeout("lock_timeout"),
            statementTimeout: try timeout("statement_timeout"), upgrade: upgrade, downgrade: downgrade,
            path: path, checksum: checksum, headerLines: headerLines)
    }

    /// `key: value` when a header comment line has that form with a lowercase key.
    static func headerEntry(_ comment: String) -> (String, String)? {
        guard let colon = comment.firstIndex(of: ":") else { return nil }
        let key = comment[..<colon]
        guard !key.isEmpty, key.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isLowercase) }) else { return nil }
        let value = comment[comment.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return (String(key), value)
    }

    /// A header key spelt with capitals or '-' (`Depends-On:`) that names a real key: never a silent comment.
    static func nearMissKey(_ comment: String) -> (String, String)? {
        guard let colon = comment.firstIndex(of: ":") else { return nil }
        let key = String(comment[..<colon])
        guard !key.isEmpty, !key.contains(" ") else { return nil }
        let normalized = key.lowercased().replacingOccurrences(of: "-", with: "_")
        guard normalized != key, headerKeys.contains(normalized) else { return nil }
        return (key, normalized)
    }

    /// True for `[A-Za-z0-9_]+`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }

    static func idList(
        _ text: String, key: String, fail: (String, String) -> RevisionFileError
    ) throws -> [String] {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        var result: [String] = []
        for item in items {
            if item.isEmpty { throw fail(key, "\(key) has an empty item in '\(text)'") }
            guard isValidID(item) else {
                throw fail(key, "\(key) item '\(item)' may only hold letters, digits and '_'")
            }
            guard seen.insert(item).inserted else { throw fail(key, "\(key) names '\(item)' twice") }
            result.append(item)
        }
        return result
    }

    /// The file name for a new revision: `<id>_<slug>.sql`.
    public static func fileName(id: String, message: String) -> String {
        var slug = ""
        var lastWasUnderscore = false
        for scalar in message.lowercased().unicodeScalars {
            if scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar)) {
                slug.unicodeScalars.append(scalar)
                lastWasUnderscore = false
            } else if !lastWasUnderscore && !slug.isEmpty {
                slug += "_"
                lastWasUnderscore = true
            }
            if slug.count >= 40 { break }
        }
        while slug.hasSuffix("_") { slug.removeLast() }
        return slug.isEmpty ? "\(id).sql" : "\(id)_\(slug).sql"
    }

    /// The text of a new revision file.
    public static func render(
        id: String, downRevisions: [String], message: String, createDate: String,
        branchLabels: [String] = [], dependsOn: [String] = [], upgrade: String = "", downgrade: String = ""
    ) -> String {
        var text = "-- revision: \(id)\n"
        text += "-- down_revision: \(downRevisions.joined(separator: ", "))\n"
        text += "-- message: \(message.replacingOccurrences(of: "\n", with: " "))\n"
        text += "-- create_date: \(createDate)\n"
        if !branchLabels.isEmpty { text += "-- branch_labels: \(branchLabels.joined(separator: ", "))\n" }
        if !dependsOn.isEmpty { text += "-- depends_on: \(dependsOn.joined(separator: ", "))\n" }
        text += "\n-- +upgrade\n\(upgrade)"
        if !upgrade.isEmpty && !upgrade.hasSuffix("\n") { text += "\n" }
        text += "\n-- +downgrade\n\(downgrade)"
        if !downgrade.isEmpty && !downgrade.hasSuffix("\n") { text += "\n" }
        return text
    }
}
