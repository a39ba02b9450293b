import Foundation
import GodwitTestSupport
import Testing

/// Repeatable revisions on PostgreSQL (SPEC §11): a function and a view redefined as a whole,
/// in dev, test and a protected prod, each in a schema of the server `scripts/test` starts.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct RepeatablePostgresTests {
    static let base = WorkflowTests.base
    static let function = "versions/repeatable/functions.sql"

    /// A project on three schemas with the repeatables `functions` and `views`; `body` is run
    /// with it, the schemas and the variables.
    func withProject(_ body: (Sandbox, [String], [String: String]) throws -> Void) throws {
        let project = try PromotionSchemas(tag: "rep_")
        defer { project.remove() }
        try writeFunction(project.sandbox, answer: 42)
        try project.sandbox.write("versions/repeatable/views.sql", """
            -- message: the user list
            -- +upgrade
            CREATE OR REPLACE VIEW user_list AS SELECT id, email FROM users;

            """)
        try body(project.sandbox, project.schemas, project.env)
    }

    func writeFunction(_ sandbox: Sandbox, answer: Int) throws {
        try sandbox.write(Self.function, """
            -- message: the answer
            -- +upgrade
            CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT \(answer) $$;

            """)
    }

    @Test func createdChangedRehearsedScriptedAndPromotedOnPostgreSQL() throws {
        let url = try PostgresTestServer.admin()
        try withProject { sandbox, schemas, env in
            let first = try sandbox.godwit(["upgrade", "--json"], env: env)
            #expect(first.status == 0, "\(first)")
            let steps = try #require(try first.jsonObject()["steps"] as? [[String: Any]])
            #expect(steps.map { $0["revision"] as? String } == [Self.base, "repeatable/functions", "repeatable/views"], "file-name order: \(first)")
            #expect(try psqlOutput(url, "SELECT \(schemas[0]).answer()") == "42")
            #expect(try psqlOutput(url, "SELECT count(*) FROM \(schemas[0]).user_list") == "0")
            let recorded = "SELECT name || ' ' || applied_at FROM \(schemas[0]).godwit_repeatables ORDER BY name"
            let rows = try psqlOutput(url, recorded)

            let again = try sandbox.godwit(["upgrade", "--json"], env: env)
            #expect((try again.jsonObject()["steps"] as? [Any])?.isEmpty == true, "\(again)")
            #expect(try psqlOutput(url, recorded) == rows, "no rerun, no new row time")

            try writeFunction(sandbox, answer: 43)
            let rehearsal = try sandbox.godwit(["upgrade", "--rehearse", "--json"], env: env)
            #expect(rehearsal.status == 0, "\(rehearsal)")
            #expect((try rehearsal.jsonObject()["steps"] as? [[String: Any]])?.map { $0["direction"] as? String } == ["repeat"], "\(rehearsal)")
            #expect(try psqlOutput(url, "SELECT \(schemas[0]).answer()") == "42", "the rehearsal kept nothing")

            let dry = try sandbox.godwit(["upgrade", "--dry-run"], env: env)
            #expect(dry.stdout.contains("repeat repeatable/functions") && dry.stdout.contains("SELECT 43"), "\(dry)")
            let check = try sandbox.godwit(["check", "--json"], env: env)
            #expect(check.status == 3, "\(check)")

            // The offline script, run by psql, leaves what the upgrade would.
            let script = try sandbox.godwit(["upgrade", "--sql"], env: env)
            #expect(script.status == 0, "\(script)")
            #expect(script.stdout.contains("\"godwit_repeatables\""), "\(script)")
            let applied = try runProcess(
                URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-q"],
                in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment, stdin: script.stdout)
            #expect(applied.status == 0, "\(applied)")
            #expect(try psqlOutput(url, "SELECT \(schemas[0]).answer()") == "43")
            #expect(strings(try sandbox.godwit(["current", "--json"], env: env).jsonObject()["pending"]) == [])

            // test lacks the new function: prod is refused; promoted through test, prod gets it.
            #expect(try sandbox.godwit(["promote", "prod", "--yes"], env: env).status == 5)
            #expect(try sandbox.godwit(["promote", "test"], env: env).status == 0)
            #expect(try psqlOutput(url, "SELECT \(schemas[1]).answer()") == "43")
            try writeFunction(sandbox, answer: 44)
            #expect(try sandbox.godwit(["upgrade"], env: env).status == 0)
            let refused = try sandbox.godwit(["promote", "prod", "--yes"], env: env)
            #expect(refused.status == 5, "\(refused)")
            #expect(refused.stderr.contains("'repeatable/functions'") && refused.stderr.contains("'test'"), "\(refused)")
            #expect(try psqlOutput(url, "SELECT count(*) FROM pg_namespace WHERE nspname = '\(schemas[2])'") == "0", "the refusal created nothing")
            #expect(try sandbox.godwit(["promote", "test"], env: env).status == 0)
            let promoted = try sandbox.godwit(["promote", "prod", "--yes"], env: env)
            #expect(promoted.status == 0, "\(promoted)")
            #expect(try psqlOutput(url, "SELECT \(schemas[2]).answer()") == "44")
        }
    }

    @Test func aFailingRepeatableOnPostgreSQLNamesItsLineAndKeepsTheVersionedPart() throws {
        let url = try PostgresTestServer.admin()
        try withProject { sandbox, schemas, env in
            try sandbox.write("versions/repeatable/zz_broken.sql", "-- +upgrade\nSELECT 1;\nINSERT INTO missing VALUES (1);\n")
            let failed = try sandbox.godwit(["upgrade"], env: env)
            #expect(failed.status == 1, "\(failed)")
            #expect(failed.stderr.contains("versions/repeatable/zz_broken.sql:3"), "\(failed)")
            #expect(try psqlOutput(url, "SELECT revision FROM \(schemas[0]).godwit_revisions") == Self.base)
            #expect(try psqlOutput(url, "SELECT string_agg(name, ',' ORDER BY name) FROM \(schemas[0]).godwit_repeatables") == "functions,views")
            let record = try psqlOutput(url, "SELECT outcome || ' ' || error FROM \(schemas[0]).godwit_audit ORDER BY id DESC LIMIT 1")
            #expect(record.hasPrefix("failed ") && record.contains("repeatable/zz_broken"), "\(record)")
        }
    }

    @Test func repeatablesAreLintedWithPostgreSQLRules() throws {
        try withProject { sandbox, _, env in
            try sandbox.write("versions/repeatable/indexes.sql", "-- +upgrade\nCREATE INDEX users_email_lower ON users (lower(email));\n")
            let lint = try sandbox.godwit(["lint", "repeatable/indexes"], env: env)
            #expect(lint.status == 3, "\(lint)")
            #expect(lint.stdout.contains("versions/repeatable/indexes.sql:2: warning: [create-index-not-concurrently]"), "\(lint)")
        }
    }
}
