/// One step from one schema towards another.
public enum SchemaChange: Sendable, Hashable {
    /// `CREATE EXTENSION`.
    case createExtension(Extension)
    /// `DROP EXTENSION`.
    case dropExtension(Extension)
    /// `CREATE TYPE … AS ENUM`.
    case createEnum(EnumType)
    /// `DROP TYPE` of an enum.
    case dropEnum(EnumType)
    /// A label added to an enum type, before `before` (nil: at the end).
    case addEnumValue(type: String, value: String, before: String?)
    /// Labels removed or reordered: PostgreSQL cannot do that in place.
    case alterEnum(old: EnumType, new: EnumType)
    /// `CREATE SEQUENCE`.
    case createSequence(SchemaSequence)
    /// `DROP SEQUENCE`.
    case dropSequence(SchemaSequence)
    /// A sequence's options changed.
    case alterSequence(old: SchemaSequence, new: SchemaSequence)
    /// A new table with its columns, primary key, unique and check constraints; its foreign keys
    /// and indexes follow as changes of their own.
    case createTable(Table)
    /// A table that goes, with its rows.
    case dropTable(Table)
    /// A new column of an existing table.
    case addColumn(table: String, Column)
    /// A column that goes, with its values.
    case dropColumn(table: String, Column)
    /// A column whose type, nullability, default, identity, generation or collation changed.
    case alterColumn(table: String, old: Column, new: Column)
    /// Table options changed (SQLite `WITHOUT ROWID`, `STRICT`).
    case alterTableOptions(table: String, old: [String], new: [String])
    /// A primary key added to an existing table.
    case addPrimaryKey(table: String, PrimaryKey)
    /// A primary key dropped from a table that stays.
    case dropPrimaryKey(table: String, PrimaryKey)
    /// A unique constraint added.
    case addUnique(table: String, UniqueConstraint)
    /// A unique constraint dropped.
    case dropUnique(table: String, UniqueConstraint)
    /// A check constraint added.
    case addCheck(table: String, CheckConstraint)
    /// A check constraint dropped.
    case dropCheck(table: String, CheckConstraint)
    /// A foreign key added (also those of new tables, once every table exists).
    case addForeignKey(table: String, ForeignKey)
    /// A foreign key dropped.
    case dropForeignKey(table: String, ForeignKey)
    /// `CREATE INDEX`.
    case createIndex(TableIndex)
    /// `DROP INDEX`.
    case dropIndex(TableIndex)
    /// `CREATE VIEW` (or materialized view).
    case createView(View)
    /// `DROP VIEW` (or materialized view).
    case dropView(View)
    /// `CREATE TRIGGER`: also a changed trigger, after its drop, and the triggers of a view
    /// dropped and created again.
    case createTrigger(Trigger)
    /// `DROP TRIGGER`.
    case dropTrigger(Trigger)

    /// The table the change is about, for changes inside a table.
    public var tableName: String? {
        switch self {
        case .createTable(let table), .dropTable(let table): return table.name
        case .addColumn(let table, _), .dropColumn(let table, _), .alterColumn(let table, _, _), .alterTableOptions(let table, _, _),
            .addPrimaryKey(let table, _), .dropPrimaryKey(let table, _), .addUnique(let table, _), .dropUnique(let table, _),
            .addCheck(let table, _), .dropCheck(let table, _), .addForeignKey(let table, _), .dropForeignKey(let table, _):
            return table
        case .createIndex(let index), .dropIndex(let index): return index.table
        case .createTrigger(let trigger), .dropTrigger(let trigger): return trigger.table
        default: return nil
        }
    }
}

/// The ordered changes that turn one schema (`source`) into another (`target`), in dependency
/// order: drops first, dependents before what they depend on (triggers, views, foreign keys,
/// indexes, constraints, columns, tables); then creations, what is depended on first (extensions,
/// enum types, sequences, tables, columns, constraints, foreign keys, indexes, views, triggers); types,
/// sequences and extensions that are gone are dropped last, when nothing uses them any more.
public struct SchemaDiff: Sendable {
    /// The schema the changes start from (the left side of `diff`).
    public let source: Schema
    /// The schema the changes lead to (the right side).
    public let target: Schema
    /// The changes, in the order they must run.
    public let changes: [SchemaChange]
    /// What the diff cannot tell for sure, such as a table dropped and another created with the
    /// same columns (a likely rename): written as `-- TODO` lines above the DDL.
    public let notes: [String]

