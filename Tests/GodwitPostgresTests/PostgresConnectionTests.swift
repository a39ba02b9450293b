import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

@Suite("PostgreSQL connection", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresConnectionTests {
    @Test func executeAndQueryRoundTrip() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            #expect(try !connection.tableExists("items"))
            try connection.execute(
                """
                CREATE TABLE items (id int PRIMARY KEY, name text);
                INSERT INTO items VALUES (1, 'héllo; wörld'), (2, NULL), (3, E'back\\\\slash ''quoted''');
                """)
            #expect(try connection.tableExists("items"))
            let rows = try connection.query("SELECT id, name FROM items ORDER BY id")
            #expect(rows == [["1", "héllo; wörld"], ["2", nil], ["3", "back\\slash 'quoted'"]])
            #expect(try connection.query("SELECT 1 WHERE false").isEmpty)
            #expect(try connection.query("CREATE TABLE other (id int)").isEmpty)
            // A literal made by the dialect survives backslashes and quotes (standard_conforming_strings).
            let tricky = #"it's \n not a newline"#
            #expect(try connection.query("SELECT \(connection.dialect.literal(tricky))") == [[tricky]])
            #expect(try !connection.tableExists("ITEMS"))
        }
    }

    @Test func tableExistsLooksOnlyInTheCurrentSchema() throws {
        try TestSchema.with { first in
            try TestSchema.with { second in
                let a = try first.connect()
                let b = try second.connect()
                defer { a.close(); b.close() }
                try a.execute("CREATE TABLE only_in_first (id int)")
                #expect(try a.tableExists("only_in_first"))
                #expect(try !b.tableExists("only_in_first"))
                #expect(try !b.tableExists("pg_class"))
            }
        }
    }

    @Test func sessionIsPreparedFromOptionsAndURL() throws {
        try TestSchema.with { schema in
            let url = try PostgresTestServer.url(adding: "options=-c%20work_mem%3D7MB&application_name=from_url")
            let connection = try schema.connect(
                applicationName: "godwit alice@laptop", lockTimeout: TimeoutValue(milliseconds: 1500),
                statementTimeout: TimeoutValue(milliseconds: 2500), url: url)
            defer { connection.close() }
            func show(_ setting: String) throws -> String? { try connection.query("SHOW \(setting)").first?.first ?? nil }
            #expect(try show("work_mem") == "7MB")
            #expect(try show("application_name") == "godwit alice@laptop")
            #expect(try show("lock_timeout") == "1500ms")
            #expect(try show("statement_timeout") == "2500ms")
            #expect(try show("standard_conforming_strings") == "on")
            #expect(try show("client_min_messages") == "notice")
            #expect(try show("client_encoding") == "UTF8")
            #expect(try connection.query("SELECT current_schema()") == [[schema.name]])
        }
    }

    @Test func readOnlyConnectionCreatesNoSchema() throws {
        try TestSchema.with { schema in
            let readOnly = try schema.connect(isReadOnly: true)
            defer { readOnly.close() }
            let exists = "SELECT 1 FROM pg_namespace WHERE nspname = \(SQLDialect.postgresql.literal(schema.name))"
            #expect(try schema.admin.query(exists).isEmpty)
            #expect(try readOnly.query("SELECT current_schema()") == [[nil]])
            #expect(try !readOnly.tableExists("godwit_revisions"))
            let writer = try schema.connect()
            defer { writer.close() }
            #expect(try schema.admin.query(exists) == [["1"]])
        }
    }

    @Test func noticesAndWarningsNeverReachStderr() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let captured = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-stderr-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: captured.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: captured) }
            let file = try FileHandle(forWritingTo: captured)
            let saved = dup(2)
            dup2(file.fileDescriptor, 2)
            defer {
                dup2(saved, 2)
                close(saved)
                try? file.close()
            }
            try connection.execute("DO $$ BEGIN RAISE WARNING 'godwit-probe-warning'; RAISE NOTICE 'godwit-probe-notice'; END $$")
            try connection.execute("DROP TABLE IF EXISTS godwit_probe_missing")
            dup2(saved, 2)
            let text = try String(contentsOf: captured, encoding: .utf8)
            #expect(!text.contains("godwit-probe"))
            #expect(!text.contains("godwit_probe_missing"))
        }
    }

    @Test func failingStatementInTheMiddleOfAScript() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let script = """
                CREATE TABLE items (id int PRIMARY KEY);
                INSERT INTO items VALUES (1);
                -- the duplicate; comments before it are not part of it
                INSERT INTO items VALUES (1);
                INSERT INTO items VALUES (2);
                """
            let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
            #expect(error.reason == .statement)
            #expect(error.sqlstate == "23505")
            #expect(error.message.contains("duplicate key value violates unique constraint"))
            #expect(error.detail?.contains("(id)=(1)") == true)
            #expect(error.position == script.utf8Offset(of: "INSERT INTO items VALUES (1);", occurrence: 2))
            #expect(error.position.map { script.line(atUTF8Offset: $0) } == 4)
            // The statements of one script run in one implicit transaction: nothing was kept.
            #expect(try !connection.tableExists("items"))
            // The connection is usable afterwards.
            #expect(try connection.query("SELECT 42") == [["42"]])
        }
    }

    @Test func failedTransactionOpenedByTheScriptIsRolledBack() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let script = "BEGIN;\nCREATE TABLE t (id int);\nSELECT 1 / 0;\nCOMMIT;"
            let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
            #expect(error.sqlstate == "22012")
            #expect(error.position == script.utf8Offset(of: "SELECT 1 / 0"))
            // The session is usable at once, and nothing of the failed transaction was kept.
            #expect(try !connection.tableExists("t"))
            // A transaction the caller opened stays for the caller to end.
            try connection.execute("BEGIN")
            #expect(throws: DatabaseError.self) { try connection.execute("SELECT 1 / 0") }
            let aborted = try #require(throws: DatabaseError.self) { try connection.query("SELECT 1") }
            #expect(aborted.sqlstate == "25P02")
            try connection.execute("ROLLBACK")
            #expect(try connection.query("SELECT 1") == [["1"]])
        }
    }

    @Test func copyNeitherHangsNorBreaksTheConnection() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);")
            try connection.execute("COPY t TO STDOUT;\nINSERT INTO t VALUES (3);")
            let script = "INSERT INTO t VALUES (4);\nCOPY t FROM STDIN;\nINSERT INTO t VALUES (5);"
            let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
            #expect(error.message.contains("COPY FROM STDIN"))
            #expect(error.position == script.utf8Offset(of: "COPY t FROM STDIN"))
            #expect(try connection.query("SELECT id FROM t ORDER BY id") == [["1"], ["2"], ["3"]])
        }
    }

    @Test func serverPositionIsConvertedToUTF8Offset() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let script = "SELECT 'héllo wörld 日本';\nSELECT 1, nope FROM pg_class;"
            let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
            #expect(error.sqlstate == "42703")
            #expect(error.message == #"column "nope" does not exist"#)
            #expect(error.errorPosition == script.utf8Offset(of: "nope"))
            #expect(error.position == script.utf8Offset(of: "SELECT 1, nope"))
        }
    }

    @Test func syntaxErrorPositionAndNothingRuns() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let script = "SELECT 'é';\nCREATE TABLE kept (id int);\n  SELEC 2;\nSELECT 3;"
            let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
            #expect(error.sqlstate == "42601")
            #expect(error.message.contains(#"syntax error at or near "SELEC""#))
            #expect(error.position == script.utf8Offset(of: "SELEC 2"))
            #expect(error.errorPosition == script.utf8Offset(of: "SELEC 2"))
            #expect(error.position.map { script.line(atUTF8Offset: $0) } == 3)
            #expect(try !connection.tableExists("kept"))
        }
    }

    @Test func queryErrorsCarrySQLSTATEAndPosition() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let sql = "SELECT * FROM missing_table"
            let error = try #require(throws: DatabaseError.self) { try connection.query(sql) }
            #expect(error.sqlstate == "42P01")
            #expect(error.position == 0)
            #expect(error.errorPosition == sql.utf8Offset(of: "missing_table"))
            let division = try #require(throws: DatabaseError.self) { try connection.query("  SELECT 1 / 0") }
            #expect(division.sqlstate == "22012")
            #expect(division.position == 2)
        }
    }

    @Test func statementTimeoutGives57014() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect(statementTimeout: TimeoutValue(milliseconds: 200))
            defer { connection.close() }
            let started = Date()
            let error = try #require(throws: DatabaseError.self) { try connection.execute("SELECT 1;\nSELECT pg_sleep(5);") }
            #expect(Date().timeIntervalSince(started) < 4)
            #expect(error.sqlstate == "57014")
            #expect(error.message.contains("statement timeout"))
            #expect(error.position == 10)
        }
    }

    @Test func splitStatementsThroughTheConnection() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let script = "CREATE TABLE t (id int);\n-- c\nCREATE INDEX t_id ON t (id);"
            let statements = try connection.splitStatements(script)
            #expect(statements.map(\.offset) == [0, 30])
            for statement in statements { try connection.execute(statement.sql) }
            #expect(try connection.tableExists("t"))
        }
    }

    @Test func missingDatabaseNamesHostPortAndDatabaseButNotThePassword() throws {
        let server = try PostgresTestServer.url()
        var components = try #require(URLComponents(string: server.secretText))
        components.user = components.user ?? "postgres"
        components.password = "s3cr3tPW"
        components.path = "/godwit_no_such_database"
        let url = DatabaseURL(kind: .postgresql, text: try #require(components.string))
        let error = try #require(throws: DatabaseError.self) {
            try PostgresConnection(url: url, options: ConnectionOptions(connectTimeout: 5))
        }
        #expect(error.reason == .connection)
        #expect(error.message.contains("godwit_no_such_database"))
        #expect(error.message.contains("\(components.host ?? ""):\(components.port.map(String.init) ?? "5432")"))
        #expect(!"\(error) \(error.fullMessage)".contains("s3cr3tPW"))
    }
}

