import Foundation
import GodwitTestSupport
import Testing

/// `godwit adopt FORMAT -e FLEET` through the built binary (SPEC §10, §12): each target reads its
/// own tool table and is stamped with its own mapping; a dirty table is that target's failure.
struct AdoptFleetTests {
    static let fixture = Paths.fixtures.appendingPathComponent("import/golang-migrate")
    /// golang-migrate's versions in order, with their files' stems.
    static let files = [(1, "0001_create_users"), (2, "0002_add_orders"), (3, "3_add_email"), (10, "0010_audit_notes")]

    /// A project imported from the golang-migrate fixture (v0001, v0002, v3, v0010) whose `prod` is
    /// a glob of six SQLite tenants, each migrated by golang-migrate up to its own version (t_3
    /// left dirty at 3), and `locked` the same tenants, protected.
    static func sandbox() throws -> Sandbox {
        let box = try ImportCommandTests.emptyProject()
        #expect(try box.godwit(["import", "golang-migrate", fixture.path]).status == 0)
        try box.write("environments/environments.yaml", """
            default_environment: dev
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              prod:
                targets:
                  glob: var/tenants/*.sqlite3
                rollout: {on_error: continue, parallel: 2}
              locked:
                protected: true
                targets:
                  glob: var/tenants/*.sqlite3

            """)
        try FileManager.default.createDirectory(at: box.url("var/tenants"), withIntermediateDirectories: true)
        for (index, version) in [1, 2, 3, 3, 10, 2].enumerated() {
            var script = "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);\n"
            for (number, stem) in files where number <= version {
                script += try String(contentsOf: fixture.appendingPathComponent("\(stem).up.sql"), encoding: .utf8) + "\n"
            }
            script += "INSERT INTO schema_migrations (version, dirty) VALUES (\(version), \(index == 2 ? 1 : 0));\n"
            let setup = try sqliteScript(tenant(box, index + 1), script)
            #expect(setup.status == 0, "\(setup)")
        }
        return box
    }

    static func tenant(_ box: Sandbox, _ index: Int) -> URL { box.url("var/tenants/t_\(index).sqlite3") }

