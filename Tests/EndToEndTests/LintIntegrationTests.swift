import Foundation
import Testing

/// Lint findings in plans, and `lint: error` failing changes and `check` (SPEC §2, §5, §7).
@Suite struct LintIntegrationTests {
    func project(lint: String) throws -> (Sandbox, String) {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
                lint: \(lint)
            """)
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let drop = try sandbox.newRevision("drop users", upgrade: "SELECT 1;\nDROP TABLE users;\n", downgrade: nil)
        return (sandbox, drop.path)
    }

    @Test func dryRunShowsFindingsAsStepWarnings() throws {
        let (sandbox, path) = try project(lint: "warn")
        defer { sandbox.remove() }
        let json = try sandbox.godwit(["upgrade", "--dry-run", "--json"])
        #expect(json.status == 0, "\(json)")
        let steps = try #require(try json.jsonObject()["steps"] as? [[String: Any]])
        let warnings = try #require(steps.first?["warnings"] as? [String])
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("\(path):8: warning: [drop-table]") == true, "\(warnings)")
        let human = try sandbox.godwit(["upgrade", "--dry-run"])
        #expect(human.stdout.contains("[drop-table]"), "\(human)")
        // With `lint: warn` the change goes ahead, and check does not count findings.
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["check"]).status == 0)
    }

    @Test func lintErrorRefusesTheChangeAndFailsCheck() throws {
        let (sandbox, path) = try project(lint: "error")
        defer { sandbox.remove() }
        let check = try sandbox.godwit(["check", "--json"])
        #expect(check.status == 3, "\(check)")
        let kinds = (try check.jsonObject()["problems"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds == ["pending", "drop-table"], "\(check)")
        let before = try sha256(sandbox.url("var/dev.sqlite3"))
        let refused = try sandbox.godwit(["upgrade"])
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.contains("\(path):8") && refused.stderr.contains("godwit:ignore drop-table"), "\(refused)")
        #expect(try sha256(sandbox.url("var/dev.sqlite3")) == before, "nothing ran")
        // Silenced on its line, the change goes ahead.
        try sandbox.write(path, try sandbox.read(path).replacingOccurrences(of: "DROP TABLE users;", with: "DROP TABLE users; -- godwit:ignore drop-table"))
        let applied = try sandbox.godwit(["upgrade"])
        #expect(applied.status == 0, "\(applied)")
        #expect(try sandbox.godwit(["check"]).status == 0)
    }

    /// A fresh database's plan: a table an earlier step created (here with IF NOT EXISTS) is not
    /// busy, so `lint: error` lets a new environment be set up; on a database that has the first
    /// revision already, dropping it is a finding.
    @Test func aFreshDatabasesPlanKnowsTheTablesItsStepsCreate() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
                lint: error
              test:
                url: sqlite:var/test.sqlite3
                lint: error
            """)
        let create = try sandbox.newRevision("scratch", upgrade: "CREATE TABLE IF NOT EXISTS scratch (id INTEGER);\n", downgrade: nil)
        #expect(try sandbox.godwit(["upgrade", "-e", "test", create.id]).status == 0)
        try sandbox.newRevision("drop scratch", upgrade: "DROP TABLE scratch;\n", downgrade: nil)

        let fresh = try sandbox.godwit(["upgrade", "-e", "dev"])
        #expect(fresh.status == 0, "\(fresh)")
        let busy = try sandbox.godwit(["upgrade", "-e", "test"])
        #expect(busy.status == 5, "\(busy)")
        #expect(busy.stderr.contains("drop-table"), "\(busy)")
    }
}
