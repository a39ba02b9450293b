/// What the steps of a plan before a section did, as far as the lint rules care: the tables they
/// created (nobody uses those yet, so the lock and drop rules leave them alone) and whether the
/// plan runs on a fresh database (where `CREATE TABLE IF NOT EXISTS` always creates the table).
///
/// A linter reads it before a section and adds the tables the section creates, so that one value
/// carried through the upgrade steps of a plan gives each step what the earlier ones did.
public struct LintContext: Sendable, Hashable {
    /// A table created earlier in the plan, with the types of its columns as far as they are known.
    public struct Table: Sendable, Hashable {
        /// The schema, when the statement named one.
        public var schema: String?
        /// The table's name.
        public var name: String
        /// Each column's type as the statement wrote it, normalised by the linter
        /// (`varchar(128)`, `numeric(12,2)`, `text`).
        public var columnTypes: [String: String]

        /// Creates a table entry.
        public init(schema: String?, name: String, columnTypes: [String: String] = [:]) {
            self.schema = schema
            self.name = name
            self.columnTypes = columnTypes
        }
    }

    /// True when the plan starts on a database with no revision applied.
    public var isFreshDatabase: Bool
    /// The tables created by the earlier steps, in the order they were created.
    public var createdTables: [Table]

    /// Creates a context; `LintContext()` is a section linted on its own against a busy database.
    public init(isFreshDatabase: Bool = false, createdTables: [Table] = []) {
        self.isFreshDatabase = isFreshDatabase
        self.createdTables = createdTables
    }
}
