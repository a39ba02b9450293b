import GodwitCore

/// What the statements of a section did before the one being checked, and what the plan did
/// before the section: the state every check shares, read and written in statement order.
struct LintState {
    /// A constraint added `NOT VALID` earlier in the section.
    struct PendingConstraint {
        var table: TableName
        var name: String
        /// The column a `CHECK (column IS NOT NULL)` proves, when it is one.
        var notNullColumn: String?
    }

    /// A table whose column types are known, because the plan or the section created it.
    struct KnownTable {
        var name: TableName
        var columnTypes: [String: ColumnType]
    }

    /// True when the revision runs in one transaction.
    let isTransactional: Bool
    /// The oldest PostgreSQL major version the revision must run on.
    let serverMajorVersion: Int
    /// True when the plan runs on a fresh database: `CREATE TABLE IF NOT EXISTS` creates the table.
    let isFreshDatabase: Bool
    /// Tables created earlier in the plan or the section: the lock and drop rules leave them alone
    /// (nobody uses them yet).
    var newTables: [TableName]
    /// How many of `newTables` came from the plan before the section.
    let newTablesFromPlan: Int
    /// Tables whose column types are known, newest last.
    var knownTables: [KnownTable]
    /// Constraints added `NOT VALID` earlier in the section.
    var pendingConstraints: [PendingConstraint] = []
    /// Checks validated earlier in the section, with the column they prove not null (nil: unknown).
    var validatedChecks: [(table: TableName, column: String?)] = []
    /// Tables dropped earlier in the section.
    var droppedTables: [TableName] = []

    /// The names the section gives a view (anywhere in it) or a table (with the index of the
    /// statement): a table renamed away from such a name is replaced, and running code keeps working.
    let recreatedNames: [(statement: Int?, table: TableName)]
    /// The tables renamed in the section, with the index of the statement and the new name.
    let renames: [(statement: Int, newName: TableName)]
    /// The index of the statement being checked.
    var statementIndex = 0

    /// The state before the first statement of a section whose statements' parse trees are
    /// `trees` (for what the section does anywhere), after the steps `context` describes.
    init(isTransactional: Bool, serverMajorVersion: Int, context: LintContext = LintContext(), trees: [[JSONValue]] = []) {
        self.isTransactional = isTransactional
        self.serverMajorVersion = serverMajorVersion
        self.isFreshDatabase = context.isFreshDatabase
        let planTables = context.createdTables.map { TableName(schema: $0.schema, name: $0.name) }
        self.newTables = planTables
        self.newTablesFromPlan = planTables.count
        self.knownTables = context.createdTables.map { table in
            KnownTable(name: TableName(schema: table.schema, name: table.name), columnTypes: table.columnTypes.compactMapValues(ColumnType.init))
        }
        var recreated: [(statement: Int?, table: TableName)] = []
        var renames: [(statement: Int, newName: TableName)] = []
        for (index, statement) in trees.enumerated() {
            for tree in statement {
                guard let (type, body) = tree.node else { continue }
                switch type {
                case "ViewStmt": if let view = TableName(rangeVar: body["view"]) { recreated.append((nil, view)) }
                case "CreateStmt": if let table = TableName(rangeVar: body["relation"]) { recreated.append((index, table)) }
                case "CreateTableAsStmt": if let table = TableName(rangeVar: body["into"]?["rel"]) { recreated.append((index, table)) }
                case "RenameStmt" where body["renameType"]?.stringValue == "OBJECT_TABLE":
                    if let table = TableName(rangeVar: body["relation"]), let newName = body["newname"]?.stringValue {
                        renames.append((index, TableName(schema: table.schema, name: newName)))
                    }
                default: continue
                }
            }
        }
        self.recreatedNames = recreated
        self.renames = renames
    }

    /// True when `table` was created earlier in the plan or the section.
    func isNew(_ table: TableName?) -> Bool {
        guard let table else { return false }
        return newTables.contains { $0.matches(table) }
    }

    /// Records a table created by the section: new when `isCertain` (or the database is fresh),
    /// and its columns' types known either way.
    mutating func created(_ table: TableName, columnTypes: [String: ColumnType], isCertain: Bool) {
        if isCertain || isFreshDatabase { newTables.append(table) }
        knownTables.append(KnownTable(name: table, columnTypes: columnTypes))
    }

    /// The type a column of `table` has, when the plan or the section created the table.
    func columnType(_ column: String, of table: TableName) -> ColumnType? {
        knownTables.last { $0.name.matches(table) }?.columnTypes[column]
    }

    /// Records a column's new type.
    mutating func setColumnType(_ column: String, of table: TableName, to type: ColumnType?) {
        guard let index = knownTables.lastIndex(where: { $0.name.matches(table) }) else { return }
        knownTables[index].columnTypes[column] = type
    }

    /// Records a rename of a table: a new table stays new under its new name, and the columns
    /// known under the old name are known under the new one.
    mutating func renamed(_ table: TableName, to newName: TableName) {
        if isNew(table) { newTables.append(newName) }
        if let known = knownTables.last(where: { $0.name.matches(table) }) {
            knownTables.append(KnownTable(name: newName, columnTypes: known.columnTypes))
        }
    }

    /// True when the section gives `table`'s name to a view, or to a table after this statement.
    func isRecreated(_ table: TableName) -> Bool {
        recreatedNames.contains { ($0.statement.map { $0 > statementIndex } ?? true) && $0.table.matches(table) }
    }

    /// True when a statement after this one renames a table to `table`'s name: the table is
    /// replaced (SQLite's rebuild: new table, rows copied, old one dropped, new one renamed).
    func isReplacedLater(_ table: TableName) -> Bool {
        renames.contains { $0.statement > statementIndex && $0.newName.matches(table) }
    }

    /// `non-transactional-statement-in-transaction` for `what`, when the revision is transactional.
    func outsideTransaction(_ what: String) -> [LintFlag] {
        guard isTransactional else { return [] }
        return [LintFlag(.nonTransactionalStatementInTransaction, "\(what) cannot run inside a transaction, and this revision is transactional: the database refuses it and the revision fails; put it in a revision of its own with the header '-- transactional: false'")]
    }

    /// `context` with the tables the section created added, for the steps after it.
    func updating(_ context: LintContext) -> LintContext {
        var context = context
        for table in newTables.dropFirst(newTablesFromPlan) {
            let columns = knownTables.last { $0.name.matches(table) }?.columnTypes ?? [:]
            context.createdTables.append(LintContext.Table(schema: table.schema, name: table.name, columnTypes: columns.mapValues(\.description)))
        }
        return context
    }
}
