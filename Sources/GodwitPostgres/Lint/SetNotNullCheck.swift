import GodwitCore

/// `set-not-null`: `ALTER COLUMN … SET NOT NULL` on a table that existed before the section, with
/// no check proving the column not null validated earlier in it.
struct SetNotNullCheck: AlterTableCheck {
    var subtypes: Set<String> { ["AT_SetNotNull"] }

    func check(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag] {
        guard !table.isNew else { return [] }
        let name = command["name"]?.stringValue
        let isProven = state.validatedChecks.contains { $0.table.matches(table.name) && ($0.column == nil || $0.column == name) }
        guard !isProven else { return [] }
        let column = name.map { "'\($0)'" } ?? "a column"
        return [LintFlag(.setNotNull, "SET NOT NULL on column \(column) of \(table.name) scans every row under an ACCESS EXCLUSIVE lock: no reads or writes of the table until it finishes; add CHECK (\(name ?? "column") IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later revision, and SET NOT NULL after the VALIDATE, which then needs no scan (PostgreSQL 12+)")]
    }
}
