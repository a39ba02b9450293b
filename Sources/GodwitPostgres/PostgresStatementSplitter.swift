import CPgQuery
import GodwitCore

/// Splits a PostgreSQL script into statements with libpg_query, PostgreSQL's own parser.
///
/// The parser's split is tried first: it knows every statement of the grammar, including
/// `BEGIN ATOMIC … END` bodies and `CREATE RULE … (…; …)`. When the parser rejects the script (a
/// syntax error, or syntax newer than libpg_query's PostgreSQL 15 grammar), libpg_query's scanner
/// splits it instead, so that the server, not the splitter, judges the grammar. Only a lexical error
/// (an unterminated string, comment or dollar quote) makes a script unsplittable.
package enum PostgresStatementSplitter {
    /// Each statement's text (from its first token through its `;`, when it has one) and the UTF-8
    /// offset of that first token in `script`; whitespace- and comment-only pieces are left out.
    /// - Throws: `DatabaseError` with reason `.statement` and the error's UTF-8 `position` when the
    ///   script cannot be split.
    package static func split(_ script: String) throws -> [(sql: String, offset: Int)] {
        let bytes = Array(script.utf8)
        let parsed = script.withCString { pg_query_split_with_parser($0) }
        defer { pg_query_free_split_result(parsed) }
        if parsed.error == nil {
            return statements(in: bytes, ranges: ranges(of: parsed, count: bytes.count), recoversSkipped: false)
        }
        let scanned = script.withCString { pg_query_split_with_scanner($0) }
        defer { pg_query_free_split_result(scanned) }
        if let error = scanned.error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "the script cannot be split into statements"
            let cursor = Int(error.pointee.cursorpos)
            throw DatabaseError(
                .statement, message, sqlstate: "42601",
                position: cursor > 0 ? DatabaseError.utf8Offset(ofCharacter: cursor, in: script) : nil)
        }
        // The scanner leaves out pieces without a keyword (`SELEC 1;`): they are recovered below so
        // that no text of the script is silently dropped; the server reports their error.
        return statements(in: bytes, ranges: ranges(of: scanned, count: bytes.count), recoversSkipped: true)
    }

    /// The byte ranges libpg_query found, in order. Only call on a result without an error.
    static func ranges(of result: PgQuerySplitResult, count: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for index in 0..<Int(result.n_stmts) {
            guard let statement = result.stmts[index]?.pointee else { continue }
            let start = min(max(Int(statement.stmt_location), 0), count)
            let length = Int(statement.stmt_len)
            let end = length > 0 ? min(start + length, count) : count
            ranges.append(start..<end)
        }
        return ranges
    }

    /// Turns libpg_query's ranges into statements: leading trivia skipped, the terminating `;`
    /// included, trailing white space dropped. With `recoversSkipped`, non-trivia text between the
    /// ranges becomes statements too.
    static func statements(in bytes: [UInt8], ranges: [Range<Int>], recoversSkipped: Bool) -> [(sql: String, offset: Int)] {
        var result: [(sql: String, offset: Int)] = []
        var cursor = 0
        func append(_ start: Int, _ end: Int) {
            var stop = end
            while stop > start && isWhiteSpace(bytes[stop - 1]) { stop -= 1 }
            guard start < stop else { return }
            result.append((String(decoding: bytes[start..<stop], as: UTF8.self), start))
        }
        func recover(upTo end: Int) {
            var start = cursor
            while true {
                start = skipTrivia(bytes, from: start, to: end)
                guard start < end, bytes[start] == UInt8(ascii: ";") else { break }
                start += 1
            }
            if start < end { append(start, end) }
        }
        for range in ranges where range.lowerBound >= cursor {
            if recoversSkipped { recover(upTo: range.lowerBound) }
            let start = skipTrivia(bytes, from: range.lowerBound, to: range.upperBound)
            var end = range.upperBound
            if end < bytes.count && bytes[end] == UInt8(ascii: ";") { end += 1 }
            if start < range.upperBound { append(start, end) }
            cursor = end
        }
        if recoversSkipped { recover(upTo: bytes.count) }
        return result
    }

    /// The offset of the first byte in `from..<to` that is neither white space nor inside a
    /// comment (`--` to the end of the line, or `/* */`, which nests in PostgreSQL); `to` if none.
    static func skipTrivia(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var index = start
        while index < end {
            let byte = bytes[index]
            let next: UInt8 = index + 1 < end ? bytes[index + 1] : 0
            if isWhiteSpace(byte) {
                index += 1
            } else if byte == UInt8(ascii: "-") && next == UInt8(ascii: "-") {
                while index < end && bytes[index] != UInt8(ascii: "\n") && bytes[index] != UInt8(ascii: "\r") {
                    index += 1
                }
            } else if byte == UInt8(ascii: "/") && next == UInt8(ascii: "*") {
                var depth = 1
                index += 2
                while index < end && depth > 0 {
                    let following: UInt8 = index + 1 < end ? bytes[index + 1] : 0
                    if bytes[index] == UInt8(ascii: "/") && following == UInt8(ascii: "*") {
                        depth += 1
                        index += 2
                    } else if bytes[index] == UInt8(ascii: "*") && following == UInt8(ascii: "/") {
                        depth -= 1
                        index += 2
                    } else {
                        index += 1
                    }
                }
            } else {
                return index
            }
        }
        return min(index, end)
    }

    /// PostgreSQL's white space: space, tab, newline, carriage return, form feed, vertical tab.
    static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d || byte == 0x0c || byte == 0x0b
    }
}
