import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite
import GodwitTestSupport
import Testing

@testable import Godwit

/// The tools' state tables, created with each tool's own DDL, and rows as the tool writes them.
enum ToolState {
    /// SQLite DDL and rows saying the first two migrations of the fixture are applied.
    static func sqliteMidpoint(_ format: AdoptionFormat) -> String {
        switch format {
        case .flyway:
            return """
                CREATE TABLE "flyway_schema_history" (
                    "installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
                    "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT, "installed_by" VARCHAR(100) NOT NULL,
                    "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), "execution_time" INT NOT NULL,
                    "success" BOOLEAN NOT NULL);
                CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                VALUES (1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1838741090, 'app', 4, 1),
                       (2, '1.1', 'add email', 'SQL', 'V1.1__add_email.sql', -22014398, 'app', 2, 1),
                       (3, NULL, 'big orders', 'SQL', 'R__big_orders.sql', 55555, 'app', 1, 1);
                """
        case .golangMigrate:
            return """
                CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
                CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);
                INSERT INTO schema_migrations (version, dirty) VALUES (2, 0);
                """
        case .goose:
            return """
                CREATE TABLE goose_db_version (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL,
                    tstamp TIMESTAMP DEFAULT (datetime('now')));
                INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (20240101120000, 1), (20240102120000, 1),
                    (20240103120000, 1), (20240103120000, 0);
                """
        case .dbmate:
            return """
                CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);
                INSERT INTO "schema_migrations" (version) VALUES ('20240101000000'), ('20240102000000');
                """
        case .alembic:
            return """
                CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
                INSERT INTO alembic_version (version_num) VALUES ('v20240102120000');
                """
        }
    }

    /// The fixture folder a format's test imports (Alembic's ids: the goose fixture's, imported).
    static func fixture(_ format: AdoptionFormat) -> String {
        format == .alembic ? "goose" : format.rawValue
    }
}

struct AdoptTests {
    /// A SQLite project with the fixture of `format` imported and `dev` at the midpoint, as the tool left it.
    func midpoint(_ format: AdoptionFormat, state: String? = nil) throws -> TestProject {
        let project = try TestProject()
        let environments = project.root.appendingPathComponent("environments/environments.yaml")
        try Data((try String(contentsOf: environments, encoding: .utf8) + "\n" + ImportFixtures.flywayVars).utf8).write(to: environments)
        let tool = ToolState.fixture(format)
        _ = try ImportWriter(project: try Project(root: project.root)).write(try ImportFixtures.read(tool), format: tool, isSkippingBad: false)
        try FileManager.default.createDirectory(at: project.root.appendingPathComponent("var"), withIntermediateDirectories: true)
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        defer { connection.close() }
        for sql in try ImportFixtures.nativeUpgrades(tool).prefix(2) { try connection.execute(sql) }
        try connection.execute(state ?? ToolState.sqliteMidpoint(format))
        return project
    }

    func adopter(_ project: TestProject, _ environment: String = "dev") throws -> Adopter {
        let workspace = try project.workspace()
        return Adopter(workspace: workspace, environment: try workspace.project.environment(environment))
    }

    @Test(arguments: AdoptionFormat.allCases)
    func adoptsAtTheMidpointThenUpgradesToTheEnd(format: AdoptionFormat) throws {
        let project = try midpoint(format)
        defer { project.remove() }
        let graph = try project.workspace().graph()
        let firstTwo = Array(graph.order.prefix(2))

        let preview = try adopter(project).run(format, isDryRun: true, isConfirmed: false, reason: nil)
        #expect(preview.operation.isDryRun)
        #expect(preview.operation.steps.map(\.revision) == firstTwo)
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name = 'godwit_revisions'").isEmpty)

        let result = try adopter(project).run(format, isDryRun: false, isConfirmed: false, reason: "moving to godwit")
        #expect(result.operation.operation == .adopt)
        #expect(result.operation.toHeads == [firstTwo[1]])
        #expect(result.mapping.last?.revision == firstTwo[1])
        let rows = try project.query("dev", "SELECT revision, checksum FROM godwit_revisions ORDER BY seq")
        #expect(rows.map { $0[0] ?? "" } == firstTwo)
        #expect(rows.map { $0[1] ?? "" } == firstTwo.map { graph.revisions[$0]?.checksum ?? "" })
        #expect(try project.query("dev", "SELECT operation, reason FROM godwit_audit") == [["adopt", "moving to godwit"]])

        // The rest runs; had the adopted ones run again, CREATE TABLE users would have failed.
        let upgrade = try project.migrator().run(ChangeRequest(.upgrade(.heads)))
        // Flyway's repeatable runs after the rest, as Flyway runs it after its versioned migrations.
        let repeated = format == .flyway ? ["repeatable/big_orders"] : []
        #expect(upgrade.steps.map(\.revision) == Array(graph.order.dropFirst(2)) + repeated)
        #expect(upgrade.toHeads == graph.heads)
    }

