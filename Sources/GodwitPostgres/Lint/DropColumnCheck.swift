import GodwitCore

/// `drop-column`: `ALTER TABLE … DROP COLUMN` of a table that existed before the section.
struct DropColumnCheck: AlterTableCheck {
    var subtypes: Set<String> { ["AT_DropColumn"] }

    func check(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag] {
        guard !table.isNew else { return [] }
        let column = command["name"]?.stringValue.map { "'\($0)'" } ?? "a column"
        return [LintFlag(.dropColumn, "dropping column \(column) of \(table.name) deletes its data, and every running copy of the application that still reads or writes it (SELECT *, INSERT naming it) fails; first release code that no longer uses the column, then drop it in a later revision")]
    }
}
