import CSQLite
import Foundation
import GodwitCore

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A database handle that `sqlite3_interrupt` may be called on from the interruption's thread.
/// `@unchecked Sendable`: `sqlite3_interrupt` is safe from another thread while the handle is
/// open, and the handle is closed only on the thread that runs the statement, after it has ended
/// (and its cancel function is no longer registered).
private struct SQLiteInterruptTarget: @unchecked Sendable {
    let db: OpaquePointer
    func interrupt() { sqlite3_interrupt(db) }
}

/// A connection to one SQLite database file (or an in-memory database).
public final class SQLiteConnection: DatabaseConnection, MigrationLocking, DatabaseCatalog {
    /// The database file, nil for an in-memory database.
    public let path: String?
    /// True when opened read-only.
    public let isReadOnly: Bool
    var handle: OpaquePointer?

    /// SQLite's dialect.
    public var dialect: any DatabaseDialect { SQLiteDialect() }

    /// Opens the database at `path` (nil: in memory). Read-only on a missing file opens an empty
    /// in-memory database, so that a dry-run sees "nothing applied" and creates no file.
    /// - Throws: `DatabaseError` with reason `.connection` naming the file.
    public init(path: String?, options: ConnectionOptions = ConnectionOptions()) throws {
        self.path = path
        self.isReadOnly = options.isReadOnly
        var target = path ?? ":memory:"
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        if let path {
            let exists = FileManager.default.fileExists(atPath: path)
            if options.isReadOnly {
                if exists {
                    flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
                } else {
                    // A database that does not exist yet reads as empty, if it could be created.
                    guard Self.couldCreate(path) else {
                        throw DatabaseError(
                            .connection, "cannot open SQLite database '\(path)': it does not exist and cannot be created there")
                    }
                    target = ":memory:"
                }
            } else if !exists {
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty {
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    } catch {
                        throw DatabaseError(
                            .connection, "cannot create the folder '\(folder)' for SQLite database '\(path)': \(error.localizedDescription)")
                    }
                }
            }
        }
        var db: OpaquePointer?
        let status = sqlite3_open_v2(target, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw DatabaseError(
                .connection, "cannot open SQLite database '\(path ?? ":memory:")': \(message)",
                sqlstate: Self.codeName(status))
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
        if !options.isReadOnly, path != nil {
            // Touch the file so that an unwritable location fails here, at connect time.
            do {
                try query("PRAGMA schema_version")
                try execute("PRAGMA journal_mode = WAL")
            } catch let error as DatabaseError {
                close()
                throw DatabaseError(.connection, "cannot open SQLite database '\(path!)': \(error.message)", sqlstate: error.sqlstate)
            }
        } else if path != nil {
            do { try query("PRAGMA schema_version") } catch let error as DatabaseError {
                close()
                throw DatabaseError(.connection, "cannot read SQLite database '\(path!)': \(error.message)", sqlstate: error.sqlstate)
            }
        }
    }

    deinit { close() }