    @Test func mappingReadsEachToolsRecords() throws {
        let project = try midpoint(.flyway)
        defer { project.remove() }
        let result = try adopter(project).run(.flyway, isDryRun: true, isConfirmed: false, reason: nil)
        #expect(result.mapping == [AdoptionRecord(version: "1", revision: "v1"), AdoptionRecord(version: "1.1", revision: "v1_1")])
        #expect(result.json.canonical.contains(#""mapping":[{"revision":"v1","version":"1"},{"revision":"v1_1","version":"1.1"}]"#))
        #expect(result.json.canonical.contains(#""operation":"adopt""#))
    }

    @Test(arguments: [
        (AdoptionFormat.flyway, """
            CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL,
                type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL,
                installed_on TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), execution_time INT NOT NULL, success BOOLEAN NOT NULL);
            INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, execution_time, success)
            VALUES (1, '1', 'create users', 'SQL', 'V1__create_users.sql', 'app', 4, 1), (2, '1.1', 'add email', 'SQL', 'V1.1__add_email.sql', 'app', 2, 0);
            """, AdoptionError.failedRecord(table: "flyway_schema_history", version: "1.1", environment: "dev")),
        (.golangMigrate, """
            CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
            INSERT INTO schema_migrations (version, dirty) VALUES (2, 1);
            """, .dirty(table: "schema_migrations", version: "2", environment: "dev")),
        (.dbmate, """
            CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);
            INSERT INTO "schema_migrations" (version) VALUES ('20240101000000'), ('20990101000000');
            """, .unknownVersion(table: "schema_migrations", version: "20990101000000", environment: "dev")),
        (.dbmate, """
            CREATE TABLE IF NOT EXISTS "schema_migrations" (version varchar(128) primary key);
            INSERT INTO "schema_migrations" (version) VALUES ('20240101000000'), ('20240103000000');
            """, .gap(revision: "v20240103000000", missing: "v20240102000000", environment: "dev")),
        (.goose, "CREATE TABLE other (id INTEGER);", .noStateTable(table: "goose_db_version", environment: "dev")),
    ])
    func refusesWhatTheToolsTableCannotMeanAndChangesNothing(format: AdoptionFormat, state: String, error: AdoptionError) throws {
        let project = try midpoint(format, state: state)
        defer { project.remove() }
        let thrown = try #require(throws: AdoptionError.self) { try adopter(project).run(format, isDryRun: false, isConfirmed: false, reason: nil) }
        #expect(thrown == error)
        #expect(thrown.exitCode == .refused)
        #expect(try project.query("dev", "SELECT name FROM sqlite_master WHERE name LIKE 'godwit_%'").isEmpty)
    }

    @Test func refusesADatabaseGodwitAlreadyKnows() throws {
        let project = try midpoint(.dbmate)
        defer { project.remove() }
        _ = try adopter(project).run(.dbmate, isDryRun: false, isConfirmed: false, reason: nil)
        let error = try #require(throws: AdoptionError.self) { try adopter(project).run(.dbmate, isDryRun: false, isConfirmed: false, reason: nil) }
        #expect(error == .hasGodwitState(environment: "dev", count: 2))
        #expect(error.message.contains("godwit stamp"))
    }

    @Test func aProtectedEnvironmentNeedsConfirmation() throws {
        let project = try midpoint(.dbmate)
        defer { project.remove() }
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/prod.sqlite3").path)
        try connection.execute(ToolState.sqliteMidpoint(.dbmate))
        connection.close()
        #expect(throws: PlanRefusal.self) { try adopter(project, "prod").run(.dbmate, isDryRun: false, isConfirmed: false, reason: nil) }
    }

    @Test func aFleetIsRefused() throws {
        let project = try TestProject(yaml: """
            default_environment: dev
            environments:
              dev:
                targets:
                  glob: var/tenants/*.sqlite3
            """)
        defer { project.remove() }
        #expect(throws: FleetError.self) { try adopter(project).run(.dbmate, isDryRun: false, isConfirmed: false, reason: nil) }
    }

