/// One revision of the graph: its header and its SQL, as read from `versions/<id>_<slug>.sql`.
public struct Revision: Sendable, Hashable {
    /// The revision's id, `[A-Za-z0-9_]+`.
    public var id: String
    /// Parents: empty for a base, one for a normal revision, several for a merge.
    public var downRevisions: [String]
    /// Revisions this one needs although they are not its parents (`depends_on`).
    public var dependsOn: [String]
    /// Branch labels given to this revision.
    public var branchLabels: [String]
    /// The human message.
    public var message: String
    /// The creation date as written in the header, when there is one.
    public var createDate: String?
    /// False runs the statements one by one outside a transaction.
    public var isTransactional: Bool
    /// Overrides the environment's lock timeout for this revision only.
    public var lockTimeout: TimeoutValue?
    /// Overrides the environment's statement timeout for this revision only.
    public var statementTimeout: TimeoutValue?
    /// The upgrade section's SQL.
    public var upgrade: SQLSection
    /// The downgrade section's SQL; nil makes the revision irreversible.
    public var downgrade: SQLSection?
    /// The file's path, relative to the project root.
    public var path: String
    /// SHA-256 of the file's bytes with line endings normalised, lowercase hex.
    public var checksum: String
    /// The line of each header key in the file, for error messages.
    public var headerLines: [String: Int]

    /// Creates a revision; used by the parser and by tests that build literal graphs.
    public init(
        id: String, downRevisions: [String] = [], dependsOn: [String] = [], branchLabels: [String] = [],
        message: String = "", createDate: String? = nil, isTransactional: Bool = true,
        lockTimeout: TimeoutValue? = nil, statementTimeout: TimeoutValue? = nil,
        upgrade: SQLSection = SQLSection(sql: "", line: 1), downgrade: SQLSection? = SQLSection(sql: "", line: 1),
        path: String = "", checksum: String = "", headerLines: [String: Int] = [:]
    ) {
        self.id = id
        self.downRevisions = downRevisions
        self.dependsOn = dependsOn
        self.branchLabels = branchLabels
        self.message = message
        self.createDate = createDate
        self.isTransactional = isTransactional
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
        self.upgrade = upgrade
        self.downgrade = downgrade
        self.path = path
        self.checksum = checksum
        self.headerLines = headerLines
    }

    /// True when the revision has no parents.
    public var isBase: Bool { downRevisions.isEmpty }
    /// True when the revision joins several parents.
    public var isMerge: Bool { downRevisions.count > 1 }
    /// True when the revision has a downgrade section.
    public var isReversible: Bool { downgrade != nil }

    /// The SQL section for a direction.
    public func section(_ direction: Direction) -> SQLSection? {
        direction == .upgrade ? upgrade : downgrade
    }
}

/// The SQL of one section of a revision file and where it starts.
public struct SQLSection: Sendable, Hashable {
    /// The SQL text, exactly as in the file (line endings normalised).
    public var sql: String
    /// The 1-based line in the file where `sql` begins.
    public var line: Int

    /// Creates a section.
    public init(sql: String, line: Int) {
        self.sql = sql
        self.line = line
    }

    /// True when the section holds nothing but whitespace and comments.
    public var isEmpty: Bool {
        for raw in sql.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = RevisionFile.trimmingWhitespace(raw)
            if !line.isEmpty && !line.hasPrefix("--") { return false }
        }
        return true
    }

    /// The line in the file of a UTF-8 byte offset into `sql`.
    public func line(atUTF8Offset offset: Int) -> Int {
        var newlines = 0
        for (index, byte) in sql.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") { newlines += 1 }
        }
        return line + newlines
    }
}

/// The way a step moves a revision.
public enum Direction: String, Sendable, Codable, Hashable {
    case upgrade
    case downgrade
    /// A repeatable run again because its checksum changed (SPEC §11).
    case `repeat`
}

/// A timeout written in a file: `500ms`, `10s`, `5m`, `1h`, or `0` for none.
public struct TimeoutValue: Sendable, Hashable, CustomStringConvertible {
    /// The timeout in milliseconds; 0 means no timeout.
    public var milliseconds: Int

    /// Creates a timeout of `milliseconds`.
    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    /// Parses `500ms`, `10s`, `5m`, `1h`, `1d` or a bare number of seconds; nil when malformed.
    /// The number is plain decimal (digits and at most one '.') right against its unit: no sign,
    /// exponent, hexadecimal (`0x10s`) or inner space (`5 s`); space around the whole is ignored.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        let unit = units.first { t.hasSuffix($0.0) }
        let number = t.dropLast(unit?.0.count ?? 0)
        let digits = number.utf8.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        let points = number.utf8.filter { $0 == UInt8(ascii: ".") }.count
        guard digits > 0, digits + points == number.utf8.count, points <= 1, let value = Double(number) else { return nil }
        let factor = unit?.1 ?? 1000
        guard value.isFinite, value * factor < 1e15 else { return nil }
        self.milliseconds = Int((value * factor).rounded())
    }

    /// Seconds as a Double.
    public var seconds: Double { Double(milliseconds) / 1000 }

    public var description: String {
        if milliseconds == 0 { return "0" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
