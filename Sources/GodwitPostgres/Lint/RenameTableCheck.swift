import GodwitCore

/// `rename-table`: `ALTER TABLE … RENAME TO` of a table that existed before the section, unless
/// the section gives the old name to a view or a new table, or the new name is that of a table it
/// dropped before (a replacement, as in SQLite's rebuild).
struct RenameTableCheck: StatementCheck {
    var nodeTypes: Set<String> { ["RenameStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        guard body["renameType"]?.stringValue == "OBJECT_TABLE", let table = TableName(rangeVar: body["relation"]) else { return [] }
        let newName = body["newname"]?.stringValue ?? "?"
        let renamed = TableName(schema: table.schema, name: newName)
        let wasNew = state.isNew(table)
        state.renamed(table, to: renamed)
        if wasNew || state.isRecreated(table) || state.droppedTables.contains(where: { $0.matches(renamed) }) {
            return []
        }
        return [LintFlag(.renameTable, "renaming table \(table) to '\(newName)' breaks every running copy of the application that still uses the old name; in the same revision, create a view with the old name (CREATE VIEW \(table.name) AS SELECT * FROM \(newName): a simple view can be written through), and drop the view once no code uses the old name")]
    }
}
