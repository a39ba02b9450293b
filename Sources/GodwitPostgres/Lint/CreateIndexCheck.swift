import GodwitCore

/// `create-index-not-concurrently`: `CREATE INDEX` without `CONCURRENTLY` on a table that existed
/// before the section.
struct CreateIndexCheck: StatementCheck {
    var nodeTypes: Set<String> { ["IndexStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        guard body["concurrent"]?.isTrue != true, let table = TableName(rangeVar: body["relation"]), !state.isNew(table) else { return [] }
        let index = body["idxname"]?.stringValue.map { " '\($0)'" } ?? ""
        let unique = body["unique"]?.isTrue == true ? "UNIQUE " : ""
        return [LintFlag(.createIndexNotConcurrently, "CREATE \(unique)INDEX\(index) on the existing table \(table) blocks every write to it (inserts, updates, deletes) for the whole build; use CREATE \(unique)INDEX CONCURRENTLY in a revision of its own with the header '-- transactional: false'")]
    }
}
