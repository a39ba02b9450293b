import Foundation
import Testing

/// `vars:` with `{{ name }}`, and `repair`, through the built binary on SQLite (SPEC §11).
@Suite struct VariablesAndRepairTests {
    /// `godwit init`, with top-level `vars:` and `dev`'s own `table`.
    func variablesProject() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        var yaml = try sandbox.read("environments/environments.yaml")
        yaml = yaml.replacingOccurrences(of: "environments:\n", with: "vars:\n  table: accounts\n  db_password: hunter2\nenvironments:\n")
        yaml = yaml.replacingOccurrences(of: "    url: sqlite:var/dev.sqlite3\n", with: "    url: sqlite:var/dev.sqlite3\n    vars:\n      table: dev_accounts\n")
        try sandbox.write("environments/environments.yaml", yaml)
        return sandbox
    }

    @Test func upgradeSQLAndDryRunRenderTheVariablesAndOnlyTheScriptShowsSecrets() throws {
        let sandbox = try variablesProject()
        defer { sandbox.remove() }
        try sandbox.newRevision(
            "accounts", upgrade: "CREATE TABLE {{ table }} (id INTEGER PRIMARY KEY, note TEXT);\nINSERT INTO {{table}} (note) VALUES ('{{ db_password }}');\n",
            downgrade: "DROP TABLE {{ table }};\n")

        let dryRun = try sandbox.godwit(["upgrade", "--dry-run", "--json"])
        #expect(dryRun.status == 0, "\(dryRun)")
        let steps = try #require(try dryRun.jsonObject()["steps"] as? [[String: Any]])
        let sql = try #require(steps.last?["sql"] as? String)
        #expect(sql.contains("CREATE TABLE dev_accounts") && sql.contains("VALUES ('***')"), "\(sql)")
        #expect(!dryRun.stdout.contains("hunter2") && !dryRun.stderr.contains("hunter2"))
        let text = try sandbox.godwit(["upgrade", "--dry-run"])
        #expect(text.stdout.contains("INSERT INTO dev_accounts (note) VALUES ('***');"), "\(text)")

        let script = try sandbox.godwit(["upgrade", "--sql"])
        #expect(script.status == 0, "\(script)")
        #expect(script.stdout.contains("INSERT INTO dev_accounts (note) VALUES ('hunter2');"), "a DBA runs the script: real values")

        let rehearsal = try sandbox.godwit(["upgrade", "--rehearse"])
        #expect(rehearsal.status == 0 && rehearsal.stdout.contains("every step succeeded"), "the rendered SQL runs and is rolled back: \(rehearsal)")
        let upgrade = try sandbox.godwit(["upgrade"])
        #expect(upgrade.status == 0, "\(upgrade)")
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT note FROM dev_accounts") == [["hunter2"]])
        let test = try sandbox.godwit(["upgrade", "-e", "test"])
        #expect(test.status == 0, "\(test)")
        #expect(try sqlite(sandbox.url("var/test.sqlite3"), "SELECT note FROM accounts") == [["hunter2"]], "test uses the top level's table")

        let audit = try sandbox.godwit(["audit", "--json", "--limit", "1"])
        let record = try #require(try audit.jsonArray().first)
        #expect(record["variables"] as? [String: String] == ["table": "dev_accounts", "db_password": "***"], "\(audit)")
        #expect(try sandbox.godwit(["audit", "verify"]).status == 0)
        let show = try sandbox.godwit(["show", "head"])
        #expect(show.stdout.contains("CREATE TABLE {{ table }}"), "show prints the file as written")
    }

    @Test func anUndefinedNameExitsTwoAtItsPlaceAndNothingRuns() throws {
        let sandbox = try variablesProject()
        defer { sandbox.remove() }
        let revision = try sandbox.newRevision("grant", upgrade: "CREATE TABLE t (id INTEGER);\nSELECT '{{ role }}';\n", downgrade: nil)
        let line = try sandbox.line(of: "{{ role }}", in: revision.path)
        for args in [["upgrade"], ["upgrade", "--dry-run"], ["upgrade", "--sql"], ["lint"]] {
            let result = try sandbox.godwit(args)
            #expect(result.status == 2, "\(args): \(result)")
            #expect(result.stderr.contains("\(revision.path):\(line):9: error: undefined variable 'role'"), "\(args): \(result)")
            expectNoCrash(result)
        }
        #expect(!sandbox.exists("var/dev.sqlite3") || userTables(sandbox.url("var/dev.sqlite3")).isEmpty, "not even the first revision ran")
    }

    @Test func lintRendersTheVariablesOfTheEnvironment() throws {
        let sandbox = try variablesProject()
        defer { sandbox.remove() }
        try sandbox.newRevision("drop", upgrade: "CREATE TABLE keep (id INTEGER);\nDROP TABLE {{ table }};\n", downgrade: nil)
        let lint = try sandbox.godwit(["lint", "--json"])
        #expect(lint.status == 3, "\(lint)")
        #expect(lint.stdout.contains("DROP TABLE 'dev_accounts'"), "the default environment's value: \(lint)")
        let test = try sandbox.godwit(["lint", "-e", "test", "--json"])
        #expect(test.status == 3, "\(test)")
        #expect(test.stdout.contains("DROP TABLE 'accounts'"), "\(test)")
    }

    @Test func repairReRecordsACommentOnlyEditAndIsAudited() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        for environment in ["dev", "test", "prod"] {
            let result = try sandbox.godwit(["upgrade", "-e", environment, "--yes"])
            #expect(result.status == 0, "\(result)")
        }
        let path = "versions/3f2a9c1b7d4e_create_users.sql"
        try sandbox.write(path, try sandbox.read(path).replacingOccurrences(of: "-- +upgrade\n", with: "-- +upgrade\n-- users sign in by email\n"))
        #expect(try sandbox.godwit(["verify"]).status == 3)

        let usage = try sandbox.godwit(["repair", "--reason", "comment"])
        #expect(usage.status == 2, "\(usage)")
        let noReason = try sandbox.godwit(["repair", "--all"])
        #expect(noReason.status == 2, "\(noReason)")

        let protected = try sandbox.godwit(["repair", "--all", "-e", "prod", "--reason", "comment"])
        #expect(protected.status == 5, "\(protected)")
        #expect(try sandbox.godwit(["verify", "-e", "prod"]).status == 3, "nothing changed")

        let before = try dump(sandbox.url("var/dev.sqlite3"))
        let dryRun = try sandbox.godwit(["repair", "--all", "--reason", "comment", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun)")
        #expect(dryRun.stdout.contains("repair 3f2a9c1b7d4e"), "\(dryRun)")
        #expect(try dump(sandbox.url("var/dev.sqlite3")) == before, "a dry run changes nothing")

        let repair = try sandbox.godwit(["repair", "3f2a", "--reason", "comment only", "--json"])
        #expect(repair.status == 0, "\(repair)")
        let object = try repair.jsonObject()
        #expect(object["operation"] as? String == "repair")
        let step = try #require((object["steps"] as? [[String: Any]])?.first)
        #expect(step["direction"] as? String == "repair")
        #expect(step["old_checksum"] as? String != step["checksum"] as? String)
        #expect(try sandbox.godwit(["verify"]).status == 0)
        let audit = try #require(try sandbox.godwit(["audit", "--json", "--limit", "1"]).jsonArray().first)
        #expect(audit["operation"] as? String == "repair")
        #expect(audit["reason"] as? String == "comment only")
        let steps = try #require(audit["steps"] as? [[String: Any]])
        #expect(steps.first?["old_checksum"] as? String == step["old_checksum"] as? String)
        #expect(try sandbox.godwit(["audit", "verify"]).status == 0)

        let again = try sandbox.godwit(["repair", "3f2a", "--reason", "again"])
        #expect(again.status == 2, "its checksum matches now: \(again)")
        let nothing = try sandbox.godwit(["repair", "--all", "--reason", "again"])
        #expect(nothing.status == 0 && nothing.stdout.contains("nothing to repair"), "\(nothing)")
        let prod = try sandbox.godwit(["repair", "--all", "-e", "prod", "--reason", "comment", "--yes"])
        #expect(prod.status == 0, "\(prod)")
        #expect(try sandbox.godwit(["verify", "-e", "prod"]).status == 0)
    }
}
