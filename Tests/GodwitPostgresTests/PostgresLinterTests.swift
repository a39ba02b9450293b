import GodwitCore
import GodwitPostgres
import Testing

/// Lints `sql` as the upgrade section of a revision whose section starts on line 1.
func lint(
    _ sql: String, transactional: Bool = true, dialect: SQLDialect = .postgresql, serverMajorVersion: Int = 12
) throws -> [LintFinding] {
    let revision = Revision(id: "abc", isTransactional: transactional, upgrade: SQLSection(sql: sql, line: 1), path: "versions/abc_x.sql")
    return try PostgresLinter(dialect: dialect, serverMajorVersion: serverMajorVersion).lint(revision.upgrade, revision: revision)
}

/// A script that a rule must flag, or must leave alone.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let rule: LintRule
    let name: String
    let sql: String
    var transactional = true
    var serverMajorVersion = 12

    var testDescription: String { "\(rule.id): \(name)" }
}

/// One or more scripts per rule that trigger it.
let triggering: [RuleCase] = [
    RuleCase(rule: .dropTable, name: "drop table", sql: "DROP TABLE orders;"),
    RuleCase(rule: .dropTable, name: "drop qualified tables", sql: "DROP TABLE IF EXISTS shop.orders, shop.items CASCADE;"),
    RuleCase(rule: .dropColumn, name: "drop column", sql: "ALTER TABLE orders DROP COLUMN note;"),
    RuleCase(rule: .dropColumn, name: "drop column among others", sql: "ALTER TABLE orders ADD COLUMN memo text, DROP COLUMN IF EXISTS note;"),
    RuleCase(rule: .createIndexNotConcurrently, name: "create index", sql: "CREATE INDEX orders_user ON orders (user_id);"),
    RuleCase(rule: .createIndexNotConcurrently, name: "unique index, non-transactional", sql: "CREATE UNIQUE INDEX orders_ref ON orders (ref);", transactional: false),
    RuleCase(rule: .createIndexNotConcurrently, name: "index of a table that may exist", sql: "CREATE TABLE IF NOT EXISTS orders (id int);\nCREATE INDEX orders_id ON orders (id);"),
    RuleCase(rule: .addColumnVolatileDefault, name: "random()", sql: "ALTER TABLE orders ADD COLUMN score int DEFAULT (random() * 10)::int;"),
    RuleCase(rule: .addColumnVolatileDefault, name: "gen_random_uuid()", sql: "ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();"),
    RuleCase(rule: .addColumnVolatileDefault, name: "clock_timestamp()", sql: "ALTER TABLE orders ADD COLUMN seen timestamptz DEFAULT pg_catalog.clock_timestamp();"),
    RuleCase(rule: .addColumnVolatileDefault, name: "bigserial", sql: "ALTER TABLE orders ADD COLUMN number bigserial;"),
    RuleCase(rule: .addColumnVolatileDefault, name: "identity", sql: "ALTER TABLE orders ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY;"),
    RuleCase(rule: .addColumnVolatileDefault, name: "stored generated", sql: "ALTER TABLE orders ADD COLUMN double_total numeric GENERATED ALWAYS AS (total * 2) STORED;"),
    RuleCase(rule: .setNotNull, name: "set not null", sql: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
    RuleCase(
        rule: .setNotNull, name: "a check of another column",
        sql: "ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT name_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        transactional: false),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "foreign key", sql: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "check", sql: "ALTER TABLE orders ADD CHECK (total >= 0);"),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "column with references", sql: "ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);"),
    RuleCase(
        rule: .addConstraintWithoutNotValid, name: "validated in the same transaction",
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"),
    RuleCase(rule: .alterColumnType, name: "type", sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);"),
    RuleCase(rule: .alterColumnType, name: "set data type using", sql: "ALTER TABLE ONLY shop.orders ALTER COLUMN ref SET DATA TYPE bigint USING ref::bigint;"),
    RuleCase(rule: .renameColumn, name: "rename column", sql: "ALTER TABLE orders RENAME COLUMN total TO amount;"),
    RuleCase(rule: .renameTable, name: "rename table", sql: "ALTER TABLE orders RENAME TO purchases;"),
    RuleCase(rule: .vacuumFull, name: "vacuum full", sql: "VACUUM FULL orders;", transactional: false),
    RuleCase(rule: .vacuumFull, name: "vacuum (full, analyze)", sql: "VACUUM (FULL, ANALYZE);", transactional: false),
    RuleCase(rule: .cluster, name: "cluster", sql: "CLUSTER orders USING orders_pkey;"),
    RuleCase(rule: .lockTable, name: "lock table", sql: "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;"),
    RuleCase(rule: .lockTable, name: "lock table, default mode", sql: "LOCK orders;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "create index concurrently", sql: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "drop index concurrently", sql: "DROP INDEX CONCURRENTLY orders_user;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "reindex concurrently", sql: "REINDEX INDEX CONCURRENTLY orders_user;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "vacuum", sql: "VACUUM orders;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "create database", sql: "CREATE DATABASE reports;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "commit", sql: "UPDATE orders SET total = 0;\nCOMMIT;"),
    RuleCase(
        rule: .nonTransactionalStatementInTransaction, name: "add enum value before PostgreSQL 12",
        sql: "ALTER TYPE order_state ADD VALUE 'refunded';", serverMajorVersion: 11),
]

/// One or more scripts per rule that do the safe thing and must not trigger it.
let safe: [RuleCase] = [
    RuleCase(rule: .dropTable, name: "a table of this revision", sql: "CREATE TABLE scratch (id int);\nDROP TABLE scratch;"),
    RuleCase(rule: .dropTable, name: "a view", sql: "DROP VIEW orders_summary;"),
    RuleCase(rule: .dropColumn, name: "add a nullable column", sql: "ALTER TABLE orders ADD COLUMN memo text;"),
    RuleCase(rule: .dropColumn, name: "a table of this revision", sql: "CREATE TABLE scratch (id int, note text);\nALTER TABLE scratch DROP COLUMN note;"),
    RuleCase(rule: .createIndexNotConcurrently, name: "concurrently, non-transactional", sql: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);", transactional: false),
    RuleCase(rule: .createIndexNotConcurrently, name: "a table of this revision", sql: "CREATE TABLE items (id bigint, order_id bigint);\nCREATE INDEX items_order ON items (order_id);"),
    RuleCase(rule: .createIndexNotConcurrently, name: "a table of this revision, qualified", sql: "CREATE TABLE shop.items (id bigint);\nCREATE INDEX items_id ON items (id);"),
    RuleCase(rule: .addColumnVolatileDefault, name: "constant", sql: "ALTER TABLE orders ADD COLUMN state text NOT NULL DEFAULT 'new';"),
    RuleCase(rule: .addColumnVolatileDefault, name: "cast constant", sql: "ALTER TABLE orders ADD COLUMN tags jsonb DEFAULT '{}'::jsonb;"),
    RuleCase(rule: .addColumnVolatileDefault, name: "now() is stable", sql: "ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();"),
    RuleCase(rule: .addColumnVolatileDefault, name: "CURRENT_TIMESTAMP is stable", sql: "ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP;"),
    RuleCase(rule: .addColumnVolatileDefault, name: "set default for new rows", sql: "ALTER TABLE orders ADD COLUMN token uuid;\nALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();"),
    RuleCase(rule: .addColumnVolatileDefault, name: "a table of this revision", sql: "CREATE TABLE items (id int);\nALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
    RuleCase(
        rule: .setNotNull, name: "after validating a check of an earlier revision",
        sql: "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
    RuleCase(
        rule: .setNotNull, name: "check added, validated and used, non-transactional",
        sql: "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        transactional: false),
    RuleCase(rule: .setNotNull, name: "a table of this revision", sql: "CREATE TABLE items (id int);\nALTER TABLE items ALTER COLUMN id SET NOT NULL;"),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "foreign key not valid", sql: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "check not valid", sql: "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID;"),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "validate in a later revision", sql: "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"),
    RuleCase(
        rule: .addConstraintWithoutNotValid, name: "add and validate, non-transactional",
        sql: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;",
        transactional: false),
    RuleCase(
        rule: .addConstraintWithoutNotValid, name: "a table of this revision",
        sql: "CREATE TABLE items (id int, order_id int);\nALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders (id);"),
    RuleCase(rule: .addConstraintWithoutNotValid, name: "unique constraint is another matter", sql: "ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE USING INDEX orders_ref_idx;"),
    RuleCase(rule: .alterColumnType, name: "a new column instead", sql: "ALTER TABLE orders ADD COLUMN total_v2 numeric(12, 2);"),
    RuleCase(rule: .alterColumnType, name: "a table of this revision", sql: "CREATE TABLE items (total int);\nALTER TABLE items ALTER COLUMN total TYPE bigint;"),
    RuleCase(rule: .renameColumn, name: "a new column instead", sql: "ALTER TABLE orders ADD COLUMN amount numeric;"),
    RuleCase(rule: .renameColumn, name: "a view's column", sql: "ALTER VIEW orders_summary RENAME COLUMN total TO amount;"),
    RuleCase(rule: .renameColumn, name: "a constraint", sql: "ALTER TABLE orders RENAME CONSTRAINT fk TO orders_user_fk;"),
    RuleCase(rule: .renameTable, name: "with a view of the old name", sql: "ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;"),
    RuleCase(rule: .renameTable, name: "an index", sql: "ALTER INDEX orders_user RENAME TO orders_user_idx;"),
    RuleCase(rule: .renameTable, name: "a table of this revision", sql: "CREATE TABLE items_new (id int);\nALTER TABLE items_new RENAME TO items;\nCREATE INDEX items_id ON items (id);"),
    RuleCase(rule: .vacuumFull, name: "plain vacuum", sql: "VACUUM (ANALYZE) orders;", transactional: false),
    RuleCase(rule: .vacuumFull, name: "full false", sql: "VACUUM (FULL false) orders;", transactional: false),
    RuleCase(rule: .cluster, name: "mark the index only", sql: "ALTER TABLE orders CLUSTER ON orders_pkey;"),
    RuleCase(rule: .lockTable, name: "a lock timeout instead", sql: "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN memo text;"),
    RuleCase(rule: .lockTable, name: "a table of this revision", sql: "CREATE TABLE items (id int);\nLOCK TABLE items;"),
    RuleCase(
        rule: .nonTransactionalStatementInTransaction, name: "concurrently, non-transactional",
        sql: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);\nDROP INDEX CONCURRENTLY orders_old;", transactional: false),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "analyze runs in a transaction", sql: "ANALYZE orders;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "savepoint", sql: "SAVEPOINT before_backfill;\nRELEASE SAVEPOINT before_backfill;"),
    RuleCase(rule: .nonTransactionalStatementInTransaction, name: "add enum value on PostgreSQL 12+", sql: "ALTER TYPE order_state ADD VALUE 'refunded';"),
]

@Suite struct PostgresLinterTests {
    @Test(arguments: triggering)
    func eachRuleFlagsItsStatement(_ rule: RuleCase) throws {
        let findings = try lint(rule.sql, transactional: rule.transactional, serverMajorVersion: rule.serverMajorVersion)
        #expect(findings.contains { $0.rule == rule.rule }, "\(findings)")
        for finding in findings where finding.rule == rule.rule {
            #expect(finding.revision == "abc" && finding.file == "versions/abc_x.sql")
            #expect(finding.message.contains(";"), "the message says why, then the safe way: \(finding.message)")
        }
    }

    @Test(arguments: safe)
    func theSafeWayIsNotFlagged(_ rule: RuleCase) throws {
        let findings = try lint(rule.sql, transactional: rule.transactional, serverMajorVersion: rule.serverMajorVersion)
        #expect(!findings.contains { $0.rule == rule.rule }, "\(findings)")
    }

    @Test func everyRuleHasATriggeringAndASafeScript() {
        for rule in LintRule.allCases {
            #expect(triggering.contains { $0.rule == rule }, "\(rule.id) has no triggering script")
            #expect(safe.contains { $0.rule == rule }, "\(rule.id) has no safe script")
        }
    }

    @Test func theMessageNamesTheObjects() throws {
        let findings = try lint("ALTER TABLE shop.orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nALTER TABLE orders DROP COLUMN note;")
        #expect(findings.count == 2)
        #expect(findings[0].message.contains("'token'") && findings[0].message.contains("'shop.orders'") && findings[0].message.contains("'gen_random_uuid()'"))
        #expect(findings[1].message.contains("'note'") && findings[1].message.contains("'orders'"))
        #expect(findings[0].description.hasPrefix("versions/abc_x.sql:1: warning: [add-column-volatile-default] adding column 'token'"))
    }

    @Test func aCleanRevisionHasNoFindings() throws {
        let sql = """
            CREATE TABLE orders (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              user_id bigint NOT NULL REFERENCES users (id),
              total numeric CHECK (total >= 0),
              created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX orders_user ON orders (user_id);
            INSERT INTO orders (user_id, total) SELECT id, 0 FROM users;
            ALTER TABLE users ADD COLUMN nickname text;
            COMMENT ON TABLE orders IS 'DROP TABLE users; -- not a statement';
            """
        #expect(try lint(sql).isEmpty)
    }

    /// Lines are those of the file: the section's first line plus the statement's line in it.
    @Test func linesAreTheFilesInAMultiStatementRevision() throws {
        let text = """
            -- revision: abc
            -- down_revision:
            -- message: several statements

            -- +upgrade
            CREATE TABLE items (id bigint);  -- a new table: its index is fine
            CREATE INDEX items_id ON items (id);

            /* a comment; with a semicolon */ ALTER TABLE users
              ADD COLUMN token uuid DEFAULT gen_random_uuid(),
              DROP COLUMN legacy;
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;

              DROP TABLE old_orders; DROP TABLE old_items;

            -- +downgrade
            SELECT 1;
            ALTER TABLE users RENAME COLUMN token TO api_token;
            """
        let revision = try RevisionFile.parse(text, path: "versions/abc_several.sql")
        let findings = try PostgresLinter().lint(revision.upgrade, revision: revision)
        #expect(findings.map { "\($0.line) \($0.rule.id)" } == [
            "9 add-column-volatile-default", "9 drop-column", "14 drop-table", "14 drop-table",
        ])
        let both = try PostgresLinter().lint(revision, includingDowngrade: true)
        #expect(both.last.map { "\($0.line) \($0.rule.id)" } == "18 rename-column")
    }

    @Test func ignoreOnTheStatementsLineOrTheCommentLinesAbove() throws {
        let sql = """
            DROP TABLE a; -- godwit:ignore drop-table
            -- godwit:ignore drop-table: unused since v2
            DROP TABLE b;
            -- godwit:ignore drop-table
            -- (the comment block above a statement counts as a whole)
            DROP TABLE c;
            ALTER TABLE users
              DROP COLUMN legacy,
              ALTER COLUMN email TYPE text; -- godwit:ignore drop-column, alter-column-type
            ALTER TABLE orders /* godwit:ignore rename-column */ RENAME COLUMN total TO amount;
            """
        #expect(try lint(sql).isEmpty)
    }

    @Test func ignoreSilencesOnlyWhatItNamesWhereItStands() throws {
        let sql = """
            -- godwit:ignore drop-table

            DROP TABLE after_a_blank_line;
            DROP TABLE a; -- godwit:ignore drop-table
            DROP TABLE below_a_statement_with_a_directive;
            DROP TABLE d; -- godwit:ignore drop-column
            DROP TABLE e; -- godwit:ignore drop-tabel
            SELECT '-- godwit:ignore drop-table';
            DROP TABLE under_a_string;
            DROP TABLE f; -- godwit:ignore
            """
        let findings = try lint(sql)
        #expect(findings.map(\.line) == [3, 5, 6, 7, 9, 10], "\(findings)")
    }

    @Test func anIgnoredStatementStillCountsForTheRulesThatFollow() throws {
        // The silenced VALIDATE still proves the column not null for the SET NOT NULL after it.
        let sql = """
            ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;
            ALTER TABLE users VALIDATE CONSTRAINT email_nn; -- godwit:ignore add-constraint-without-not-valid
            ALTER TABLE users ALTER COLUMN email SET NOT NULL;
            """
        #expect(try lint(sql).isEmpty)
    }

    @Test func sqliteRevisionsGetTheRulesThatApplyToSQLite() throws {
        let sql = """
            CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT);
            CREATE INDEX users_email ON users (email);
            ALTER TABLE users ADD COLUMN token TEXT DEFAULT (lower(hex(randomblob(16))));
            INSERT OR REPLACE INTO settings (key, value) VALUES ('a', 'b');
            ALTER TABLE users RENAME COLUMN name TO full_name;
            ALTER TABLE users DROP COLUMN legacy;
            DROP TABLE old_notes;
            VACUUM;
            """
        let findings = try lint(sql, dialect: .sqlite)
        #expect(findings.map { "\($0.line) \($0.rule.id)" } == [
            "5 rename-column", "6 drop-column", "7 drop-table", "8 non-transactional-statement-in-transaction",
        ])
        #expect(LintRule.rules(for: .sqlite).isSubset(of: LintRule.rules(for: .postgresql)))
    }

    @Test func aSQLiteSectionPostgreSQLCannotScanHasNoFindings() throws {
        // SQLite ends a comment at the first */; PostgreSQL nests them, so its scanner sees an
        // unterminated comment.
        #expect(try lint("/* a /* b */ DROP TABLE x;", dialect: .sqlite).isEmpty)
    }

    @Test func anUnsplittablePostgreSQLSectionIsAnErrorAtItsLine() throws {
        let revision = Revision(id: "abc", upgrade: SQLSection(sql: "SELECT 1;\nSELECT 'unterminated;\n", line: 7), path: "versions/abc_x.sql")
        do {
            _ = try PostgresLinter().lint(revision.upgrade, revision: revision)
            Issue.record("expected an error")
        } catch let error as ContextualError {
            #expect(error.exitCode == .usage)
            #expect(error.location?.file == "versions/abc_x.sql")
            #expect(error.location?.line == 8, "\(error)")
            #expect(error.revision == "abc")
        }
    }

    @Test func aStatementTheParserRejectsIsSkipped() throws {
        let findings = try lint("SELEC 1;\nDROP TABLE a;\nMERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE RETURNING *;")
        #expect(findings.map { "\($0.line) \($0.rule.id)" } == ["2 drop-table"])
    }

    @Test func rulesCanBeTurnedOff() throws {
        var linter = PostgresLinter()
        linter.rules.remove(.dropTable)
        let revision = Revision(id: "abc", upgrade: SQLSection(sql: "DROP TABLE a;\nDROP INDEX b;", line: 1), path: "x.sql")
        #expect(try linter.lint(revision).isEmpty)
    }
}
