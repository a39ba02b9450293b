import Foundation
import GodwitTestSupport
import Testing

/// The real Alembic the import tests run: `GODWIT_TEST_ALEMBIC` (scripts/test installs it into
/// .venv and sets it), else `alembic` on PATH. Without one the tests are disabled, unless
/// `GODWIT_REQUIRE_POSTGRES=1` (as in scripts/test), in which case they run and fail.
enum RealAlembic {
    /// The `alembic` executable, nil when there is none.
    static let executable: URL? = {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["GODWIT_TEST_ALEMBIC"], !given.isEmpty { return URL(fileURLWithPath: given) }
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.map { URL(fileURLWithPath: $0).appendingPathComponent("alembic") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static var isEnabled: Bool { executable != nil || PostgresTestServer.isRequired }
    static let disabledComment: Comment = "install alembic (scripts/test does, into .venv) or set GODWIT_TEST_ALEMBIC to run the Alembic import tests"

    /// The executable, or an error saying it is missing.
    static func require() throws -> URL {
        guard let executable, FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw HarnessError("GODWIT_REQUIRE_POSTGRES=1 but no alembic: GODWIT_TEST_ALEMBIC is not set (scripts/test sets it) and none is on PATH")
        }
        return executable
    }

    /// PATH with alembic's folder first, for godwit to find it.
    static func path() throws -> String {
        try require().deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    }

    /// Runs the real alembic on the fixture copy in `folder` (`-x url=URL` first when given).
    static func run(_ arguments: [String], url: String?, in folder: URL) throws -> RunResult {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let x = url.map { ["-x", "url=\($0)"] } ?? []
        return try runProcess(try require(), x + arguments, in: folder, environment: environment)
    }
}

/// The fixture Alembic project's revisions: a base, a chain, a branch point, a branch with the
/// label `billing`, raw `op.execute` SQL, a merge with an index, a branch `reports` that depends
/// on `billing`'s revision, a data fix whose downgrade is `pass`, and an index built in an
/// `autocommit_block()` (`CREATE INDEX CONCURRENTLY` on PostgreSQL).
enum AlembicFixture {
    static let base = "1a2b3c4d5e6f", chain = "2b3c4d5e6f7a", billing = "3c4d5e6f7a8b", rawSQL = "4d5e6f7a8b9c"
    static let merge = "5e6f7a8b9c0d", reports = "6f7a8b9c0d1e", fill = "7a8b9c0d1e2f", concurrently = "9c0d1e2f3a4b"

    /// A sandbox with a Godwit project (`dev`, and `alembic` for the database the real Alembic
    /// migrates) and the fixture copied to `alembic/`.
    static func sandbox(environments: String? = nil) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("environments/environments.yaml", environments ?? """
            promotion: [dev]
            default_environment: dev
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              alembic:
                url: sqlite:var/alembic.sqlite3

            """)
        try FileManager.default.createDirectory(at: sandbox.url("versions"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sandbox.url("var"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("import/alembic"), to: sandbox.url("alembic"))
        return sandbox
    }

    /// The files in `versions/`, sorted.
    static func files(_ sandbox: Sandbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).sorted()
    }

