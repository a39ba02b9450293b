import GodwitCore
import GodwitPostgres
import Testing

/// One script and the statements it must split into: each statement's exact text and its line.
struct SplitCase: CustomTestStringConvertible, Sendable {
    let name: String
    let script: String
    let statements: [(sql: String, line: Int)]

    var testDescription: String { name }
}

let splitCases: [SplitCase] = [
    SplitCase(
        name: "nested comments",
        script: """
            -- header comment; with a semicolon
            SELECT 1;
            /* outer /* inner ; */ still a comment ; */
            SELECT 2 /* trailing ; */ ;
            """,
        statements: [("SELECT 1;", 2), ("SELECT 2 /* trailing ; */ ;", 4)]),
    SplitCase(
        name: "dollar-quoted function body with semicolons",
        script: """
            CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE plpgsql AS $fn$
            BEGIN
              PERFORM 1; RETURN i + 1; -- $$ is not the end
            END
            $fn$;

              SELECT add_one(1);
            """,
        statements: [
            (
                """
                CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE plpgsql AS $fn$
                BEGIN
                  PERFORM 1; RETURN i + 1; -- $$ is not the end
                END
                $fn$;
                """, 1
            ),
            ("SELECT add_one(1);", 7),
        ]),
    SplitCase(
        name: "escape strings and standard strings",
        script: #"""
            SELECT E'it\'s; still one', 'a '';'' b';
            SELECT $$;$$, $tag$ ; $tag$;
            """#,
        statements: [(#"SELECT E'it\'s; still one', 'a '';'' b';"#, 1), ("SELECT $$;$$, $tag$ ; $tag$;", 2)]),
    SplitCase(
        name: "quoted identifiers containing semicolons",
        script: """
            CREATE TABLE "we;ird" ("a;b" int);
            \tINSERT INTO "we;ird" ("a;b") VALUES (1);
            """,
        statements: [(#"CREATE TABLE "we;ird" ("a;b" int);"#, 1), (#"INSERT INTO "we;ird" ("a;b") VALUES (1);"#, 2)]),
    SplitCase(
        name: "multibyte text before a statement",
        script: "SELECT 'héllo wörld';\n  SELECT '日本';\nSELECT 3",
        statements: [("SELECT 'héllo wörld';", 1), ("SELECT '日本';", 2), ("SELECT 3", 3)]),
    SplitCase(
        name: "empty statements and a trailing comment",
        script: "SELECT 1;;\n ;\n-- only a comment here\n",
        statements: [("SELECT 1;", 1)]),
    SplitCase(
        name: "last statement without a semicolon",
        script: "SELECT 1;\n\n  SELECT 2 -- done\n\n",
        statements: [("SELECT 1;", 1), ("SELECT 2 -- done", 3)]),
    SplitCase(
        name: "BEGIN ATOMIC body",
        script: """
            CREATE FUNCTION two() RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT 1;
              SELECT 2;
            END;
            SELECT two();
            """,
        statements: [("CREATE FUNCTION two() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;", 1), ("SELECT two();", 6)]),
    SplitCase(
        name: "syntax newer than PostgreSQL 15 (scanner fallback)",
        script: "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING *;\n/* c */ SELECT 2;",
        statements: [("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING *;", 1), ("SELECT 2;", 2)]),
    SplitCase(
        name: "a typo is kept as its own statement",
        script: "SELECT 1;\nSELEC 'a;b';\nSELECT 3;\nfoo",
        statements: [("SELECT 1;", 1), ("SELEC 'a;b';", 2), ("SELECT 3;", 3), ("foo", 4)]),
]

@Suite("PostgreSQL statement splitting")
struct StatementSplitterTests {
    @Test(arguments: splitCases)
    func splitsTrickyScripts(_ testCase: SplitCase) throws {
        let statements = try PostgresStatementSplitter.split(testCase.script)
        #expect(statements.map(\.sql) == testCase.statements.map(\.sql))
        #expect(statements.map { testCase.script.line(atUTF8Offset: $0.offset) } == testCase.statements.map(\.line))
        let bytes = Array(testCase.script.utf8)
        for statement in statements {
            // The offset is where the statement's text starts in the script, byte for byte.
            let end = statement.offset + statement.sql.utf8.count
            #expect(end <= bytes.count)
            if end <= bytes.count { #expect(Array(bytes[statement.offset..<end]) == Array(statement.sql.utf8)) }
        }
    }

    @Test func offsetsAreUTF8Bytes() throws {
        let script = "SELECT 'é';\nSELECT 2;"
        let statements = try PostgresStatementSplitter.split(script)
        #expect(statements.map(\.offset) == [0, 13])
    }

    @Test(arguments: [
        ("SELECT 1;\nSELECT 'oops;", "unterminated quoted string", "'oops;"),
        ("SELECT 1; /* never closed", "unterminated /* comment", "/* never"),
        ("SELECT 'é'; SELECT $x$ abc", "unterminated dollar-quoted string", "$x$"),
    ])
    func unsplittableScriptsThrowWithPosition(script: String, message: String, at token: String) throws {
        let error = try #require(throws: DatabaseError.self) { try PostgresStatementSplitter.split(script) }
        #expect(error.reason == .statement)
        #expect(error.message.contains(message))
        #expect(error.sqlstate == "42601")
        #expect(error.position == script.utf8Offset(of: token))
    }

    @Test func lockKeyIsFNV1a64OfDatabaseAndName() {
        // FNV-1a 64 of "shop/app.godwit_" is 0xc5c209d5330aad0c.
        #expect(PostgresConnection.lockKey(database: "shop", name: "app.godwit_") == Int64(bitPattern: 0xc5c2_09d5_330a_ad0c))
        #expect(PostgresConnection.lockKey(database: "shop", name: "app.godwit_") != PostgresConnection.lockKey(database: "shop2", name: "app.godwit_"))
    }

    @Test func characterPositionsBecomeUTF8Offsets() {
        #expect(DatabaseError.utf8Offset(ofCharacter: 1, in: "abc") == 0)
        #expect(DatabaseError.utf8Offset(ofCharacter: 3, in: "éé x") == 4)
        #expect(DatabaseError.utf8Offset(ofCharacter: 2, in: "日本") == 3)
        #expect(DatabaseError.utf8Offset(ofCharacter: 99, in: "ab") == 2)
    }
}
