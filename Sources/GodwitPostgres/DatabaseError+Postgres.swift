import CLibPQ
import Foundation
import GodwitCore

extension DatabaseError {
    /// Maps a failed libpq result to an error: SQLSTATE, primary message, detail and hint, and the
    /// positions in `script`: `position` is `statementOffset`, the start of the statement that
    /// failed (the server's exact position when that is unknown), and `errorPosition` the server's
    /// exact one (`PG_DIAG_STATEMENT_POSITION`) when it gives one.
    ///
    /// `redact` removes the connection's password from every text; `isConnectionLost` makes the
    /// reason `.connection` (the server went away) instead of `.statement`.
    init(
        result: OpaquePointer, script: String, statementOffset: Int?, positionsCountBytes: Bool,
        isConnectionLost: Bool, redact: (String) -> String
    ) {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            let text = String(cString: pointer)
            return text.isEmpty ? nil : redact(text)
        }
        let fallback = String(cString: PQresultErrorMessage(result))
        let message =
            field(GODWIT_PG_DIAG_MESSAGE_PRIMARY)
            ?? redact(Self.oneLine(fallback.isEmpty ? "the statement failed without a message" : fallback))
        var exact: Int?
        if let text = field(GODWIT_PG_DIAG_STATEMENT_POSITION), let character = Int(text), character > 0 {
            exact =
                positionsCountBytes
                ? min(character - 1, script.utf8.count)
                : Self.utf8Offset(ofCharacter: character, in: script)
        }
        self.init(
            isConnectionLost ? .connection : .statement, message, sqlstate: field(GODWIT_PG_DIAG_SQLSTATE),
            detail: field(GODWIT_PG_DIAG_MESSAGE_DETAIL), hint: field(GODWIT_PG_DIAG_MESSAGE_HINT),
            position: statementOffset ?? exact, errorPosition: exact)
    }

    /// The UTF-8 offset of a 1-based character (Unicode scalar) position, as PostgreSQL and
    /// libpg_query count positions in UTF-8 text; clamped to the end of `text`.
    package static func utf8Offset(ofCharacter position: Int, in text: String) -> Int {
        var bytes = 0
        var characters = 1
        for scalar in text.unicodeScalars {
            if characters >= position { break }
            bytes += UTF8.width(scalar)
            characters += 1
        }
        return bytes
    }

    /// libpq's multi-line messages on one line: lines trimmed and joined with "; ".
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }
}
