import Foundation

/// The PostgreSQL DDL of a diff.
extension DDLWriter {
    mutating func writePostgres() {
        for note in diff.notes { todo(note) }
        // PostgreSQL refuses to change the type of a column a view reads, or that a trigger names
        // (`UPDATE OF col`, `WHEN`): such views and triggers (unchanged themselves) are dropped
        // first and created again last, with the triggers of those views (DROP VIEW drops them).
        let retypedColumns = diff.changes.compactMap { change -> (table: String, column: String)? in
            if case .alterColumn(let table, let old, let new) = change, old.type != new.type || old.collation != new.collation { return (table, new.name) }
            return nil
        }
        let retyped = Set(retypedColumns.map(\.table))
        let dependentViews = SchemaDiff.viewOrder(
            diff.source.views.filter { view in diff.target.views.contains(view) && retyped.contains { SQLText.mentions(view.definition, $0) } })
        let dependentTriggers = diff.target.triggers.filter { trigger in
            diff.source.triggers.contains(trigger)
                && (dependentViews.contains { $0.name == trigger.table }
                    || retypedColumns.contains { $0.table == trigger.table && SQLText.mentions(trigger.definition, $0.column) })
        }
        // Triggers that go are dropped first of all, before a view they sit on may be.
        for change in diff.changes { if case .dropTrigger(let trigger) = change { statement(dropTrigger(trigger)) } }
        for trigger in dependentTriggers { statement(dropTrigger(trigger)) }
        for view in dependentViews.reversed() { statement(dropView(view)) }
        defer {
            for view in dependentViews { statement(createView(view)) }
            for trigger in dependentTriggers { statement(trigger.definition) }
        }
        for change in diff.changes {
            switch change {
            case .createExtension(let ext): statement("CREATE EXTENSION IF NOT EXISTS \(q(ext.name))")
            case .dropExtension(let ext):
                warn("drops extension \"\(ext.name)\" and what is made of it")
                statement("DROP EXTENSION \(q(ext.name))")
            case .createEnum(let type):
                statement("CREATE TYPE \(q(type.name)) AS ENUM (\(type.values.map { dialect.literal($0) }.joined(separator: ", ")))")
            case .dropEnum(let type): statement("DROP TYPE \(q(type.name))")
            case .addEnumValue(let type, let value, let before):
                statement("ALTER TYPE \(q(type)) ADD VALUE \(dialect.literal(value))" + (before.map { " BEFORE \(dialect.literal($0))" } ?? ""))
            case .alterEnum(let old, let new):
                todo(
                    "enum type \"\(new.name)\" goes from (\(old.values.joined(separator: ", "))) to (\(new.values.joined(separator: ", "))): PostgreSQL cannot remove or reorder enum labels; rename the type, create the new one, ALTER each column using it with USING column::text::\"\(new.name)\", then drop the old type")
            case .createSequence(let sequence): statement(createSequence(sequence))
            case .dropSequence(let sequence): statement("DROP SEQUENCE \(q(sequence.name))")
            case .alterSequence(let old, let new): alterSequence(old, new)
            case .createTable(let table): statement(createTable(table, foreignKeys: false))
            case .dropTable(let table):
                warn("drops table \"\(table.name)\" and every row in it")
                statement("DROP TABLE \(q(table.name))")
            case .addColumn(let table, let column): statement("ALTER TABLE \(q(table)) ADD COLUMN \(self.column(column))")
            case .dropColumn(let table, let column):
                warn("drops column \"\(table)\".\"\(column.name)\" and its values")
                statement("ALTER TABLE \(q(table)) DROP COLUMN \(q(column.name))")
            case .alterColumn(let table, let old, let new): alterColumn(table, old, new)
            case .alterTableOptions(let table, let old, let new):
                todo("table \"\(table)\" options go from [\(old.joined(separator: ", "))] to [\(new.joined(separator: ", "))]: change them by hand")
            case .addPrimaryKey(let table, let key): statement("ALTER TABLE \(q(table)) ADD \(primaryKey(key))")
            case .dropPrimaryKey(let table, let key): dropConstraint(table, key.name, what: "primary key")
            case .addUnique(let table, let constraint): statement("ALTER TABLE \(q(table)) ADD \(unique(constraint))")
            case .dropUnique(let table, let constraint): dropConstraint(table, constraint.name, what: "unique constraint on (\(constraint.columns.joined(separator: ", ")))")
            case .addCheck(let table, let constraint): statement("ALTER TABLE \(q(table)) ADD \(check(constraint))")
            case .dropCheck(let table, let constraint): dropConstraint(table, constraint.name, what: "check (\(constraint.expression))")
            case .addForeignKey(let table, let key): statement("ALTER TABLE \(q(table)) ADD \(foreignKey(key))")
            case .dropForeignKey(let table, let key): dropConstraint(table, key.name, what: "foreign key \(key.signature)")
            case .createIndex(let index): statement(createIndex(index))
            case .dropIndex(let index): statement("DROP INDEX \(q(index.name))")
            case .createView(let view): statement(createView(view))
            case .dropView(let view): statement(dropView(view))
            case .createTrigger(let trigger): statement(trigger.definition)
            case .dropTrigger: break
            }
        }
    }

