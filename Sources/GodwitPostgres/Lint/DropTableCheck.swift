import GodwitCore

/// `drop-table`: `DROP TABLE` of a table that existed before the section. A table the section
/// replaces (renames another table to its name after dropping it, as SQLite's rebuild does) is
/// not lost.
struct DropTableCheck: StatementCheck {
    var nodeTypes: Set<String> { ["DropStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        guard body["removeType"]?.stringValue == "OBJECT_TABLE" else { return [] }
        let dropped = (body["objects"]?.arrayValue ?? []).compactMap { TableName(nameList: $0["List"]?["items"]) }
        state.droppedTables += dropped
        let tables = dropped.filter { !state.isNew($0) && !state.isReplacedLater($0) }
        guard !tables.isEmpty else { return [] }
        let names = tables.map(\.description).joined(separator: ", ")
        let one = tables.count == 1
        return [LintFlag(.dropTable, "DROP TABLE \(names) deletes \(one ? "the table" : "the tables") and \(one ? "its" : "their") data, and every running copy of the application that still reads \(one ? "it" : "them") fails; first release code that no longer uses \(one ? "it" : "them"), then drop \(one ? "it" : "them") in a later revision (keep a backup, or rename and drop later)")]
    }
}
