import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite
import Testing

@testable import Godwit

/// Where the corpus of real migration chains is: `GODWIT_CORPUS`, else the copy in
/// `Tests/Fixtures/corpus` (ory/kratos, Apache-2.0; supabase/auth, MIT: their licenses are there).
enum Corpus {
    static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["GODWIT_CORPUS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/corpus")
    }()

    /// A chain's folder of revisions.
    /// - Throws: when the corpus is not there (the test fails: it is not skipped).
    static func versions(_ chain: String) throws -> URL {
        let url = root.appendingPathComponent(chain)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CorpusMissing(path: url.path)
        }
        return url
    }

    struct CorpusMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "the corpus chain \(path) is missing; it ships in Tests/Fixtures/corpus (or set GODWIT_CORPUS)" }
    }
}

/// A project in a temporary folder with its own environments file, on any database.
struct SchemaProject {
    let root: URL

    init(yaml: String, versions: URL? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("environments"), withIntermediateDirectories: true)
        if let versions {
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("versions"), withDestinationURL: versions)
        } else {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("versions"), withIntermediateDirectories: true)
        }
        try write(Project.configPath, yaml)
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func workspace() throws -> Workspace {
        try Workspace(
            project: try Project(root: root), drivers: [SQLiteDriver(), PostgresDriver()],
            identity: Identity(actor: "tester", host: "test-host", gitCommit: nil), variables: [:])
    }

    func run(_ environment: String, _ kind: ChangeRequest.Kind) throws -> OperationResult {
        let workspace = try workspace()
        return try Migrator(workspace: workspace, environment: try workspace.project.environment(environment)).run(ChangeRequest(kind))
    }

    func live(_ environment: String) throws -> Schema {
        let workspace = try workspace()
        return try SchemaInspector(workspace: workspace).liveSchema(of: try workspace.project.environment(environment))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Autogenerate, apply, compare; autogenerate again (nothing); downgrade to base (empty).
    func checkFixedPoint(from source: DesiredSchemaSource, desired: Schema, comment: Comment? = nil) throws {
        let workspace = try workspace()
        let dev = try workspace.project.environment("dev")
        let first = try Autogenerate(workspace: workspace).revision(message: "from empty", from: source, environment: dev)
        #expect(first.path != nil, comment)
        #expect(!first.upgrade.contains("TODO"), comment)
        _ = try run("dev", .upgrade(.heads))
        let applied = try live("dev")
        #expect(applied == desired, comment)
        #expect(SchemaDiff(from: applied, to: desired).isEmpty, comment)
        let second = try Autogenerate(workspace: self.workspace()).revision(message: "again", from: source, environment: dev)
        #expect(second.path == nil, "a second autogenerate finds nothing: \(second.diff.differences)")
        _ = try run("dev", .downgrade(.base))
        #expect(try live("dev").isEmpty, comment)
    }
}

@Suite struct AutogenerateTests {
    static let shop = """
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            total_cents INTEGER NOT NULL CHECK (total_cents >= 0), status TEXT NOT NULL DEFAULT 'placed');
        CREATE INDEX orders_user_id ON orders (user_id) WHERE status <> 'cancelled';
        CREATE VIEW open_orders AS SELECT id, user_id FROM orders WHERE status = 'placed';
        """

    static let yaml = """
        default_environment: dev
        schema: schema.sql
        environments:
          dev:
            url: sqlite:var/dev.sqlite3
          test:
            url: sqlite:var/test.sqlite3
          src:
            url: sqlite:var/src.sqlite3
        """

    @Test func fixedPointFromASchemaFileOnSQLite() throws {
        let project = try SchemaProject(yaml: Self.yaml)
        defer { project.remove() }
        try project.write("schema.sql", Self.shop)
        let desired = try SchemaInspector(workspace: project.workspace()).desiredSchema(schema: nil)
        #expect(desired.tables.map(\.name) == ["orders", "users"])
        try project.checkFixedPoint(from: .schemaFile, desired: desired)
    }

    @Test func aSchemaFolderIsReadInNameOrder() throws {
        let project = try SchemaProject(yaml: Self.yaml.replacingOccurrences(of: "schema: schema.sql", with: "schema: schema"))
        defer { project.remove() }
        try project.write("schema/10_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);")
        try project.write("schema/20_orders.sql", "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users);")
        try project.write("schema/README.md", "not SQL")
        let desired = try SchemaInspector(workspace: project.workspace()).desiredSchema(schema: nil)
        #expect(desired.tables.map(\.name) == ["orders", "users"])
    }

    /// The large real schema: ory/kratos's 694 SQLite revisions replayed into an environment,
    /// whose live schema is the desired one of an empty project.
    @Test func fixedPointOfTheKratosChainOnSQLite() throws {
        let corpus = try SchemaProject(yaml: Self.yaml, versions: try Corpus.versions("ory-kratos/sqlite/versions"))
        defer { corpus.remove() }
        let source = try SQLiteConnection(path: corpus.root.appendingPathComponent("var/src.sqlite3").path)
        try source.execute("PRAGMA synchronous = OFF")
        let workspace = try corpus.workspace()
        try Scratch(workspace: workspace, schema: nil).replay(try workspace.graph(), to: .heads, on: source)
        source.close()

        let project = try SchemaProject(yaml: Self.yaml + "\n  corpus:\n    url: sqlite:\(corpus.root.path)/var/src.sqlite3\n")
        defer { project.remove() }
        let desired = try project.live("corpus")
        #expect(desired.tables.count > 20, "kratos has many tables: \(desired.tables.count)")
        #expect(desired.tables.contains { !$0.indexes.isEmpty && !$0.foreignKeys.isEmpty })
        try project.checkFixedPoint(from: .environment("corpus"), desired: desired)
    }

