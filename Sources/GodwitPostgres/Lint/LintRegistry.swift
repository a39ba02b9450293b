import GodwitCore

/// Every check the linter runs, in the order their flags appear for one statement. A new rule is
/// one file with a `StatementCheck` (or an `AlterTableCheck` for a subcommand of `ALTER TABLE`)
/// and one line here.
enum LintRegistry {
    /// The checks of whole statements.
    static let statementChecks: [any StatementCheck] = [
        TableCreationCheck(),
        DropTableCheck(),
        AlterTableDispatch(),
        CreateIndexCheck(),
        RenameTableCheck(),
        RenameColumnCheck(),
        VacuumFullCheck(),
        ClusterCheck(),
        LockTableCheck(),
        NonTransactionalStatementCheck(),
    ]

    /// The checks of `ALTER TABLE` subcommands.
    static let alterTableChecks: [any AlterTableCheck] = [
        DropColumnCheck(),
        AddColumnCheck(),
        SetNotNullCheck(),
        AddConstraintCheck(),
        AlterColumnTypeCheck(),
    ]

    /// The checks of each node type, in registry order.
    static let checksByNodeType: [String: [any StatementCheck]] = {
        var checks: [String: [any StatementCheck]] = [:]
        for check in statementChecks { for type in check.nodeTypes { checks[type, default: []].append(check) } }
        return checks
    }()

    /// The checks of each `ALTER TABLE` subcommand type, in registry order.
    static let checksBySubtype: [String: [any AlterTableCheck]] = {
        var checks: [String: [any AlterTableCheck]] = [:]
        for check in alterTableChecks { for type in check.subtypes { checks[type, default: []].append(check) } }
        return checks
    }()

    /// The flags of one statement (`{"NodeType": {…}}`), remembering in `state` what it does.
    static func check(_ statement: JSONValue, state: inout LintState) -> [LintFlag] {
        guard let (type, body) = statement.node else { return [] }
        return (checksByNodeType[type] ?? []).flatMap { $0.check(body, of: type, state: &state) }
    }
}

/// `ALTER TABLE`: each subcommand goes to the checks of its type, in the order written.
struct AlterTableDispatch: StatementCheck {
    var nodeTypes: Set<String> { ["AlterTableStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        guard body["objtype"]?.stringValue == "OBJECT_TABLE", let name = TableName(rangeVar: body["relation"]) else { return [] }
        let table = AlteredTable(name: name, isNew: state.isNew(name))
        var flags: [LintFlag] = []
        for item in body["cmds"]?.arrayValue ?? [] {
            guard let command = item["AlterTableCmd"], let subtype = command["subtype"]?.stringValue else { continue }
            for check in LintRegistry.checksBySubtype[subtype] ?? [] { flags += check.check(command, on: table, state: &state) }
        }
        return flags
    }
}
