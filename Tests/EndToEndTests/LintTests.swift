import Foundation
import Testing

/// `godwit lint [REV...]` (SPEC §5, §7, §8, §9) as a user runs it.
@Suite struct LintTests {
    /// A `godwit init` project with one PostgreSQL environment more, so that PostgreSQL's rules
    /// apply (no server is needed: lint reads files only).
    func postgresProject() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        try sandbox.write(
            "environments/environments.yaml",
            try sandbox.read("environments/environments.yaml") + "  staging:\n    url: postgresql://app@127.0.0.1:1/shop\n")
        return sandbox
    }

    static let risky = """
        CREATE TABLE items (id bigint, order_id bigint);
        CREATE INDEX items_order ON items (order_id);
        CREATE INDEX users_email ON users (email);
        ALTER TABLE users
          ADD COLUMN token uuid DEFAULT gen_random_uuid();
        DROP TABLE legacy_orders;

        """

    @Test func aCleanProjectIsExitZero() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        try sandbox.newRevision("add nickname", upgrade: "ALTER TABLE users ADD COLUMN nickname text;\n", downgrade: "ALTER TABLE users DROP COLUMN nickname;\n")

        let result = try sandbox.godwit(["lint"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ok"), "\(result)")
        expectNoCrash(result)

        let json = try sandbox.godwit(["lint", "--json"])
        #expect(json.status == 0, "\(json)")
        let object = try json.jsonObject()
        #expect(object["ok"] as? Bool == true)
        #expect((object["problems"] as? [Any])?.isEmpty == true, "\(json)")
    }

    @Test func findingsArePathLineWarningRuleAndExitThree() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        let (_, path) = try sandbox.newRevision("risky", upgrade: Self.risky, downgrade: nil)

        let result = try sandbox.godwit(["lint"])
        #expect(result.status == 3, "\(result)")
        expectNoCrash(result)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let expected = [
            ("CREATE INDEX users_email", "create-index-not-concurrently"),
            ("ALTER TABLE users", "add-column-volatile-default"),
            ("DROP TABLE legacy_orders", "drop-table"),
        ]
        #expect(lines.count == expected.count, "\(result)")
        for ((needle, rule), line) in zip(expected, lines) {
            let prefix = "\(path):\(try sandbox.line(of: needle, in: path)): warning: [\(rule)] "
            #expect(line.hasPrefix(prefix), "expected \(prefix)…\n\(result)")
        }
        #expect(result.stderr.contains("3 findings in 1 revision"), "\(result)")
    }

    @Test func theJSONIsTheCheckDocumentWithTheRuleAsKind() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        let (id, path) = try sandbox.newRevision("risky", upgrade: Self.risky, downgrade: nil)

        let result = try sandbox.godwit(["lint", "--json"])
        #expect(result.status == 3, "\(result)")
        let object = try result.jsonObject()
        #expect(object["ok"] as? Bool == false)
        let problems = try #require(object["problems"] as? [[String: Any]], "\(result)")
        #expect(problems.map { $0["kind"] as? String } == ["create-index-not-concurrently", "add-column-volatile-default", "drop-table"])
        for problem in problems {
            expectKeys(problem, ["kind", "revision", "file", "line", "message"], "a lint problem")
            #expect(problem["revision"] as? String == id)
            #expect(problem["file"] as? String == path)
            #expect(!((problem["message"] as? String) ?? "").isEmpty)
        }
        #expect(problems.last?["line"] as? Int == (try sandbox.line(of: "DROP TABLE legacy_orders", in: path)))
        #expect(result.stderr.isEmpty || !result.stderr.contains("{"), "stdout holds the only JSON document")
    }

    @Test func namedRevisionsOnly() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        let risky = try sandbox.newRevision("risky", upgrade: Self.risky, downgrade: nil)
        let clean = try sandbox.newRevision("clean", upgrade: "ALTER TABLE users ADD COLUMN memo text;\n", downgrade: nil)

        #expect(try sandbox.godwit(["lint", clean.id]).status == 0)
        #expect(try sandbox.godwit(["lint", String(risky.id.prefix(6))]).status == 3)
        #expect(try sandbox.godwit(["lint", "head"]).status == 0)
        #expect(try sandbox.godwit(["lint", clean.id, risky.id]).status == 3)

        let unknown = try sandbox.godwit(["lint", "ffffffffffff"])
        #expect(unknown.status == 2, "\(unknown)")
        #expect(unknown.stderr.contains("ffffffffffff"), "\(unknown)")
        expectNoCrash(unknown)
    }

    @Test func anIgnoreCommentSilencesTheFinding() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        try sandbox.newRevision(
            "retire legacy",
            upgrade: """
                -- godwit:ignore drop-table: nothing has read it since v2
                DROP TABLE legacy_orders;
                ALTER TABLE users DROP COLUMN fax; -- godwit:ignore drop-column

                """,
            downgrade: nil)
        let result = try sandbox.godwit(["lint"])
        #expect(result.status == 0, "\(result)")
    }

    @Test func downgradeSectionsWithTheFlag() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        let (id, path) = try sandbox.newRevision(
            "add orders", upgrade: "CREATE TABLE orders (id bigint PRIMARY KEY);\n", downgrade: "DROP TABLE orders;\n")

        #expect(try sandbox.godwit(["lint"]).status == 0)
        let result = try sandbox.godwit(["lint", "--downgrade", id])
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.hasPrefix("\(path):\(try sandbox.line(of: "DROP TABLE orders", in: path)): warning: [drop-table]"), "\(result)")
    }

    /// Every environment of a plain `godwit init` project is SQLite: only the rules that apply to
    /// SQLite run. `-e` picks an environment's dialect.
    @Test func aSQLiteProjectGetsTheSQLiteRules() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.newRevision("risky", upgrade: Self.risky, downgrade: nil)

        let result = try sandbox.godwit(["lint", "--json"])
        #expect(result.status == 3, "\(result)")
        let problems = try #require(try result.jsonObject()["problems"] as? [[String: Any]])
        #expect(problems.map { $0["kind"] as? String } == ["drop-table"], "\(result)")

        try sandbox.write(
            "environments/environments.yaml",
            try sandbox.read("environments/environments.yaml") + "  staging:\n    url: postgresql://app@127.0.0.1:1/shop\n")
        let dev = try sandbox.godwit(["lint", "--json", "-e", "dev"])
        #expect(((try dev.jsonObject()["problems"] as? [Any]) ?? []).count == 1, "\(dev)")
        let staging = try sandbox.godwit(["lint", "--json", "-e", "staging"])
        #expect(((try staging.jsonObject()["problems"] as? [Any]) ?? []).count == 3, "\(staging)")
    }

    @Test func anUnreadableRevisionIsExitTwoAtItsLine() throws {
        let sandbox = try postgresProject()
        defer { sandbox.remove() }
        let (_, path) = try sandbox.newRevision("broken", upgrade: "SELECT 1;\nSELECT 'unterminated;\n", downgrade: nil)

        let result = try sandbox.godwit(["lint"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("\(path):\(try sandbox.line(of: "'unterminated", in: path)):"), "\(result)")
        expectNoCrash(result)
    }
}
