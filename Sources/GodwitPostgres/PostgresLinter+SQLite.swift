import GodwitCore

extension PostgresLinter {
    /// SQLite's `CREATE TRIGGER … BEGIN stmt; …; END;` as one statement: PostgreSQL's scanner
    /// splits the body at each `;`, and its `END` alone would read as `COMMIT`. The pieces from a
    /// `CREATE [TEMP|TEMPORARY] TRIGGER` through the next piece that is only `END` are joined
    /// (with the text between them, so that offsets and lines stay right).
    static func joiningTriggerBodies(_ statements: [(sql: String, offset: Int)]) -> [(sql: String, offset: Int)] {
        var result: [(sql: String, offset: Int)] = []
        var trigger: (sql: String, offset: Int)?
        for statement in statements {
            if var open = trigger {
                let gap = statement.offset - (open.offset + open.sql.utf8.count)
                open.sql += String(repeating: " ", count: max(gap, 0)) + statement.sql
                if isEnd(statement.sql) {
                    result.append(open)
                    trigger = nil
                } else {
                    trigger = open
                }
            } else if startsTrigger(statement.sql) {
                trigger = statement
            } else {
                result.append(statement)
            }
        }
        if let trigger { result.append(trigger) }
        return result
    }

    /// The first words of a statement, upper-cased.
    static func words(_ sql: String, count: Int) -> [String] {
        sql.split(whereSeparator: { $0.isWhitespace || $0 == ";" }).prefix(count).map { $0.uppercased() }
    }

    /// True for `CREATE [TEMP|TEMPORARY] TRIGGER …`.
    static func startsTrigger(_ sql: String) -> Bool {
        let first = words(sql, count: 3)
        guard first.first == "CREATE", first.count > 1 else { return false }
        return first[1] == "TRIGGER" || (["TEMP", "TEMPORARY"].contains(first[1]) && first.count > 2 && first[2] == "TRIGGER")
    }

    /// True for a piece that is only `END` (and its `;`).
    static func isEnd(_ sql: String) -> Bool {
        sql.split(whereSeparator: { $0.isWhitespace || $0 == ";" }).map { $0.uppercased() } == ["END"]
    }
}