    /// True when the two schemas are the same.
    public var isEmpty: Bool { changes.isEmpty }

    /// Compares two schemas.
    public init(from source: Schema, to target: Schema) {
        self.source = source
        self.target = target
        var phases = Phases()
        var notes: [String] = []

        // Extensions, enum types and sequences.
        let oldExtensions = Set(source.extensions.map(\.name))
        let newExtensions = Set(target.extensions.map(\.name))
        for ext in target.extensions where !oldExtensions.contains(ext.name) { phases.createTypes.append(.createExtension(ext)) }
        let dropExtensions = source.extensions.filter { !newExtensions.contains($0.name) }.map { SchemaChange.dropExtension($0) }

        let oldEnums = Dictionary(source.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newEnums = Dictionary(target.enums.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for type in target.enums {
            guard let old = oldEnums[type.name] else {
                phases.createTypes.append(.createEnum(type))
                continue
            }
            guard old != type else { continue }
            if let added = Self.addedLabels(from: old.values, to: type.values) {
                for (value, before) in added { phases.createTypes.append(.addEnumValue(type: type.name, value: value, before: before)) }
            } else {
                phases.createTypes.append(.alterEnum(old: old, new: type))
            }
        }
        let dropEnums = source.enums.filter { newEnums[$0.name] == nil }.map { SchemaChange.dropEnum($0) }

        let oldSequences = Dictionary(source.sequences.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newSequences = Dictionary(target.sequences.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for sequence in target.sequences {
            if let old = oldSequences[sequence.name] {
                if old != sequence { phases.createTypes.append(.alterSequence(old: old, new: sequence)) }
            } else {
                phases.createTypes.append(.createSequence(sequence))
            }
        }
        let dropSequences = source.sequences.filter { newSequences[$0.name] == nil }.map { SchemaChange.dropSequence($0) }
        phases.dropTypes = dropSequences + dropEnums + dropExtensions

        // Tables.
        let oldTables = Dictionary(source.tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newTables = Dictionary(target.tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let dropped = source.tables.filter { newTables[$0.name] == nil }
        let created = target.tables.filter { oldTables[$0.name] == nil }

        let dropOrder = Self.dependencyOrder(dropped).reversed()
        var droppedSoFar: Set<String> = []
        for table in dropOrder {
            // A table dropped later that still references this one closes a cycle: drop its key first.
            for other in dropped where other.name != table.name && !droppedSoFar.contains(other.name) {
                for key in other.foreignKeys where key.referencedSchema == nil && key.referencedTable == table.name {
                    phases.dropForeignKeys.append(.dropForeignKey(table: other.name, key))
                }
            }
            phases.dropTables.append(.dropTable(table))
            droppedSoFar.insert(table.name)
        }
        for table in Self.dependencyOrder(created) {
            var bare = table
            bare.foreignKeys = []
            bare.indexes = []
            phases.createTables.append(.createTable(bare))
            for key in table.foreignKeys { phases.addForeignKeys.append(.addForeignKey(table: table.name, key)) }
            for index in table.indexes { phases.createIndexes.append(.createIndex(index)) }
        }
        for table in target.tables {
            guard let old = oldTables[table.name] else { continue }
            Self.compare(old, table, into: &phases, notes: &notes)
        }

        // Views: a changed view is dropped and created again.
        let oldViews = Dictionary(source.views.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newViews = Dictionary(target.views.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let viewsToDrop = source.views.filter { newViews[$0.name] != $0 }
        let viewsToCreate = target.views.filter { oldViews[$0.name] != $0 }
        phases.dropViews = Self.viewOrder(viewsToDrop).reversed().map { .dropView($0) }
        phases.createViews = Self.viewOrder(viewsToCreate).map { .createView($0) }

        // Triggers: a changed one is dropped and created again; so are those of a view that is
        // dropped and created again (dropping a view drops its triggers).
        let recreatedViews = Set(viewsToDrop.map(\.name)).intersection(viewsToCreate.map(\.name))
        let oldTriggers = Dictionary(source.triggers.map { ($0.table + "\u{1}" + $0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newTriggers = Dictionary(target.triggers.map { ($0.table + "\u{1}" + $0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for trigger in source.triggers where newTriggers[trigger.table + "\u{1}" + trigger.name] != trigger || recreatedViews.contains(trigger.table) {
            phases.dropTriggers.append(.dropTrigger(trigger))
        }
        for trigger in target.triggers where oldTriggers[trigger.table + "\u{1}" + trigger.name] != trigger || recreatedViews.contains(trigger.table) {
            phases.createTriggers.append(.createTrigger(trigger))
        }

        // Likely renames.
        for old in dropped {
            for new in created where old.columns.map({ [$0.name, $0.type] }) == new.columns.map({ [$0.name, $0.type] }) {
                notes.append(
                    "table \"\(old.name)\" is dropped and \"\(new.name)\" created with the same columns: if it is a rename, replace both by ALTER TABLE \"\(old.name)\" RENAME TO \"\(new.name)\" to keep the rows")
            }
        }

        changes = phases.all
        self.notes = notes
    }

    /// The changes of a table that exists on both sides.
    static func compare(_ old: Table, _ new: Table, into phases: inout Phases, notes: inout [String]) {
        let name = new.name
        let oldColumns = Dictionary(old.columns.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newColumns = Dictionary(new.columns.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let droppedColumns = old.columns.filter { newColumns[$0.name] == nil }
        let addedColumns = new.columns.filter { oldColumns[$0.name] == nil }
        for column in droppedColumns { phases.dropColumns.append(.dropColumn(table: name, column)) }
        for column in new.columns {
            if let before = oldColumns[column.name] {
                if before != column { phases.alterColumns.append(.alterColumn(table: name, old: before, new: column)) }
            } else {
                phases.alterColumns.append(.addColumn(table: name, column))
            }
        }
        for gone in droppedColumns {
            for added in addedColumns where added.type == gone.type && added.isNullable == gone.isNullable {
                notes.append(
                    "column \"\(name)\".\"\(gone.name)\" is dropped and \"\(added.name)\" added with the same type: if it is a rename, replace both by ALTER TABLE \"\(name)\" RENAME COLUMN \"\(gone.name)\" TO \"\(added.name)\" to keep the values")
            }
        }
        if old.options != new.options {
            phases.alterColumns.append(.alterTableOptions(table: name, old: old.options, new: new.options))
        }
        if old.primaryKey != new.primaryKey {
            if let key = old.primaryKey { phases.dropConstraints.append(.dropPrimaryKey(table: name, key)) }
            if let key = new.primaryKey { phases.addConstraints.append(.addPrimaryKey(table: name, key)) }
        }
        for unique in old.uniques where !new.uniques.contains(unique) { phases.dropConstraints.append(.dropUnique(table: name, unique)) }
        for check in old.checks where !new.checks.contains(check) { phases.dropConstraints.append(.dropCheck(table: name, check)) }
        for unique in new.uniques where !old.uniques.contains(unique) { phases.addConstraints.append(.addUnique(table: name, unique)) }
        for check in new.checks where !old.checks.contains(check) { phases.addConstraints.append(.addCheck(table: name, check)) }
        for key in old.foreignKeys where !new.foreignKeys.contains(key) { phases.dropForeignKeys.append(.dropForeignKey(table: name, key)) }
        for key in new.foreignKeys where !old.foreignKeys.contains(key) { phases.addForeignKeys.append(.addForeignKey(table: name, key)) }
        let oldIndexes = Dictionary(old.indexes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newIndexes = Dictionary(new.indexes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for gone in old.indexes where newIndexes[gone.name] == nil {
            for added in new.indexes where oldIndexes[added.name] == nil {
                var renamed = gone
                renamed.name = added.name
                if renamed == added {
                    notes.append(
                        "index \"\(gone.name)\" is dropped and \"\(added.name)\" created with the same definition: if it is a rename, replace both by ALTER INDEX \"\(gone.name)\" RENAME TO \"\(added.name)\" to skip the rebuild")
                }
            }
        }
        for index in old.indexes where newIndexes[index.name] != index { phases.dropIndexes.append(.dropIndex(index)) }
        for index in new.indexes where oldIndexes[index.name] != index { phases.createIndexes.append(.createIndex(index)) }
    }

    /// The labels added to an enum, each with the label it goes before, when the old labels keep
    /// their order in the new list; nil when a label is gone or moved.
    static func addedLabels(from old: [String], to new: [String]) -> [(String, String?)]? {
        var remaining = old[...]
        for label in new where remaining.first == label { remaining = remaining.dropFirst() }
        guard remaining.isEmpty, Set(old).isSubset(of: Set(new)) else { return nil }
        let known = Set(old)
        var result: [(String, String?)] = []
        for (position, label) in new.enumerated() where !known.contains(label) {
            let before = new[(position + 1)...].first { known.contains($0) }
            result.append((label, before))
        }
        return result
    }

    /// Tables ordered so that a referenced table comes before the tables that reference it
    /// (cycles broken by name).
    static func dependencyOrder(_ tables: [Table]) -> [Table] {
        let byName = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var visited: Set<String> = []
        var onPath: Set<String> = []
        var result: [Table] = []
        func visit(_ table: Table) {
            guard !visited.contains(table.name), !onPath.contains(table.name) else { return }
            onPath.insert(table.name)
            for key in table.foreignKeys.sorted(by: { $0.referencedTable < $1.referencedTable })
            where key.referencedSchema == nil && key.referencedTable != table.name {
                if let referenced = byName[key.referencedTable] { visit(referenced) }
            }
            onPath.remove(table.name)
            visited.insert(table.name)
            result.append(table)
        }
        for table in tables { visit(table) }
        return result
    }

    /// Views ordered so that a view another one mentions comes first.
    static func viewOrder(_ views: [View]) -> [View] {
        var visited: Set<String> = []
        var result: [View] = []
        func visit(_ view: View, depth: Int) {
            guard !visited.contains(view.name), depth < 64 else { return }
            for other in views where other.name != view.name && SQLText.mentions(view.definition, other.name) {
                visit(other, depth: depth + 1)
            }
            visited.insert(view.name)
            result.append(view)
        }
        for view in views { visit(view, depth: 0) }
        return result
    }

    /// The changes gathered by phase, then concatenated in dependency order.
    struct Phases {
        var dropTriggers: [SchemaChange] = []
        var dropViews: [SchemaChange] = []
        var dropForeignKeys: [SchemaChange] = []
        var dropIndexes: [SchemaChange] = []
        var dropConstraints: [SchemaChange] = []
        var dropColumns: [SchemaChange] = []
        var dropTables: [SchemaChange] = []
        var createTypes: [SchemaChange] = []
        var createTables: [SchemaChange] = []
        var alterColumns: [SchemaChange] = []
        var addConstraints: [SchemaChange] = []
        var addForeignKeys: [SchemaChange] = []
        var createIndexes: [SchemaChange] = []
        var createViews: [SchemaChange] = []
        var createTriggers: [SchemaChange] = []
        var dropTypes: [SchemaChange] = []

        var all: [SchemaChange] {
            dropTriggers + dropViews + dropForeignKeys + dropIndexes + dropConstraints + dropColumns + dropTables + createTypes + createTables
                + alterColumns + addConstraints + addForeignKeys + createIndexes + createViews + createTriggers + dropTypes
        }
    }
}

/// Small helpers over SQL text that need no parser.
enum SQLText {
    /// True when `name` occurs in `text` as a whole word (or quoted identifier), case-insensitively.
    static func mentions(_ text: String, _ name: String) -> Bool {
        let haystack = Array(text.lowercased().utf8)
        let needle = Array(name.lowercased().utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f || byte >= 0x80 || byte == 0x24
        }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) {
                let before = start == 0 || !isWordByte(haystack[start - 1])
                let end = start + needle.count
                let after = end == haystack.count || !isWordByte(haystack[end])
                if before && after { return true }
            }
            start += 1
        }
        return false
    }
}