    /// The text of the revision file of `id`.
    static func file(_ sandbox: Sandbox, _ id: String) throws -> String {
        guard let name = try files(sandbox).first(where: { $0.hasPrefix(id + "_") }) else { throw HarnessError("no file for \(id)") }
        return try sandbox.read("versions/" + name)
    }
}

@Suite(.enabled(if: RealAlembic.isEnabled, RealAlembic.disabledComment))
struct AlembicImportTests {
    @Test func keepsIdsParentsLabelsDependenciesMessagesAndDatesAndDropsAlembicsBookkeeping() throws {
        let sandbox = try AlembicFixture.sandbox()
        defer { sandbox.remove() }
        // alembic found through $VIRTUAL_ENV/bin alone (the folder holding it), not PATH.
        let folder = try RealAlembic.require().deletingLastPathComponent()
        let result = try sandbox.godwit(
            ["import", "alembic", "--config", "alembic/alembic.ini", "--json"],
            env: ["PATH": "/usr/bin:/bin", "VIRTUAL_ENV": folder.deletingLastPathComponent().path])
        #expect(result.status == 0, "\(result)")
        let object = try result.jsonObject()
        #expect(object["format"] as? String == "alembic")
        #expect((object["revisions"] as? [[String: Any]])?.count == 8)
        #expect((object["problems"] as? [Any])?.isEmpty == true)
        #expect(try AlembicFixture.files(sandbox) == [
            "1a2b3c4d5e6f_create_users.sql", "2b3c4d5e6f7a_add_user_name.sql", "3c4d5e6f7a8b_create_invoices.sql",
            "4d5e6f7a8b9c_audit_notes_raw_sql.sql", "5e6f7a8b9c0d_merge_billing_and_notes.sql", "6f7a8b9c0d1e_invoice_reports.sql",
            "7a8b9c0d1e2f_fill_names.sql", "9c0d1e2f3a4b_users_name_index_concurrently.sql",
        ])
        let merge = try AlembicFixture.file(sandbox, AlembicFixture.merge)
        #expect(merge.hasPrefix("""
            -- revision: 5e6f7a8b9c0d
            -- down_revision: 3c4d5e6f7a8b, 4d5e6f7a8b9c
            -- message: merge billing and notes
            -- create_date: 2024-03-05T13:00:00Z

            -- +upgrade
            CREATE UNIQUE INDEX ix_users_email ON users (email);
            -- +downgrade
            DROP INDEX ix_users_email;