    /// True when the nearest existing folder above `path` is a writable folder.
    static func couldCreate(_ path: String) -> Bool {
        var folder = (path as NSString).deletingLastPathComponent
        while !folder.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
                return isDirectory.boolValue && access(folder, W_OK) == 0
            }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder { break }
            folder = parent
        }
        return false
    }

    public func close() {
        if let handle {
            sqlite3_close_v2(handle)
            self.handle = nil
        }
    }

    func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw DatabaseError(.connection, "the SQLite connection is closed") }
        return handle
    }

    func error(_ db: OpaquePointer, status: Int32, offset: Int?) -> DatabaseError {
        let message = String(cString: sqlite3_errmsg(db))
        return DatabaseError(.statement, message, sqlstate: Self.codeName(sqlite3_extended_errcode(db)), position: offset)
    }

    /// Runs `body` (statements on `db`) so that an interruption of the process stops it
    /// (`sqlite3_interrupt`), and reports a statement stopped that way as the interruption.
    /// - Throws: what `body` throws; `DatabaseError` with reason `.interrupted` for an interrupted statement.
    func interruptible<T>(_ db: OpaquePointer, _ body: () throws -> T) throws -> T {
        let target = SQLiteInterruptTarget(db: db)
        do {
            return try Interruption.shared.whileCancellable({ target.interrupt() }, body)
        } catch let error as DatabaseError {
            throw Interruption.shared.explaining(error)
        }
    }

    public func execute(_ script: String) throws {
        let db = try liveHandle()
        try interruptible(db) { try run(script, on: db) }
    }

    /// `execute` without the interruption's bookkeeping.
    func run(_ script: String, on db: OpaquePointer) throws {
        let bytes = Array(script.utf8CString)
        try bytes.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            var cursor: UnsafePointer<CChar>? = start
            while let current = cursor, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let statementOffset = Self.skipTrivia(buffer, from: current - start)
                let status = sqlite3_prepare_v2(db, current, -1, &statement, &tail)
                guard status == SQLITE_OK else {
                    let errorOffset = Int(sqlite3_error_offset(db))
                    var failure = error(db, status: status, offset: statementOffset)
                    if errorOffset >= 0 { failure.errorPosition = (current - start) + errorOffset }
                    throw failure
                }
                cursor = tail
                guard let statement else { continue }
                defer { sqlite3_finalize(statement) }
                var step = sqlite3_step(statement)
                while step == SQLITE_ROW { step = sqlite3_step(statement) }
                guard step == SQLITE_DONE else {
                    throw error(db, status: step, offset: statementOffset)
                }
            }
        }
    }

    @discardableResult
    public func query(_ sql: String) throws -> [[String?]] {
        let db = try liveHandle()
        return try interruptible(db) { try rows(of: sql, on: db) }
    }

    /// `query` without the interruption's bookkeeping.
    func rows(of sql: String, on db: OpaquePointer) throws -> [[String?]] {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(db, status: status, offset: 0) }
        defer { sqlite3_finalize(statement) }
        var rows: [[String?]] = []
        let columns = sqlite3_column_count(statement)
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error(db, status: step, offset: 0) }
            var row: [String?] = []
            row.reserveCapacity(Int(columns))
            for column in 0..<columns {
                if sqlite3_column_type(statement, column) == SQLITE_NULL {
                    row.append(nil)
                } else {
                    row.append(String(cString: sqlite3_column_text(statement, column)))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs one statement with text parameters bound to `?`.
    /// - Throws: `DatabaseError`.
    public func execute(_ sql: String, bindings: [String?]) throws {
        let db = try liveHandle()
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(db, status: status, offset: 0) }
        defer { sqlite3_finalize(statement) }
        for (index, value) in bindings.enumerated() {
            if let value {
                sqlite3_bind_text(statement, Int32(index + 1), value, -1, transient)
            } else {
                sqlite3_bind_null(statement, Int32(index + 1))
            }
        }
        let step = sqlite3_step(statement)
        guard step == SQLITE_DONE || step == SQLITE_ROW else { throw error(db, status: step, offset: 0) }
    }

    /// True when the table exists.
    /// - Throws: `DatabaseError`.
    public func tableExists(_ name: String) throws -> Bool {
        !(try query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = \(dialect.literal(name))")).isEmpty
    }

    /// Drops every view, trigger and table (SQLite has no schemas: `workingSchema` is ignored).
    /// - Throws: `DatabaseError`.
    public func wipe(workingSchema: String?) throws {
        let objects = try query(
            "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND type IN ('view', 'table', 'trigger')")
        for kind in ["view", "trigger", "table"] {
            for row in objects where row[0] == kind {
                try execute("DROP \(kind.uppercased()) IF EXISTS \(dialect.quote(row[1] ?? ""))")
            }
        }
    }

    public func splitStatements(_ script: String) throws -> [(sql: String, offset: Int)] {
        let bytes = Array(script.utf8)
        var result: [(sql: String, offset: Int)] = []
        var start = 0
        var index = 0
        func flush(upTo end: Int) {
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            if !SQLSection(sql: text, line: 1).isEmpty {
                let offset = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { Self.skipTrivia($0, from: start) }
                }
                result.append((String(decoding: bytes[offset..<end], as: UTF8.self), offset))
            }
            start = end
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: ";") {
                let candidate = String(decoding: bytes[start...index], as: UTF8.self)
                if sqlite3_complete(candidate) != 0 { flush(upTo: index + 1) }
            }
            index += 1
        }
        if start < bytes.count { flush(upTo: bytes.count) }
        return result
    }

    /// The offset of the first byte at or after `offset` that is not white space or a comment.
    static func skipTrivia(_ buffer: UnsafeBufferPointer<CChar>, from offset: Int) -> Int {
        var i = offset
        let count = buffer.count
        func at(_ k: Int) -> UInt8 { k < count ? UInt8(bitPattern: buffer[k]) : 0 }
        while i < count {
            let c = at(i)
            if c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d {
                i += 1
            } else if c == UInt8(ascii: "-") && at(i + 1) == UInt8(ascii: "-") {
                while i < count && at(i) != 0x0a && at(i) != 0 { i += 1 }
            } else if c == UInt8(ascii: "/") && at(i + 1) == UInt8(ascii: "*") {
                i += 2
                while i < count && at(i) != 0 && !(at(i) == UInt8(ascii: "*") && at(i + 1) == UInt8(ascii: "/")) { i += 1 }
                i = min(i + 2, count)
            } else {
                break
            }
        }
        return min(i, max(count - 1, 0))
    }

    /// The name of a SQLite result code, in place of an SQLSTATE.
    static func codeName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT", 5: "SQLITE_BUSY",
            6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR",
            11: "SQLITE_CORRUPT", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 19: "SQLITE_CONSTRAINT",
            20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 26: "SQLITE_NOTADB", 275: "SQLITE_CONSTRAINT_CHECK",
            787: "SQLITE_CONSTRAINT_FOREIGNKEY", 1299: "SQLITE_CONSTRAINT_NOTNULL",
            1555: "SQLITE_CONSTRAINT_PRIMARYKEY", 2067: "SQLITE_CONSTRAINT_UNIQUE", 517: "SQLITE_BUSY_SNAPSHOT",
            1032: "SQLITE_READONLY_DBMOVED",
        ]
        return names[code] ?? names[code & 0xff].map { "\($0) (\(code))" } ?? "SQLITE_\(code)"
    }
}
