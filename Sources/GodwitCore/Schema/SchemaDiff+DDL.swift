import Foundation

extension SchemaDiff {
    /// The DDL that turns `source` into `target` in `dialect`, one statement per line (or block),
    /// each ending with `;`. What cannot be done safely is a `-- TODO:` comment with the reason
    /// (a likely rename, a type change that needs a cast, an enum label removed); statements that
    /// destroy data are written, each under a `-- WARNING:` comment. SQLite changes that
    /// `ALTER TABLE` cannot make rebuild the table with its rows copied (SQLite's documented
    /// procedure). Empty when the schemas are equal.
    public func ddl(_ dialect: SQLDialect) -> String {
        var writer = DDLWriter(diff: self, dialect: dialect)
        switch dialect {
        case .postgresql: writer.writePostgres()
        case .sqlite: writer.writeSQLite()
        }
        return writer.text
    }
}

extension Schema {
    /// Godwit's canonical DDL of this schema in `dialect` (`schema dump`): the DDL that builds it
    /// from an empty database, which is the diff from nothing, so it loads back into the same
    /// `Schema`. Stable order: extensions, enum types, sequences; tables by name (a referenced
    /// table first when its foreign keys go inline); then the foreign keys, indexes, views (a view
    /// after those it reads) and triggers. Equal schemas give equal bytes; empty for an empty schema.
    public func ddl(_ dialect: SQLDialect) -> String {
        SchemaDiff(from: Schema(), to: self).ddl(dialect)
    }
}

/// Writes the DDL of a diff.
struct DDLWriter {
    let diff: SchemaDiff
    let dialect: SQLDialect
    var lines: [String] = []

    init(diff: SchemaDiff, dialect: SQLDialect) {
        self.diff = diff
        self.dialect = dialect
    }

    var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    func q(_ name: String) -> String { dialect.quote(name) }
    func list(_ names: [String]) -> String { names.map(q).joined(separator: ", ") }

    mutating func todo(_ text: String) { lines.append("-- TODO: " + text) }
    mutating func warn(_ text: String) { lines.append("-- WARNING: " + text) }
    mutating func statement(_ text: String) { lines.append(text + ";") }

    // MARK: - Shared pieces

    /// `CONSTRAINT "name" ` when there is a name.
    func named(_ name: String?) -> String { name.map { "CONSTRAINT \(q($0)) " } ?? "" }

    func primaryKey(_ key: PrimaryKey) -> String { named(key.name) + "PRIMARY KEY (\(list(key.columns)))" }

    func unique(_ unique: UniqueConstraint) -> String {
        named(unique.name) + "UNIQUE (\(list(unique.columns)))" + (unique.deferrable.map { " " + $0 } ?? "")
    }

    func check(_ check: CheckConstraint) -> String { named(check.name) + "CHECK (\(check.expression))" }

    func foreignKey(_ key: ForeignKey) -> String {
        var text = named(key.name) + "FOREIGN KEY (\(list(key.columns))) REFERENCES "
        if let schema = key.referencedSchema { text += q(schema) + "." }
        text += q(key.referencedTable)
        if !key.referencedColumns.isEmpty { text += " (\(list(key.referencedColumns)))" }
        if key.onUpdate != .noAction { text += " ON UPDATE \(key.onUpdate.rawValue)" }
        if key.onDelete != .noAction { text += " ON DELETE \(key.onDelete.rawValue)" }
        if let deferrable = key.deferrable { text += " " + deferrable }
        return text
    }

    func createIndex(_ index: TableIndex) -> String {
        var text = "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(q(index.name)) ON \(q(index.table))"
        if let method = index.method, dialect == .postgresql { text += " USING \(method)" }
        text += " (\(index.keys.joined(separator: ", ")))"
        if !index.include.isEmpty { text += " INCLUDE (\(index.include.joined(separator: ", ")))" }
        if let predicate = index.predicate { text += " WHERE \(predicate)" }
        return text
    }

    func createView(_ view: View) -> String {
        "CREATE \(view.isMaterialized ? "MATERIALIZED " : "")VIEW \(q(view.name)) AS \(view.definition)"
    }

    func dropView(_ view: View) -> String { "DROP \(view.isMaterialized ? "MATERIALIZED " : "")VIEW \(q(view.name))" }

    /// A default as the dialect accepts it after `DEFAULT`.
    func defaultClause(_ expression: String) -> String {
        switch dialect {
        case .postgresql:
            return SQLText.hasSpaceOutsideQuotes(expression) && !SQLText.isCastLiteral(expression) ? "(\(expression))" : expression
        case .sqlite:
            return SQLText.isSQLiteLiteral(expression) ? expression : "(\(expression))"
        }
    }

    /// A column definition as in CREATE TABLE or ADD COLUMN.
    func column(_ column: Column, table: Table? = nil) -> String {
        switch dialect {
        case .postgresql:
            var type = column.type
            if column.identity == .serial { type = Self.serialType(column.type) }
            var text = "\(q(column.name)) \(type)"
            if let collation = column.collation { text += " COLLATE \(q(collation))" }
            if let generated = column.generated { text += " GENERATED ALWAYS AS (\(generated.expression)) STORED" }
            if column.identity == .always { text += " GENERATED ALWAYS AS IDENTITY" }
            if column.identity == .byDefault { text += " GENERATED BY DEFAULT AS IDENTITY" }
            if let value = column.defaultValue, column.generated == nil { text += " DEFAULT " + defaultClause(value) }
            if !column.isNullable { text += " NOT NULL" }
            return text
        case .sqlite:
            var text = q(column.name) + (column.type.isEmpty ? "" : " " + column.type)
            if column.identity == .autoincrement { text += " PRIMARY KEY AUTOINCREMENT" }
            if !column.isNullable { text += " NOT NULL" }
            if let value = column.defaultValue { text += " DEFAULT " + defaultClause(value) }
            if let collation = column.collation { text += " COLLATE \(collation)" }
            if let generated = column.generated {
                text += " GENERATED ALWAYS AS (\(generated.expression)) \(generated.isStored ? "STORED" : "VIRTUAL")"
            }
            return text
        }
    }

