import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

@testable import Godwit

/// Databases of their own on the test server (`GODWIT_TEST_POSTGRES_URL`), dropped afterwards:
/// autogenerate wipes its scratch database, so tests share none.
struct PostgresDatabases {

    let names: [String]
    let admin: PostgresConnection

    /// Creates `count` empty databases.
    init(_ count: Int) throws {
        guard let server = PostgresTestServer.urlText else { throw PostgresTestServer.MissingServer() }
        admin = try PostgresConnection(url: DatabaseURL(kind: .postgresql, text: server))
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        names = (0..<count).map { "godwit_t\($0)_\(suffix)" }
        for name in names { try admin.execute("CREATE DATABASE \(name)") }
    }

    /// The URL of the `index`-th database.
    func url(_ index: Int) -> String {
        let server = PostgresTestServer.urlText!
        let query = server.firstIndex(of: "?").map { String(server[$0...]) } ?? ""
        let base = query.isEmpty ? server : String(server[..<server.firstIndex(of: "?")!])
        let slash = base.range(of: "/", options: .backwards, range: base.range(of: "://")!.upperBound..<base.endIndex)
        let host = slash.map { String(base[..<$0.lowerBound]) } ?? base
        return host + "/" + names[index] + query
    }

    /// Opens a connection to the `index`-th database, in `schema` when given.
    func connect(_ index: Int, schema: String? = nil) throws -> PostgresConnection {
        try PostgresConnection(url: DatabaseURL(kind: .postgresql, text: url(index)), options: ConnectionOptions(schema: schema))
    }

    func drop() {
        for name in names { try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        admin.close()
    }
}

@Suite(.enabled(if: PostgresTestServer.isEnabled, "set GODWIT_TEST_POSTGRES_URL to run the PostgreSQL tests"))
struct AutogeneratePostgresTests {
    /// dev, test, corpus (a replayed chain) and scratch, each its own database.
    func project(_ databases: PostgresDatabases, schema: String? = nil, versions: URL? = nil) throws -> SchemaProject {
        let schemaLine = schema.map { "\n    schema: \($0)" } ?? ""
        return try SchemaProject(
            yaml: """
                default_environment: dev
                schema: schema.sql
                scratch_url: \(databases.url(3))
                environments:
                  dev:
                    url: \(databases.url(0))\(schemaLine)
                  test:
                    url: \(databases.url(1))\(schemaLine)
                  corpus:
                    url: \(databases.url(2))\(schemaLine)
                """, versions: versions)
    }

    @Test func fixedPointFromASchemaFileOnPostgreSQL() throws {
        let databases = try PostgresDatabases(4)
        defer { databases.drop() }
        let project = try project(databases)
        defer { project.remove() }
        try project.write(
            "schema.sql",
            """
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE TYPE status AS ENUM ('placed', 'paid');
            CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
            CREATE TABLE orders (
                id serial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
                status status NOT NULL DEFAULT 'placed', total numeric(10, 2) CHECK (total >= 0));
            CREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops);
            CREATE INDEX orders_unpaid ON orders (user_id) WHERE status <> 'paid';
            CREATE VIEW unpaid AS SELECT id FROM orders WHERE status = 'placed';
            """)
        let desired = try SchemaInspector(workspace: project.workspace()).desiredSchema(schema: nil)
        #expect(desired.extensions == [Extension(name: "pg_trgm")])
        try project.checkFixedPoint(from: .schemaFile, desired: desired)
    }

    /// ory/kratos's 346 PostgreSQL revisions (extensions, GIN indexes, partial indexes, renamed
    /// tables) replayed into an environment whose live schema is the desired one.
    @Test func fixedPointOfTheKratosChainOnPostgreSQL() throws {
        let databases = try PostgresDatabases(4)
        defer { databases.drop() }
        let corpus = try project(databases, versions: try Corpus.versions("ory-kratos/postgresql/versions"))
        defer { corpus.remove() }
        let source = try databases.connect(2)
        let workspace = try corpus.workspace()
        try Scratch(workspace: workspace, schema: nil).replay(try workspace.graph(), to: .heads, on: source)
        source.close()

        let project = try project(databases)
        defer { project.remove() }
        let desired = try project.live("corpus")
        #expect(desired.tables.count > 20 && desired.extensions.count == 2, "\(desired.tables.count) tables, \(desired.extensions)")
        try project.checkFixedPoint(from: .environment("corpus"), desired: desired)
    }

    /// supabase/auth's 70 revisions in schema `auth` (enum types, functions, grants, row level
    /// security) after its setup.sql.
    @Test func fixedPointOfTheSupabaseChainOnPostgreSQL() throws {
        let databases = try PostgresDatabases(4)
        defer { databases.drop() }
        let chain = try Corpus.versions("supabase-auth/postgresql")
        let corpus = try project(databases, schema: "auth", versions: chain.appendingPathComponent("versions"))
        defer { corpus.remove() }
        let source = try databases.connect(2, schema: "auth")
        try source.execute(try String(contentsOf: chain.appendingPathComponent("setup.sql"), encoding: .utf8))
        let workspace = try corpus.workspace()
        try Scratch(workspace: workspace, schema: "auth").replay(try workspace.graph(), to: .heads, on: source)
        source.close()

        let project = try project(databases, schema: "auth")
        defer { project.remove() }
        let desired = try project.live("corpus")
        #expect(desired.tables.count > 15 && desired.enums.count >= 9, "\(desired.tables.count) tables, \(desired.enums.count) enums")
        try project.checkFixedPoint(from: .environment("corpus"), desired: desired)
    }

    @Test func driftAndDiffFindAHandMadeIndexOnPostgreSQL() throws {
        let databases = try PostgresDatabases(4)
        defer { databases.drop() }
        let project = try project(databases, schema: "app")
        defer { project.remove() }
        try project.write("schema.sql", "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);")
        _ = try Autogenerate(workspace: project.workspace()).revision(
            message: "users", from: .schemaFile, environment: try project.workspace().project.environment("dev"))
        _ = try project.run("dev", .upgrade(.heads))
        _ = try project.run("test", .upgrade(.heads))
        let workspace = try project.workspace()
        let dev = try workspace.project.environment("dev")
        let test = try workspace.project.environment("test")
        #expect(try SchemaInspector(workspace: workspace).drift(dev).isEmpty)
        #expect(try SchemaInspector(workspace: workspace).diff(dev, test).isEmpty)

        let connection = try databases.connect(0, schema: "app")
        try connection.execute("CREATE INDEX by_hand ON users (lower(email))")
        connection.close()
        let expected = [
            SchemaDifference(kind: "added", object: "index", name: "users.by_hand", left: nil, right: "INDEX ON users USING btree (lower(email))")
        ]
        #expect(try SchemaInspector(workspace: workspace).drift(dev).differences == expected)
        #expect(try SchemaInspector(workspace: workspace).diff(test, dev).differences == expected)
    }
}
