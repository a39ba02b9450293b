import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite
import GodwitTestSupport
import Testing

@testable import Godwit

/// Configuration that is refused when the project loads, before any command touches a database
/// (defect 19): every refusal names `environments/environments.yaml:LINE` and exits 2.
@Suite struct ConfigurationValidationTests {
    func load(_ yaml: String, files: [String: String] = [:]) throws -> Project {
        let project = try TestProject(yaml: yaml)
        defer { project.remove() }
        for (path, text) in files { try project.write(path, text) }
        return try Project(root: project.root)
    }

    static let environments = "environments:\n  dev:\n    url: sqlite:var/dev.sqlite3\n"

    @Test(arguments: [
        ("table_prefix: ''\n", 1, ConfigurationError.Code.emptyTablePrefix),
        ("table_prefix: 'my prefix;'\n", 1, .invalidTablePrefix("my prefix;")),
        ("table_prefix: 1godwit_\n", 1, .invalidTablePrefix("1godwit_")),
        ("table_prefix: godwit-\n", 1, .invalidTablePrefix("godwit-")),
        ("table_prefix: \(String(repeating: "p", count: 41))\n", 1, .tablePrefixTooLong(String(repeating: "p", count: 41), limit: 40)),
        ("versions: versions\naudit_log: ''\n", 2, .emptyPath(key: "audit_log")),
        ("audit_log: var/\n", 1, .auditLogIsFolder("var/")),
        ("audit_log: versions\n", 1, .auditLogIsFolder("versions")),
        ("audit_log: environments/environments.yaml/audit.jsonl\n", 1, .auditLogFolderIsFile("environments/environments.yaml/audit.jsonl")),
        ("versions: ''\n", 1, .emptyPath(key: "versions")),
        ("versions: ${GODWIT_TEST_UNSET_VERSIONS}\n", 1, .unsetVariableInKey("GODWIT_TEST_UNSET_VERSIONS", key: "versions")),
        ("schema: ${GODWIT_TEST_UNSET\n", 1, .unclosedVariableInKey(key: "schema")),
    ])
    func topLevelValues(yaml: String, line: Int, code: ConfigurationError.Code) throws {
        let error = try #require(throws: ConfigurationError.self) { _ = try load(yaml + Self.environments) }
        #expect(error.code == code)
        #expect(error.location?.description == "environments/environments.yaml:\(line)")
        #expect(error.exitCode == .usage)
    }

    @Test func theLongestPrefixStillFitsPostgreSQL() throws {
        let prefix = String(repeating: "p", count: Project.maxTablePrefixLength)
        let project = try load("table_prefix: \(prefix)\n" + Self.environments)
        #expect(project.tablePrefix == prefix)
        #expect((prefix + "repeatables_pkey").utf8.count <= 63)
    }

    @Test func versionsExpandsVariables() throws {
        let folder = "godwit_versions_\(getpid())"
        setenv("GODWIT_TEST_VERSIONS_DIR", folder, 1)
        defer { unsetenv("GODWIT_TEST_VERSIONS_DIR") }
        let project = try load("versions: db/${GODWIT_TEST_VERSIONS_DIR}\n" + Self.environments)
        #expect(project.versionsDirectory.path.hasSuffix("/db/\(folder)"))
    }

    @Test(arguments: ["mysql://x/y", "http://x", "sqlite", "://", "sqlite:"])
    func unreadableURLsAreRefusedAtTheirLine(url: String) throws {
        let yaml = "environments:\n  dev:\n    url: sqlite:var/dev.sqlite3\n  other:\n    url: '\(url)'\n"
        let error = try #require(throws: ConfigurationError.self) { _ = try load(yaml) }
        guard case .invalidURL(_, let variables) = error.code else {
            Issue.record("expected an invalid URL, got \(error.code)")
            return
        }
        #expect(variables.isEmpty)
        #expect(error.location?.description == "environments/environments.yaml:5")
        #expect(error.environment == "other")
    }

