import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

@testable import Godwit

@Suite struct ProjectTests {
    func load(_ yaml: String) throws -> Project {
        let project = try TestProject(yaml: yaml)
        defer { project.remove() }
        return try Project(root: project.root)
    }

    @Test func readsEveryKey() throws {
        let project = try load("""
            versions: migrations
            promotion: [dev, prod]
            default_environment: dev
            table_prefix: gw_
            audit_log: var/audit.jsonl
            schema: schema.sql
            scratch_url: "sqlite::memory:"
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              prod:
                url: ${PROD_URL}
                protected: true
                lock_timeout: 10s
                statement_timeout: 5m
                schema: app
                lock: table
                lint: error
            """)
        #expect(project.promotion == ["dev", "prod"])
        #expect(project.tablePrefix == "gw_")
        #expect(project.versionsDirectory.lastPathComponent == "migrations")
        let prod = try project.environment("prod")
        #expect(prod.isProtected)
        #expect(prod.migrationLockTimeout.milliseconds == 10_000)
        #expect(prod.statementTimeout?.milliseconds == 300_000)
        #expect(prod.schema == "app")
        #expect(prod.lockMode == .table)
        #expect(prod.lint == .error)
        #expect(try project.environment(nil).name == "dev")
        let url = try prod.url(root: project.root, variables: ["PROD_URL": "postgresql://app:hunter2@db:5432/shop"])
        #expect(url.description == "postgresql://app:***@db:5432/shop")
        let error = try #require(throws: ConfigurationError.self) { try prod.url(root: project.root, variables: [:]) }
        #expect(error.code == .unsetVariable("PROD_URL", environment: "prod"))
        #expect(error.environment == "prod")
    }

    @Test(arguments: [
        (
            "environments:\n  dev:\n    url: sqlite:a\n    protcted: true\n", 4,
            ConfigurationError.Code.unknownKey("protcted", what: "key of environment 'dev'", suggestion: "protected", allowed: Environment.keys)
        ),
        (
            "promotoin: [dev]\nenvironments:\n  dev:\n    url: sqlite:a\n", 1,
            .unknownKey("promotoin", what: "top-level key", suggestion: "promotion", allowed: Project.keys)
        ),
        ("promotion: [dev, qa]\nenvironments:\n  dev:\n    url: sqlite:a\n", 1, .undeclaredInPromotion("qa")),
        ("default_environment: prod\nenvironments:\n  prod:\n    url: sqlite:a\n    protected: true\n", 1, .protectedDefaultEnvironment("prod")),
        (
            "environments:\n  dev:\n    url: sqlite:a\n    lock: mutex\n", 4,
            .notAChoice(key: "lock", value: "mutex", environment: "dev", choices: ["advisory", "table"])
        ),
        ("environments:\n  dev:\n    url: sqlite:a\n    lock_timeout: soon\n", 4, .notADuration(key: "lock_timeout", value: "soon")),
        ("environments:\n  dev:\n    protected: false\n", 2, .missingURL(environment: "dev")),
    ])
    func badFilesNameTheLine(yaml: String, line: Int, code: ConfigurationError.Code) throws {
        let error = try #require(throws: ConfigurationError.self) { _ = try load(yaml) }
        #expect(error.location?.file == "environments/environments.yaml")
        #expect(error.location?.line == line)
        #expect(error.code == code)
        #expect(error.exitCode == .usage)
    }

    @Test func badYAMLNamesTheLine() throws {
        let error = try #require(throws: ConfigurationError.self) { _ = try load("environments:\n  dev: [\n") }
        #expect(error.location?.file == "environments/environments.yaml")
        #expect(error.location?.line == 3)
        guard case .invalidYAML(let what?) = error.code else {
            Issue.record("expected invalid YAML with libyaml's words, got \(error.code)")
            return
        }
        #expect(error.message == "invalid YAML: \(what)")
        #expect(error.exitCode == .usage)
    }

    @Test func pathsAreRelativeToTheRootUnlessAbsolute() throws {
        let relative = try load("versions: db/versions\naudit_log: var/a.jsonl\nenvironments:\n  dev:\n    url: sqlite:a\n")
        #expect(relative.versionsDirectory.path.hasSuffix("/db/versions"))
        #expect(relative.versionsDirectory.path.hasPrefix(relative.root.standardizedFileURL.path))
        let absolute = try load("versions: /srv/app/versions\naudit_log: /var/log/godwit.jsonl\nenvironments:\n  dev:\n    url: sqlite:a\n")
        #expect(absolute.versionsDirectory.path == "/srv/app/versions")
        #expect(absolute.auditLog?.path == "/var/log/godwit.jsonl")
    }

    @Test func expansion() throws {
        let expand = { (text: String, vars: [String: String]) in
            try Environment.expand(text, variables: vars, environment: "e", location: nil)
        }
        #expect(try expand("${A}/${B:-x}", ["A": "1"]) == "1/x")
        #expect(try expand("${B:-x}", ["B": "2"]) == "2")
        #expect(try expand("no vars", [:]) == "no vars")
        #expect(throws: ConfigurationError(.unsetVariable("MISSING", environment: "e"), environment: "e")) { try expand("${MISSING}", [:]) }
    }
}
