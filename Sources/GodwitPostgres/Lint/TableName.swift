import GodwitCore

/// A table as a statement names it: a schema when one is written, and the name.
struct TableName: Hashable, CustomStringConvertible {
    var schema: String?
    var name: String

    /// The table of a `RangeVar` (`{"schemaname", "relname"}`).
    init?(rangeVar: JSONValue?) {
        guard let name = rangeVar?["relname"]?.stringValue else { return nil }
        self.schema = rangeVar?["schemaname"]?.stringValue
        self.name = name
    }

    /// The table of a qualified name list (`[{"String": {"sval"}}, …]`).
    init?(nameList: JSONValue?) {
        let parts = (nameList?.arrayValue ?? []).compactMap { $0["String"]?["sval"]?.stringValue }
        guard let name = parts.last else { return nil }
        self.schema = parts.count > 1 ? parts[parts.count - 2] : nil
        self.name = name
    }

    init(schema: String?, name: String) {
        self.schema = schema
        self.name = name
    }

    /// True when both name the same table; a name without schema matches it in any schema.
    func matches(_ other: TableName) -> Bool {
        name == other.name && (schema == nil || other.schema == nil || schema == other.schema)
    }

    var description: String { "'" + (schema.map { "\($0).\(name)" } ?? name) + "'" }
}