    @Test func aURLFromAVariableIsReadWhenUsedAndNamesIt() throws {
        let project = try TestProject(yaml: "environments:\n  dev:\n    url: ${DEV_URL}\n")
        defer { project.remove() }
        let loaded = try Project(root: project.root)
        let environment = try loaded.environment("dev")
        let error = try #require(throws: ConfigurationError.self) { _ = try environment.url(root: loaded.root, variables: ["DEV_URL": "mysql://x"]) }
        #expect(error.code == .invalidURL(error.message.components(separatedBy: " (the url").first ?? "", variables: ["DEV_URL"]))
        #expect(error.message.contains("${DEV_URL}"))
        #expect(error.location?.description == "environments/environments.yaml:3")
    }

    @Test(arguments: ["postgresql://[::1", "postgresql://app:hunter2@[::1/shop", "postgresql://h/db?nosuchoption=1"])
    func libpqReadsThePostgreSQLURLBeforeConnecting(url: String) throws {
        let project = try TestProject(yaml: "environments:\n  dev:\n    url: ${DEV_URL}\n")
        defer { project.remove() }
        let workspace = try Workspace(
            project: try Project(root: project.root), drivers: [SQLiteDriver(), PostgresDriver()],
            identity: Identity(actor: "tester", host: "test-host"), variables: ["DEV_URL": url])
        let error = try #require(throws: ConfigurationError.self) { _ = try workspace.connect(try workspace.project.environment("dev"), readOnly: true) }
        guard case .invalidURL(let message, let variables) = error.code else {
            Issue.record("expected an invalid URL, got \(error.code)")
            return
        }
        #expect(variables == ["DEV_URL"])
        #expect(!message.contains("hunter2"))
        #expect(error.exitCode == .usage)
        #expect(error.location?.description == "environments/environments.yaml:3")
    }

    @Test func emptyProjectOptionIsAnError() throws {
        let error = try #require(throws: ConfigurationError.self) {
            _ = try Project.locate(explicit: "", from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
        #expect(error.code == .emptyProjectOption)
        #expect(error.exitCode == .usage)
    }

    @Test(arguments: ["al\u{1B}[31mice", "bob\nmallory", "tab\tbed", "nul\u{0}"])
    func actorsWithControlCharactersAreRefused(actor: String) throws {
        let error = try #require(throws: ConfigurationError.self) { _ = try Identity.current(actor: actor, project: nil, variables: [:]) }
        #expect(error.code == .actorHasControlCharacter(source: "--actor"))
        let fromVariable = try #require(throws: ConfigurationError.self) {
            _ = try Identity.current(actor: nil, project: nil, variables: ["GODWIT_ACTOR": actor])
        }
        #expect(fromVariable.code == .actorHasControlCharacter(source: "GODWIT_ACTOR"))
    }

    @Test func aLongActorIsShortenedForApplicationNameOnly() throws {
        let actor = String(repeating: "ä", count: 40)
        let identity = try Identity.current(actor: actor, project: nil, variables: [:], readsGitCommit: false)
        #expect(identity.actor == actor, "the audit keeps the whole actor")
        let name = Identity.applicationName("godwit \(identity.holder)")
        #expect(name.utf8.count <= 63)
        #expect(name.utf8.count >= 62, "cut at a character boundary, not sooner")
        #expect(("godwit " + actor).hasPrefix(name))
        #expect(Identity.applicationName("godwit alice@ci") == "godwit alice@ci")
    }

    @Test(arguments: ["0x10s", "' 5 s'", "5 s", "-3s", "1e3s", "ten", "99999999999999999999h"])
    func environmentDurationsAreCheckedLikeRevisionHeaders(value: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            _ = try load("environments:\n  dev:\n    url: sqlite:a\n    lock_timeout: \(value)\n")
        }
        guard case .notADuration(key: "lock_timeout", _) = error.code else {
            Issue.record("expected a bad duration, got \(error.code)")
            return
        }
        #expect(error.location?.description == "environments/environments.yaml:4")
    }

    @Test func aDELCharacterIsRefusedAtItsLineAndColumn() throws {
        let error = try #require(throws: ConfigurationError.self) {
            _ = try load("versions: versions\ntable_prefix: godwit_\u{7F}\n" + Self.environments)
        }
        #expect(error.location?.description == "environments/environments.yaml:2:22")
        #expect(error.message.contains("0x7F"))
    }
}
