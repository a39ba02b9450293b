import GodwitCore

/// A rule that flags a statement, and the message of the finding.
struct LintFlag {
    var rule: LintRule
    var message: String

    init(_ rule: LintRule, _ message: String) {
        self.rule = rule
        self.message = message
    }
}

/// The check of one lint rule (or of a small family of rules that share what they remember) over
/// the statements of the parse-tree node types it names. Checks are listed in `LintRegistry`.
protocol StatementCheck: Sendable {
    /// The node types it reads (`"DropStmt"`, `"IndexStmt"`).
    var nodeTypes: Set<String> { get }
    /// The flags of one statement's body (of node type `type`), remembering in `state` what later
    /// statements need.
    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag]
}

/// The check of one subcommand kind of `ALTER TABLE` (`AT_DropColumn`, `AT_AddConstraint`), run
/// for each subcommand of the statement in order. Checks are listed in `LintRegistry`.
protocol AlterTableCheck: Sendable {
    /// The subcommand types it reads (`"AT_DropColumn"`).
    var subtypes: Set<String> { get }
    /// The flags of one subcommand (`{"subtype", "name", "def", …}`) on `table`.
    func check(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag]
}

/// The table an `ALTER TABLE` changes, and whether it was created before in the plan or section.
struct AlteredTable {
    var name: TableName
    /// True when nobody uses the table yet: the lock and drop rules leave it alone.
    var isNew: Bool
}
