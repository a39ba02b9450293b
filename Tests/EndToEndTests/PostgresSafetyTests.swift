import Foundation
import GodwitTestSupport
import Testing

/// What must never go wrong on PostgreSQL, through the built binary: passwords stay secret, the
/// offline script equals `upgrade`, `schema:` is honoured, dry-runs and rehearsals leave nothing,
/// and errors name the file, line and SQLSTATE. Each test in a database of its own.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresSafetyTests {
    // MARK: - Passwords

    @Test(.enabled(if: PostgresTestServer.passwordURLText != nil || PostgresTestServer.isRequired, "set GODWIT_TEST_POSTGRES_PASSWORD_URL"))
    func thePasswordAppearsInNoOutputAndNoAuditRecord() throws {
        guard let base = PostgresTestServer.passwordURLText else {
            throw HarnessError("GODWIT_TEST_POSTGRES_PASSWORD_URL is not set; scripts/test (start_postgres) sets it")
        }
        let password = try #require(URLComponents(string: base)?.password)
        var project = try PostgresProject(
            top: ["audit_log: var/audit.jsonl"],
            others: ["  gone:", "    url: ${GONE_URL}", "  wrong:", "    url: ${WRONG_URL}"])
        defer { project.remove() }
        project.variables["PG_URL"] = try project.database.url(from: base)
        project.variables["GONE_URL"] = try project.database.url(from: base, port: 1)
        project.variables["WRONG_URL"] = try project.database.url(from: base, password: "Wr0ng-" + password)
        try project.revision("p1_users", upgrade: "CREATE TABLE users (id int);", downgrade: "DROP TABLE users;")
        // The server quotes the password in the message, the detail and the hint; the file itself
        // never holds it, so that only a server error can leak it.
        let split = password.index(password.startIndex, offsetBy: password.count / 2)
        let spelled = "'\(password[..<split])' || '\(password[split...])'"
        try project.revision(
            "p2_leak", parent: "p1_users",
            upgrade: "CREATE TABLE kept (id int);\nDO $$ BEGIN RAISE EXCEPTION 'leaked %', \(spelled) USING DETAIL = 'detail ' || \(spelled), HINT = 'hint ' || \(spelled); END $$;")

        let commands: [(args: [String], status: Int32)] = [
            (["upgrade", "p1_users"], 0), (["upgrade", "p1_users", "--json"], 0), (["current"], 0), (["current", "--json", "-v"], 0),
            (["upgrade", "--dry-run"], 0), (["upgrade", "--dry-run", "--json"], 0), (["upgrade", "--sql"], 0),
            (["upgrade"], 1), (["upgrade", "--json"], 1), (["upgrade", "--rehearse"], 1), (["upgrade", "--rehearse", "--json"], 1),
            (["status"], 0), (["status", "--json"], 0), (["check"], 3), (["verify"], 0),
            (["upgrade", "-e", "gone"], 1), (["current", "-e", "gone", "--json"], 1),
            (["upgrade", "-e", "wrong"], 1), (["upgrade", "-e", "wrong", "--json"], 1),
        ]
        var outputs: [RunResult] = []
        for command in commands {
            let result = try project.godwit(command.args)
            outputs.append(result)
            #expect(result.status == command.status, "\(command.args)\n\(result)")
            expectNoCrash(result)
            #expect(!result.stdout.contains(password), "stdout of \(command.args) shows the password\n\(result)")
            #expect(!result.stderr.contains(password), "stderr of \(command.args) shows the password\n\(result)")
        }
        // The leak was reported, redacted, not dropped.
        #expect(outputs[7].stderr.contains("leaked ***"), "\(outputs[7])")
        #expect(outputs[7].stderr.contains("detail ***") && outputs[7].stderr.contains("hint ***"), "\(outputs[7])")
        #expect(outputs[15].stderr.contains("127.0.0.1") && outputs[15].stderr.contains(":***@"), "\(outputs[15])")

        let db = project.database
        let audit = try db.rows("SELECT row_to_json(a)::text FROM godwit_audit a ORDER BY id")
        #expect(audit.count == 3, "\(audit)")
        #expect(audit.allSatisfy { !$0.contains(password) }, "\(audit)")
        #expect(audit.contains { $0.contains("leaked ***") }, "the failed upgrade's record keeps the redacted error\n\(audit)")
        let file = try project.sandbox.read("var/audit.jsonl")
        #expect(!file.isEmpty && !file.contains(password), "\(file)")
        #expect(try db.rows("SELECT row_to_json(r)::text FROM godwit_revisions r").allSatisfy { !$0.contains(password) })
        #expect(try db.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "users"])
    }

    // MARK: - Offline script

    @Test(arguments: [nil, "app"] as [String?])
    func theOfflineScriptRunThroughPsqlLeavesWhatUpgradeLeaves(schema: String?) throws {
        let schemaLines = schema.map { ["schema: \($0)"] } ?? []
        var project = try PostgresProject(
            dev: schemaLines, others: ["  offline:", "    url: ${OFFLINE_URL}"] + schemaLines.map { "    " + $0 })
        defer { project.remove() }
        let offline = try PostgresDatabase()
        defer { offline.drop() }
        project.variables["OFFLINE_URL"] = offline.url
        try project.revision(
            "o1_base",
            upgrade: "CREATE TYPE mood AS ENUM ('ok', 'sad');\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, mood mood DEFAULT 'ok');",
            downgrade: "DROP TABLE users;\nDROP TYPE mood;")
        try project.revision(
            "o2_orders", parent: "o1_base", header: ["-- lock_timeout: 2s", "-- statement_timeout: 30s"],
            upgrade: """
                CREATE TABLE orders (
                    id bigserial PRIMARY KEY,
                    user_id bigint NOT NULL REFERENCES users (id),
                    total numeric(10, 2) CHECK (total >= 0)
                );
                CREATE FUNCTION order_count() RETURNS bigint LANGUAGE plpgsql AS $fn$
                BEGIN
                    RETURN (SELECT count(*) FROM orders);
                END;
                $fn$;
                CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
                """,
            downgrade: "DROP VIEW big_orders;\nDROP FUNCTION order_count();\nDROP TABLE orders;")
        try project.revision(
            "o3_index", parent: "o2_orders", header: ["-- transactional: false"],
            upgrade: "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);", downgrade: "DROP INDEX CONCURRENTLY orders_user;")
        try project.revision(
            "o4_name", parent: "o3_index",
            upgrade: "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT 'x';\nINSERT INTO users (id, email) VALUES (1, 'it''s@example.com');",
            downgrade: "DELETE FROM users;\nALTER TABLE users DROP COLUMN name;")

        let online = try project.godwit(["upgrade"])
        #expect(online.status == 0, "\(online)")
        let untouched = try offline.catalog()
        let script = try project.godwit(["upgrade", "-e", "offline", "--sql"])
        #expect(script.status == 0, "\(script)")
        #expect(try offline.catalog() == untouched, "--sql touched the database")
        let ran = try offline.runScript(script.stdout)
        #expect(ran.status == 0, "psql -v ON_ERROR_STOP=1 failed on the script\n\(ran)\n\(script.stdout)")

        let s = schema ?? "public"
        let comparisons = [
            "SELECT revision, checksum, state FROM \(s).godwit_revisions ORDER BY seq",
            """
            SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
            WHERE table_schema = '\(s)' ORDER BY table_name, ordinal_position
            """,
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = '\(s)' ORDER BY indexname",
            "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = '\(s)'::regnamespace ORDER BY conname",
            "SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = '\(s)' ORDER BY 1",
            "SELECT enumlabel FROM pg_enum ORDER BY enumsortorder",
            "SELECT id, email, name, mood FROM \(s).users ORDER BY id",
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        ]
        for sql in comparisons {
            let expected = try project.database.rows(sql)
            #expect(!expected.isEmpty || sql.contains("'public'"), "\(sql) gave nothing")
            #expect(try offline.rows(sql) == expected, "\(sql)")
        }
        #expect(try offline.catalog() == (try project.database.catalog()))
        #expect(try offline.revisionRows(schema: s) == ["o1_base|applied", "o2_orders|applied", "o3_index|applied", "o4_name|applied"])

        let current = try project.godwit(["current", "-e", "offline", "--json"])
        #expect(try current.jsonObject()["heads"] as? [String] == ["o4_name"], "\(current)")
        let again = try project.godwit(["upgrade", "-e", "offline"])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again)")
        #expect(try offline.rows("SELECT operation, outcome, hash IS NOT NULL FROM \(s).godwit_audit") == ["upgrade|succeeded|t"], "the next run sealed the script's record")
        #expect(try project.godwit(["check", "-e", "offline"]).status == 0)
    }

    // MARK: - schema:

    @Test func schemaAppHoldsGodwitsTablesAndWhatTheRevisionsCreate() throws {
        let project = try PostgresProject(dev: ["schema: app", "lock: table"])
        defer { project.remove() }
        try project.revision("s1_users", upgrade: "CREATE TABLE users (id int PRIMARY KEY);\nCREATE SEQUENCE tickets;", downgrade: "DROP SEQUENCE tickets;\nDROP TABLE users;")
        try project.revision(
            "s2_orders", parent: "s1_users",
            upgrade: "CREATE TABLE orders (id int, user_id int REFERENCES users (id));\nCREATE FUNCTION order_total() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            downgrade: "DROP FUNCTION order_total();\nDROP TABLE orders;")
        let db = project.database

        let result = try project.godwit(["upgrade"])
        #expect(result.status == 0, "\(result)")
        #expect(try db.tables(in: "app") == ["godwit_audit", "godwit_lock", "godwit_repeatables", "godwit_revisions", "orders", "users"])
        #expect(try db.tables(in: "public").isEmpty)
        #expect(try db.value("SELECT sequence_schema FROM information_schema.sequences WHERE sequence_name = 'tickets'") == "app")
        #expect(try db.value("SELECT pronamespace::regnamespace FROM pg_proc WHERE proname = 'order_total'") == "app")
        #expect(try db.revisionRows(schema: "app") == ["s1_users|applied", "s2_orders|applied"])

        let current = try project.godwit(["current", "--json"])
        #expect(try current.jsonObject()["heads"] as? [String] == ["s2_orders"], "\(current)")
        #expect(try project.godwit(["check"]).status == 0)
        let down = try project.godwit(["downgrade", "base"])
        #expect(down.status == 0, "\(down)")
        #expect(try db.tables(in: "app") == ["godwit_audit", "godwit_lock", "godwit_repeatables", "godwit_revisions"])
        #expect(try db.revisionRows(schema: "app").isEmpty)
    }

    // MARK: - Dry-run and rehearsal

    struct Setup: Sendable, CustomTestStringConvertible {
        var schema: String?
        var lock: String
        var testDescription: String { "schema \(schema ?? "public"), lock \(lock)" }
    }

    @Test(arguments: [Setup(schema: nil, lock: "advisory"), Setup(schema: "app", lock: "advisory"), Setup(schema: nil, lock: "table")])
    func aDryRunAndARehearsalLeaveTheCatalogAsItWas(_ setup: Setup) throws {
        let project = try PostgresProject(dev: (setup.schema.map { ["schema: \($0)"] } ?? []) + ["lock: \(setup.lock)"])
        defer { project.remove() }
        try project.revision("d1_users", upgrade: "CREATE TABLE users (id int PRIMARY KEY);", downgrade: "DROP TABLE users;")
        try project.revision("d2_orders", parent: "d1_users", upgrade: "CREATE TABLE orders (id int);\nCREATE INDEX orders_id ON orders (id);", downgrade: "DROP TABLE orders;")
        let db = project.database
        let empty = try db.catalog()

        // A lease lives outside the rehearsal's transaction: with `lock: table` its (empty) table
        // stays, as the README says.
        let isLease = { (entry: String) in setup.lock == "table" && entry.contains("godwit_lock") }
        func expectNothingChanged(since before: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let catalog = before.filter { !isLease($0) }
            let now = try db.catalog().filter { !isLease($0) }
            #expect(
                now == catalog,
                "\(what) changed the catalog: added \(now.filter { !catalog.contains($0) }), removed \(catalog.filter { !now.contains($0) })",
                sourceLocation: sourceLocation)
        }
        let dry = try project.godwit(["upgrade", "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("CREATE TABLE users"), "\(dry)")
        try expectNothingChanged(since: empty, "--dry-run")
        let dryJSON = try project.godwit(["upgrade", "--dry-run", "--json"]).jsonObject()
        #expect(dryJSON["dry_run"] as? Bool == true)
        #expect((dryJSON["steps"] as? [[String: Any]])?.count == 2)
        try expectNothingChanged(since: empty, "--dry-run --json")

        let rehearsal = try project.godwit(["upgrade", "--rehearse"])
        #expect(rehearsal.status == 0, "\(rehearsal)")
        try expectNothingChanged(since: empty, "--rehearse")
        let rehearsalJSON = try project.godwit(["upgrade", "--rehearse", "--json"])
        let rehearsed = try rehearsalJSON.jsonObject()
        #expect(rehearsed["dry_run"] as? Bool == true, "\(rehearsalJSON)")
        #expect((rehearsed["steps"] as? [[String: Any]])?.allSatisfy { $0["duration_ms"] is Int } == true, "\(rehearsalJSON)")
        try expectNothingChanged(since: empty, "--rehearse --json")
        if setup.lock == "table" {
            #expect(try db.value("SELECT count(*) FROM godwit_lock") == "0", "the lease was given back")
        }

        // With a state recorded, the same holds for what comes after it.
        #expect(try project.godwit(["upgrade", "d1_users"]).status == 0)
        let applied = try db.catalog()
        let s = setup.schema ?? "public"
        let state = try db.rows("SELECT revision FROM \(s).godwit_revisions UNION ALL SELECT 'audit ' || count(*) FROM \(s).godwit_audit")
        #expect(try project.godwit(["upgrade", "--dry-run"]).status == 0)
        #expect(try project.godwit(["upgrade", "--rehearse"]).status == 0)
        try project.revision("d3_broken", parent: "d2_orders", upgrade: "CREATE TABLE d3 (id int);\nINSERT INTO nowhere VALUES (1);")
        let broken = try project.godwit(["upgrade", "--rehearse"])
        #expect(broken.status == 1, "\(broken)")
        #expect(broken.stderr.contains("42P01") && broken.stderr.contains("versions/d3_broken_test.sql:"), "\(broken)")
        try expectNothingChanged(since: applied, "the rehearsals")
        #expect(try db.rows("SELECT revision FROM \(s).godwit_revisions UNION ALL SELECT 'audit ' || count(*) FROM \(s).godwit_audit") == state)
    }

    // MARK: - Error lines

    struct FailingRevision: Sendable, CustomTestStringConvertible {
        var name: String
        var upgrade: String
        /// The text the failing statement starts with.
        var statement: String
        /// The text the server points at, when it is on another line.
        var pointsAt: String?
        var sqlstate: String
        var testDescription: String { name }
    }

    static let failingRevisions = [
        FailingRevision(
            name: "a runtime error in a three-line statement",
            upgrade: "CREATE TABLE a (id int);\n\n-- the failing statement spans three lines\nINSERT INTO users\n    (id)\n    VALUES ('not a number');\nCREATE TABLE b (id int);",
            statement: "INSERT INTO users", pointsAt: "'not a number'", sqlstate: "22P02"),
        FailingRevision(
            name: "a syntax error inside a multi-line statement",
            upgrade: "CREATE TABLE a (id int);\nCREATE TABLE b (\n    id int,\n    name text DEFAULT garbage garbage\n);\nCREATE TABLE c (id int);",
            statement: "CREATE TABLE b", pointsAt: "garbage garbage", sqlstate: "42601"),
        FailingRevision(
            name: "a missing table after a dollar-quoted body with semicolons",
            upgrade: "CREATE TABLE a (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\nBEGIN\n    RETURN 1;\nEND;\n$fn$;\nINSERT INTO a\n  SELECT id FROM nowhere;",
            statement: "INSERT INTO a", pointsAt: "nowhere", sqlstate: "42P01"),
        FailingRevision(
            name: "after E'' strings and identifiers holding semicolons",
            upgrade: "CREATE TABLE \"odd;name\" (v text);\nINSERT INTO \"odd;name\" VALUES (E'it\\'s; fine');\n/* a comment; /* nested; */ */\nINSERT INTO \"odd;name\" VALUES ('x', 'y');",
            statement: "INSERT INTO \"odd;name\" VALUES ('x'", pointsAt: nil, sqlstate: "42601"),
    ]

    @Test(arguments: failingRevisions, [true, false])
    func aFailingStatementNamesItsFileLineAndSQLSTATE(_ revision: FailingRevision, transactional: Bool) throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("e1_users", upgrade: "CREATE TABLE users (id int PRIMARY KEY);")
        let path = try project.revision(
            "e2_broken", parent: "e1_users", header: transactional ? [] : ["-- transactional: false"], upgrade: revision.upgrade)
        let line = try project.sandbox.line(of: revision.statement, in: path)

        let failed = try project.godwit(["upgrade"])
        #expect(failed.status == 1, "\(failed)")
        expectNoCrash(failed)
        #expect(failed.stderr.contains("\n\(path):\(line): error: "), "the statement starts on line \(line)\n\(failed)")
        #expect(failed.stderr.contains("SQLSTATE \(revision.sqlstate)"), "\(failed)")
        #expect(failed.stderr.contains("e2_broken") && failed.stderr.contains("dev"), "\(failed)")
        if let pointsAt = revision.pointsAt {
            let exact = try project.sandbox.line(of: pointsAt, in: path)
            #expect(failed.stderr.contains("(at line \(exact))"), "\(failed)")
        }
        if transactional {
            #expect(try project.database.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "users"], "nothing of e2_broken was kept")
            #expect(try project.database.revisionRows() == ["e1_users|applied"])
        } else {
            #expect(try project.database.revisionRows() == ["e1_users|applied", "e2_broken|failed"])
        }
        let audit = try project.database.value("SELECT error FROM godwit_audit WHERE outcome = 'failed'")
        #expect(audit.hasPrefix("\(path):\(line): "), "\(audit)")

        if transactional {
            let json = try project.godwit(["upgrade", "--json"])
            #expect(json.status == 1)
            let error = try #require(try json.jsonObject()["error"] as? [String: Any], "\(json)")
            #expect(error["file"] as? String == path)
            #expect(error["line"] as? Int == line)
            #expect(error["sqlstate"] as? String == revision.sqlstate)
            #expect(error["revision"] as? String == "e2_broken")
            #expect(error["environment"] as? String == "dev")
            #expect(error["code"] as? Int == 1)
        }
    }
}
