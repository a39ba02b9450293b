import Foundation
import Godwit
import GodwitCore
import Testing

/// A driver under the contract suite: how to make a fresh, empty database for one case, and the
/// codes the driver reports. Each driver's test target declares its own (`.sqlite`, `.postgresql`).
public struct ContractDriver: Sendable, CustomTestStringConvertible {
    /// The name of the driver's dialect, which its connections report.
    public let rawValue: String
    /// What the driver reports for a duplicate primary key.
    public let duplicateKeyCode: String
    /// What the driver reports for a missing table.
    public let missingTableCode: String
    /// What the driver reports for a syntax error.
    public let syntaxErrorCode: String
    /// Makes a fresh, empty database.
    let makeDatabase: @Sendable (ContractDriver) throws -> ContractDatabase

    /// Creates a driver under the contract; `makeDatabase` makes one fresh, empty database.
    public init(
        rawValue: String, duplicateKeyCode: String, missingTableCode: String, syntaxErrorCode: String,
        makeDatabase: @escaping @Sendable (ContractDriver) throws -> ContractDatabase
    ) {
        self.rawValue = rawValue
        self.duplicateKeyCode = duplicateKeyCode
        self.missingTableCode = missingTableCode
        self.syntaxErrorCode = syntaxErrorCode
        self.makeDatabase = makeDatabase
    }

    /// The driver's name in test output.
    public var testDescription: String { rawValue }
}

/// One fresh, empty database for one test: a SQLite file in a temporary folder, or a PostgreSQL
/// schema of its own (`search_path` set to it), so that tests run in parallel. Dropped afterwards.
public final class ContractDatabase {
    /// The driver under test.
    public let kind: ContractDriver
    /// The driver that opens connections.
    public let driver: any DatabaseDriver
    /// The database's URL.
    public let url: DatabaseURL
    /// The PostgreSQL schema; nil on SQLite.
    public let schema: String?
    /// The SQLite folder; nil on PostgreSQL.
    public let folder: URL?
    private let admin: (any DatabaseConnection)?

    /// Describes a database: a file in `folder` (removed afterwards), or `schema` on a server,
    /// which `admin` (a connection outside it) inspects and drops afterwards.
    public init(
        _ kind: ContractDriver, driver: any DatabaseDriver, url: DatabaseURL, schema: String? = nil, folder: URL? = nil,
        admin: (any DatabaseConnection)? = nil
    ) {
        self.kind = kind
        self.driver = driver
        self.url = url
        self.schema = schema
        self.folder = folder
        self.admin = admin
    }

    /// Runs `body` with a fresh database, removed afterwards on every path.
    /// - Throws: what `body` throws, or what making the database throws.
    public static func with<T>(_ kind: ContractDriver, _ body: (ContractDatabase) throws -> T) throws -> T {
        let database = try kind.makeDatabase(kind)
        defer { database.drop() }
        return try body(database)
    }

    private func drop() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
        if let admin, let schema {
            try? admin.execute("DROP SCHEMA IF EXISTS \(SQLDialect.postgresql.quote(schema)) CASCADE")
            admin.close()
        }
    }

    /// A connection through the driver, its `application_name` naming `who`.
    /// - Throws: `DatabaseError`.
    public func connect(_ who: String = "alice@host-a", readOnly: Bool = false) throws -> any DriverConnection {
        try driver.connect(
            to: url, options: ConnectionOptions(isReadOnly: readOnly, applicationName: "godwit \(who)", schema: schema))
    }

    /// The migration lock of this database.
    public func lockRequest(_ mode: LockMode = .advisory, holder: String, milliseconds: Int) -> LockRequest {
        LockRequest(
            name: "\(schema ?? "public").godwit_", tablePrefix: "godwit_", mode: mode,
            timeout: TimeoutValue(milliseconds: milliseconds), holder: holder)
    }

    /// True when anything of this database exists: the SQLite file (or any file next to it), or
    /// the PostgreSQL schema.
    /// - Throws: `DatabaseError`.
    public func hasBeenCreated() throws -> Bool {
        if let folder { return !(try FileManager.default.contentsOfDirectory(atPath: folder.path)).isEmpty }
        guard let admin, let schema else { return false }
        return !(try admin.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = \(SQLDialect.postgresql.literal(schema))")).isEmpty
    }

    /// The tables of this database's schema (PostgreSQL) or file (SQLite), sorted.
    /// - Throws: `DatabaseError`.
    public func tables() throws -> [String] {
        if let admin, let schema {
            return try admin.query(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = \(SQLDialect.postgresql.literal(schema)) ORDER BY 1"
            ).compactMap { $0[0] }
        }
        let connection = try connect()
        defer { connection.close() }
        return try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1").compactMap { $0[0] }
    }
}

