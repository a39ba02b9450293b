/// The SQL of a revision with `{{ name }}` placeholders (SPEC §11): parsed once, rendered with a
/// dictionary of variables. A placeholder is `{{`, optional spaces, a name
/// (`[A-Za-z_][A-Za-z0-9_]*`), optional spaces, `}}`; any other `{{` is SQL and stays as written.
public struct SQLTemplate: Sendable, Hashable {
    /// A run of SQL as written, or a placeholder and where it starts in the file.
    enum Piece: Sendable, Hashable {
        case text(Substring)
        case variable(name: String, line: Int, column: Int)
    }

    /// The text between and around the placeholders, in order.
    let pieces: [Piece]

    /// Parses `text`, whose first line is line `firstLine` of its file.
    public init(text: String, firstLine: Int = 1) {
        var pieces: [Piece] = []
        let bytes = Array(text.utf8)
        var textStart = 0
        var line = firstLine
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            } else if byte == UInt8(ascii: "{"), let (name, end) = Self.placeholder(in: bytes, at: index) {
                if textStart < index { pieces.append(.text(Self.slice(text, textStart, index))) }
                pieces.append(.variable(name: name, line: line, column: index - lineStart + 1))
                index = end
                textStart = end
                continue
            }
            index += 1
        }
        if textStart < bytes.count { pieces.append(.text(Self.slice(text, textStart, bytes.count))) }
        self.pieces = pieces
    }

    /// The names of the placeholders, each once, in order of first use.
    public var names: [String] {
        var names: [String] = []
        for case .variable(let name, _, _) in pieces where !names.contains(name) { names.append(name) }
        return names
    }

    /// The SQL with every placeholder replaced by its variable's value.
    /// - Throws: `SQLTemplateError` at `file:line:column` of the first placeholder whose name
    ///   `variables` lacks.
    public func render(variables: [String: String], file: String) throws -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .variable(let name, let line, let column):
                guard let value = variables[name] else {
                    throw SQLTemplateError(name: name, location: SourceLocation(file: file, line: line, column: column))
                }
                out += value
            }
        }
        return out
    }

    /// True when a variable of this name holds a secret (`password`, `secret` or `token` in its
    /// name, in any case): its value is shown as `***` outside the SQL that runs.
    public static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["password", "secret", "token"].contains { lower.contains($0) }
    }

    /// `variables` with the value of each secret one (`isSecret`) replaced by `***`.
    public static func masking(_ variables: [String: String]) -> [String: String] {
        variables.reduce(into: [:]) { $0[$1.key] = isSecret($1.key) ? "***" : $1.value }
    }

    /// The name and the end of a placeholder starting at `start` (a `{`), nil when there is none.
    static func placeholder(in bytes: [UInt8], at start: Int) -> (String, Int)? {
        func isNameStart(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") }
        func isName(_ byte: UInt8) -> Bool { isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) }
        guard start + 1 < bytes.count, bytes[start + 1] == UInt8(ascii: "{") else { return nil }
        var index = start + 2
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        let nameStart = index
        guard index < bytes.count, isNameStart(bytes[index]) else { return nil }
        while index < bytes.count, isName(bytes[index]) { index += 1 }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "}"), bytes[index + 1] == UInt8(ascii: "}") else { return nil }
        return (name, index + 2)
    }

    /// The characters of `text` between two UTF-8 offsets (both on ASCII bytes, so on characters).
    static func slice(_ text: String, _ from: Int, _ to: Int) -> Substring {
        let utf8 = text.utf8
        return Substring(utf8[utf8.index(utf8.startIndex, offsetBy: from)..<utf8.index(utf8.startIndex, offsetBy: to)])
    }
}

/// A `{{ name }}` whose name no `vars:` defines for the environment (exit 2).
public struct SQLTemplateError: GodwitError, Hashable {
    /// The undefined name.
    public var name: String
    /// Where the placeholder is: the revision file, line and column.
    public var location: SourceLocation?
    public var exitCode: ExitStatus { .usage }

    /// Creates the error of an undefined `name` at `location`.
    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    public var message: String {
        "undefined variable '\(name)': define it under 'vars:' in environments/environments.yaml, at the top or under the environment"
    }
}

extension SQLSection {
    /// True when the section may hold a `{{ name }}` placeholder.
    public var hasPlaceholders: Bool { sql.contains("{{") }

    /// The section with its placeholders replaced (the same section when it has none).
    /// - Throws: `SQLTemplateError` for an undefined name, at `file:line:column`.
    public func rendered(variables: [String: String], file: String) throws -> SQLSection {
        guard hasPlaceholders else { return self }
        return SQLSection(sql: try SQLTemplate(text: sql, firstLine: line).render(variables: variables, file: file), line: line)
    }
}

extension Revision {
    /// The revision with the placeholders of both sections replaced; its checksum stays that of
    /// the file as written.
    /// - Throws: `SQLTemplateError` for an undefined name.
    public func rendered(variables: [String: String]) throws -> Revision {
        var copy = self
        copy.upgrade = try upgrade.rendered(variables: variables, file: path)
        copy.downgrade = try downgrade?.rendered(variables: variables, file: path)
        return copy
    }

    /// The names of the placeholders of a section, in order.
    public func variableNames(_ direction: Direction) -> [String] {
        guard let section = section(direction), section.hasPlaceholders else { return [] }
        return SQLTemplate(text: section.sql, firstLine: section.line).names
    }
}

extension Plan {
    /// The plan with every step's SQL rendered, checked step by step in order before any runs:
    /// the first undefined name is the error.
    /// - Throws: `SQLTemplateError` at the revision file's line and column.
    public func rendered(variables: [String: String]) throws -> Plan {
        var copy = self
        for index in copy.steps.indices {
            copy.steps[index].sql = try steps[index].sql?.rendered(variables: variables, file: steps[index].revision.path)
        }
        return copy
    }

    /// The names of the variables the plan's SQL uses, each once.
    public var variableNames: [String] {
        var names: [String] = []
        for step in steps where step.sql != nil {
            for name in step.revision.variableNames(step.direction) where !names.contains(name) { names.append(name) }
        }
        return names
    }
}
