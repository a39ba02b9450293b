import CLibPQ
import GodwitCore

/// Opens PostgreSQL databases: `postgresql://` and `postgres://` URLs, anything libpq accepts.
public struct PostgresDriver: DatabaseDriver {
    /// Creates the driver.
    public init() {}

    /// PostgreSQL's dialect.
    public var dialect: any DatabaseDialect { PostgresDialect() }

    /// True for `postgresql://` and `postgres://` URLs.
    public func accepts(_ url: DatabaseURL) -> Bool {
        url.kind == .postgresql
    }

    /// The URL as written and the schema (`public` when none is set).
    public func databaseIdentity(of url: DatabaseURL, schema: String?) -> String? {
        url.secretText + "#" + (schema ?? "public")
    }

    /// Opens a `PostgresConnection`.
    /// - Throws: `DatabaseError` with reason `.connection`, naming host, port and database, never the password.
    public func connect(to url: DatabaseURL, options: ConnectionOptions) throws -> any DriverConnection {
        guard accepts(url) else {
            throw DatabaseError(.connection, "the PostgreSQL driver cannot open '\(url)'")
        }
        return try PostgresConnection(url: url, options: options)
    }

    /// libpq's own reading of the URL (`PQconninfoParse`), without connecting: its message, with
    /// the password redacted, when libpq would refuse the URL.
    public func syntaxError(in url: DatabaseURL) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(url.secretText, &message) {
            PQconninfoFree(options)
            return nil
        }
        defer { if let message { PQfreemem(message) } }
        let text = message.map { String(cString: $0) } ?? "libpq cannot read it"
        return url.redact(DatabaseError.oneLine(text))
    }
}
