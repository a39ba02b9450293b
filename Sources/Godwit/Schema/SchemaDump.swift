import GodwitCore

/// The result of `schema dump`: an environment's schema as Godwit's canonical DDL.
public struct SchemaDump: Sendable, Hashable {
    /// The environment dumped.
    public var environment: String
    /// Its dialect, which the DDL is written in.
    public var dialect: SQLDialect
    /// The DDL, one statement per line (or block), each ending with `;`.
    public var sql: String

    /// Creates a dump.
    public init(environment: String, dialect: SQLDialect, sql: String) {
        self.environment = environment
        self.dialect = dialect
        self.sql = sql
    }

    /// The JSON of SPEC §9: `{"environment", "dialect", "sql"}`.
    public var json: JSONValue {
        .object(["environment": .string(environment), "dialect": .string(dialect.rawValue), "sql": .string(sql)])
    }
}
