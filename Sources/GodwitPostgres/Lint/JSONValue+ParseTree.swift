import GodwitCore

extension JSONValue {
    /// A parse-tree node, `{"NodeType": {…}}`: its type and body.
    var node: (type: String, body: JSONValue)? {
        guard case .object(let members) = self, members.count == 1, let (type, body) = members.first else { return nil }
        return (type, body)
    }

    /// True for `true`.
    var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }

    /// True when this is the option `DefElem` named `name` and it is on: no argument (`FULL`),
    /// or a true one (`FULL true`, `FULL 1`, `FULL on`).
    func defElem(named name: String) -> Bool {
        guard let option = self["DefElem"], option["defname"]?.stringValue == name else { return false }
        guard let argument = option["arg"] else { return true }
        if let text = argument["String"]?["sval"]?.stringValue { return !["false", "off", "no", "0"].contains(text.lowercased()) }
        if let number = argument["Integer"] { return (number["ival"]?.intValue ?? 0) != 0 }
        if let flag = argument["Boolean"] { return flag["boolval"]?.isTrue == true }
        return true
    }

    /// A `TypeName` node's name as a user writes it (`int8` shows as `bigint`, `varchar(20)` as
    /// `varchar`); nil when absent.
    var typeLabel: String? {
        guard let name = self["names"]?.arrayValue?.last?["String"]?["sval"]?.stringValue else { return nil }
        let aliases = ["int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision", "bool": "boolean"]
        return aliases[name] ?? name
    }
}
