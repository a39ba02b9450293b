import Foundation
import GodwitCore
import Testing

@testable import GodwitSQLite

/// A fresh folder for one test's database files.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-sqlite-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct SQLiteConnectionTests {
    @Test func executeAndQueryRoundTrip() throws {
        let connection = try SQLiteConnection(path: nil)
        try connection.execute("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, NULL);")
        let rows = try connection.query("SELECT a, b FROM t ORDER BY a")
        #expect(rows == [["1", "x"], ["2", nil]])
        #expect(try connection.tableExists("t"))
        #expect(try !connection.tableExists("missing"))
    }

    @Test func failingStatementReportsItsOffsetAndCode() throws {
        let connection = try SQLiteConnection(path: nil)
        let script = "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO a VALUES (1);\n  INSERT INTO a VALUES (1);\nCREATE TABLE b (id INTEGER);\n"
        let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
        let expected = script.utf8.count - "INSERT INTO a VALUES (1);\nCREATE TABLE b (id INTEGER);\n".utf8.count
        #expect(error.position == expected)
        #expect(error.sqlstate == "SQLITE_CONSTRAINT_PRIMARYKEY")
        #expect(error.message.contains("UNIQUE constraint failed"))
        #expect(try !connection.tableExists("b"))
    }

    @Test func syntaxErrorPointsIntoTheStatement() throws {
        let connection = try SQLiteConnection(path: nil)
        let script = "CREATE TABLE a (id INTEGER);\nCREATE TABLEX b (id INTEGER);\n"
        let error = try #require(throws: DatabaseError.self) { try connection.execute(script) }
        let position = try #require(error.position)
        #expect(SQLSection(sql: script, line: 10).line(atUTF8Offset: position) == 11)
        #expect(error.sqlstate == "SQLITE_ERROR")
    }

    @Test func withTransactionRollsBackOnError() throws {
        let connection = try SQLiteConnection(path: nil)
        try connection.execute("CREATE TABLE t (a INTEGER NOT NULL)")
        #expect(throws: DatabaseError.self) {
            try connection.withTransaction {
                try connection.execute("INSERT INTO t VALUES (1)")
                try connection.execute("INSERT INTO t VALUES (NULL)")
            }
        }
        #expect(try connection.query("SELECT count(*) FROM t") == [["0"]])
    }

    @Test(arguments: [
        ("CREATE TABLE a (x TEXT DEFAULT ';');\nINSERT INTO a VALUES ('a;b');", [0, 37]),
        ("-- a comment; with a semicolon\nCREATE TABLE \"we;ird\" (x INT);\n/* block ; comment */ DROP TABLE \"we;ird\";", [31, 84]),
        (
            "CREATE TABLE t (x INT);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n  DELETE FROM t WHERE x = 2;\nEND;\nSELECT 1;",
            [0, 24, 122]
        ),
        ("SELECT 'it''s; fine';\nSELECT 2", [0, 22]),
    ])
    func splitsWithSQLitesOwnCompletenessCheck(script: String, offsets: [Int]) throws {
        let connection = try SQLiteConnection(path: nil)
        let statements = try connection.splitStatements(script)
        #expect(statements.map(\.offset) == offsets)
        for statement in statements {
            let bytes = Array(script.utf8)
            #expect(String(decoding: bytes[statement.offset...], as: UTF8.self).hasPrefix(statement.sql))
        }
    }

    @Test func readOnlyOnAMissingFileIsEmptyAndCreatesNothing() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("var/never.sqlite3").path
        let connection = try SQLiteConnection(path: path, options: ConnectionOptions(isReadOnly: true))
        #expect(try !connection.tableExists("godwit_revisions"))
        connection.close()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("var").path))
    }

    @Test func impossiblePathIsAConnectionError() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("plain-file")
        FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8))
        let path = file.appendingPathComponent("sub/db.sqlite3").path
        for readOnly in [true, false] {
            let error = try #require(throws: DatabaseError.self) {
                _ = try SQLiteConnection(path: path, options: ConnectionOptions(isReadOnly: readOnly))
            }
            #expect(error.reason == .connection)
            #expect(error.message.contains(path))
        }
    }

    @Test func lockIsExclusiveAndTimesOutNamingTheHolder() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("db.sqlite3").path
        let first = try SQLiteConnection(path: path)
        let second = try SQLiteConnection(path: path)
        let request = { (holder: String) in
            LockRequest(name: "public.godwit_", tablePrefix: "godwit_", mode: .advisory, timeout: TimeoutValue(milliseconds: 200), holder: holder)
        }
        let lock = try first.acquireLock(request("alice@host-a"), waiting: { _ in })
        #expect(try second.lockHolder(request("bob@host-b"))?.contains("alice@host-a") == true)
        var announced: String?
        let error = try #require(throws: DatabaseError.self) {
            _ = try second.acquireLock(request("bob@host-b"), waiting: { announced = $0 })
        }
        #expect(error.exitCode == .lockTimeout)
        guard case .lockTimeout(let holder) = error.reason else {
            Issue.record("expected a lock timeout, got \(error.reason)")
            return
        }
        #expect(holder?.contains("alice@host-a") == true)
        #expect(announced?.contains("alice@host-a") == true)
        lock.release()
        #expect(try second.lockHolder(request("bob@host-b")) == nil)
        let again = try second.acquireLock(request("bob@host-b"), waiting: { _ in })
        again.release()
    }
}
