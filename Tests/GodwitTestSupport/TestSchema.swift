import Foundation
import GodwitCore
import GodwitPostgres

/// A schema of its own for one test, so that tests run in parallel; dropped at the end.
public final class TestSchema {
    /// The schema's name: `godwit_test_<random>`.
    public let name: String
    /// The server.
    public let url: DatabaseURL
    /// A connection to the server outside the schema, which drops it at the end.
    public let admin: PostgresConnection

    private init() throws {
        url = try PostgresTestServer.url()
        name = PostgresTestServer.uniqueName("godwit_test")
        admin = try PostgresConnection(url: url, options: ConnectionOptions(applicationName: "godwit tests admin"))
    }

    /// Runs `body` with a fresh schema, dropped afterwards on every path.
    /// - Throws: what `body` throws, or `MissingServer`, or `DatabaseError` from the setup.
    public static func with<T>(_ body: (TestSchema) throws -> T) throws -> T {
        let schema = try TestSchema()
        defer {
            try? schema.admin.execute("DROP SCHEMA IF EXISTS \(SQLDialect.postgresql.quote(schema.name)) CASCADE")
            schema.admin.close()
        }
        return try body(schema)
    }

    /// Opens a connection whose search_path is this schema (created on first use).
    /// - Throws: `DatabaseError`.
    public func connect(
        applicationName: String = "godwit tests", isReadOnly: Bool = false, lockTimeout: TimeoutValue? = nil,
        statementTimeout: TimeoutValue? = nil, url: DatabaseURL? = nil
    ) throws -> PostgresConnection {
        try PostgresConnection(
            url: url ?? self.url,
            options: ConnectionOptions(
                isReadOnly: isReadOnly, applicationName: applicationName, schema: name, lockTimeout: lockTimeout,
                statementTimeout: statementTimeout))
    }

    /// A lock request unique to this schema.
    public func lockRequest(_ mode: LockMode, timeout: TimeoutValue, holder: String = "alice@ci") -> LockRequest {
        LockRequest(name: "\(name).godwit_", tablePrefix: "godwit_", mode: mode, timeout: timeout, holder: holder)
    }
}
