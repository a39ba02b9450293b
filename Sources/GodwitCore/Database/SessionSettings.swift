/// What Godwit establishes in a session and restores after every revision (SPEC §6): a revision
/// may change its session (`SET search_path`, pg_dump's `set_config(...)`, `SET ROLE`), and the
/// next revision and Godwit's bookkeeping must see the environment's settings again.
public struct SessionSettings: Sendable, Equatable {
    /// The schema that holds Godwit's tables, named in every statement Godwit writes: the
    /// environment's `schema:`, else the schema the session resolved to at connect; nil where the
    /// database has no schemas (SQLite).
    public var schema: String?
    /// True when the environment sets the search_path to `schema` alone (its `schema:`); false when
    /// the session keeps its default search_path.
    public var setsSearchPath: Bool
    /// The session's `lock_timeout`.
    public var lockTimeout: TimeoutValue?
    /// The session's `statement_timeout`, nil for the server's default.
    public var statementTimeout: TimeoutValue?
    /// True behind a transaction pooler (`lock: table`): the server session may change between two
    /// transactions, so each transaction Godwit opens sets what it needs (`SET LOCAL`).
    public var isPooled: Bool

    /// Creates settings; the defaults are those of a database without sessions to restore.
    public init(
        schema: String? = nil, setsSearchPath: Bool = false, lockTimeout: TimeoutValue? = nil, statementTimeout: TimeoutValue? = nil,
        isPooled: Bool = false
    ) {
        self.schema = schema
        self.setsSearchPath = setsSearchPath
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
        self.isPooled = isPooled
    }
}
