import GodwitCore

/// `rename-column`: `ALTER TABLE … RENAME COLUMN` of a table that existed before the section.
struct RenameColumnCheck: StatementCheck {
    var nodeTypes: Set<String> { ["RenameStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        guard body["renameType"]?.stringValue == "OBJECT_COLUMN", body["relationType"]?.stringValue == "OBJECT_TABLE",
            let table = TableName(rangeVar: body["relation"]), !state.isNew(table)
        else { return [] }
        let old = body["subname"]?.stringValue ?? "?"
        let newName = body["newname"]?.stringValue ?? "?"
        return [LintFlag(.renameColumn, "renaming column '\(old)' of \(table) to '\(newName)' breaks every running copy of the application that still uses the old name; add the new column, write both and backfill it, move the application to it, then drop the old column in a later revision")]
    }
}