            """))
        let billing = try AlembicFixture.file(sandbox, AlembicFixture.billing)
        #expect(billing.contains("-- branch_labels: billing\n"))
        #expect(billing.contains("    id SERIAL NOT NULL, \n"), "the dialect is alembic.ini's PostgreSQL, byte for byte:\n\(billing)")
        let reports = try AlembicFixture.file(sandbox, AlembicFixture.reports)
        #expect(reports.contains("-- down_revision: 2b3c4d5e6f7a\n-- message: invoice reports\n"))
        #expect(reports.contains("-- branch_labels: reports\n-- depends_on: 3c4d5e6f7a8b\n"))
        #expect(try AlembicFixture.file(sandbox, AlembicFixture.base).contains("-- down_revision: \n-- message: create users\n-- create_date: 2024-03-01T09:00:00Z\n"))
        #expect(try AlembicFixture.file(sandbox, AlembicFixture.rawSQL).hasSuffix("""
            -- +upgrade
            CREATE TABLE audit_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL);

            INSERT INTO audit_notes (id, note) VALUES (1, 'it''s here');
            -- +downgrade
            DROP TABLE audit_notes;

            """))
        // A downgrade that is `pass` is an empty section: reversible, doing nothing.
        #expect(try AlembicFixture.file(sandbox, AlembicFixture.fill).hasSuffix(
            "-- +upgrade\nUPDATE users SET name = email WHERE name IS NULL;\n-- +downgrade\n"))
        for name in try AlembicFixture.files(sandbox) {
            let text = try sandbox.read("versions/" + name)
            #expect(!text.contains("alembic_version") && !text.contains("BEGIN;") && !text.contains("COMMIT;") && !text.contains("-- Running"), "\(name):\n\(text)")
        }
        let heads = try sandbox.godwit(["heads", "--json"]).jsonArray().compactMap { $0["revision"] as? String }
        #expect(heads.sorted() == [AlembicFixture.reports, AlembicFixture.concurrently])
        // Alembic steps out of its transaction for the index: the revision runs outside one.
        #expect(try AlembicFixture.file(sandbox, AlembicFixture.concurrently).hasSuffix("""
            -- create_date: 2024-03-08T16:00:00Z
            -- transactional: false

            -- +upgrade
            UPDATE users SET name = 'nobody' WHERE name = '';

            CREATE INDEX CONCURRENTLY ix_users_name ON users (name);
            -- +downgrade
            DROP INDEX CONCURRENTLY ix_users_name;

            """))
    }

    @Test func appliesOnSQLiteToTheSchemaAlembicMakesAndDowngradesToBase() throws {
        let sandbox = try AlembicFixture.sandbox()
        defer { sandbox.remove() }
        let imported = try sandbox.godwit(
            ["import", "alembic", "--config", "alembic/alembic.ini", "-x", "url=sqlite:///unused.sqlite3"], env: ["PATH": try RealAlembic.path()])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout.contains("imported 8 revisions from alembic\n  versions/1a2b3c4d5e6f_create_users.sql  (from versions/1a2b3c4d5e6f_create_users.py)\n"))
        #expect(!sandbox.exists("alembic/unused.sqlite3"), "offline mode connects to nothing")
        #expect(try AlembicFixture.file(sandbox, AlembicFixture.billing).contains("    id INTEGER NOT NULL, \n"))
        // SQLite's DDL is transactional for Godwit, and Alembic's autocommit_block() prints nothing there.
        #expect(!(try AlembicFixture.file(sandbox, AlembicFixture.concurrently).contains("transactional")))

        let upgrade = try sandbox.godwit(["upgrade", "heads"])
        #expect(upgrade.status == 0, "\(upgrade)")
        let alembicDatabase = sandbox.url("var/alembic.sqlite3")
        let original = try RealAlembic.run(["upgrade", "heads"], url: "sqlite:///\(alembicDatabase.path)", in: sandbox.url("alembic"))
        #expect(original.status == 0, "\(original)")
        _ = try sqlite(alembicDatabase, "DROP TABLE alembic_version")
        #expect(userTables(sandbox.url("var/dev.sqlite3")) == userTables(alembicDatabase))
        #expect(userTables(alembicDatabase) == ["audit_notes", "invoice_reports", "invoices", "users"])
        let diff = try sandbox.godwit(["diff", "dev", "alembic"])
        #expect(diff.status == 0, "\(diff)")
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT note FROM audit_notes") == [["it's here"]])

        let downgrade = try sandbox.godwit(["downgrade", "base"])
        #expect(downgrade.status == 0, "\(downgrade)")
        #expect(userTables(sandbox.url("var/dev.sqlite3")).isEmpty)
    }

    @Test func aRevisionWhoseOfflineRunFailsIsReportedWithAlembicsErrorAndNothingIsWritten() throws {
        let sandbox = try AlembicFixture.sandbox()
        defer { sandbox.remove() }
        // Batch mode on SQLite reflects the table: it cannot run offline.
        try sandbox.write("alembic/versions/8b9c0d1e2f3a_batch_drop.py", """
            \"\"\"batch drop

            Revision ID: 8b9c0d1e2f3a
            Revises: 7a8b9c0d1e2f
            Create Date: 2024-03-08 16:00:00.000000

            \"\"\"
            from alembic import op

            revision = "8b9c0d1e2f3a"
            down_revision = "7a8b9c0d1e2f"
            branch_labels = None
            depends_on = None


            def upgrade():
                with op.batch_alter_table("users") as batch:
                    batch.drop_column("name")


            def downgrade():
                pass

            """)
        let arguments = ["import", "alembic", "--config", "alembic/alembic.ini", "-x", "url=sqlite:///unused.sqlite3"]
        let failed = try sandbox.godwit(arguments, env: ["PATH": try RealAlembic.path()])
        #expect(failed.status == 2, "\(failed)")
        #expect(failed.stderr.contains("1 file did not convert; nothing was written"), "\(failed)")
        #expect(failed.stderr.contains("versions/8b9c0d1e2f3a_batch_drop.py: alembic upgrade 7a8b9c0d1e2f:8b9c0d1e2f3a --sql failed (exit "), "\(failed)")
        #expect(failed.stderr.contains("batch mode with dialect sqlite requires a live database connection"), "\(failed)")
        #expect(try AlembicFixture.files(sandbox).isEmpty)

        let skipped = try sandbox.godwit(arguments + ["--skip-bad", "--json"], env: ["PATH": try RealAlembic.path()])
        #expect(skipped.status == 0, "\(skipped)")
        let problems = try skipped.jsonObject()["problems"] as? [[String: Any]]
        #expect(problems?.compactMap { $0["file"] as? String } == ["versions/8b9c0d1e2f3a_batch_drop.py"])
        #expect(try AlembicFixture.files(sandbox).count == 8)
    }

    @Test func saysWhenAlembicIsNotOnPath() throws {
        let sandbox = try AlembicFixture.sandbox()
        defer { sandbox.remove() }
        let result = try sandbox.godwit(["import", "alembic", "--config", "alembic/alembic.ini"], env: ["PATH": "/usr/bin:/bin", "VIRTUAL_ENV": ""])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("alembic is not on PATH: activate the project's virtual environment or pip install alembic"), "\(result)")
        // Global options before the group reach the subcommand.
        let json = try sandbox.godwit(["--json", "import", "alembic", "--config", "alembic/alembic.ini"], env: ["PATH": "/usr/bin:/bin", "VIRTUAL_ENV": ""])
        #expect(json.status == 2)
        #expect((try json.jsonObject()["error"] as? [String: Any])?["message"] as? String
            == "alembic is not on PATH: activate the project's virtual environment or pip install alembic", "\(json)")
        let missing = try sandbox.godwit(["import", "alembic", "--config", "nowhere/alembic.ini"], env: ["PATH": try RealAlembic.path()])
        #expect(missing.status == 2 && missing.stderr.contains("no Alembic configuration at"), "\(missing)")
    }
}

@Suite(.enabled(if: PostgresTestServer.isEnabled && RealAlembic.isEnabled, PostgresTestServer.disabledComment))
struct AlembicImportPostgresTests {
    @Test func appliesOnPostgreSQLToTheSchemaAlembicMakesAndDowngradesToBase() throws {
        let project = try PostgresProject(others: ["  alembic:", "    url: ${ALEMBIC_URL}"])
        let alembicDatabase = try PostgresDatabase()
        defer {
            project.remove()
            alembicDatabase.drop()
        }
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("import/alembic"), to: project.sandbox.url("alembic"))
        let env = ["PATH": try RealAlembic.path(), "ALEMBIC_URL": alembicDatabase.url]
        let imported = try project.godwit(["import", "alembic", "--config", "alembic/alembic.ini"], env: env)
        #expect(imported.status == 0, "\(imported)")
        let upgrade = try project.godwit(["upgrade", "heads"], env: env)
        #expect(upgrade.status == 0, "\(upgrade)")

        // psycopg2 (SQLAlchemy 2.1 takes a bare postgresql:// for psycopg 3).
        let driverURL = alembicDatabase.url.replacingOccurrences(of: "postgresql://", with: "postgresql+psycopg2://")
        let original = try RealAlembic.run(["upgrade", "heads"], url: driverURL, in: project.sandbox.url("alembic"))
        #expect(original.status == 0, "\(original)")
        _ = try alembicDatabase.value("DROP TABLE alembic_version")
        #expect(try alembicDatabase.tables() == ["audit_notes", "invoice_reports", "invoices", "users"])
        let diff = try project.godwit(["diff", "dev", "alembic"], env: env)
        #expect(diff.status == 0, "\(diff)")
        #expect(try project.database.value("SELECT note FROM audit_notes") == "it's here")

        let downgrade = try project.godwit(["downgrade", "base"], env: env)
        #expect(downgrade.status == 0, "\(downgrade)")
        #expect(try project.database.tables().filter { !$0.hasPrefix("godwit_") }.isEmpty)
    }
}
