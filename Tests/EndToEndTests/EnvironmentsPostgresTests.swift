import Foundation
import GodwitTestSupport
import Testing

/// The promotion flow and status on PostgreSQL: dev, test and a protected prod in schemas of the
/// server `scripts/test` starts, plus an unreachable environment. Fails, not skips, when
/// `GODWIT_REQUIRE_POSTGRES=1` and no server is given.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct EnvironmentsPostgresTests {
    static let base = WorkflowTests.base

    @Test func gatePromoteProtectedAndStatusOnPostgreSQL() throws {
        let project = try PromotionSchemas(tag: "", extra: "  gone:\n    url: postgresql://nobody:hunter2@127.0.0.1:1/none?connect_timeout=2")
        defer { project.remove() }
        let (url, schemas, sandbox, env) = (project.url, project.schemas, project.sandbox, project.env)

        let gated = try sandbox.godwit(["upgrade", "-e", "test"], env: env)
        #expect(gated.status == 5, "\(gated)")
        #expect(gated.stderr.contains("'dev'") && gated.stderr.contains(Self.base), "\(gated)")
        #expect(try psql(url, "SELECT count(*) FROM pg_namespace WHERE nspname = '\(schemas[1])'") == "0", "the refusal created nothing")
        let noReason = try sandbox.godwit(["upgrade", "-e", "test", "--skip-promotion-check"], env: env)
        #expect(noReason.status == 2, "\(noReason)")

        #expect(try sandbox.godwit(["upgrade"], env: env).status == 0)
        #expect(try psql(url, "SELECT revision FROM \(schemas[0]).godwit_revisions") == Self.base)
        #expect(try psql(url, "SELECT count(*) FROM \(schemas[0]).users") == "0", "the revision ran in dev's schema")

        let catalog = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN (\(schemas.map { "'\($0)'" }.joined(separator: ", ")))"
        let before = try psql(url, catalog)
        let dry = try sandbox.godwit(["promote", "test", "--dry-run", "--json"], env: env)
        #expect(dry.status == 0, "\(dry)")
        #expect((try dry.jsonObject()["steps"] as? [[String: Any]])?.count == 1)
        #expect(try psql(url, catalog) == before, "the dry-run created nothing")

        #expect(try sandbox.godwit(["promote", "test"], env: env).status == 0)
        #expect(try psql(url, "SELECT operation FROM \(schemas[1]).godwit_audit") == "promote")
        let refused = try sandbox.godwit(["promote", "prod"], env: env)
        #expect(refused.status == 5, "\(refused)")
        #expect(try psql(url, "SELECT count(*) FROM pg_namespace WHERE nspname = '\(schemas[2])'") == "0")
        #expect(try sandbox.godwit(["promote", "prod", "--yes"], env: env).status == 0)
        #expect(try psql(url, "SELECT revision FROM \(schemas[2]).godwit_revisions") == Self.base)

        let status = try sandbox.godwit(["status", "--json"], env: env)
        #expect(status.status == 0, "\(status)")
        #expect(!status.stdout.contains("hunter2") && !status.stderr.contains("hunter2"))
        let environments = try #require(try status.jsonObject()["environments"] as? [[String: Any]])
        #expect(environments.map { $0["name"] as? String } == ["dev", "test", "prod", "gone"])
        #expect(environments.prefix(3).allSatisfy { $0["reachable"] as? Bool == true && $0["heads"] as? [String] == [Self.base] })
        let fingerprints = Set(environments.prefix(3).compactMap { $0["schema_fingerprint"] as? String })
        #expect(fingerprints.count == 1, "the three schemas are the same: \(fingerprints)")
        #expect(environments[3]["reachable"] as? Bool == false)
        #expect((environments[3]["error"] as? String)?.contains("127.0.0.1") == true, "\(environments[3])")
        #expect((environments[3]["url"] as? String)?.contains("***") == true)
        #expect(try sandbox.godwit(["check", "-e", "prod"], env: env).status == 0)
    }

    /// Each revision goes to the server as one script with its state row: a failing statement
    /// names its file and line, and leaves nothing of its revision; the revisions before it stay.
    @Test func aFailingStatementOnPostgreSQLNamesItsLineAndLeavesNothingOfItsRevision() throws {
        let url = try PostgresTestServer.admin()
        let schema = "e2e_fail_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        defer { _ = try? psql(url, "DROP SCHEMA IF EXISTS \(schema) CASCADE;") }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("environments/environments.yaml", """
            environments:
              pg:
                url: ${PG_URL}
                schema: \(schema)
            """)
        try sandbox.write("versions/aaa111_one.sql", "-- revision: aaa111\n-- down_revision:\n\n-- +upgrade\nCREATE TABLE one (x int);\n\n-- +downgrade\nDROP TABLE one;\n")
        try sandbox.write("versions/bbb222_two.sql", """
            -- revision: bbb222
            -- down_revision: aaa111

            -- +upgrade
            CREATE TABLE two (x int);
            INSERT INTO two VALUES (1);
            INSERT INTO missing VALUES (2)
            -- +downgrade
            DROP TABLE two;

            """)
        let env = ["PG_URL": url]
        let failed = try sandbox.godwit(["upgrade", "-e", "pg"], env: env)
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("versions/bbb222_two.sql:7:"), "\(failed)")
        #expect(failed.stderr.contains("42P01"), "\(failed)")
        #expect(try psql(url, "SELECT revision FROM \(schema).godwit_revisions") == "aaa111")
        #expect(try psql(url, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)' AND c.relname = 'two'") == "0")
        #expect(try psql(url, "SELECT outcome || ' ' || steps FROM \(schema).godwit_audit").hasPrefix("failed [{"))

        let atomic = try sandbox.godwit(["downgrade", "base", "-e", "pg", "--atomic"], env: env)
        #expect(atomic.status == 0, "\(atomic)")
        try sandbox.write("versions/bbb222_two.sql", "-- revision: bbb222\n-- down_revision: aaa111\n\n-- +upgrade\nCREATE TABLE two (x int)\n\n-- +downgrade\nDROP TABLE two\n")
        let fixed = try sandbox.godwit(["upgrade", "-e", "pg", "--atomic"], env: env)
        #expect(fixed.status == 0, "\(fixed)")
        #expect(try psql(url, "SELECT string_agg(revision, ',' ORDER BY seq) FROM \(schema).godwit_revisions") == "aaa111,bbb222")
    }
}


/// One value from `psql -Atc`.
private func psql(_ url: String, _ sql: String) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment, stdin: nil)
    guard result.status == 0 else { throw HarnessError("psql failed: \(result)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
