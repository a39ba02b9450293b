import Foundation
import Testing

/// `schema dump` (SPEC §11): canonical DDL in a stable order that, used as `schema:`, makes
/// `revision --autogenerate` on the environment's own revisions find no changes.
@Suite(.serialized) struct SchemaDumpTests {
    /// A sandbox whose `versions/` is a copy of a corpus chain's folder of revisions (under
    /// Tests/Fixtures/corpus) and whose one
    /// environment, `corpus`, has `url` (and `schema`), with `scratch_url` when given.
    func corpusProject(_ chain: String, url: String, schema: String? = nil, scratch: String? = nil) throws -> Sandbox {
        let sandbox = try Sandbox()
        let source = Paths.fixtures.appendingPathComponent("corpus/\(chain)")
        try FileManager.default.copyItem(at: source, to: sandbox.url("versions"))
        try sandbox.write(
            "environments/environments.yaml",
            """
            default_environment: corpus
            \(scratch.map { "scratch_url: \($0)\n" } ?? "")environments:
              corpus:
                url: \(url)
            \(schema.map { "    schema: \($0)\n" } ?? "")
            """)
        return sandbox
    }

    /// Two dumps are the same bytes, `-o` writes them, `--json` carries them, `--expected` finds the
    /// same schema, and as `schema:` the dump is a fixed point of `revision --autogenerate`.
    func checkDump(_ sandbox: Sandbox, dialect: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let first = try sandbox.godwit(["schema", "dump"])
        #expect(first.status == 0, "\(first)", sourceLocation: sourceLocation)
        #expect(first.stdout.contains("CREATE TABLE \""), sourceLocation: sourceLocation)
        #expect(!first.stdout.contains("godwit_"), "Godwit's own tables are left out", sourceLocation: sourceLocation)
        let second = try sandbox.godwit(["schema", "dump", "-e", "corpus"])
        #expect(second.stdout == first.stdout, "two dumps give the same bytes", sourceLocation: sourceLocation)

        let written = try sandbox.godwit(["schema", "dump", "-o", "schema.sql"])
        #expect(written.status == 0 && written.stdout.isEmpty, "\(written)", sourceLocation: sourceLocation)
        #expect(written.stderr.contains(sandbox.url("schema.sql").path), "says where: \(written)", sourceLocation: sourceLocation)
        #expect(try sandbox.read("schema.sql") == first.stdout, sourceLocation: sourceLocation)

        let json = try sandbox.godwit(["--json", "schema", "dump"])
        let object = try json.jsonObject()
        #expect(object["environment"] as? String == "corpus", "\(json)", sourceLocation: sourceLocation)
        #expect(object["dialect"] as? String == dialect, "\(json)", sourceLocation: sourceLocation)
        #expect(object["sql"] as? String == first.stdout, sourceLocation: sourceLocation)

        let expected = try sandbox.godwit(["schema", "dump", "--expected"])
        #expect(expected.status == 0 && expected.stdout == first.stdout, "no drift: \(expected.stderr)", sourceLocation: sourceLocation)

        let yaml = try sandbox.read("environments/environments.yaml")
        try sandbox.write("environments/environments.yaml", "schema: schema.sql\n" + yaml)
        let fixedPoint = try sandbox.godwit(["revision", "--autogenerate", "-m", "nothing", "--json"])
        #expect(fixedPoint.status == 0, "\(fixedPoint)", sourceLocation: sourceLocation)
        let result = try fixedPoint.jsonObject()
        #expect(result["path"] is NSNull && (result["changes"] as? [Any])?.isEmpty == true, "\(fixedPoint)", sourceLocation: sourceLocation)
    }

    @Test func dumpOfASmallSQLiteProject() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.newRevision(
            "orders",
            upgrade: """
                CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), total INTEGER CHECK (total >= 0));
                CREATE INDEX orders_user ON orders (user_id);
                CREATE VIEW big_orders AS SELECT id FROM orders WHERE total > 100;
                """, downgrade: "DROP VIEW big_orders;\nDROP TABLE orders;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let dump = try sandbox.godwit(["schema", "dump"])
        #expect(dump.status == 0, "\(dump)")
        // A referenced table before the tables that reference it, then indexes, then views.
        let creates = dump.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("CREATE") }
        #expect(
            creates.map { $0.components(separatedBy: " ").prefix(3).joined(separator: " ") } == [
                "CREATE TABLE \"users\"", "CREATE TABLE \"orders\"", "CREATE INDEX \"orders_user\"", "CREATE VIEW \"big_orders\"",
            ], "\(dump.stdout)")
        let empty = try sandbox.godwit(["schema", "dump", "-e", "test"])
        #expect(empty.status == 0 && empty.stdout.isEmpty, "\(empty)")
        let unknown = try sandbox.godwit(["schema", "dump", "-e", "nowhere"])
        #expect(unknown.status == 2, "\(unknown)")
        expectNoCrash(unknown)
    }

    @Test func kratosOnSQLite() throws {
        let sandbox = try corpusProject("ory-kratos/sqlite/versions", url: "sqlite:var/corpus.sqlite3")
        defer { sandbox.remove() }
        let upgraded = try sandbox.godwit(["upgrade", "-q"])
        #expect(upgraded.status == 0, "\(upgraded)")
        try checkDump(sandbox, dialect: "sqlite")
    }

    @Test func kratosOnPostgreSQL() throws {
        let database = try PostgresDatabase()
        defer { database.drop() }
        let scratch = try PostgresDatabase()
        defer { scratch.drop() }
        let sandbox = try corpusProject("ory-kratos/postgresql/versions", url: database.url, scratch: scratch.url)
        defer { sandbox.remove() }
        let upgraded = try sandbox.godwit(["upgrade", "-q"])
        #expect(upgraded.status == 0, "\(upgraded)")
        try checkDump(sandbox, dialect: "postgresql")
    }

    /// supabase/auth in schema `auth`; its setup.sql (what the platform creates before the first
    /// migration) becomes a first revision, so that the scratch replay has it too.
    @Test func supabaseOnPostgreSQL() throws {
        let database = try PostgresDatabase()
        defer { database.drop() }
        let scratch = try PostgresDatabase()
        defer { scratch.drop() }
        let sandbox = try corpusProject("supabase-auth/postgresql/versions", url: database.url, schema: "auth", scratch: scratch.url)
        defer { sandbox.remove() }
        let setup = try String(contentsOf: Paths.fixtures.appendingPathComponent("corpus/supabase-auth/postgresql/setup.sql"), encoding: .utf8)
        try sandbox.write("versions/setup.sql", "-- revision: setup\n-- down_revision:\n-- message: setup\n-- create_date: 2020-01-01T00:00:00Z\n\n-- +upgrade\n\(setup)\n-- +downgrade\n")
        let rootName = try #require(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).first { $0.hasPrefix("00_") })
        let root = try sandbox.read("versions/\(rootName)")
        try sandbox.write("versions/\(rootName)", root.replacingOccurrences(of: "-- down_revision: \n", with: "-- down_revision: setup\n"))
        let upgraded = try sandbox.godwit(["upgrade", "-q"])
        #expect(upgraded.status == 0, "\(upgraded)")
        let dump = try sandbox.godwit(["schema", "dump"])
        #expect(dump.stdout.contains("CREATE TYPE \""), "enum types: \(dump.stdout.prefix(2000))")
        try checkDump(sandbox, dialect: "postgresql")
    }
}
