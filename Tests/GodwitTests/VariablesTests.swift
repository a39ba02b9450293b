import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

@testable import Godwit

/// `vars:` and `{{ name }}` in revisions (SPEC §11), on SQLite.
@Suite struct VariablesTests {
    static let yaml = """
        promotion: [dev, test]
        default_environment: dev
        vars:
          table: accounts
          db_password: hunter2
          owner: ${VARS_TEST_OWNER:-nobody}
        environments:
          dev:
            url: sqlite:var/dev.sqlite3
            vars:
              table: dev_accounts
          test:
            url: sqlite:var/test.sqlite3
          broken:
            url: sqlite:var/broken.sqlite3
            vars:
              owner: ${VARS_TEST_SURELY_UNSET}
        """

    static let revisions: [TestRevision] = [
        ("aaa111", "", "CREATE TABLE {{ table }} (id INTEGER PRIMARY KEY, note TEXT);\nINSERT INTO {{table}} (note) VALUES ('{{ db_password }}/{{ owner }}');", "DROP TABLE {{ table }};", ""),
        ("bbb222", "aaa111", "CREATE TABLE plain (id INTEGER);", "DROP TABLE plain;", ""),
    ]

    @Test func upgradeRendersTheEnvironmentsValuesOverTheTopLevelOnes() throws {
        let project = try TestProject(yaml: Self.yaml, revisions: Self.revisions)
        defer { project.remove() }
        _ = try project.migrator("dev").run(ChangeRequest(.upgrade(.heads)))
        #expect(try project.query("dev", "SELECT note FROM dev_accounts") == [["hunter2/nobody"]], "the SQL that runs has the real values")
        _ = try project.migrator("test").run(ChangeRequest(.upgrade(.heads)))
        #expect(try project.query("test", "SELECT note FROM accounts") == [["hunter2/nobody"]], "test has no table of its own: the top level's")
        // The checksum is of the file as written, the same in both environments.
        #expect(try project.query("dev", "SELECT checksum FROM godwit_revisions WHERE revision = 'aaa111'")
            == project.query("test", "SELECT checksum FROM godwit_revisions WHERE revision = 'aaa111'"))
    }

    @Test func theAuditRecordListsTheVariablesUsedWithSecretsMaskedAndStillVerifies() throws {
        let project = try TestProject(yaml: Self.yaml, revisions: Self.revisions)
        defer { project.remove() }
        _ = try project.migrator("dev").run(ChangeRequest(.upgrade(.heads)))
        let workspace = try project.workspace()
        let dev = try workspace.project.environment("dev")
        let record = try #require(try AuditReader(workspace: workspace).records(of: dev).first)
        #expect(record.variables == ["table": "dev_accounts", "db_password": "***", "owner": "nobody"])
        #expect(record.json["variables"] == .object(["table": .string("dev_accounts"), "db_password": .string("***"), "owner": .string("nobody")]))
        #expect(try AuditReader(workspace: workspace).verify(dev).isOK)
        // A plan whose SQL uses none writes no `variables`, so its record hashes as before.
        _ = try project.migrator("dev").run(ChangeRequest(.downgrade(.relative(from: nil, steps: -1))))
        let newest = try #require(try AuditReader(workspace: workspace).records(of: dev).max { $0.id < $1.id })
        #expect(newest.variables.isEmpty)
        #expect(newest.json["variables"] == nil)
        #expect(try AuditReader(workspace: workspace).verify(dev).isOK)
    }

    @Test func aDryRunShowsTheRenderedSQLWithSecretsMasked() throws {
        let project = try TestProject(yaml: Self.yaml, revisions: Self.revisions)
        defer { project.remove() }
        var request = ChangeRequest(.upgrade(.heads))
        request.isDryRun = true
        let result = try project.migrator("dev").run(request)
        let sql = try #require(result.steps.first?.sql)
        #expect(sql.contains("CREATE TABLE dev_accounts"))
        #expect(sql.contains("VALUES ('***/nobody')"))
        #expect(!sql.contains("hunter2"))
    }

    @Test func theOfflineScriptHasTheRealValuesAndItsRecordTheMaskedOnes() throws {
        let project = try TestProject(yaml: Self.yaml, revisions: Self.revisions)
        defer { project.remove() }
        let workspace = try project.workspace()
        let script = try OfflineScriptWriter(workspace: workspace).script(
            ChangeRequest(.upgrade(.heads)), environment: try workspace.project.environment("dev"), from: "base")
        #expect(script.contains("INSERT INTO dev_accounts (note) VALUES ('hunter2/nobody');"))
        #expect(script.contains(#"{"db_password":"***","owner":"nobody","table":"dev_accounts"}"#))
    }

    @Test func anUndefinedNameStopsThePlanAtItsPlaceBeforeAnythingRuns() throws {
        var revisions = Self.revisions
        revisions.append(("ccc333", "bbb222", "CREATE TABLE c (id INTEGER);\nGRANT SELECT ON c TO {{ role }};", "DROP TABLE c;", ""))
        let project = try TestProject(yaml: Self.yaml, revisions: revisions)
        defer { project.remove() }
        let error = try #require(throws: SQLTemplateError.self) { try project.migrator("dev").run(ChangeRequest(.upgrade(.heads))) }
        #expect(error.exitCode == .usage)
        // Header is 4 lines, '-- +upgrade' on 5: the GRANT is line 7, its '{{' at column 22.
        #expect(error.location == SourceLocation(file: "versions/ccc333_test.sql", line: 7, column: 22))
        let exists = FileManager.default.fileExists(atPath: project.root.appendingPathComponent("var/dev.sqlite3").path)
        let names = exists ? try project.query("dev", "SELECT name FROM sqlite_master") : []
        #expect(names.isEmpty, "nothing ran, not even aaa111")
    }

    @Test func anUnsetVariableInAValueIsAnErrorOnlyWhereItsEnvironmentIsUsed() throws {
        let project = try TestProject(yaml: Self.yaml, revisions: Self.revisions)
        defer { project.remove() }
        _ = try project.migrator("dev").run(ChangeRequest(.upgrade(.heads)))
        let error = try #require(throws: ConfigurationError.self) { try project.migrator("broken").run(ChangeRequest(.upgrade(.heads))) }
        #expect(error.message.contains("VARS_TEST_SURELY_UNSET"))
        #expect(error.location?.file == Project.configPath)
        #expect(error.location?.line == 17)
    }

    @Test(arguments: [
        ("vars:\n  role: [a, b]\n", 2, "must be a string"),
        ("vars:\n  role:\n    x: y\n", 3, "must be a string"),
        ("vars:\n  1role: x\n", 2, "variable name '1role'"),
    ])
    func aValueThatIsNotAStringIsAConfigurationErrorAtItsLine(vars: String, line: Int, text: String) throws {
        let project = try TestProject(yaml: vars + "environments:\n  dev:\n    url: sqlite:var/dev.sqlite3\n")
        defer { project.remove() }
        let error = try #require(throws: ConfigurationError.self) { try Project(root: project.root) }
        #expect(error.location?.line == line)
        #expect(error.message.contains(text), "\(error.message)")
    }

    @Test func lintRendersWithTheNamedEnvironmentsVariablesElseTheDefaultOnes() throws {
        let project = try TestProject(yaml: Self.yaml, revisions: [
            ("aaa111", "", "CREATE TABLE keep (id INTEGER);\nDROP TABLE {{ table }};", nil, ""),
        ])
        defer { project.remove() }
        let workspace = try project.workspace()
        let linter = ProjectLinter(workspace: workspace)
        #expect(try linter.lintVariables(environment: nil)["table"] == "dev_accounts")
        #expect(try linter.lintVariables(environment: "test")["table"] == "accounts")
        #expect(throws: ConfigurationError.self) { try linter.lintVariables(environment: "broken") }
    }
}
