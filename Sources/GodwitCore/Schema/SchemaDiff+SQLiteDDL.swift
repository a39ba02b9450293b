import Foundation

/// The SQLite DDL of a diff: `ALTER TABLE` where SQLite can, a rebuild of the table where it cannot.
extension DDLWriter {
    /// Whether a new column can be added with `ALTER TABLE … ADD COLUMN` (SQLite's rules).
    static func isAddableInPlace(_ column: Column) -> Bool {
        if column.identity != nil || column.generated?.isStored == true { return false }
        if let value = column.defaultValue {
            guard SQLText.isSQLiteLiteral(value) else { return false }
            if value.lowercased().hasPrefix("current_") { return false }
            if !column.isNullable && value.lowercased() == "null" { return false }
        } else if !column.isNullable {
            return false
        }
        return true
    }

    mutating func writeSQLite() {
        for note in diff.notes { todo(note) }
        var rebuilt: [String] = []
        var addedInPlace: [String: [Column]] = [:]
        var createdTables: Set<String> = []
        var droppedTables: Set<String> = []
        for change in diff.changes {
            switch change {
            case .createTable(let table): createdTables.insert(table.name)
            case .dropTable(let table): droppedTables.insert(table.name)
            case .addColumn(let table, let column) where Self.isAddableInPlace(column):
                addedInPlace[table, default: []].append(column)
            case .addColumn(let table, _), .dropColumn(let table, _), .alterColumn(let table, _, _), .alterTableOptions(let table, _, _),
                .addPrimaryKey(let table, _), .dropPrimaryKey(let table, _), .addUnique(let table, _), .dropUnique(let table, _),
                .addCheck(let table, _), .dropCheck(let table, _), .addForeignKey(let table, _), .dropForeignKey(let table, _):
                if !createdTables.contains(table) && !droppedTables.contains(table) && !rebuilt.contains(table) { rebuilt.append(table) }
            default: break
            }
        }
        let rebuiltSet = Set(rebuilt)
        for table in rebuilt { addedInPlace[table] = nil }

        // Views on a rebuilt table must go while it is rebuilt: SQLite checks them on rename.
        var viewsToDrop = diff.changes.compactMap { change -> View? in if case .dropView(let view) = change { return view } else { return nil } }
        var viewsToCreate = diff.changes.compactMap { change -> View? in if case .createView(let view) = change { return view } else { return nil } }
        if !rebuilt.isEmpty {
            for view in diff.source.views where !viewsToDrop.contains(view) && diff.target.views.contains(view) {
                if rebuilt.contains(where: { SQLText.mentions(view.definition, $0) }) {
                    viewsToDrop.append(view)
                    viewsToCreate.append(view)
                }
            }
            viewsToDrop = SchemaDiff.viewOrder(viewsToDrop).reversed()
            viewsToCreate = SchemaDiff.viewOrder(viewsToCreate)
        }

        // Triggers: a rebuilt table's own come back in `rebuild`; those of other tables (or views)
        // that mention a rebuilt table, and those of a view dropped for the rebuild, are dropped
        // first and created again at the end (SQLite checks them on rename, and DROP VIEW drops them).
        var triggersToDrop = diff.changes.compactMap { change -> Trigger? in
            guard case .dropTrigger(let trigger) = change, !rebuiltSet.contains(trigger.table), !droppedTables.contains(trigger.table) else { return nil }
            return trigger
        }
        var triggersToCreate = diff.changes.compactMap { change -> Trigger? in
            guard case .createTrigger(let trigger) = change, !rebuiltSet.contains(trigger.table) else { return nil }
            return trigger
        }
        if !rebuilt.isEmpty {
            let droppedViews = Set(viewsToDrop.map(\.name))
            for trigger in diff.source.triggers where diff.target.triggers.contains(trigger) && !rebuiltSet.contains(trigger.table) {
                guard droppedViews.contains(trigger.table) || rebuilt.contains(where: { SQLText.mentions(trigger.definition, $0) }) else { continue }
                if !triggersToDrop.contains(trigger) { triggersToDrop.append(trigger) }
                if !triggersToCreate.contains(trigger) { triggersToCreate.append(trigger) }
            }
        }
        for trigger in triggersToDrop { statement("DROP TRIGGER \(q(trigger.name))") }
        for view in viewsToDrop { statement(dropView(view)) }
        for change in diff.changes {
            if case .dropIndex(let index) = change, !rebuiltSet.contains(index.table), !droppedTables.contains(index.table) {
                statement("DROP INDEX \(q(index.name))")
            }
        }
        for change in diff.changes {
            if case .dropTable(let table) = change {
                warn("drops table \"\(table.name)\" and every row in it")
                statement("DROP TABLE \(q(table.name))")
            }
        }
        for change in diff.changes {
            switch change {
            case .createTable(let table):
                statement(createTable(diff.target.table(table.name) ?? table, foreignKeys: true))
            case .createExtension, .dropExtension, .createEnum, .dropEnum, .addEnumValue, .alterEnum, .createSequence,
                .dropSequence, .alterSequence:
                todo("SQLite has no \(change): skipped")
            default: break
            }
        }
        for table in diff.target.tables {
            if let columns = addedInPlace[table.name] {
                for column in columns { statement("ALTER TABLE \(q(table.name)) ADD COLUMN \(self.column(column))") }
            }
            if rebuiltSet.contains(table.name), let old = diff.source.table(table.name) {
                rebuild(old, into: table)
            }
        }
        for change in diff.changes {
            if case .createIndex(let index) = change, !rebuiltSet.contains(index.table) { statement(createIndex(index)) }
        }
        for view in viewsToCreate { statement(createView(view)) }
        for trigger in triggersToCreate { statement(trigger.definition) }
    }

    /// SQLite's table rebuild (https://www.sqlite.org/lang_altertable.html#otheralter): a new
    /// table with the target definition, the rows copied, the old table dropped, the new one
    /// renamed, its indexes and triggers created again. Runs inside the revision's transaction; Godwit's
    /// SQLite connections keep foreign key enforcement off, so no row of another table is touched.
    mutating func rebuild(_ old: Table, into new: Table) {
        let temporary = new.name + "__godwit_new"
        lines.append("-- \"\(new.name)\" is rebuilt (SQLite cannot ALTER it in place): new table, rows copied, old table dropped, new one renamed")
        for column in old.columns where new.column(column.name) == nil {
            warn("drops column \"\(new.name)\".\"\(column.name)\" and its values")
        }
        statement(createTable(new, name: temporary, foreignKeys: true))
        var targets: [String] = []
        var sources: [String] = []
        for column in new.columns where column.generated == nil {
            guard let before = old.column(column.name), before.generated == nil else { continue }
            targets.append(q(column.name))
            if before.isNullable && !column.isNullable, let value = column.defaultValue {
                sources.append("COALESCE(\(q(column.name)), \(value))")
            } else {
                sources.append(q(column.name))
            }
        }
        if !targets.isEmpty {
            statement("INSERT INTO \(q(temporary)) (\(targets.joined(separator: ", "))) SELECT \(sources.joined(separator: ", ")) FROM \(q(old.name))")
        }
        statement("DROP TABLE \(q(old.name))")
        statement("ALTER TABLE \(q(temporary)) RENAME TO \(q(new.name))")
        for index in new.indexes { statement(createIndex(index)) }
        for trigger in diff.target.triggers(on: new.name) { statement(trigger.definition) }
    }
}