    @Test func flywayBaselineAndUndoRows() throws {
        let graph = try RevisionGraph(describing: ["v1", "v1_1: v1", "v1_2: v1_1", "v2: v1_2"])
        let rows: [[String?]] = [
            ["1.1", "BASELINE", "t"], ["1.2", "SQL", "t"], ["2", "SQL", "t"], ["2", "UNDO_SQL", "t"],
        ]
        let mapped = try Adopter.map(rows, format: .flyway, graph: graph, environment: "dev")
        #expect(mapped.heads == ["v1_2"])
        #expect(mapped.mapping.map(\.revision) == ["v1_1", "v1_2"])
    }
}

@Suite(.enabled(if: PostgresTestServer.isEnabled, "set GODWIT_TEST_POSTGRES_URL to run the PostgreSQL tests"))
struct ImportPostgresTests {
    /// A project whose `dev` and `native` are two schemas of the test server.
    func withProject<T>(_ body: (TestProject, Workspace, TestSchema) throws -> T) throws -> T {
        try TestSchema.with { dev in
            try TestSchema.with { native in
                let project = try TestProject(yaml: """
                    default_environment: dev
                    environments:
                      dev:
                        url: \(PostgresTestServer.urlText ?? "")
                        schema: \(dev.name)
                      native:
                        url: \(PostgresTestServer.urlText ?? "")
                        schema: \(native.name)
                    """ + "\n" + ImportFixtures.flywayVars)
                defer { project.remove() }
                let workspace = try Workspace(
                    project: try Project(root: project.root), drivers: [SQLiteDriver(), PostgresDriver()],
                    identity: Identity(actor: "tester", host: "test-host", gitCommit: "abc123"), variables: [:])
                return try body(project, workspace, dev)
            }
        }
    }

    @Test(arguments: ["flyway", "golang-migrate", "goose", "dbmate"])
    func importedHistoryMakesTheToolsSchemaOnPostgreSQL(tool: String) throws {
        try withProject { project, workspace, _ in
            try ImportComparison.check(tool, root: project.root, workspace: workspace)
        }
    }

    @Test(arguments: [
        (AdoptionFormat.flyway, """
            CREATE TABLE flyway_schema_history (
                installed_rank INT NOT NULL, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL,
                script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL,
                installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);
            ALTER TABLE flyway_schema_history ADD CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank);
            CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (success);
            INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
            VALUES (1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1838741090, 'app', 4, true),
                   (2, '1.1', 'add email', 'SQL', 'V1.1__add_email.sql', -22014398, 'app', 2, true);
            """),
        (.golangMigrate, """
            CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);
            INSERT INTO schema_migrations (version, dirty) VALUES (2, false);
            """),
        (.goose, """
            CREATE TABLE goose_db_version (
                id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
            INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (20240101120000, true), (20240102120000, true);
            """),
        (.dbmate, """
            CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) primary key);
            INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240102000000');
            """),
    ])
    func adoptsOnPostgreSQLThenUpgrades(format: AdoptionFormat, state: String) throws {
        try withProject { project, workspace, dev in
            let tool = ToolState.fixture(format)
            _ = try ImportWriter(project: workspace.project).write(try ImportFixtures.read(tool), format: tool, isSkippingBad: false)
            let connection = try dev.connect()
            for sql in try ImportFixtures.nativeUpgrades(tool).prefix(2) { try connection.execute(sql) }
            try connection.execute(state)
            connection.close()
            let environment = try workspace.project.environment("dev")
            let graph = try workspace.graph()
            let result = try Adopter(workspace: workspace, environment: environment).run(format, isDryRun: false, isConfirmed: false, reason: nil)
            #expect(result.operation.toHeads == [graph.order[1]])
            let upgrade = try Migrator(workspace: workspace, environment: environment).run(ChangeRequest(.upgrade(.heads)))
            // Flyway's repeatable runs after the rest, as Flyway runs it after its versioned migrations.
        let repeated = format == .flyway ? ["repeatable/big_orders"] : []
        #expect(upgrade.steps.map(\.revision) == Array(graph.order.dropFirst(2)) + repeated)
        }
    }

    @Test func refusesADirtyGolangMigrateTableOnPostgreSQL() throws {
        try withProject { project, workspace, dev in
            _ = try ImportWriter(project: workspace.project).write(try ImportFixtures.read("golang-migrate"), format: "golang-migrate", isSkippingBad: false)
            let connection = try dev.connect()
            try connection.execute("""
                CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);
                INSERT INTO schema_migrations VALUES (3, true);
                """)
            connection.close()
            let environment = try workspace.project.environment("dev")
            let error = try #require(throws: AdoptionError.self) {
                try Adopter(workspace: workspace, environment: environment).run(.golangMigrate, isDryRun: false, isConfirmed: false, reason: nil)
            }
            #expect(error == .dirty(table: "schema_migrations", version: "3", environment: "dev"))
        }
    }
}
