/// The SQL of one revision, cut out of what `alembic upgrade|downgrade … --sql` prints: the part
/// after that revision's `-- Running upgrade … -> REV` (or `-- Running downgrade REV -> …`)
/// comment, without Alembic's bookkeeping (the statements on `alembic_version` and the
/// `BEGIN;`/`COMMIT;` framing), and otherwise byte for byte.
public enum AlembicScript {
    /// Which way a run went.
    public enum Direction: String, Sendable {
        /// `alembic upgrade`.
        case upgrade
        /// `alembic downgrade`.
        case downgrade
    }

    /// The statements that only keep Alembic's version table, by their first words.
    static let bookkeeping = ["CREATE TABLE", "INSERT INTO", "UPDATE", "DELETE FROM", "DROP TABLE"]

    /// The SQL Alembic printed for `revision` going `direction` in `output` (its stdout), ending
    /// with a newline, or empty when the step runs nothing; nil when `output` has no such step.
    public static func sql(of revision: String, _ direction: Direction, in output: String) -> String? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let marker = lines.firstIndex(where: { isMarker($0, of: revision, direction) }) else { return nil }
        var end = lines[(marker + 1)...].firstIndex(where: { $0.hasPrefix("-- Running ") }) ?? lines.endIndex
        let isLast = end == lines.endIndex
        var segment = Array(lines[(marker + 1)..<end])
        trimBlankLines(&segment)
        // The framing: one BEGIN;/COMMIT; around the script, or one per revision
        // (`transaction_per_migration`), in which case the next revision's BEGIN; ends this part.
        let isFramed = lines.first(where: { !isBlank($0) }) == "BEGIN;"
        if isFramed {
            let isPerRevision = segment.last == "BEGIN;"
            if isPerRevision { segment.removeLast(); trimBlankLines(&segment) }
            if (isPerRevision || isLast), segment.last == "COMMIT;" { segment.removeLast(); trimBlankLines(&segment) }
        }
        end = segment.endIndex
        var kept: [String] = []
        var index = 0
        while index < end {
            if isBookkeeping(segment[index]) {
                while index < end, !segment[index].hasSuffix(";") { index += 1 }
                index += 1
                if index < end, isBlank(segment[index]) { index += 1 }
                continue
            }
            kept.append(segment[index])
            index += 1
        }
        trimBlankLines(&kept)
        return kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
    }

    /// `sql` without the `COMMIT;` … `BEGIN;` pairs with which Alembic's `autocommit_block()`
    /// steps out of its transaction (for `CREATE INDEX CONCURRENTLY` and the like); nil when it
    /// has none. Such a revision runs outside a transaction in Godwit (`transactional: false`).
    public static func withoutAutocommitBlocks(_ sql: String) -> String? {
        var lines = sql.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var found = false
        while let commit = lines.firstIndex(of: "COMMIT;"), let begin = lines[commit...].firstIndex(of: "BEGIN;") {
            found = true
            for index in [begin, commit] {
                lines.remove(at: index)
                if index < lines.count, isBlank(lines[index]) { lines.remove(at: index) }
            }
        }
        guard found else { return nil }
        trimBlankLines(&lines)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// True for Alembic's comment before `revision`'s SQL in a run going `direction`.
    static func isMarker(_ line: String, of revision: String, _ direction: Direction) -> Bool {
        switch direction {
        case .upgrade: return line.hasPrefix("-- Running upgrade ") && line.hasSuffix(" -> \(revision)")
        case .downgrade: return line.hasPrefix("-- Running downgrade \(revision) -> ")
        }
    }

    /// True for the first line of a statement on the version table, schema-qualified or quoted.
    static func isBookkeeping(_ line: String) -> Bool {
        for verb in bookkeeping where line.hasPrefix(verb + " ") {
            let rest = line.dropFirst(verb.count + 1)
            let table = rest.prefix { !$0.isWhitespace && $0 != "(" && $0 != ";" }
            let name = table.split(separator: ".").last.map { $0.replacingOccurrences(of: "\"", with: "") } ?? ""
            return name == "alembic_version"
        }
        return false
    }

    static func isBlank(_ line: String) -> Bool { line.allSatisfy(\.isWhitespace) }

    static func trimBlankLines(_ lines: inout [String]) {
        while let first = lines.first, isBlank(first) { lines.removeFirst() }
        while let last = lines.last, isBlank(last) { lines.removeLast() }
    }
}