private struct Boom: Error {}

/// STYLE lesson 9: every driver passes the same contract suite. Each case is a function that a
/// driver's test target calls from a `@Test` of its own, with its `ContractDriver`.
public enum DriverContract {
    /// Scripts and queries: values, NULLs, comments, quoting, autocommit, exact table names.
    /// - Throws: what the driver throws unexpectedly.
    public static func executeAndQuery(_ kind: ContractDriver) throws {
        try ContractDatabase.with(kind) { database in
            let connection = try database.connect()
            let other = try database.connect("bob@host-b")
            defer { connection.close(); other.close() }
            #expect(connection.dialect.id.rawValue == kind.rawValue)
            try connection.execute(
                """
                CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, note TEXT);
                -- a comment; with a semicolon
                INSERT INTO items VALUES (1, 'één 日本', NULL);
                INSERT INTO items VALUES (2, 'it''s; here', 'x')
                """)
            let expected: [[String?]] = [["1", "één 日本", nil], ["2", "it's; here", "x"]]
            #expect(try connection.query("SELECT id, name, note FROM items ORDER BY id") == expected)
            // Outside a transaction every script is committed: another session sees it.
            #expect(try other.query("SELECT id, name, note FROM items ORDER BY id") == expected)
            #expect(try connection.query("SELECT id FROM items WHERE id > 5").isEmpty)
            #expect(try connection.query("SELECT count(*) FROM items") == [["2"]])
            #expect(try connection.tableExists("items"))
            #expect(try !connection.tableExists("missing"))
            #expect(try !connection.tableExists("ITEMS"), "a table name is exact")
            // A script of statements that return rows runs through execute too.
            try connection.execute("SELECT 1; SELECT id FROM items;")
        }
    }

    /// `withTransaction` commits on success and rolls back on an error of the body or a statement.
    /// - Throws: what the driver throws unexpectedly.
    public static func withTransactionCommitsOrRollsBack(_ kind: ContractDriver) throws {
        try ContractDatabase.with(kind) { database in
            let connection = try database.connect()
            let other = try database.connect("bob@host-b")
            defer { connection.close(); other.close() }
            // An error thrown by the body rolls back DDL and data.
            #expect(throws: Boom.self) {
                try connection.withTransaction {
                    try connection.execute("CREATE TABLE t1 (id INTEGER); INSERT INTO t1 VALUES (1);")
                    throw Boom()
                }
            }
            #expect(try !connection.tableExists("t1"))

            try connection.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
            // A failing statement rolls back what ran before it in the transaction.
            let error = try #require(throws: DatabaseError.self) {
                try connection.withTransaction {
                    try connection.execute("INSERT INTO kept VALUES (1)")
                    try connection.execute("INSERT INTO kept VALUES (1)")
                }
            }
            #expect(error.reason == .statement)
            #expect(error.sqlstate == kind.duplicateKeyCode)
            #expect(try connection.query("SELECT count(*) FROM kept") == [["0"]])

