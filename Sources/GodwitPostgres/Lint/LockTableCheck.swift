import GodwitCore

/// `lock-table`: `LOCK TABLE` on a table that existed before the section.
struct LockTableCheck: StatementCheck {
    var nodeTypes: Set<String> { ["LockStmt"] }

    /// The lock modes by the number the parse tree gives them.
    static let modes = [
        1: "ACCESS SHARE", 2: "ROW SHARE", 3: "ROW EXCLUSIVE", 4: "SHARE UPDATE EXCLUSIVE", 5: "SHARE",
        6: "SHARE ROW EXCLUSIVE", 7: "EXCLUSIVE", 8: "ACCESS EXCLUSIVE",
    ]

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        let tables = (body["relations"]?.arrayValue ?? []).compactMap { TableName(rangeVar: $0["RangeVar"]) }.filter { !state.isNew($0) }
        guard !tables.isEmpty else { return [] }
        let mode = Self.modes[body["mode"]?.intValue ?? 8] ?? "ACCESS EXCLUSIVE"
        return [LintFlag(.lockTable, "LOCK TABLE \(tables.map(\.description).joined(separator: ", ")) IN \(mode) MODE holds the lock until the revision's transaction ends, blocking other sessions (and queueing behind long queries); leave locking to the statements themselves, which take only the lock they need, and keep the revision short")]
    }
}
