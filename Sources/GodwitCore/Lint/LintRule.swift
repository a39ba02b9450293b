/// A lint rule of SPEC §7: an operation that locks a busy table for long, or destroys or renames
/// something the running application still uses. The raw value is the rule's id, as written in
/// `-- godwit:ignore RULE` and in the `kind` of `lint --json`.
public enum LintRule: String, CaseIterable, Sendable, Codable, Hashable {
    /// `DROP TABLE`: deletes data and breaks code that still reads the table.
    case dropTable = "drop-table"
    /// `ALTER TABLE … DROP COLUMN`: deletes data and breaks code that still uses the column.
    case dropColumn = "drop-column"
    /// `CREATE INDEX` without `CONCURRENTLY` on a table that existed before the revision: blocks writes for the whole build.
    case createIndexNotConcurrently = "create-index-not-concurrently"
    /// `ADD COLUMN` with a volatile default (or serial, identity, stored generated): rewrites the table under an exclusive lock.
    case addColumnVolatileDefault = "add-column-volatile-default"
    /// `ALTER COLUMN … SET NOT NULL` without a validated check: scans the table under an exclusive lock.
    case setNotNull = "set-not-null"
    /// A foreign key or check constraint added to an existing table without `NOT VALID`: validates every row under a lock.
    case addConstraintWithoutNotValid = "add-constraint-without-not-valid"
    /// `ALTER COLUMN … TYPE`: rewrites the table and its indexes under an exclusive lock.
    case alterColumnType = "alter-column-type"
    /// `RENAME COLUMN`: breaks code that uses the old name.
    case renameColumn = "rename-column"
    /// `ALTER TABLE … RENAME TO`: breaks code that uses the old name.
    case renameTable = "rename-table"
    /// `VACUUM FULL`: rewrites the table under an exclusive lock.
    case vacuumFull = "vacuum-full"
    /// `CLUSTER`: rewrites the table under an exclusive lock.
    case cluster = "cluster"
    /// `LOCK TABLE`: an explicit lock held until the revision's transaction ends.
    case lockTable = "lock-table"
    /// A statement that cannot run in a transaction (or ends it) in a transactional revision.
    case nonTransactionalStatementInTransaction = "non-transactional-statement-in-transaction"

    /// The rule for an id, as written in `-- godwit:ignore`; nil for an unknown id.
    public init?(id: String) { self.init(rawValue: id) }

    /// The rule's id.
    public var id: String { rawValue }

    /// Why the operation is dangerous, in one line (the README's table; findings say more).
    public var summary: String {
        switch self {
        case .dropTable: "deletes the table's data and breaks running code that still reads it"
        case .dropColumn: "deletes the column's data and breaks running code that still uses it"
        case .createIndexNotConcurrently: "blocks every write to the table for the whole index build"
        case .addColumnVolatileDefault: "rewrites the whole table under an ACCESS EXCLUSIVE lock"
        case .setNotNull: "scans the whole table under an ACCESS EXCLUSIVE lock"
        case .addConstraintWithoutNotValid: "checks every existing row while holding a lock that blocks writes"
        case .alterColumnType: "rewrites the table and its indexes under an ACCESS EXCLUSIVE lock"
        case .renameColumn: "breaks running code that uses the old name"
        case .renameTable: "breaks running code that uses the old name"
        case .vacuumFull: "rewrites the table under an ACCESS EXCLUSIVE lock"
        case .cluster: "rewrites the table under an ACCESS EXCLUSIVE lock"
        case .lockTable: "blocks other sessions until the revision's transaction ends"
        case .nonTransactionalStatementInTransaction: "the database refuses the statement inside the revision's transaction, or it ends that transaction early"
        }
    }

    /// The rules that apply to revisions of `dialect`. PostgreSQL: all of them. SQLite: the ones
    /// about data loss and renames, and statements that cannot run in a transaction (`VACUUM`);
    /// the lock rules do not apply, as SQLite has neither `CONCURRENTLY` nor `NOT VALID` to offer
    /// instead, and refuses the rest of their statements (`SET NOT NULL`, `ALTER COLUMN TYPE`, …).
    public static func rules(for dialect: SQLDialect) -> Set<LintRule> {
        switch dialect {
        case .postgresql: Set(allCases)
        case .sqlite: [.dropTable, .dropColumn, .renameColumn, .renameTable, .nonTransactionalStatementInTransaction]
        }
    }
}