    @Test func anEmptyDifferenceWritesNothing() throws {
        let project = try SchemaProject(yaml: Self.yaml)
        defer { project.remove() }
        try project.write("schema.sql", "")
        let result = try Autogenerate(workspace: project.workspace()).revision(message: "nothing", from: .schemaFile, environment: nil)
        #expect(result.path == nil && result.revision == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.appendingPathComponent("versions").path).isEmpty)
    }

    @Test func aSecondRevisionBuildsOnTheHead() throws {
        let project = try SchemaProject(yaml: Self.yaml)
        defer { project.remove() }
        try project.write("schema.sql", Self.shop)
        let first = try Autogenerate(workspace: project.workspace()).revision(message: "shop", from: .schemaFile, environment: nil)
        try project.write("schema.sql", Self.shop.replacingOccurrences(of: "status TEXT NOT NULL DEFAULT 'placed'", with: "status TEXT NOT NULL DEFAULT 'placed', note TEXT"))
        let second = try Autogenerate(workspace: project.workspace()).revision(message: "note", from: .schemaFile, environment: nil)
        #expect(second.upgrade.contains("ALTER TABLE \"orders\" ADD COLUMN \"note\" TEXT;"), "\(second.upgrade)")
        #expect(second.diff.differences.map(\.name) == ["orders.note"])
        let graph = try project.workspace().graph()
        #expect(graph[try #require(second.revision)]?.downRevisions == [try #require(first.revision)])
        _ = try project.run("dev", .upgrade(.heads))
        #expect(try project.live("dev").table("orders")?.column("note") != nil)
        _ = try project.run("dev", .downgrade(.revision(first.revision!)))
        #expect(try project.live("dev").table("orders")?.column("note") == nil)
    }

    @Test func aBrokenSchemaFileNamesItsLine() throws {
        let project = try SchemaProject(yaml: Self.yaml)
        defer { project.remove() }
        try project.write("schema.sql", "CREATE TABLE a (id INTEGER);\n\nCREATE TABLE b (id INTEGER REFERENCES);\n")
        let error = try #require(throws: DatabaseError.self) {
            try Autogenerate(workspace: project.workspace()).revision(message: "x", from: .schemaFile, environment: nil)
        }
        #expect(error.location == SourceLocation(file: "schema.sql", line: 3))
        #expect(error.message.contains("desired schema"))
    }

    @Test func withoutASchemaOrFromEnvItSaysWhatToSet() throws {
        let project = try SchemaProject(yaml: Self.yaml.replacingOccurrences(of: "schema: schema.sql\n", with: ""))
        defer { project.remove() }
        let error = try #require(throws: ConfigurationError.self) {
            try Autogenerate(workspace: project.workspace()).revision(message: "x", from: .schemaFile, environment: nil)
        }
        #expect(error.code == .noDesiredSchema)
    }

    @Test func theScratchDatabaseIsNeverAnEnvironment() throws {
        let project = try SchemaProject(yaml: Self.yaml.replacingOccurrences(of: "schema: schema.sql", with: "schema: schema.sql\nscratch_url: sqlite:var/dev.sqlite3"))
        defer { project.remove() }
        try project.write("schema.sql", Self.shop)
        let error = try #require(throws: ConfigurationError.self) {
            try Autogenerate(workspace: project.workspace()).revision(message: "x", from: .schemaFile, environment: nil)
        }
        #expect(error.code == .scratchIsEnvironment("dev"))
    }

    @Test func aPostgresEnvironmentNeedsAPostgresScratch() throws {
        let project = try SchemaProject(yaml: Self.yaml + "\n  pg:\n    url: postgresql://nobody@127.0.0.1:1/none\n")
        defer { project.remove() }
        try project.write("schema.sql", Self.shop)
        let workspace = try project.workspace()
        let error = try #require(throws: ConfigurationError.self) {
            try Autogenerate(workspace: workspace).revision(message: "x", from: .schemaFile, environment: try workspace.project.environment("pg"))
        }
        #expect(error.code == .scratchOfOtherKind(scratch: "SQLite", environment: "pg", environmentKind: "PostgreSQL"))
    }

    @Test func driftAndDiffFindAHandMadeIndex() throws {
        let project = try SchemaProject(yaml: Self.yaml)
        defer { project.remove() }
        try project.write("schema.sql", Self.shop)
        _ = try Autogenerate(workspace: project.workspace()).revision(message: "shop", from: .schemaFile, environment: nil)
        _ = try project.run("dev", .upgrade(.heads))
        _ = try project.run("test", .upgrade(.heads))
        let workspace = try project.workspace()
        let dev = try workspace.project.environment("dev")
        let test = try workspace.project.environment("test")
        #expect(try SchemaInspector(workspace: workspace).drift(dev).isEmpty)
        #expect(try SchemaInspector(workspace: workspace).diff(dev, test).isEmpty)
        #expect(StatusReader(workspace: workspace).status(of: dev, graph: try workspace.graph()).schemaFingerprint == StatusReader(workspace: workspace).status(of: test, graph: try workspace.graph()).schemaFingerprint)

        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        try connection.execute("CREATE INDEX by_hand ON users (created_at)")
        connection.close()
        let expected = [SchemaDifference(kind: "added", object: "index", name: "users.by_hand", left: nil, right: "INDEX ON users (\"created_at\")")]
        #expect(try SchemaInspector(workspace: workspace).drift(dev).differences == expected)
        #expect(try SchemaInspector(workspace: workspace).diff(test, dev).differences == expected)
        #expect(StatusReader(workspace: workspace).status(of: dev, graph: try workspace.graph()).schemaFingerprint != StatusReader(workspace: workspace).status(of: test, graph: try workspace.graph()).schemaFingerprint)
    }
}