    /// `CREATE TABLE` with columns and constraints; foreign keys inline only when `foreignKeys`.
    func createTable(_ table: Table, name: String? = nil, foreignKeys: Bool) -> String {
        var items = table.columns.map { "    " + column($0, table: table) }
        let autoincrement = table.columns.contains { $0.identity == .autoincrement }
        if let key = table.primaryKey, !autoincrement { items.append("    " + primaryKey(key)) }
        items += table.uniques.map { "    " + unique($0) }
        items += table.checks.map { "    " + check($0) }
        if foreignKeys { items += table.foreignKeys.map { "    " + foreignKey($0) } }
        var text = "CREATE TABLE \(q(name ?? table.name)) (\n" + items.joined(separator: ",\n") + "\n)"
        if !table.options.isEmpty { text += " " + table.options.joined(separator: ", ") }
        return text
    }

    static func serialType(_ type: String) -> String {
        switch type {
        case "bigint": return "bigserial"
        case "smallint": return "smallserial"
        default: return "serial"
        }
    }
}

extension SQLText {
    /// True when `text` holds white space outside quotes (`'…'`, `"…"`).
    static func hasSpaceOutsideQuotes(_ text: String) -> Bool {
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character.isWhitespace {
                return true
            }
        }
        return false
    }

    /// True for a string literal cast to a type, as PostgreSQL prints a default:
    /// `'active'::character varying`, `'{}'::text[]`.
    static func isCastLiteral(_ text: String) -> Bool {
        guard text.first == "'" else { return false }
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            if text[index] == "'" {
                let next = text.index(after: index)
                if next < text.endIndex && text[next] == "'" {
                    index = text.index(after: next)
                    continue
                }
                let rest = text[next...]
                guard rest.hasPrefix("::") else { return false }
                return rest.dropFirst(2).allSatisfy { $0.isLetter || $0.isNumber || " _(),[]".contains($0) }
            }
            index = text.index(after: index)
        }
        return false
    }

    /// True for what SQLite accepts after `DEFAULT` without parentheses: a (signed) number, a
    /// string or blob literal, NULL, TRUE, FALSE, CURRENT_TIME, CURRENT_DATE, CURRENT_TIMESTAMP.
    static func isSQLiteLiteral(_ text: String) -> Bool {
        let lower = text.lowercased()
        if ["null", "true", "false", "current_time", "current_date", "current_timestamp"].contains(lower) { return true }
        if lower.hasPrefix("'") && lower.hasSuffix("'") && lower.count >= 2 {
            // One string literal: every inner quote doubled.
            let inner = lower.dropFirst().dropLast()
            return inner.replacingOccurrences(of: "''", with: "").firstIndex(of: "'") == nil
        }
        if lower.hasPrefix("x'") && lower.hasSuffix("'") { return lower.dropFirst(2).dropLast().allSatisfy(\.isHexDigit) }
        var digits = Substring(lower)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard let first = digits.first, first.isNumber || first == "." else { return false }
        return digits.allSatisfy { $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "e" || $0 == "+" || $0 == "-" || $0 == "_" }
    }

    /// True when PostgreSQL converts `from` into `to` by itself without losing anything: integers
    /// to wider integers or numeric, a longer or unbounded varchar, any type to text.
    static func isLosslessPostgresTypeChange(from: String, to: String) -> Bool {
        if from == to { return true }
        if to == "text" { return !from.hasSuffix("[]") }
        if from == "text" && to == "character varying" { return true }
        let integers = ["smallint": 1, "integer": 2, "bigint": 3]
        if let a = integers[from] {
            if let b = integers[to] { return b >= a }
            return to == "numeric"
        }
        if from == "real" && to == "double precision" { return true }
        // The parameters of `base(…)`: [] for none, nil when `type` is not that base or not integers.
        func parameters(_ type: String, _ base: String) -> [Int]? {
            guard type.hasPrefix(base) else { return nil }
            let rest = type.dropFirst(base.count)
            if rest.isEmpty { return [] }
            guard rest.hasPrefix("("), rest.hasSuffix(")") else { return nil }
            let values = rest.dropFirst().dropLast().split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.contains(nil) else { return nil }
            return values.compactMap { $0 }
        }
        if let a = parameters(from, "character varying"), let b = parameters(to, "character varying") {
            return b.isEmpty || (!a.isEmpty && b[0] >= a[0])
        }
        if parameters(from, "character") != nil && from.hasPrefix("character(") && to == "character varying" { return true }
        if let a = parameters(from, "numeric"), let b = parameters(to, "numeric") {
            if b.isEmpty { return true }
            guard a.count == 2, b.count == 2 else { return false }
            return b[1] >= a[1] && b[0] - b[1] >= a[0] - a[1]
        }
        return false
    }
}
