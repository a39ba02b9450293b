import Foundation
import Testing

/// `godwit import …` and `godwit adopt …` as a user runs them.
struct ImportCommandTests {
    func fixture(_ tool: String) -> String { Paths.fixtures.appendingPathComponent("import/\(tool)").path }

    /// `godwit init` with its example revision removed: an empty history to import into.
    static func emptyProject() throws -> Sandbox {
        let box = try Sandbox()
        try box.initProject()
        for name in try FileManager.default.contentsOfDirectory(atPath: box.url("versions").path) {
            try FileManager.default.removeItem(at: box.url("versions/\(name)"))
        }
        return box
    }

    @Test func importWritesTheFilesAndSaysWhatToDefine() throws {
        let box = try Self.emptyProject()
        defer { box.remove() }
        let result = try box.godwit(["import", "flyway", fixture("flyway")])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("imported 5 revisions from flyway"))
        #expect(result.stdout.contains("versions/v1_2_add_orders.sql  (from sql/V1_2__add_orders.sql)"))
        #expect(result.stdout.contains("versions/repeatable/big_orders.sql"))
        #expect(result.stdout.contains("placeholders now written {{ name }}: owner, threshold; define each under vars:"))
        // The placeholders are variables now: undefined, nothing runs.
        let undefined = try box.godwit(["upgrade"])
        #expect(undefined.status == 2, "\(undefined)")
        #expect(undefined.stderr.contains("versions/repeatable/big_orders.sql:4:11"), "\(undefined)")
        #expect(undefined.stderr.contains("undefined variable 'owner'"), "\(undefined)")
        let database = box.url("var/dev.sqlite3")
        let nothingApplied = try !FileManager.default.fileExists(atPath: database.path) || appliedIDs(database).isEmpty
        #expect(nothingApplied, "nothing ran")
        let environments = box.url("environments/environments.yaml")
        try Data((try String(contentsOf: environments, encoding: .utf8) + "\nvars:\n  owner: app\n  threshold: \"100\"\n").utf8).write(to: environments)
        let upgrade = try box.godwit(["upgrade"])
        #expect(upgrade.status == 0, "\(upgrade)")
        #expect(try appliedIDs(box.url("var/dev.sqlite3")) == ["v1", "v1_1", "v1_2", "v2", "v10"])
        let view = try box.godwit(["schema", "dump"])
        #expect(view.stdout.contains("total > 100"), "the repeatable ran with the variable's value\n\(view)")
    }

    @Test func importJSONWithGlobalOptionsFirst() throws {
        let box = try Self.emptyProject()
        defer { box.remove() }
        let result = try box.godwit(["--json", "import", "golang-migrate", fixture("golang-migrate")])
        #expect(result.status == 0, "\(result)")
        let object = try result.jsonObject()
        #expect(object["format"] as? String == "golang-migrate")
        let revisions = try #require(object["revisions"] as? [[String: Any]])
        #expect(revisions.map { $0["revision"] as? String } == ["v0001", "v0002", "v3", "v0010"])
        #expect(revisions.first?["source"] as? String == "0001_create_users.up.sql")
        #expect((object["problems"] as? [Any])?.isEmpty == true)
    }

    @Test func aBadFileWritesNothingUnlessSkipBad() throws {
        let box = try Self.emptyProject()
        defer { box.remove() }
        try box.write("goose/1_a.sql", "-- +goose Up\nCREATE TABLE a (id int);\n")
        try box.write("goose/2_b.sql", "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE b (id int);\n")
        try box.write("goose/3_c.go", "package migrations\n")
        let refused = try box.godwit(["import", "goose", "goose"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("2 files did not convert; nothing was written"))
        #expect(refused.stderr.contains("2_b.sql: '-- +goose StatementBegin' has no StatementEnd"))
        #expect(refused.stderr.contains("3_c.go: a Go migration"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.url("versions").path).isEmpty)

        let skipped = try box.godwit(["import", "goose", "goose", "--skip-bad"])
        #expect(skipped.status == 0, "\(skipped)")
        #expect(skipped.stderr.contains("skipped 2_b.sql"))
        #expect(skipped.stdout.contains("imported 1 revision from goose"))
        #expect(box.exists("versions/v1_a.sql"))

        let again = try box.godwit(["import", "goose", "goose"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("'versions' already holds 1 revision file"))
    }

    @Test func adoptDryRunThenAdoptThenUpgrade() throws {
        let box = try Self.emptyProject()
        defer { box.remove() }
        #expect(try box.godwit(["import", "dbmate", fixture("dbmate")]).status == 0)
        try FileManager.default.createDirectory(at: box.url("var"), withIntermediateDirectories: true)
        let database = box.url("var/dev.sqlite3")
        let setup = try sqliteScript(database, """
            CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
            CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);
            INSERT INTO "schema_migrations" (version) VALUES ('20240101000000'), ('20240102000000');
            """)
        #expect(setup.status == 0, "\(setup)")

        let preview = try box.godwit(["adopt", "dbmate", "--dry-run"])
        #expect(preview.status == 0, "\(preview)")
        #expect(preview.stdout.contains("schema_migrations 20240102000000 -> v20240102000000"))
        #expect(preview.stdout.contains("dry-run: adopt of 'dev' from base to v20240102000000"))
        #expect(try appliedIDs(database).isEmpty)

        let adopted = try box.godwit(["adopt", "dbmate", "-e", "dev", "--json"])
        #expect(adopted.status == 0, "\(adopted)")
        let object = try adopted.jsonObject()
        #expect(object["operation"] as? String == "adopt")
        #expect((object["mapping"] as? [[String: Any]])?.count == 2)
        #expect(try appliedIDs(database) == ["v20240101000000", "v20240102000000"])

        let again = try box.godwit(["adopt", "dbmate"])
        #expect(again.status == 5, "\(again)")
        #expect(again.stderr.contains("already has Godwit state"))

        let upgrade = try box.godwit(["upgrade"])
        #expect(upgrade.status == 0, "\(upgrade)")
        #expect(try appliedIDs(database).count == 4)
        let audit = try box.godwit(["audit", "--operation", "adopt", "--json"])
        #expect(audit.status == 0, "\(audit)")
        #expect((try audit.json() as? [Any])?.count == 1)
    }

    @Test func adoptRefusesAnUnknownVersionNamingIt() throws {
        let box = try Self.emptyProject()
        defer { box.remove() }
        #expect(try box.godwit(["import", "golang-migrate", fixture("golang-migrate")]).status == 0)
        try FileManager.default.createDirectory(at: box.url("var"), withIntermediateDirectories: true)
        let setup = try sqliteScript(box.url("var/dev.sqlite3"), """
            CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
            INSERT INTO schema_migrations (version, dirty) VALUES (42, 0);
            """)
        #expect(setup.status == 0)
        let refused = try box.godwit(["adopt", "golang-migrate"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("'schema_migrations' records version '42', which versions/ has no revision for"))
        #expect(try appliedIDs(box.url("var/dev.sqlite3")).isEmpty)
    }
}
