import GodwitCore

/// `alter-column-type`: `ALTER COLUMN … TYPE` on a table that existed before the section, unless
/// the column's old type is known (the plan or the section created the table) and PostgreSQL
/// changes it without a rewrite (`varchar(128)` to `varchar(1024)`, see
/// `ColumnType.changesWithoutRewrite(to:)`).
struct AlterColumnTypeCheck: AlterTableCheck {
    var subtypes: Set<String> { ["AT_AlterColumnType"] }

    func check(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag] {
        let definition = command["def"]?["ColumnDef"]
        let newType = ColumnType(typeName: definition?["typeName"])
        let name = command["name"]?.stringValue
        let oldType = name.flatMap { state.columnType($0, of: table.name) }
        if let name { state.setColumnType(name, of: table.name, to: newType) }
        guard !table.isNew else { return [] }
        if let oldType, let newType, definition?["raw_default"] == nil, oldType.changesWithoutRewrite(to: newType) { return [] }
        let column = name.map { "'\($0)'" } ?? "a column"
        let type = definition?["typeName"]?.typeLabel.map { " to '\($0)'" } ?? ""
        return [LintFlag(.alterColumnType, "changing the type of column \(column) of \(table.name)\(type) rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (unless the change is binary-compatible, such as varchar(n) to text or to a longer varchar), and running code may break on the new type; add a column of the new type, backfill it in batches, move the application to it, then drop the old column")]
    }
}
