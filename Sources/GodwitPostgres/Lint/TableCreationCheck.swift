import GodwitCore

/// No rule: remembers the tables a section creates (`CREATE TABLE`, `CREATE TABLE … AS`,
/// `SELECT … INTO`) and their column types. `CREATE TABLE IF NOT EXISTS` creates a new table only
/// on a fresh database; elsewhere the table may exist and be busy.
struct TableCreationCheck: StatementCheck {
    var nodeTypes: Set<String> { ["CreateStmt", "CreateTableAsStmt", "SelectStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        let isCertain = body["if_not_exists"]?.isTrue != true
        if let table = TableName(rangeVar: body["relation"]) {
            var columns: [String: ColumnType] = [:]
            for element in body["tableElts"]?.arrayValue ?? [] {
                guard let column = element["ColumnDef"], let name = column["colname"]?.stringValue else { continue }
                columns[name] = ColumnType(typeName: column["typeName"])
            }
            state.created(table, columnTypes: columns, isCertain: isCertain)
        } else if let table = TableName(rangeVar: body["into"]?["rel"]) {
            state.created(table, columnTypes: [:], isCertain: isCertain)
        } else if let table = TableName(rangeVar: body["intoClause"]?["rel"]) {
            state.created(table, columnTypes: [:], isCertain: true)
        }
        return []
    }
}