    @Test func eachTargetIsStampedAtItsOwnVersionTheDirtyOneFailsAndARerunFinishes() throws {
        let box = try Self.sandbox()
        defer { box.remove() }
        let preview = try box.godwit(["adopt", "golang-migrate", "-e", "prod", "--dry-run"])
        #expect(preview.status == 1, "\(preview)")
        #expect(preview.stderr.contains("t_5: would apply 4 revisions, base -> v0010"), "\(preview)")
        #expect(preview.stderr.contains("t_2: would apply 2 revisions, base -> v0002"), "\(preview)")
        #expect(preview.stderr.contains("  10 -> v0010"), "\(preview)")
        #expect(preview.stdout == "prod: 6 targets: 5 to adopt, 0 unchanged, 1 failed (t_3) (dry-run: nothing was changed)\n", "\(preview)")
        #expect(try (1...6).allSatisfy { try appliedIDs(Self.tenant(box, $0)).isEmpty })

        let some = try box.godwit(["adopt", "golang-migrate", "-e", "prod", "--target", "t_[12]"])
        #expect(some.status == 0, "\(some)")
        #expect(some.stdout == "prod: 2 targets: 2 adopted, 0 unchanged\n", "\(some)")
        #expect(some.stderr.contains("t_1: adopted, 1 revision, base -> v0001"), "\(some)")
        #expect(try appliedIDs(Self.tenant(box, 1)) == ["v0001"])
        #expect(try appliedIDs(Self.tenant(box, 4)).isEmpty)

        let all = try box.godwit(["adopt", "golang-migrate", "-e", "prod"])
        #expect(all.status == 1, "\(all)")
        #expect(all.stdout == "prod: 6 targets: 3 adopted, 2 unchanged, 1 failed (t_3)\n", "\(all)")
        #expect(all.stderr.contains("t_3: failed: 'schema_migrations' is dirty at version '3'"), "\(all)")
        #expect(all.stderr.contains("t_1: unchanged at v0001"), "\(all)")
        #expect(try appliedIDs(Self.tenant(box, 2)) == ["v0001", "v0002"])
        #expect(try appliedIDs(Self.tenant(box, 3)).isEmpty)
        #expect(try appliedIDs(Self.tenant(box, 4)) == ["v0001", "v0002", "v3"])
        #expect(try appliedIDs(Self.tenant(box, 5)) == ["v0001", "v0002", "v3", "v0010"])
        #expect(try appliedIDs(Self.tenant(box, 6)) == ["v0001", "v0002"])

        // The fix golang-migrate asks for: the migration finished by hand, the table forced clean.
        #expect(try sqliteScript(Self.tenant(box, 3), "UPDATE schema_migrations SET dirty = 0;").status == 0)
        let rerun = try box.godwit(["adopt", "golang-migrate", "-e", "prod", "--json"])
        #expect(rerun.status == 0, "\(rerun)")
        let object = try rerun.jsonObject()
        #expect(object["operation"] as? String == "adopt")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["succeeded"] as? Int == 1 && summary["unchanged"] as? Int == 5 && summary["failed"] as? Int == 0)
        let targets = try #require(object["targets"] as? [[String: Any]])
        let third = try #require(targets.first { $0["target"] as? String == "t_3" })
        #expect(third["outcome"] as? String == "succeeded")
        #expect(third["to_heads"] as? [String] == ["v3"])
        #expect(third["audit_id"] as? Int != nil)
        let mapping = try #require(third["mapping"] as? [[String: Any]])
        #expect(mapping.map { $0["version"] as? String } == ["3"] && mapping.map { $0["revision"] as? String } == ["v3"])
        #expect(try appliedIDs(Self.tenant(box, 3)) == ["v0001", "v0002", "v3"])

        let upgrade = try box.godwit(["upgrade", "-e", "prod"])
        #expect(upgrade.status == 0, "\(upgrade)")
        #expect(upgrade.stdout == "prod: 6 targets: 5 upgraded, 1 unchanged\n", "\(upgrade)")
        for index in 1...6 { #expect(try appliedIDs(Self.tenant(box, index)) == ["v0001", "v0002", "v3", "v0010"], "t_\(index)") }
        // After the upgrade a rerun still finds every target adopted.
        let after = try box.godwit(["adopt", "golang-migrate", "-e", "prod", "-q"])
        #expect(after.stdout == "prod: 6 targets: 0 adopted, 6 unchanged\n", "\(after)")
        // One `adopt` record per target: an unchanged target writes none.
        let audit = try box.godwit(["audit", "-e", "prod", "--operation", "adopt", "--json"])
        #expect(audit.status == 0, "\(audit)")
        let records = try audit.jsonArray()
        #expect(records.compactMap { $0["target"] as? String }.sorted() == (1...6).map { "t_\($0)" }, "\(audit)")
    }

    @Test func aProtectedFleetWithoutYesIsRefusedBeforeAnyTarget() throws {
        let box = try Self.sandbox()
        defer { box.remove() }
        let refused = try box.godwit(["adopt", "golang-migrate", "-e", "locked", "--target", "t_1"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("protected"), "\(refused)")
        #expect(try appliedIDs(Self.tenant(box, 1)).isEmpty)
        let single = try box.godwit(["adopt", "golang-migrate", "-e", "dev", "--target", "t_1"])
        #expect(single.status == 2, "\(single)")
        #expect(single.stderr.contains("not a fleet"), "\(single)")
        let yes = try box.godwit(["adopt", "golang-migrate", "-e", "locked", "--yes", "--canary"])
        #expect(yes.status == 2, "\(yes)")
        #expect(yes.stderr.contains("has no canary"), "\(yes)")
    }
}

/// `adopt flyway` on a PostgreSQL `schemas` fleet: each schema's own `flyway_schema_history`.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct AdoptFleetPostgresTests {
    /// A schema migrated by Flyway: `users` (1), its `email` (1.1) when `upTo` is 1.1, and the
    /// history's rows, the last one failed when `failsLast`.
    static func flywaySchema(_ schema: String, upTo version: String, failsLast: Bool = false) -> String {
        let rows = [("1", "create users"), ("1.1", "add email")].prefix(version == "1" ? 1 : 2).enumerated().map { index, row in
            let success = failsLast && index == (version == "1" ? 0 : 1) ? "false" : "true"
            return "(\(index + 1), '\(row.0)', '\(row.1)', 'SQL', 'V\(row.0)__x.sql', 1, 'app', 2, \(success))"
        }
        return """
            CREATE SCHEMA \(schema);
            CREATE TABLE \(schema).users (id int);
            \(version == "1" ? "" : "ALTER TABLE \(schema).users ADD COLUMN email text;")
            CREATE TABLE \(schema).flyway_schema_history (
                installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL,
                script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL,
                installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);
            INSERT INTO \(schema).flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
            VALUES \(rows.joined(separator: ", "));
            """
    }

    @Test func eachSchemaReadsItsOwnHistory() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("v1", upgrade: "CREATE TABLE users (id int);", downgrade: "DROP TABLE users;")
        try project.revision("v1_1", parent: "v1", upgrade: "ALTER TABLE users ADD COLUMN email text;", downgrade: "ALTER TABLE users DROP COLUMN email;")
        try project.revision("v2", parent: "v1_1", upgrade: "CREATE TABLE orders (id int);", downgrade: "DROP TABLE orders;")
        _ = try project.database.value(
            Self.flywaySchema("tenant_a", upTo: "1") + Self.flywaySchema("tenant_b", upTo: "1.1")
                + Self.flywaySchema("tenant_c", upTo: "1.1", failsLast: true))
        try FleetPostgresTests.environments(project, [
            "targets:", "  schemas: SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1", "  url: ${PG_URL}",
            "rollout: {on_error: continue}",
        ])
        let first = try project.godwit(["adopt", "flyway", "-e", "prod"])
        #expect(first.status == 1, "\(first)")
        #expect(first.stdout == "prod: 3 targets: 2 adopted, 0 unchanged, 1 failed (tenant_c)\n", "\(first)")
        #expect(first.stderr.contains("tenant_c: failed: 'flyway_schema_history' records version '1.1' as failed"), "\(first)")
        #expect(try project.database.revisionRows(schema: "tenant_a") == ["v1|applied"])
        #expect(try project.database.revisionRows(schema: "tenant_b") == ["v1|applied", "v1_1|applied"])
        #expect(!(try project.database.tables(in: "tenant_c")).contains("godwit_revisions"))

        _ = try project.database.value("UPDATE tenant_c.flyway_schema_history SET success = true")
        let rerun = try project.godwit(["adopt", "flyway", "-e", "prod"])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.stdout == "prod: 3 targets: 1 adopted, 2 unchanged\n", "\(rerun)")
        let upgrade = try project.godwit(["upgrade", "-e", "prod"])
        #expect(upgrade.status == 0, "\(upgrade)")
        for schema in ["tenant_a", "tenant_b", "tenant_c"] {
            #expect(try project.database.revisionRows(schema: schema).last == "v2|applied", "\(schema)")
            #expect(try project.database.tables(in: schema).contains("orders"), "\(schema)")
        }
    }
}
