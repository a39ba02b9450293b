import GodwitCore
import Testing

@Suite struct SQLTemplateTests {
    @Test(arguments: [
        ("GRANT SELECT ON t TO {{ role }};", "GRANT SELECT ON t TO app_ro;"),
        ("GRANT SELECT ON t TO {{role}};", "GRANT SELECT ON t TO app_ro;"),
        ("CREATE TABLE {{  table_1 }} ();", "CREATE TABLE orders ();"),
        ("SELECT '{{ role }}{{role}}';", "SELECT 'app_roapp_ro';"),
        // Not placeholders: SQL as written.
        ("SELECT '{{', '{ {role} }', '{{ 1x }}', '{{ role', '{{ a b }}';", "SELECT '{{', '{ {role} }', '{{ 1x }}', '{{ role', '{{ a b }}';"),
        ("SELECT 'é{{role}}ü';", "SELECT 'éapp_roü';"),
        ("no placeholders {", "no placeholders {"),
    ])
    func rendersPlaceholdersAndLeavesTheRestAsWritten(text: String, expected: String) throws {
        let template = SQLTemplate(text: text)
        #expect(try template.render(variables: ["role": "app_ro", "table_1": "orders"], file: "f.sql") == expected)
    }

    @Test func anUndefinedNameIsReportedAtItsLineAndColumnInTheFile() throws {
        let template = SQLTemplate(text: "CREATE TABLE {{ table }} ();\n\nGRANT SELECT ON t TO {{ role }};\n", firstLine: 6)
        #expect(template.names == ["table", "role"])
        let error = try #require(throws: SQLTemplateError.self) {
            try template.render(variables: ["table": "t"], file: "versions/a_x.sql")
        }
        #expect(error.name == "role")
        #expect(error.location == SourceLocation(file: "versions/a_x.sql", line: 8, column: 22))
        #expect(error.exitCode == .usage)
        #expect(error.description.hasPrefix("versions/a_x.sql:8:22: undefined variable 'role'"))
    }

    @Test func secretLookingNamesAreMasked() {
        #expect(SQLTemplate.masking(["db_password": "p", "API_Token": "t", "client_secret": "s", "role": "app"])
            == ["db_password": "***", "API_Token": "***", "client_secret": "***", "role": "app"])
    }

    @Test func aPlanIsRenderedStepByStepAndKnowsTheNamesItUses() throws {
        let graph = try RevisionGraph([
            try RevisionFile.parse("-- revision: a1\n-- down_revision:\n-- message: a\n\n-- +upgrade\nCREATE TABLE {{ t }} (x int);\n", path: "versions/a1_a.sql"),
            try RevisionFile.parse("-- revision: b2\n-- down_revision: a1\n-- message: b\n\n-- +upgrade\nGRANT SELECT ON {{ t }} TO {{ role }};\n", path: "versions/b2_b.sql"),
        ])
        let plan = try graph.upgradePlan(applied: [], to: .heads)
        #expect(plan.variableNames == ["t", "role"])
        let rendered = try plan.rendered(variables: ["t": "x", "role": "r"])
        #expect(rendered.steps[0].sql?.sql.contains("CREATE TABLE x (x int);") == true)
        #expect(rendered.steps[1].sql?.sql.contains("GRANT SELECT ON x TO r;") == true)
        #expect(rendered.steps[1].revision.checksum == plan.steps[1].revision.checksum, "the checksum is of the file as written")
        let error = try #require(throws: SQLTemplateError.self) { try plan.rendered(variables: ["t": "x"]) }
        #expect(error.location == SourceLocation(file: "versions/b2_b.sql", line: 6, column: 28))
    }
}