@Suite("PostgreSQL connection errors without a server")
struct PostgresConnectionErrorTests {
    @Test func refusedPortNamesHostPortAndDatabaseButNotThePassword() throws {
        let url = DatabaseURL(kind: .postgresql, text: "postgresql://alice:s3cr3tPW@127.0.0.1:1/shop")
        let error = try #require(throws: DatabaseError.self) {
            try PostgresDriver().connect(to: url, options: ConnectionOptions(connectTimeout: 3))
        }
        #expect(error.reason == .connection)
        #expect(error.message.contains("127.0.0.1:1"))
        #expect(error.message.contains("database 'shop'"))
        #expect(error.message.contains("postgresql://alice:***@127.0.0.1:1/shop"))
        #expect(!"\(error) \(error.fullMessage)".contains("s3cr3tPW"))
        #expect(error.exitCode == .failed)
    }

    @Test func libpqEchoOfAMalformedURLIsRedacted() throws {
        // libpq quotes the whole URL, password included, when it cannot parse it.
        let url = DatabaseURL(kind: .postgresql, text: "postgresql://alice:s3cr3tPW@[::1/shop")
        let error = try #require(throws: DatabaseError.self) {
            try PostgresConnection(url: url, options: ConnectionOptions(connectTimeout: 3))
        }
        #expect(error.reason == .connection)
        #expect(error.message.contains("IPv6"))
        #expect(!"\(error) \(error.fullMessage)".contains("s3cr3tPW"))
    }

    @Test func passwordQueryParameterIsRedacted() throws {
        let url = DatabaseURL(kind: .postgresql, text: "postgresql://alice@127.0.0.1:1/shop?password=s3cr3tPW&sslmode=disable")
        let error = try #require(throws: DatabaseError.self) {
            try PostgresConnection(url: url, options: ConnectionOptions(connectTimeout: 3))
        }
        #expect(error.message.contains("127.0.0.1:1"))
        #expect(!"\(error) \(error.fullMessage)".contains("s3cr3tPW"))
    }

    @Test func driverAcceptsOnlyPostgreSQLURLs() throws {
        let driver = PostgresDriver()
        #expect(driver.accepts(DatabaseURL(kind: .postgresql, text: "postgres://db/shop")))
        #expect(!driver.accepts(DatabaseURL(kind: .sqlite(path: nil), text: "sqlite::memory:")))
        let error = try #require(throws: DatabaseError.self) {
            try driver.connect(to: DatabaseURL(kind: .sqlite(path: nil), text: "sqlite::memory:"), options: ConnectionOptions())
        }
        #expect(error.reason == .connection)
    }
}

