/// One difference between two schemas as `diff` reports it (SPEC §9): what kind of object, its
/// name, and how it reads on each side (nil where it is absent).
public struct SchemaDifference: Sendable, Hashable {
    /// `added` (only on the right), `removed` (only on the left) or `changed`.
    public var kind: String
    /// `table`, `column`, `primary_key`, `unique`, `check`, `foreign_key`, `index`, `view`,
    /// `trigger`, `sequence`, `enum`, `extension` or `table_options`.
    public var object: String
    /// The object's name; `table.name` for what belongs to a table.
    public var name: String
    /// How the object reads on the left side.
    public var left: String?
    /// How the object reads on the right side.
    public var right: String?

    /// Creates a difference.
    public init(kind: String, object: String, name: String, left: String?, right: String?) {
        self.kind = kind
        self.object = object
        self.name = name
        self.left = left
        self.right = right
    }

    /// The JSON of SPEC §9.
    public var json: JSONValue {
        .object(["kind": .string(kind), "object": .string(object), "name": .string(name), "left": .optional(left), "right": .optional(right)])
    }
}

extension SchemaDiff {
    /// The differences, one per object: a table that exists on one side only is one entry (its
    /// columns, keys and indexes are not listed again), and an object dropped and created again
    /// under the same name is one `changed` entry.
    public var differences: [SchemaDifference] {
        let describer = SchemaDescriber()
        let created = Set(changes.compactMap { change -> String? in if case .createTable(let t) = change { return t.name } else { return nil } })
        let dropped = Set(changes.compactMap { change -> String? in if case .dropTable(let t) = change { return t.name } else { return nil } })
        var result: [SchemaDifference] = []
        var positions: [String: Int] = [:]
        func record(_ object: String, _ name: String, left: String?, right: String?) {
            let key = object + "\u{1}" + name
            if let position = positions[key] {
                if left != nil { result[position].left = left }
                if right != nil { result[position].right = right }
                result[position].kind = result[position].left == nil ? "added" : (result[position].right == nil ? "removed" : "changed")
                return
            }
            positions[key] = result.count
            result.append(SchemaDifference(kind: left == nil ? "added" : (right == nil ? "removed" : "changed"), object: object, name: name, left: left, right: right))
        }
        func owned(_ table: String) -> Bool { created.contains(table) || dropped.contains(table) }
        for change in changes {
            switch change {
            case .createExtension(let ext): record("extension", ext.name, left: nil, right: ext.name)
            case .dropExtension(let ext): record("extension", ext.name, left: ext.name, right: nil)
            case .createEnum(let type): record("enum", type.name, left: nil, right: describer.describe(type))
            case .dropEnum(let type): record("enum", type.name, left: describer.describe(type), right: nil)
            case .addEnumValue(let name, _, _):
                record(
                    "enum", name, left: source.enums.first { $0.name == name }.map(describer.describe),
                    right: target.enums.first { $0.name == name }.map(describer.describe))
            case .alterEnum(let old, let new): record("enum", new.name, left: describer.describe(old), right: describer.describe(new))
            case .createSequence(let sequence): record("sequence", sequence.name, left: nil, right: describer.describe(sequence))
            case .dropSequence(let sequence): record("sequence", sequence.name, left: describer.describe(sequence), right: nil)
            case .alterSequence(let old, let new): record("sequence", new.name, left: describer.describe(old), right: describer.describe(new))
            case .createTable(let table): record("table", table.name, left: nil, right: describer.describe(target.table(table.name) ?? table))
            case .dropTable(let table): record("table", table.name, left: describer.describe(table), right: nil)
            case .addColumn(let table, let column): record("column", "\(table).\(column.name)", left: nil, right: describer.describe(column))
            case .dropColumn(let table, let column): record("column", "\(table).\(column.name)", left: describer.describe(column), right: nil)
            case .alterColumn(let table, let old, let new):
                record("column", "\(table).\(new.name)", left: describer.describe(old), right: describer.describe(new))
            case .alterTableOptions(let table, let old, let new):
                record("table_options", table, left: old.joined(separator: ", "), right: new.joined(separator: ", "))
            case .addPrimaryKey(let table, let key) where !owned(table):
                record("primary_key", "\(table).\(key.name ?? "primary key")", left: nil, right: describer.describe(key))
            case .dropPrimaryKey(let table, let key) where !owned(table):
                record("primary_key", "\(table).\(key.name ?? "primary key")", left: describer.describe(key), right: nil)
            case .addUnique(let table, let unique) where !owned(table):
                record("unique", "\(table).\(unique.name ?? "(" + unique.columns.joined(separator: ", ") + ")")", left: nil, right: describer.describe(unique))
            case .dropUnique(let table, let unique) where !owned(table):
                record("unique", "\(table).\(unique.name ?? "(" + unique.columns.joined(separator: ", ") + ")")", left: describer.describe(unique), right: nil)
            case .addCheck(let table, let check) where !owned(table):
                record("check", "\(table).\(check.name ?? check.expression)", left: nil, right: describer.describe(check))
            case .dropCheck(let table, let check) where !owned(table):
                record("check", "\(table).\(check.name ?? check.expression)", left: describer.describe(check), right: nil)
            case .addForeignKey(let table, let key) where !owned(table):
                record("foreign_key", "\(table).\(key.name ?? key.signature)", left: nil, right: describer.describe(key))
            case .dropForeignKey(let table, let key) where !owned(table):
                record("foreign_key", "\(table).\(key.name ?? key.signature)", left: describer.describe(key), right: nil)
            case .createIndex(let index) where !owned(index.table):
                record("index", "\(index.table).\(index.name)", left: nil, right: describer.describe(index))
            case .dropIndex(let index) where !owned(index.table):
                record("index", "\(index.table).\(index.name)", left: describer.describe(index), right: nil)
            case .createView(let view): record("view", view.name, left: nil, right: describer.describe(view))
            case .dropView(let view): record("view", view.name, left: describer.describe(view), right: nil)
            case .createTrigger(let trigger) where !owned(trigger.table):
                record("trigger", "\(trigger.table).\(trigger.name)", left: nil, right: trigger.definition)
            case .dropTrigger(let trigger) where !owned(trigger.table):
                record("trigger", "\(trigger.table).\(trigger.name)", left: trigger.definition, right: nil)
            default: break
            }
        }
        // The triggers of a view created again are dropped and created as they were: no difference.
        return result.filter { $0.object != "trigger" || $0.left != $0.right }
    }
}

