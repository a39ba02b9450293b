import GodwitCore

/// Opens PostgreSQL databases: `postgresql://` and `postgres://` URLs, anything libpq accepts.
public struct PostgresDriver: DatabaseDriver {
    /// Creates the driver.
    public init() {}

    public func accepts(_ url: DatabaseURL) -> Bool {
        url.kind == .postgresql
    }

    public func connect(to url: DatabaseURL, options: ConnectionOptions) throws -> any DatabaseConnection {
        guard accepts(url) else {
            throw DatabaseError(.connection, "the PostgreSQL driver cannot open '\(url)'")
        }
        return try PostgresConnection(url: url, options: options)
    }
}
