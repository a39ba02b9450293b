/// Which SQL family a database speaks: the identity that picks a linter's rules and the DDL that
/// `SchemaDiff.ddl(_:)` writes. Everything else a caller needs to know about a database it asks
/// the driver's `DatabaseDialect`, never this identity.
public enum SQLDialect: String, Sendable, Hashable {
    case sqlite
    case postgresql

    /// Quotes an identifier: `"name"` with inner quotes doubled.
    public func quote(_ identifier: String) -> String {
        guard identifier.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + identifier + "\"" }
        return "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A string literal, or NULL.
    public func literal(_ value: String?) -> String {
        guard let value else { return "NULL" }
        guard value.utf8.contains(UInt8(ascii: "'")) else { return "'" + value + "'" }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// An integer literal, or NULL.
    public func literal(_ value: Int?) -> String {
        value.map(String.init) ?? "NULL"
    }
}