extension Schema {
    /// The first 12 hex characters of a SHA-256 over the schema's canonical description: equal
    /// schemas (as `SchemaDiff` compares them, column order aside) have equal fingerprints.
    public var fingerprint: String {
        String(Checksum.sha256(canonicalDescription).prefix(12))
    }

    /// One line per object, sorted: the text the fingerprint is made of.
    public var canonicalDescription: String {
        let describer = SchemaDescriber()
        var lines: [String] = []
        lines += extensions.map { "extension \($0.name)" }
        lines += enums.map { "enum \($0.name) \(describer.describe($0))" }
        lines += sequences.map { "sequence \($0.name) \(describer.describe($0))" }
        for table in tables {
            lines.append("table \(table.name) \(table.options.joined(separator: ", "))")
            lines += table.columns.sorted { $0.name < $1.name }.map { "column \(table.name).\($0.name) \(describer.describe($0))" }
            if let key = table.primaryKey { lines.append("primary_key \(table.name) \(describer.describe(key))") }
            lines += table.uniques.map { "unique \(table.name) \(describer.describe($0))" }
            lines += table.checks.map { "check \(table.name) \(describer.describe($0))" }
            lines += table.foreignKeys.map { "foreign_key \(table.name) \(describer.describe($0))" }
            lines += table.indexes.map { "index \(table.name).\($0.name) \(describer.describe($0))" }
        }
        lines += views.map { "view \($0.name) \(describer.describe($0))" }
        lines += triggers.map { "trigger \($0.table).\($0.name) \($0.definition)" }
        return lines.joined(separator: "\n")
    }
}

/// Short SQL-like descriptions of schema objects, for `diff` and fingerprints.
struct SchemaDescriber {
    func describe(_ column: Column) -> String {
        var text = column.type
        if let collation = column.collation { text += " COLLATE \(collation)" }
        switch column.identity {
        case .always?: text += " GENERATED ALWAYS AS IDENTITY"
        case .byDefault?: text += " GENERATED BY DEFAULT AS IDENTITY"
        case .serial?: text += " (serial)"
        case .autoincrement?: text += " PRIMARY KEY AUTOINCREMENT"
        case nil: break
        }
        if let generated = column.generated { text += " GENERATED ALWAYS AS (\(generated.expression))\(generated.isStored ? " STORED" : "")" }
        if !column.isNullable { text += " NOT NULL" }
        if let value = column.defaultValue { text += " DEFAULT \(value)" }
        return text
    }

    func describe(_ table: Table) -> String {
        "(" + table.columns.map { "\($0.name) \(describe($0))" }.joined(separator: ", ") + ")"
    }

    func describe(_ key: PrimaryKey) -> String { "PRIMARY KEY (\(key.columns.joined(separator: ", ")))" }

    func describe(_ unique: UniqueConstraint) -> String {
        "UNIQUE (\(unique.columns.joined(separator: ", ")))" + (unique.deferrable.map { " " + $0 } ?? "")
    }

    func describe(_ check: CheckConstraint) -> String { "CHECK (\(check.expression))" }

    func describe(_ key: ForeignKey) -> String {
        var text = "FOREIGN KEY (\(key.columns.joined(separator: ", "))) REFERENCES "
        text += (key.referencedSchema.map { $0 + "." } ?? "") + key.referencedTable + " (\(key.referencedColumns.joined(separator: ", ")))"
        if key.onUpdate != .noAction { text += " ON UPDATE \(key.onUpdate.rawValue)" }
        if key.onDelete != .noAction { text += " ON DELETE \(key.onDelete.rawValue)" }
        if let deferrable = key.deferrable { text += " " + deferrable }
        return text
    }

    func describe(_ index: TableIndex) -> String {
        var text = "\(index.isUnique ? "UNIQUE " : "")INDEX ON \(index.table)"
        if let method = index.method { text += " USING \(method)" }
        text += " (\(index.keys.joined(separator: ", ")))"
        if !index.include.isEmpty { text += " INCLUDE (\(index.include.joined(separator: ", ")))" }
        if let predicate = index.predicate { text += " WHERE \(predicate)" }
        return text
    }

    func describe(_ view: View) -> String { (view.isMaterialized ? "MATERIALIZED " : "") + view.definition }

    func describe(_ type: EnumType) -> String {
        "(" + type.values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ") + ")"
    }

    func describe(_ sequence: SchemaSequence) -> String {
        "AS \(sequence.type) INCREMENT BY \(sequence.increment) MINVALUE \(sequence.minValue) MAXVALUE \(sequence.maxValue) START WITH \(sequence.start) CACHE \(sequence.cache)\(sequence.cycles ? " CYCLE" : "")"
    }
}
