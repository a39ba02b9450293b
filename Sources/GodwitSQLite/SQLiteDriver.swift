import Foundation
import GodwitCore

/// Opens SQLite databases: `sqlite:path` and `sqlite::memory:` URLs.
public struct SQLiteDriver: DatabaseDriver {
    /// Creates the driver.
    public init() {}

    /// SQLite's dialect.
    public var dialect: any DatabaseDialect { SQLiteDialect() }

    public func accepts(_ url: DatabaseURL) -> Bool {
        if case .sqlite = url.kind { return true }
        return false
    }

    /// The file's standardized path (SQLite has no schemas); nil in memory.
    public func databaseIdentity(of url: DatabaseURL, schema: String?) -> String? {
        guard case .sqlite(let path?) = url.kind else { return nil }
        return "sqlite:" + URL(fileURLWithPath: path).standardizedFileURL.path
    }

    public func connect(to url: DatabaseURL, options: ConnectionOptions) throws -> any DriverConnection {
        guard case .sqlite(let path) = url.kind else {
            throw DatabaseError(.connection, "the SQLite driver cannot open '\(url)'")
        }
        return try SQLiteConnection(path: path, options: options)
    }
}
