import GodwitCore
import GodwitPostgres
import Testing

/// The lint defects a real history showed (issue 11, defect 13), each fixed with a test.
@Suite struct LintDefectTests {
    @Test func aSQLiteTriggerBodyIsNotATransaction() throws {
        let sql = """
            CREATE TRIGGER orders_touch AFTER UPDATE ON orders
            BEGIN
              UPDATE orders SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
            END;
            DROP TABLE old_orders;
            """
        let findings = try lint(sql, dialect: .sqlite)
        #expect(findings.map { "\($0.line) \($0.rule.id)" } == ["5 drop-table"], "\(findings)")
        // A real COMMIT still is one.
        #expect(try lint("UPDATE a SET b = 1;\nCOMMIT;", dialect: .sqlite).map(\.rule) == [.nonTransactionalStatementInTransaction])
    }

    @Test(arguments: [SQLDialect.sqlite, .postgresql])
    func autogeneratesRebuildHasNoFinding(_ dialect: SQLDialect) throws {
        // SchemaDiff+DDL's SQLite rebuild, as it writes it (AUTOINCREMENT: PostgreSQL's parser rejects the CREATE).
        let sql = """
            CREATE TABLE "orders__godwit_new" (
            "id" INTEGER PRIMARY KEY AUTOINCREMENT,
            "total" INTEGER NOT NULL
            );
            INSERT INTO "orders__godwit_new" ("id", "total") SELECT "id", "total" FROM "orders";
            DROP TABLE "orders";
            ALTER TABLE "orders__godwit_new" RENAME TO "orders";
            CREATE INDEX "orders_total" ON "orders" ("total");
            """
        #expect(try lint(sql, dialect: dialect).filter { dialect == .sqlite || $0.rule != .createIndexNotConcurrently }.isEmpty)
        // PostgreSQL's reading of the same rebuild, when its parser takes the CREATE: no finding at all.
        #expect(try lint(sql.replacingOccurrences(of: " AUTOINCREMENT", with: ""), dialect: dialect).isEmpty)
        // A drop that nothing replaces is still one.
        #expect(try lint("DROP TABLE \"orders\";\nALTER TABLE \"x\" RENAME TO \"y\";", dialect: dialect).map(\.rule).contains(.dropTable))
    }

    @Test func renamingATableAndRecreatingItsNameIsNoRename() throws {
        #expect(try lint("ALTER TABLE sessions RENAME TO sessions_old;\nCREATE TABLE sessions (id bigint);").isEmpty)
        #expect(try lint("CREATE TABLE sessions (id bigint);\nALTER TABLE sessions_x RENAME TO other;").map(\.rule) == [.renameTable])
    }

    @Test(arguments: [
        ("varchar(128)", "varchar(1024)", false), ("varchar(128)", "text", false), ("varchar(128)", "varchar", false),
        ("numeric(10,2)", "numeric(12,2)", false), ("numeric(10,2)", "numeric", false), ("text", "varchar", false),
        ("varchar(128)", "varchar(64)", true), ("numeric(10,2)", "numeric(12,3)", true), ("integer", "bigint", true),
        ("text", "varchar(64)", true),
    ])
    func aTypeChangeWithoutRewriteIsNotFlagged(_ old: String, _ new: String, _ isFlagged: Bool) throws {
        // The table may exist (IF NOT EXISTS, not a fresh database): its old type is known.
        let sql = "CREATE TABLE IF NOT EXISTS users (email \(old));\nALTER TABLE users ALTER COLUMN email TYPE \(new);"
        #expect(try lint(sql).contains { $0.rule == .alterColumnType } == isFlagged)
        // A USING clause may change the contents: flagged.
        if !isFlagged {
            #expect(try lint(sql.replacingOccurrences(of: ";\nALTER", with: ";\nALTER").dropLast() + " USING lower(email);").contains { $0.rule == .alterColumnType })
        }
    }

    @Test func anUnknownOldTypeKeepsTheFindingAndSaysWideningNeedsNoRewrite() throws {
        let findings = try lint("ALTER TABLE users ALTER COLUMN email TYPE varchar(1024);")
        #expect(findings.map(\.rule) == [.alterColumnType])
        #expect(findings.first?.message.contains("to a longer varchar") == true)
    }

    @Test func aPlanGivesTheNextStepsTheTablesItCreated() throws {
        let linter = PostgresLinter()
        let first = Revision(id: "a", upgrade: SQLSection(sql: "CREATE TABLE IF NOT EXISTS users (id bigint, email varchar(128));", line: 1), path: "a.sql")
        let second = Revision(id: "b", upgrade: SQLSection(sql: "CREATE INDEX users_email ON users (email);\nALTER TABLE users ALTER COLUMN email TYPE varchar(1024);", line: 1), path: "b.sql")

        var fresh = LintContext(isFreshDatabase: true)
        #expect(try linter.lint(first.upgrade, revision: first, context: &fresh).isEmpty)
        #expect(fresh.createdTables == [LintContext.Table(schema: nil, name: "users", columnTypes: ["id": "int8", "email": "varchar(128)"])])
        #expect(try linter.lint(second.upgrade, revision: second, context: &fresh).isEmpty)

        // On a database that has revisions, IF NOT EXISTS may find the table there and busy, but
        // its column types are known.
        var busy = LintContext()
        _ = try linter.lint(first.upgrade, revision: first, context: &busy)
        #expect(busy.createdTables.isEmpty)
        #expect(try linter.lint(second.upgrade, revision: second, context: &busy).map(\.rule) == [.createIndexNotConcurrently, .alterColumnType])

        // A plain CREATE TABLE in an earlier step is new on any database.
        var plan = LintContext()
        let plain = Revision(id: "c", upgrade: SQLSection(sql: "CREATE TABLE users (id bigint, email varchar(128));", line: 1), path: "c.sql")
        _ = try linter.lint(plain.upgrade, revision: plain, context: &plan)
        #expect(try linter.lint(second.upgrade, revision: second, context: &plan).isEmpty)
        // Without a context, the table is busy.
        #expect(try linter.lint(second.upgrade, revision: second).map(\.rule) == [.createIndexNotConcurrently, .alterColumnType])
    }
}
