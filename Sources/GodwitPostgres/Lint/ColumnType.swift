import GodwitCore

/// A column's type as the parse tree gives it: the type's name (`varchar`, `numeric`, `text`),
/// its modifiers (`varchar(128)`: 128; `numeric(12, 2)`: 12, 2) and whether it is an array.
struct ColumnType: Hashable, CustomStringConvertible {
    var name: String
    var modifiers: [Int]
    var isArray: Bool

    /// The type of a `TypeName` node; nil when it names none, or has a modifier that is not a number.
    init?(typeName: JSONValue?) {
        guard let typeName, let name = typeName["names"]?.arrayValue?.last?["String"]?["sval"]?.stringValue else { return nil }
        var modifiers: [Int] = []
        for modifier in typeName["typmods"]?.arrayValue ?? [] {
            guard let value = modifier["A_Const"]?["ival"]?["ival"]?.intValue ?? modifier["Integer"]?["ival"]?.intValue else { return nil }
            modifiers.append(value)
        }
        self.name = name
        self.modifiers = modifiers
        self.isArray = !(typeName["arrayBounds"]?.arrayValue ?? []).isEmpty
    }

    /// Reads `description` back (`varchar(128)`, `numeric(12,2)[]`).
    init?(_ description: String) {
        var text = Substring(description)
        isArray = text.hasSuffix("[]")
        if isArray { text = text.dropLast(2) }
        guard let open = text.firstIndex(of: "(") else {
            guard !text.isEmpty else { return nil }
            name = String(text)
            modifiers = []
            return
        }
        guard text.hasSuffix(")") else { return nil }
        name = String(text[..<open])
        let numbers = text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",").map { Int($0) }
        guard !numbers.contains(nil) else { return nil }
        modifiers = numbers.compactMap { $0 }
    }

    var description: String {
        name + (modifiers.isEmpty ? "" : "(" + modifiers.map(String.init).joined(separator: ",") + ")") + (isArray ? "[]" : "")
    }

    /// True when PostgreSQL changes a column of this type to `new` without rewriting the table
    /// (since 9.2): the same type; `varchar` or `varbit` made longer or unbounded; `varchar` to
    /// `text` and `text` to unbounded `varchar`; `numeric` given more precision with the same
    /// scale, or made unconstrained; `timestamp`, `timestamptz`, `time` and `interval` given more
    /// fractional precision or made unconstrained.
    func changesWithoutRewrite(to new: ColumnType) -> Bool {
        guard isArray == new.isArray else { return false }
        if self == new { return true }
        switch (name, new.name) {
        case ("varchar", "text"), ("text", "varchar") where new.modifiers.isEmpty:
            return true
        case ("varchar", "varchar"), ("varbit", "varbit"), ("timestamp", "timestamp"), ("timestamptz", "timestamptz"),
            ("time", "time"), ("interval", "interval"):
            guard let newLimit = new.modifiers.last else { return true }
            guard let oldLimit = modifiers.last else { return false }
            return new.modifiers.count == modifiers.count && newLimit >= oldLimit
        case ("numeric", "numeric"):
            guard let newPrecision = new.modifiers.first else { return true }
            guard let oldPrecision = modifiers.first else { return false }
            let oldScale = modifiers.count > 1 ? modifiers[1] : 0
            let newScale = new.modifiers.count > 1 ? new.modifiers[1] : 0
            return newPrecision >= oldPrecision && newScale == oldScale
        default:
            return false
        }
    }
}