            // The connection is usable afterwards, and a transaction that succeeds is committed.
            let value = try connection.withTransaction {
                try connection.execute("INSERT INTO kept VALUES (2); INSERT INTO kept VALUES (3);")
                return try connection.query("SELECT count(*) FROM kept")
            }
            #expect(value == [["2"]])
            #expect(try other.query("SELECT id FROM kept ORDER BY id") == [["2"], ["3"]])
        }
    }

    /// Lock exclusivity, timeout, the holder's name, and release on every path, in `mode`.
    /// - Throws: what the driver throws unexpectedly.
    public static func lockIsExclusiveTimesOutAndNamesTheHolder(_ kind: ContractDriver, mode: LockMode) throws {
        try ContractDatabase.with(kind) { database in
            let a = try database.connect("alice@host-a")
            let b = try database.connect("bob@host-b")
            defer { a.close(); b.close() }
            let alice = database.lockRequest(mode, holder: "alice@host-a", milliseconds: 300)
            let bob = database.lockRequest(mode, holder: "bob@host-b", milliseconds: 300)
            #expect(try b.lockHolder(bob) == nil)

            let lock = try a.acquireLock(alice, waiting: { _ in Issue.record("a free lock made the caller wait") })
            let holder = try #require(try b.lockHolder(bob))
            #expect(holder.contains("alice@host-a"), "the holder is named: \(holder)")

            var announced: [String?] = []
            let started = Date()
            let error = try #require(throws: DatabaseError.self) {
                try b.acquireLock(bob, waiting: { announced.append($0) })
            }
            let waited = Date().timeIntervalSince(started)
            #expect(waited >= 0.3 && waited < 5, "waited \(waited)s for a 300ms lock_timeout")
            guard case .lockTimeout(let named) = error.reason else {
                Issue.record("expected .lockTimeout, got \(error.reason)")
                return
            }
            #expect(named?.contains("alice@host-a") == true, "\(String(describing: named))")
            #expect(error.exitCode == .lockTimeout)
            #expect(error.message.contains("alice@host-a"), "\(error.message)")
            #expect(announced.count == 1 && announced.first??.contains("alice@host-a") == true, "\(announced)")

            lock.release()
            lock.release()
            #expect(try b.lockHolder(bob) == nil)
            // withLock releases the lock when its body throws.
            #expect(throws: Boom.self) {
                try b.withLock(bob, waiting: { _ in Issue.record("the released lock is free") }) {
                    #expect(try a.lockHolder(alice)?.contains("bob@host-b") == true)
                    throw Boom()
                }
            }
            #expect(try a.lockHolder(alice) == nil)
            try a.withLock(alice, waiting: { _ in Issue.record("the lock is free") }) {}
        }
    }

    /// Errors carry their SQLSTATE, message and the position of the failing statement.
    /// - Throws: what the driver throws unexpectedly.
    public static func errorsCarryTheirCodeAndThePositionOfTheFailingStatement(_ kind: ContractDriver) throws {
        try ContractDatabase.with(kind) { database in
            let connection = try database.connect()
            defer { connection.close() }

            let duplicate = """
                CREATE TABLE people (id INTEGER PRIMARY KEY);
                INSERT INTO people VALUES (1);

                INSERT INTO people
                    VALUES (1);
                INSERT INTO people VALUES (3);
                """
            let error = try #require(throws: DatabaseError.self) {
                try connection.withTransaction { try connection.execute(duplicate) }
            }
            #expect(error.reason == .statement)
            #expect(error.exitCode == .failed)
            #expect(error.sqlstate == kind.duplicateKeyCode)
            #expect(!error.message.isEmpty)
            #expect(error.position.map { SQLSection(sql: duplicate, line: 1).line(atUTF8Offset: $0) } == 4, "\(error)")
            #expect(try !connection.tableExists("people"), "rolled back")

            let missing = "SELECT 1;\n\n  SELECT * FROM nowhere;"
            let missingError = try #require(throws: DatabaseError.self) { try connection.execute(missing) }
            #expect(missingError.sqlstate == kind.missingTableCode)
            #expect(missingError.message.contains("nowhere"), "\(missingError.message)")
            #expect(missingError.position == missing.utf8.count - "SELECT * FROM nowhere;".utf8.count)

            // A syntax error inside a multi-line statement: the statement's first line, and the
            // error's own line as errorPosition.
            let syntax = """
                CREATE TABLE kept (id INTEGER);
                CREATE TABLE broken (
                    id INTEGER,
                    name TEXT DEFAULT garbage garbage
                );
                """
            let syntaxError = try #require(throws: DatabaseError.self) {
                try connection.withTransaction { try connection.execute(syntax) }
            }
            #expect(syntaxError.sqlstate == kind.syntaxErrorCode)
            let section = SQLSection(sql: syntax, line: 10)
            #expect(syntaxError.position.map(section.line(atUTF8Offset:)) == 11, "\(syntaxError)")
            #expect(syntaxError.errorPosition.map(section.line(atUTF8Offset:)) == 13, "\(syntaxError)")
            #expect(try !connection.tableExists("kept"))

            // query reports the same fields.
            let queryError = try #require(throws: DatabaseError.self) { try connection.query("SELECT * FROM nowhere") }
            #expect(queryError.sqlstate == kind.missingTableCode)
            #expect(queryError.position == 0)
            // And the connection is still usable.
            #expect(try connection.query("SELECT 42") == [["42"]])
        }
    }

    /// Godwit's own tables: created idempotently, written and read back through `StateStore`.
    /// - Throws: what the driver throws unexpectedly.
    public static func godwitsOwnTables(_ kind: ContractDriver) throws {
        try ContractDatabase.with(kind) { database in
            let connection = try database.connect()
            defer { connection.close() }
            let store = StateStore(dialect: connection.dialect, prefix: "godwit_")
            // An empty database reads as nothing applied and no audit, and gets no tables from reading.
            #expect(try store.readRevisions(on: connection).isEmpty)
            #expect(try store.auditRecords(on: connection).isEmpty)
            #expect(try database.tables().isEmpty)

            try store.createTables(on: connection)
            try store.createTables(on: connection)
            // The script `--sql` and `--rehearse` use is idempotent too.
            try connection.withTransaction { try connection.execute(store.createTablesSQL) }
            #expect(try database.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions"])
            #expect(try connection.tableExists("godwit_revisions") && connection.tableExists("godwit_audit"))
            #expect(try store.readRevisions(on: connection).isEmpty)
            #expect(try store.auditRecords(on: connection).isEmpty)
            #expect(try store.nextAuditID(on: connection) == 1)
            // <prefix>repeatables: a row per repeatable, replaced when it runs again; a database
            // from before it gets it on the next change.
            #expect(try store.readRepeatables(on: connection).isEmpty)
            for checksum in ["c1", "c2"] {
                let views = Repeatable(name: "views", upgrade: SQLSection(sql: "", line: 1), checksum: checksum).revision
                try connection.withTransaction { try connection.execute(store.upsertRepeatableSQL(views, at: "t", by: "me", auditIDSQL: "NULL")) }
            }
            #expect(try store.readRepeatables(on: connection) == ["repeatable/views": "c2"])
            try connection.withTransaction { try connection.execute("DROP TABLE godwit_repeatables") }
            try store.createTables(on: connection)
            #expect(try store.readRepeatables(on: connection).isEmpty)
            #expect(try database.tables() == ["godwit_audit", "godwit_repeatables", "godwit_revisions"])

            var record = AuditRecord(
                id: 1, environment: "dev", operation: "upgrade", startedAt: "2026-01-02T03:04:05.678Z", fromHeads: [],
                actor: "o'brien", host: "host-a", toolVersion: "0.1.0", gitCommit: "abc123", reason: "it's; fine")
            try connection.withTransaction {
                try connection.execute(
                    store.insertAuditSQL(record)
                        + store.insertRevisionSQL("bbb222", checksum: "c2", state: "applied", at: "2026-01-02T03:04:06Z", by: "o'brien", auditID: 1)
                        + store.insertRevisionSQL("aaa111", checksum: "c1", state: "failed", at: "2026-01-02T03:04:07Z", by: "o'brien", auditID: 1))
            }
            let open = try store.openAuditRecords(on: connection)
            #expect(open.map(\.id) == [1])
            record.steps = [AuditRecord.Step(revision: "bbb222", direction: .upgrade, checksum: "c2", durationMS: 12)]
            record.finishedAt = "2026-01-02T03:04:08.000Z"
            record.durationMS = 2322
            record.outcome = "succeeded"
            record.toHeads = ["bbb222"]
            record.hash = record.computedHash
            try connection.withTransaction {
                try connection.execute(store.updateRevisionSQL("aaa111", state: "applied") + store.finishAuditSQL(record))
            }

            let rows = try store.readRevisions(on: connection)
            #expect(rows.map(\.revision) == ["bbb222", "aaa111"], "in the order applied")
            #expect(rows.map(\.state) == ["applied", "applied"])
            #expect(rows.map(\.checksum) == ["c2", "c1"])
            #expect(rows.allSatisfy { $0.appliedBy == "o'brien" && $0.auditID == 1 })
            let audit = try store.auditRecords(on: connection)
            #expect(audit == [record])
            #expect(audit.first?.computedHash == record.hash, "the hash survives the round trip")
            #expect(try store.openAuditRecords(on: connection).isEmpty)
            #expect(try store.nextAuditID(on: connection) == 2)
            #expect(try store.previousHash(before: 2, on: connection) == record.hash)
        }
    }

    /// Statement splitting: texts and offsets, comments and quoted semicolons.
    /// - Throws: what the driver throws unexpectedly.
    public static func splitStatementsBasics(_ kind: ContractDriver) throws {
        try ContractDatabase.with(kind) { database in
            let connection = try database.connect()
            defer { connection.close() }
            let script = """
                CREATE TABLE a (x TEXT);
                -- a comment; with a semicolon
                INSERT INTO a VALUES ('one;two');

                /* a block; comment */ INSERT INTO a VALUES ('three');
                  INSERT INTO a
                    VALUES ('four')
                """
            let statements = try connection.splitStatements(script)
            let texts = statements.map { $0.sql.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(texts == [
                "CREATE TABLE a (x TEXT);", "INSERT INTO a VALUES ('one;two');", "INSERT INTO a VALUES ('three');",
                "INSERT INTO a\n    VALUES ('four')",
            ])
            let section = SQLSection(sql: script, line: 1)
            #expect(statements.map { section.line(atUTF8Offset: $0.offset) } == [1, 3, 5, 6])
            for (statement, text) in zip(statements, texts) {
                #expect(script.utf8.dropFirst(statement.offset).starts(with: text.utf8), "the offset is where the text starts")
            }
            for statement in statements { try connection.execute(statement.sql) }
            #expect(try connection.query("SELECT x FROM a ORDER BY x") == [["four"], ["one;two"], ["three"]])
            #expect(try connection.splitStatements("").isEmpty)
            #expect(try connection.splitStatements("-- only a comment\n\n").isEmpty)
        }
    }

    /// A read-only connection reads nothing into existence and reads what exists.
    /// - Throws: what the driver throws unexpectedly.
    public static func readOnlyConnectionCreatesNothing(_ kind: ContractDriver) throws {
        try ContractDatabase.with(kind) { database in
            let connection = try database.connect(readOnly: true)
            let store = StateStore(dialect: connection.dialect, prefix: "godwit_")
            #expect(try store.readRevisions(on: connection).isEmpty)
            #expect(try store.auditRecords(on: connection).isEmpty)
            #expect(try !connection.tableExists("godwit_revisions"))
            #expect(try connection.lockHolder(database.lockRequest(.advisory, holder: "alice@host-a", milliseconds: 100)) == nil)
            #expect(try connection.lockHolder(database.lockRequest(.table, holder: "alice@host-a", milliseconds: 100)) == nil)
            connection.close()
            #expect(try !database.hasBeenCreated(), "a read-only connection created the database, its schema or a file")

            // Once created, a read-only connection reads what is there.
            let writer = try database.connect()
            try StateStore(dialect: writer.dialect, prefix: "godwit_").createTables(on: writer)
            try writer.execute(store.insertRevisionSQL("aaa111", checksum: "c1", state: "applied", at: "t", by: "me", auditID: nil))
            writer.close()
            let reader = try database.connect(readOnly: true)
            defer { reader.close() }
            #expect(try store.readRevisions(on: reader).map(\.revision) == ["aaa111"])
        }
    }
}