    func dropTrigger(_ trigger: Trigger) -> String { "DROP TRIGGER \(q(trigger.name)) ON \(q(trigger.table))" }

    mutating func dropConstraint(_ table: String, _ name: String?, what: String) {
        if let name {
            statement("ALTER TABLE \(q(table)) DROP CONSTRAINT \(q(name))")
        } else {
            todo("drop the \(what) of table \"\(table)\": it has no name to drop it by")
        }
    }

    func createSequence(_ sequence: SchemaSequence) -> String {
        "CREATE SEQUENCE \(q(sequence.name)) AS \(sequence.type) INCREMENT BY \(sequence.increment) MINVALUE \(sequence.minValue) MAXVALUE \(sequence.maxValue) START WITH \(sequence.start) CACHE \(sequence.cache)\(sequence.cycles ? " CYCLE" : " NO CYCLE")"
    }

    mutating func alterSequence(_ old: SchemaSequence, _ new: SchemaSequence) {
        var parts: [String] = []
        if old.type != new.type { parts.append("AS \(new.type)") }
        if old.increment != new.increment { parts.append("INCREMENT BY \(new.increment)") }
        if old.minValue != new.minValue { parts.append("MINVALUE \(new.minValue)") }
        if old.maxValue != new.maxValue { parts.append("MAXVALUE \(new.maxValue)") }
        if old.start != new.start { parts.append("START WITH \(new.start)") }
        if old.cache != new.cache { parts.append("CACHE \(new.cache)") }
        if old.cycles != new.cycles { parts.append(new.cycles ? "CYCLE" : "NO CYCLE") }
        statement("ALTER SEQUENCE \(q(new.name)) " + parts.joined(separator: " "))
    }

    mutating func alterColumn(_ table: String, _ old: Column, _ new: Column) {
        let prefix = "ALTER TABLE \(q(table)) ALTER COLUMN \(q(new.name))"
        if old.generated != new.generated {
            if old.generated == nil { warn("column \"\(table)\".\"\(new.name)\" becomes generated: it is dropped with its values and added again") }
            statement("ALTER TABLE \(q(table)) DROP COLUMN \(q(new.name))")
            statement("ALTER TABLE \(q(table)) ADD COLUMN \(column(new))")
            return
        }
        let serialChanges = (old.identity == .serial) != (new.identity == .serial)
        if serialChanges {
            todo(
                "column \"\(table)\".\"\(new.name)\" \(old.identity == .serial ? "is no longer" : "becomes") serial: attach or detach its sequence by hand (CREATE SEQUENCE … OWNED BY, SET DEFAULT nextval(…), setval), or use an identity column")
        }
        let oldIdentity = old.identity == .serial ? nil : old.identity
        let newIdentity = new.identity == .serial ? nil : new.identity
        if oldIdentity != nil && newIdentity == nil { statement("\(prefix) DROP IDENTITY") }
        let typeChanges = old.type != new.type || old.collation != new.collation
        let castIsSafe = typeChanges && (serialChanges ? false : SQLText.isLosslessPostgresTypeChange(from: old.type, to: new.type))
        var defaultDropped = false
        if old.defaultValue != nil && (old.defaultValue != new.defaultValue || (typeChanges && castIsSafe)) {
            statement("\(prefix) DROP DEFAULT")
            defaultDropped = true
        }
        if typeChanges {
            let collate = new.collation.map { " COLLATE \(q($0))" } ?? ""
            if castIsSafe || old.type == new.type {
                statement("\(prefix) TYPE \(new.type)\(collate)")
            } else {
                todo(
                    "column \"\(table)\".\"\(new.name)\" changes type from \(old.type) to \(new.type), which needs a cast that can fail or lose data: check the USING expression, then uncomment")
                lines.append("-- \(prefix) TYPE \(new.type)\(collate) USING \(q(new.name))::\(new.type);")
            }
        }
        if old.isNullable && !new.isNullable { statement("\(prefix) SET NOT NULL") }
        if newIdentity != oldIdentity, let identity = newIdentity {
            let kind = identity == .always ? "ALWAYS" : "BY DEFAULT"
            statement(oldIdentity == nil ? "\(prefix) ADD GENERATED \(kind) AS IDENTITY" : "\(prefix) SET GENERATED \(kind)")
        }
        if let value = new.defaultValue, value != old.defaultValue || defaultDropped {
            statement("\(prefix) SET DEFAULT \(defaultClause(value))")
        }
        if !old.isNullable && new.isNullable { statement("\(prefix) DROP NOT NULL") }
    }
}
