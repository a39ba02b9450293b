import Foundation

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
    static let upgradeMarkerBytes = Array(upgradeMarker.utf8)
    static let downgradeMarkerBytes = Array(downgradeMarker.utf8)

    /// Parses the text of a revision file.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - path: the file's path relative to the project root, for error messages.
    /// - Throws: `RevisionFileError` naming the line of a bad header, a missing or repeated marker,
    ///   and the line and column of a NUL or another control character (tab, CR and LF aside).
    public static func parse(_ text: String, path: String) throws -> Revision {
        let normalized = Checksum.normalizingLineEndings(text)
        // The file is read by bytes where it is ASCII, which is what the Characters would give
        // (see `Line`), and by Characters and Unicode scalars where it is not.
        let bytes = Array(normalized.utf8)
        // A NUL would end the SQL where a C API reads it, silently: no control characters at all.
        // Normalising line endings moved no byte within its line, so the column is the file's.
        if TextFault.hasControlCharacter(bytes), let fault = TextFault(firstIn: bytes) {
            throw RevisionFileError(fault, file: path)
        }
        let checksum = Checksum.sha256(normalized)
        var lines: [Range<Int>] = []
        var lineStart = 0
        for offset in bytes.indices where bytes[offset] == 10 {
            lines.append(lineStart..<offset)
            lineStart = offset + 1
        }
        lines.append(lineStart..<bytes.count)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let utf8 = normalized.utf8
        func slice(_ range: Range<Int>) -> Substring {
            normalized[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)]
        }
        func kind(ofLine index: Int) -> Line { Line(lines[index], in: bytes) ?? Line(slice(lines[index])) }

        var values: [String: String] = [:]
        var headerLines: [String: Int] = [:]
        var upgradeMarkerIndex: Int?
        var downgradeMarkerIndex: Int?

        // Header: comment lines and blank lines up to the upgrade marker.
        var index = 0
        header: while index < lines.count {
            let lineNumber = index + 1
            let comment: String
            switch kind(ofLine: index) {
            case .upgradeMarker:
                upgradeMarkerIndex = index
                break header
            case .downgradeMarker:
                throw RevisionFileError(.downgradeBeforeUpgrade, file: path, line: lineNumber)
            case .blank:
                index += 1
                continue
            case .other:
                throw RevisionFileError(.sqlBeforeUpgrade, file: path, line: lineNumber)
            case .comment(let text):
                comment = text
            }
            if let near = nearMissKey(comment) {
                throw RevisionFileError(.unknownKey(near.0, suggestion: near.1), file: path, line: lineNumber)
            }
            if let (key, value) = headerEntry(comment) {
                guard headerKeys.contains(key) else {
                    throw RevisionFileError(
                        .unknownKey(key, suggestion: closestMatch(to: key, in: headerKeys)), file: path, line: lineNumber)
                }
                if let firstLine = headerLines[key] {
                    throw RevisionFileError(.duplicateKey(key, firstLine: firstLine), file: path, line: lineNumber)
                }
                values[key] = value
                headerLines[key] = lineNumber
            }
            index += 1
        }
        guard let upgradeStart = upgradeMarkerIndex else {
            throw RevisionFileError(.missingUpgradeMarker, file: path, line: lines.isEmpty ? 1 : lines.count)
        }
        for scan in (upgradeStart + 1)..<max(lines.count, upgradeStart + 1) {
            let line = kind(ofLine: scan)
            if case .upgradeMarker = line {
                throw RevisionFileError(.repeatedUpgradeMarker(firstLine: upgradeStart + 1), file: path, line: scan + 1)
            }
            if case .downgradeMarker = line {
                if let first = downgradeMarkerIndex {
                    throw RevisionFileError(.repeatedDowngradeMarker(firstLine: first + 1), file: path, line: scan + 1)
                }
                downgradeMarkerIndex = scan
            }
        }

        func section(from start: Int, to end: Int) -> SQLSection {
            // Lines start..<end joined by "\n" are the text from the first one's start to the last one's end.
            let body = start < end ? slice(lines[start].lowerBound..<lines[end - 1].upperBound) : ""
            var sql = String(body)
            if !sql.isEmpty { sql.append("\n") }
            return SQLSection(sql: sql, line: start + 1)
        }
        let upgradeEnd = downgradeMarkerIndex ?? lines.count
        let upgrade = section(from: upgradeStart + 1, to: upgradeEnd)
        let downgrade = downgradeMarkerIndex.map { section(from: $0 + 1, to: lines.count) }

        /// The error at the line of header key `key` (line 1 when the key is absent).
        func fail(_ key: String, _ code: RevisionFileError.Code) -> RevisionFileError {
            RevisionFileError(code, file: path, line: headerLines[key] ?? 1)
        }
        guard let id = values["revision"], !id.isEmpty else {
            throw fail("revision", .missingRevision)
        }
        guard isValidID(id) else {
            throw fail("revision", .invalidID(id))
        }
        guard !reservedIDs.contains(id) else {
            throw fail("revision", .reservedID(id))
        }
        guard let downText = values["down_revision"] else {
            throw fail("revision", .missingDownRevision)
        }
        let downRevisions = try idList(downText, key: "down_revision", fail: fail)
        if downRevisions.contains(id) {
            throw fail("down_revision", .selfParent(id))
        }
        let dependsOn = try idList(values["depends_on"] ?? "", key: "depends_on", fail: fail)
        let labels = try idList(values["branch_labels"] ?? "", key: "branch_labels", fail: fail)
        var transactional = true
        if let text = values["transactional"] {
            switch text.lowercased() {
            case "true", "yes": transactional = true
            case "false", "no": transactional = false
            default: throw fail("transactional", .invalidTransactional(text))
            }
        }
        func timeout(_ key: String) throws -> TimeoutValue? {
            guard let text = values[key] else { return nil }
            guard let value = TimeoutValue(parsing: text) else {
                throw fail(key, .invalidDuration(key: key, text: text))
            }
            return value
        }
        let fileName = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[path.utf8.index(after: $0)...]) } ?? path
        if fileName != "\(id).sql" && !fileName.hasPrefix("\(id)_") {
            throw fail("revision", .fileNameMismatch(fileName: fileName, id: id))
        }
        return Revision(
            id: id, downRevisions: downRevisions, dependsOn: dependsOn, branchLabels: labels,
            message: values["message"] ?? "", createDate: values["create_date"].flatMap { $0.isEmpty ? nil : $0 },
            isTransactional: transactional, lockTimeout: try timeout("lock_timeout"),
            statementTimeout: try timeout("statement_timeout"), upgrade: upgrade, downgrade: downgrade,
            path: path, checksum: checksum, headerLines: headerLines)
    }

    /// The text of the file at `fullPath` (named `path` in errors), checked to be UTF-8.
    /// - Throws: `RevisionFileError` when it cannot be read, or at the first byte that is not UTF-8.
    public static func text(atPath fullPath: String, path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: fullPath) else {
            throw RevisionFileError(.unreadable, file: path, line: nil)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            guard let fault = TextFault(firstIn: data) else { throw RevisionFileError(.invalidUTF8(nil), file: path, line: nil) }
            throw RevisionFileError(fault, file: path)
        }
        return text
    }

    /// What a line of a revision file is, once trimmed of white space.
    enum Line {
        case upgradeMarker, downgradeMarker, blank
        /// A comment: its text after `--`, trimmed.
        case comment(String)
        /// Anything else: SQL.
        case other

        /// Reads a line by Characters, as the format is defined.
        init(_ line: Substring) {
            let trimmed = RevisionFile.trimmingWhitespace(line)
            if trimmed == RevisionFile.upgradeMarker {
                self = .upgradeMarker
            } else if trimmed == RevisionFile.downgradeMarker {
                self = .downgradeMarker
            } else if trimmed.isEmpty {
                self = .blank
            } else if trimmed.hasPrefix("--") {
                self = .comment(String(RevisionFile.trimmingWhitespace(trimmed.dropFirst(2))))
            } else {
                self = .other
            }
        }

        /// Reads the line at `range` of `bytes` by bytes, or nil when a byte beyond ASCII would
        /// decide the answer (a Unicode space at an end, a combining mark after `--`); where it
        /// answers, it answers as `init(_:)` does, for ASCII characters are single bytes and
        /// none of the markers has another canonically equivalent spelling.
        init?(_ range: Range<Int>, in bytes: [UInt8]) {
            guard let trimmed = RevisionFile.trimmingASCIIWhitespace(range, in: bytes) else { return nil }
            let line = bytes[trimmed]
            if line == RevisionFile.upgradeMarkerBytes[...] {
                self = .upgradeMarker
            } else if line == RevisionFile.downgradeMarkerBytes[...] {
                self = .downgradeMarker
            } else if line.isEmpty {
                self = .blank
            } else if line.count >= 2 && line[trimmed.lowerBound] == UInt8(ascii: "-") && line[trimmed.lowerBound + 1] == UInt8(ascii: "-") {
                let rest = (trimmed.lowerBound + 2)..<trimmed.upperBound
                guard rest.isEmpty || bytes[rest.lowerBound] < 0x80,
                    let comment = RevisionFile.trimmingASCIIWhitespace(rest, in: bytes)
                else { return nil }
                self = .comment(String(decoding: bytes[comment], as: UTF8.self))
            } else {
                self = .other
            }
        }
    }

    /// `range` without leading and trailing spaces and tabs, or nil when what remains starts or
    /// ends with a byte beyond ASCII (which may be a Unicode space: `trimmingWhitespace` decides).
    static func trimmingASCIIWhitespace(_ range: Range<Int>, in bytes: [UInt8]) -> Range<Int>? {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
        if lower < upper && (bytes[lower] >= 0x80 || bytes[upper - 1] >= 0x80) { return nil }
        return lower..<upper
    }

    /// `key: value` when a header comment line has that form with a lowercase key.
    static func headerEntry(_ comment: String) -> (String, String)? {
        // Bytes first: a key of ASCII letters and '_' before a ':' that no combining mark follows
        // is what the Characters below would give, at a fraction of the cost.
        let bytes = Array(comment.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        if colon + 1 == bytes.count || bytes[colon + 1] < 0x80 {
            guard colon > 0, bytes[..<colon].allSatisfy(isLowercaseKeyByte) else { return nil }
            let value: String
            if let range = trimmingASCIIWhitespace((colon + 1)..<bytes.count, in: bytes) {
                value = String(decoding: bytes[range], as: UTF8.self)
            } else {
                value = String(trimmingWhitespace(comment[comment.utf8.index(comment.utf8.startIndex, offsetBy: colon + 1)...]))
            }
            return (String(decoding: bytes[..<colon], as: UTF8.self), value)
        }
        guard let colonCharacter = comment.firstIndex(of: ":") else { return nil }
        let key = comment[..<colonCharacter]
        guard !key.isEmpty, key.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isLowercase) }) else { return nil }
        let value = String(trimmingWhitespace(comment[comment.index(after: colonCharacter)...]))
        return (String(key), value)
    }

    /// True for the bytes of `[a-z_]`.
    static func isLowercaseKeyByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    /// A header key spelt with capitals or '-' (`Depends-On:`) that names a real key: never a silent comment.
    static func nearMissKey(_ comment: String) -> (String, String)? {
        let bytes = Array(comment.utf8)
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[..<colon].allSatisfy({ $0 < 0x80 }) {
            // An ASCII key: of lowercase letters and '_' it is a key as written (the common case);
            // else lowercased with '-' read as '_' by bytes, as below.
            let key = bytes[..<colon]
            if key.allSatisfy(isLowercaseKeyByte) { return nil }
            if colon + 1 == bytes.count || bytes[colon + 1] < 0x80 {
                guard !key.contains(UInt8(ascii: " ")) else { return nil }
                let normalized = String(decoding: key.map { byte -> UInt8 in
                    if byte == UInt8(ascii: "-") { return UInt8(ascii: "_") }
                    return byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                }, as: UTF8.self)
                guard headerKeys.contains(normalized) else { return nil }
                return (String(decoding: key, as: UTF8.self), normalized)
            }
        }
        guard let colon = comment.firstIndex(of: ":") else { return nil }
        let key = String(comment[..<colon])
        guard !key.isEmpty, !key.contains(" " as Character) else { return nil }
        let normalized = String(key.lowercased().map { $0 == "-" ? "_" : $0 })
        guard normalized != key, headerKeys.contains(normalized) else { return nil }
        return (key, normalized)
    }

    /// `text` without leading and trailing white space as `CharacterSet.whitespaces` defines it
    /// (tab and the Unicode space separators, Zs), by Unicode scalars as Foundation trims, but
    /// without bridging to NSString: parsing 10,000 revision files spent most of its time there.
    static func trimmingWhitespace(_ text: Substring) -> Substring {
        // Spaces and tabs by bytes; when what remains starts and ends with ASCII, that is the answer.
        let utf8 = text.utf8
        var lower = utf8.startIndex
        var upper = utf8.endIndex
        while lower < upper && (utf8[lower] == 0x20 || utf8[lower] == 0x09) { utf8.formIndex(after: &lower) }
        while lower < upper {
            let before = utf8.index(before: upper)
            guard utf8[before] == 0x20 || utf8[before] == 0x09 else { break }
            upper = before
        }
        if lower == upper || (utf8[lower] < 0x80 && utf8[utf8.index(before: upper)] < 0x80) { return text[lower..<upper] }
        func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x80 ? scalar.value == 0x20 || scalar.value == 0x09 : scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isWhitespace(scalars[start]) { start = scalars.index(after: start) }
        while start < end {
            let before = scalars.index(before: end)
            guard isWhitespace(scalars[before]) else { break }
            end = before
        }
        if start == scalars.startIndex && end == scalars.endIndex { return text }
        return Substring(scalars[start..<end])
    }

    /// The words of the target syntax, which no revision id may be (SPEC §5).
    public static let reservedIDs: Set<String> = ["base", "head", "heads"]

    /// True for `[A-Za-z0-9_]+`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
    }

    static func idList(
        _ text: String, key: String, fail: (String, RevisionFileError.Code) -> RevisionFileError
    ) throws -> [String] {
        let items: [String]
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // ASCII: bytes split and trim as Characters would.
            guard let whole = trimmingASCIIWhitespace(bytes.indices, in: bytes), !whole.isEmpty else { return [] }
            var parts: [String] = []
            var start = 0
            for offset in 0...bytes.count where offset == bytes.count || bytes[offset] == UInt8(ascii: ",") {
                // Of ASCII bytes, trimming always answers; the fallback only keeps this total.
                let item = trimmingASCIIWhitespace(start..<offset, in: bytes) ?? start..<offset
                parts.append(String(decoding: bytes[item], as: UTF8.self))
                start = offset + 1
            }
            items = parts
        } else {
            if trimmingWhitespace(text[...]).isEmpty { return [] }
            items = text.split(separator: ",", omittingEmptySubsequences: false).map { String(trimmingWhitespace($0)) }
        }
        var seen = Set<String>()
        var result: [String] = []
        for item in items {
            if item.isEmpty { throw fail(key, .emptyListItem(key: key, list: text)) }
            guard isValidID(item) else {
                throw fail(key, .invalidListItem(key: key, item: item))
            }
            guard seen.insert(item).inserted else { throw fail(key, .repeatedListItem(key: key, item: item)) }
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
