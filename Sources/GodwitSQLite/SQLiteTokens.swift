import CSQLite

/// One token of SQLite SQL, for reading back what SQLite keeps only as text: check constraints,
/// generated columns, index expressions and predicates, view bodies. SQLite's pragmas give
/// everything else; this is no parser, only enough to find clauses and write them canonically.
struct SQLiteToken: Equatable {
    enum Kind: Equatable {
        /// A bare word: keyword or identifier.
        case word
        /// A quoted identifier; `text` is the name without quotes.
        case quoted
        case string
        case blob
        case number
        case variable
        case punctuation
    }

    var kind: Kind
    var text: String

    /// True for a bare word equal to `keyword`, case-insensitively.
    func isWord(_ keyword: String) -> Bool { kind == .word && text.lowercased() == keyword }
}

/// Splits SQLite SQL into tokens and writes token runs back in one canonical spelling.
enum SQLiteTokens {
    /// The tokens of `sql`, white space and comments dropped.
    static func tokenize(_ sql: String) -> [SQLiteToken] {
        let bytes = Array(sql.utf8)
        var tokens: [SQLiteToken] = []
        var i = 0
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func isWordByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x5f || b == 0x24 || b >= 0x80
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d || b == 0x0c {
                i += 1
            } else if b == UInt8(ascii: "-") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-") {
                while i < bytes.count && bytes[i] != 0x0a { i += 1 }
            } else if b == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i = min(i + 2, bytes.count)
            } else if b == UInt8(ascii: "'") {
                let start = i
                i += 1
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "'") {
                        if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "'") { i += 2; continue }
                        i += 1
                        break
                    }
                    i += 1
                }
                tokens.append(SQLiteToken(kind: .string, text: text(start..<i)))
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "`") || b == UInt8(ascii: "[") {
                let close = b == UInt8(ascii: "[") ? UInt8(ascii: "]") : b
                var name: [UInt8] = []
                i += 1
                while i < bytes.count {
                    if bytes[i] == close {
                        if close != UInt8(ascii: "]") && i + 1 < bytes.count && bytes[i + 1] == close {
                            name.append(close)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    name.append(bytes[i])
                    i += 1
                }
                tokens.append(SQLiteToken(kind: .quoted, text: String(decoding: name, as: UTF8.self)))
            } else if (b == UInt8(ascii: "x") || b == UInt8(ascii: "X")) && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "'") {
                let start = i
                i += 2
                while i < bytes.count && bytes[i] != UInt8(ascii: "'") { i += 1 }
                i = min(i + 1, bytes.count)
                tokens.append(SQLiteToken(kind: .blob, text: text(start..<i).lowercased()))
            } else if (b >= 0x30 && b <= 0x39) || (b == UInt8(ascii: ".") && i + 1 < bytes.count && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39) {
                let start = i
                i += 1
                while i < bytes.count {
                    let c = bytes[i]
                    if isWordByte(c) || c == UInt8(ascii: ".") {
                        i += 1
                    } else if (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && (bytes[i - 1] | 0x20) == UInt8(ascii: "e")
                        && !(bytes[start] == UInt8(ascii: "0") && i > start + 1 && (bytes[start + 1] | 0x20) == UInt8(ascii: "x"))
                    {
                        i += 1
                    } else {
                        break
                    }
                }
                tokens.append(SQLiteToken(kind: .number, text: text(start..<i)))
            } else if isWordByte(b) {
                let start = i
                while i < bytes.count && isWordByte(bytes[i]) { i += 1 }
                tokens.append(SQLiteToken(kind: .word, text: text(start..<i)))
            } else if b == UInt8(ascii: "?") || b == UInt8(ascii: ":") || b == UInt8(ascii: "@") || (b == UInt8(ascii: "$")) {
                let start = i
                i += 1
                while i < bytes.count && isWordByte(bytes[i]) { i += 1 }
                tokens.append(SQLiteToken(kind: .variable, text: text(start..<i)))
            } else {
                let three = i + 2 < bytes.count ? text(i..<(i + 3)) : ""
                let two = i + 1 < bytes.count ? text(i..<(i + 2)) : ""
                if three == "->>" {
                    tokens.append(SQLiteToken(kind: .punctuation, text: three))
                    i += 3
                } else if ["||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "->"].contains(two) {
                    tokens.append(SQLiteToken(kind: .punctuation, text: two))
                    i += 2
                } else {
                    tokens.append(SQLiteToken(kind: .punctuation, text: text(i..<(i + 1))))
                    i += 1
                }
            }
        }
        return tokens
    }

    /// True when `word` is an SQLite keyword.
    static func isKeyword(_ word: String) -> Bool {
        sqlite3_keyword_check(word, Int32(word.utf8.count)) != 0
    }

    /// Writes tokens in one spelling: bare words in lower case, quoted identifiers in double
    /// quotes, one space between tokens but none inside parentheses, before commas, around dots,
    /// or between a function's name and its `(`; a sign glued to the number it belongs to.
    /// Idempotent: the output tokenizes to tokens that write the same.
    static func canonical<C: Collection>(_ tokens: C) -> String where C.Element == SQLiteToken {
        var out = ""
        var previous: SQLiteToken?
        var gluedSign = false
        for token in tokens {
            let spelled: String
            switch token.kind {
            case .word: spelled = token.text.lowercased()
            case .quoted: spelled = "\"" + token.text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            default: spelled = token.text
            }
            if let previous {
                let noSpace =
                    previous.text == "(" || previous.text == "." || token.text == ")" || token.text == "," || token.text == "."
                    || (token.text == "(" && (previous.kind == .word && !isKeyword(previous.text)))
                    || gluedSign
                if !noSpace { out += " " }
            }
            gluedSign = false
            if token.kind == .punctuation && (token.text == "-" || token.text == "+") {
                // A sign is unary after nothing, an operator, an opening parenthesis, a comma or a keyword.
                let isUnary: Bool
                if let previous {
                    isUnary = (previous.kind == .punctuation && previous.text != ")") || (previous.kind == .word && isKeyword(previous.text))
                } else {
                    isUnary = true
                }
                gluedSign = isUnary
            }
            out += spelled
            previous = token
        }
        return out
    }

    /// The index of the `)` that closes the `(` at `open`, or the end.
    static func closing<C: Collection>(_ tokens: C, from open: C.Index) -> C.Index where C.Element == SQLiteToken {
        var depth = 0
        var index = open
        while index < tokens.endIndex {
            if tokens[index].kind == .punctuation {
                if tokens[index].text == "(" { depth += 1 }
                if tokens[index].text == ")" {
                    depth -= 1
                    if depth == 0 { return index }
                }
            }
            index = tokens.index(after: index)
        }
        return index
    }

    /// Splits tokens at commas outside parentheses.
    static func splitAtCommas(_ tokens: ArraySlice<SQLiteToken>) -> [ArraySlice<SQLiteToken>] {
        var parts: [ArraySlice<SQLiteToken>] = []
        var depth = 0
        var start = tokens.startIndex
        for index in tokens.indices {
            let token = tokens[index]
            guard token.kind == .punctuation else { continue }
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            if token.text == "," && depth == 0 {
                parts.append(tokens[start..<index])
                start = index + 1
            }
        }
        if start < tokens.endIndex { parts.append(tokens[start..<tokens.endIndex]) }
        return parts
    }

    /// The first index at depth 0 of a bare word, from `start`.
    static func firstWord(_ word: String, in tokens: ArraySlice<SQLiteToken>, from start: Int? = nil) -> Int? {
        var depth = 0
        for index in (start ?? tokens.startIndex)..<tokens.endIndex {
            let token = tokens[index]
            if token.kind == .punctuation {
                if token.text == "(" { depth += 1 }
                if token.text == ")" { depth -= 1 }
            } else if depth == 0 && token.isWord(word) {
                return index
            }
        }
        return nil
    }

    /// A declared type in one spelling: upper-case words, no spaces inside parentheses.
    static func canonicalType(_ type: String) -> String {
        var out = ""
        var previous: SQLiteToken?
        for token in tokenize(type) {
            if let previous, previous.kind != .punctuation, token.kind != .punctuation { out += " " }
            out += token.kind == .word ? token.text.uppercased() : (token.kind == .quoted ? "\"\(token.text)\"" : token.text)
            previous = token
        }
        return out
    }
}
