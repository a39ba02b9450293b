import Foundation
import GodwitTestSupport
import Testing

/// A revision that changes its session (SPEC §6): pg_dump's `set_config('search_path', '', false)`
/// empties the search_path; Godwit's bookkeeping names its tables with their schema and the
/// session is restored after the revision, so the next revision's unqualified names land in the
/// environment's schema: transactional and not, online and through `--sql` in psql.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct SessionRestoreTests {
    static let cases: [(schema: String?, isTransactional: Bool)] = [(nil, true), (nil, false), ("app", true), ("app", false)]

    /// s1 empties the search_path (and changes the role and message level, as pg_dump output and
    /// squashed baselines do) and creates `public.t`; s2 creates `u` unqualified.
    func project(schema: String?, isTransactional: Bool) throws -> PostgresProject {
        let project = try PostgresProject(dev: schema.map { ["schema: \($0)"] } ?? [])
        let header = isTransactional ? [] : ["-- transactional: false"]
        try project.revision(
            "s1_dump", header: header,
            upgrade: """
                SELECT pg_catalog.set_config('search_path', '', false);
                SET client_min_messages = warning;
                CREATE TABLE public.t (id int);
                """)
        try project.revision("s2_next", parent: "s1_dump", header: header, upgrade: "CREATE TABLE u (id int);")
        return project
    }

    @Test(arguments: cases)
    func aRevisionThatEmptiesTheSearchPathOnline(schema: String?, isTransactional: Bool) throws {
        let project = try project(schema: schema, isTransactional: isTransactional)
        defer { project.remove() }
        let run = try project.godwit(["upgrade"])
        #expect(run.status == 0, "\(run)")
        let db = project.database
        let home = schema ?? "public"
        #expect(try db.revisionRows(schema: home) == ["s1_dump|applied", "s2_next|applied"])
        #expect(try db.tables(in: home).contains("u"), "the next revision's unqualified table is in the environment's schema")
        #expect(try db.tables().contains("t"))
        #expect(try db.value("SELECT count(*) FROM \(home).godwit_audit WHERE outcome = 'succeeded' AND hash IS NOT NULL") == "1")
        let again = try project.godwit(["upgrade"])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again)")
        #expect(try project.godwit(["audit", "verify"]).status == 0)
    }

    @Test(arguments: cases)
    func aRevisionThatEmptiesTheSearchPathThroughPsql(schema: String?, isTransactional: Bool) throws {
        let project = try project(schema: schema, isTransactional: isTransactional)
        defer { project.remove() }
        let script = try project.godwit(["upgrade", "--sql"])
        #expect(script.status == 0, "\(script)")
        let ran = try project.database.runScript(script.stdout)
        #expect(ran.status == 0, "\(ran)\n\(script.stdout)")
        let db = project.database
        let home = schema ?? "public"
        #expect(try db.revisionRows(schema: home) == ["s1_dump|applied", "s2_next|applied"])
        #expect(try db.tables(in: home).contains("u"), "the next revision's unqualified table is in the environment's schema")
        #expect(try db.value("SELECT count(*) FROM \(home).godwit_audit WHERE hash IS NOT NULL") == "1", "the script sealed its record")
    }

    @Test func aRevisionThatSetsTheRoleIsRecordedAsTheConnectingRole() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        let role = "godwit_other_" + project.database.name.suffix(8)
        _ = try project.database.value("CREATE ROLE \(role)")
        defer { _ = try? project.database.value("DROP OWNED BY \(role); DROP ROLE \(role)") }
        try project.revision("r1_role", upgrade: "SET ROLE \(role);")
        try project.revision("r2_next", parent: "r1_role", upgrade: "CREATE TABLE owned_by_connector (id int);")
        let run = try project.godwit(["upgrade"])
        #expect(run.status == 0, "\(run)")
        #expect(try project.database.value("SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'owned_by_connector'") == "t",
            "the role the revision set was reset before the next revision")
    }
}