@Suite("PostgreSQL keepalives and cancellation", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresKeepaliveTests {
    @Test func connectionsSetKeepalivesAndTCPUserTimeout() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            let parameters = connection.connectionParameters
            #expect(parameters["keepalives"] == "1")
            #expect(parameters["keepalives_idle"] == "30")
            #expect(parameters["keepalives_interval"] == "10")
            #expect(parameters["keepalives_count"] == "3")
            #expect(parameters["tcp_user_timeout"] == "60000")
            #expect(parameters["password"] == nil)
        }
    }

    @Test func aURLKeepsItsOwnKeepalives() throws {
        try TestSchema.with { schema in
            let url = try PostgresTestServer.url(adding: "keepalives_idle=7&tcp_user_timeout=4000")
            let connection = try schema.connect(url: url)
            defer { connection.close() }
            let parameters = connection.connectionParameters
            #expect(parameters["keepalives_idle"] == "7")
            #expect(parameters["tcp_user_timeout"] == "4000")
            #expect(parameters["keepalives_count"] == "3", "what the URL does not set keeps Godwit's value")
        }
    }

    @Test func noticesReachTheHandler() throws {
        try TestSchema.with { schema in
            let received = NoticeLog()
            let connection = try PostgresConnection(
                url: schema.url,
                options: ConnectionOptions(schema: schema.name, notices: { received.append("\($0): \($1)") }))
            defer { connection.close() }
            try connection.execute("DO $$ BEGIN RAISE NOTICE 'one'; RAISE WARNING 'two'; END $$")
            #expect(received.lines == ["NOTICE: one", "WARNING: two"])
        }
    }

    @Test func aUserWithoutUsageOnTheSchemaGetsAnErrorNotAnEmptySchema() throws {
        try TestSchema.with { schema in
            let role = "godwit_nousage_" + schema.name.suffix(8)
            let connection = try schema.connect()
            defer { connection.close() }
            try schema.admin.execute("CREATE TABLE \(schema.name).godwit_revisions (id int); CREATE ROLE \(role)")
            defer { try? schema.admin.execute("DROP OWNED BY \(role); DROP ROLE \(role)") }
            #expect(try connection.tableExists("godwit_revisions"))
            try connection.execute("SET ROLE \(role)")
            let error = try #require(throws: DatabaseError.self) { try connection.tableExists("godwit_revisions") }
            #expect(error.sqlstate == "42501")
            #expect(error.message.contains("role '\(role)' lacks the USAGE privilege on schema '\(schema.name)'"), "\(error)")
            try connection.execute("RESET ROLE; GRANT USAGE ON SCHEMA \(schema.name) TO \(role); SET ROLE \(role)")
            let table = try #require(throws: DatabaseError.self) { try connection.tableExists("godwit_revisions") }
            #expect(table.message.contains("lacks the SELECT privilege on table '\(schema.name).godwit_revisions'"), "\(table)")
            #expect(try !connection.tableExists("missing"), "a table that does not exist is still just missing")
            try connection.execute("RESET ROLE")
        }
    }
}

/// Notices received on libpq's thread, read by the test.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ line: String) {
        lock.lock()
        items.append(line)
        lock.unlock()
    }
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
