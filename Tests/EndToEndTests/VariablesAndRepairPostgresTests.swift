import Foundation
import GodwitTestSupport
import Testing

/// `{{ name }}` in a GRANT and a table name, and `repair`, on PostgreSQL through the built binary.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct VariablesAndRepairPostgresTests {
    @Test func aRoleAndATableFromVariablesThenARepairedComment() throws {
        let role = "godwit_vars_\(UUID().uuidString.prefix(8).lowercased())"
        let project = try PostgresProject(
            dev: ["vars:", "  table: pg_accounts"], top: ["vars:", "  role: \(role)", "  table: accounts", "  api_token: s3cr3t"])
        defer { project.remove() }
        let path = try project.revision(
            "v1_grant",
            upgrade: "CREATE ROLE {{ role }};\nCREATE TABLE {{ table }} (id int, note text DEFAULT '{{ api_token }}');\nGRANT SELECT ON {{ table }} TO {{role}};",
            downgrade: "DROP TABLE {{ table }};\nDROP ROLE {{ role }};")
        let db = project.database

        let lint = try project.godwit(["lint"])
        #expect(lint.status == 0, "the linter parses the rendered SQL: \(lint)")
        let dryRun = try project.godwit(["upgrade", "--dry-run", "--json"])
        #expect(dryRun.status == 0, "\(dryRun)")
        let sql = try #require((try dryRun.jsonObject()["steps"] as? [[String: Any]])?.first?["sql"] as? String)
        #expect(sql.contains("GRANT SELECT ON pg_accounts TO \(role);") && sql.contains("DEFAULT '***'"), "\(sql)")
        let script = try project.godwit(["upgrade", "--sql"])
        #expect(script.stdout.contains("DEFAULT 's3cr3t'") && script.stdout.contains("GRANT SELECT ON pg_accounts TO \(role);"), "\(script)")

        // The DBA runs the script: its record, with the masked variables, is sealed by the server.
        let ran = try db.runScript(script.stdout)
        #expect(ran.status == 0, "\(ran)")
        #expect(try db.value("SELECT has_table_privilege('\(role)', 'pg_accounts', 'SELECT')") == "t")
        #expect(try db.value("SELECT variables FROM godwit_audit") == #"{"api_token":"***","role":"\#(role)","table":"pg_accounts"}"#)
        #expect(try project.godwit(["audit", "verify"]).status == 0)

        try project.sandbox.write(path, try project.sandbox.read(path).replacingOccurrences(of: "-- +upgrade\n", with: "-- +upgrade\n-- read-only role for reports\n"))
        #expect(try project.godwit(["verify"]).status == 3)
        let repair = try project.godwit(["repair", "--all", "--reason", "comment only"])
        #expect(repair.status == 0, "\(repair)")
        #expect(try project.godwit(["verify"]).status == 0)
        #expect(try db.rows("SELECT operation, reason FROM godwit_audit ORDER BY id") == ["upgrade|offline script (--sql)", "repair|comment only"])
        #expect(try project.godwit(["audit", "verify"]).status == 0)

        let downgrade = try project.godwit(["downgrade", "base"])
        #expect(downgrade.status == 0, "the role goes with the revision: \(downgrade)")
    }
}
