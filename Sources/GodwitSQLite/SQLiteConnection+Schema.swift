import GodwitCore

extension SQLiteConnection: SchemaReader {
    /// Reads the database's tables, views and triggers from `sqlite_schema` and the `pragma_*` table
    /// functions; what SQLite keeps only as text (checks, generated columns, collations,
    /// `AUTOINCREMENT`, index expressions and predicates, view bodies) is read from the stored
    /// `CREATE` statements and written in one canonical spelling. `schema` is ignored; tables
    /// starting with `sqlite_` or `excludingPrefix` are left out, with their indexes.
    /// - Throws: `DatabaseError`.
    public func readSchema(schema: String? = nil, excludingPrefix: String) throws -> Schema {
        let objects = try query(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name")
        func isExcluded(_ table: String) -> Bool {
            table.lowercased().hasPrefix("sqlite_") || (!excludingPrefix.isEmpty && table.hasPrefix(excludingPrefix))
        }
        var tables: [Table] = []
        var views: [View] = []
        var triggers: [Trigger] = []
        var indexSQL: [String: [(name: String, sql: String)]] = [:]
        for row in objects {
            guard let type = row[0], let name = row[1], let tableName = row[2], !isExcluded(tableName) else { continue }
            if type == "index", let sql = row[3] { indexSQL[tableName, default: []].append((name, sql)) }
        }
        for row in objects {
            guard let type = row[0], let name = row[1], let tableName = row[2], !isExcluded(tableName) else { continue }
            let sql = row[3] ?? ""
            switch type {
            case "table":
                // Virtual tables (and their shadow tables' module) are not modelled.
                if SQLiteTokens.tokenize(sql).prefix(3).contains(where: { $0.isWord("virtual") }) { continue }
                tables.append(try readTable(name, sql: sql, indexes: indexSQL[name] ?? []))
            case "view":
                let tokens = SQLiteTokens.tokenize(sql)[...]
                if let position = SQLiteTokens.firstWord("as", in: tokens) {
                    views.append(View(name: name, definition: SQLiteTokens.canonical(tokens[(position + 1)...])))
                }
            case "trigger":
                // The statement as written, in canonical spelling: it is also the trigger's DDL.
                triggers.append(Trigger(name: name, table: tableName, definition: SQLiteTokens.canonical(SQLiteTokens.tokenize(sql)[...])))
            default:
                break
            }
        }
        return Schema(tables: tables, views: views, triggers: triggers)
    }

    /// One table: columns from `pragma_table_xinfo`, keys from `pragma_index_list` and
    /// `pragma_foreign_key_list`, the rest from its `CREATE TABLE` text.
    func readTable(_ name: String, sql: String, indexes: [(name: String, sql: String)]) throws -> Table {
        let literal = dialect.literal(name)
        let parsed = CreateTableText(sql)
        var columns: [Column] = []
        var primaryKey: [(Int, String)] = []
        for row in try query("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(\(literal)) ORDER BY cid") {
            guard let columnName = row[0] else { continue }
            let hidden = Int(row[5] ?? "0") ?? 0
            if hidden == 1 { continue }
            let details = parsed.columns[columnName.lowercased()]
            var column = Column(
                name: columnName, type: SQLiteTokens.canonicalType(row[1] ?? ""), isNullable: row[2] == "0",
                defaultValue: row[3].map { SQLiteTokens.canonical(SQLiteTokens.tokenize($0)) })
            column.collation = details?.collation
            if let generated = details?.generated { column.generated = generated }
            if details?.isAutoincrement == true { column.identity = .autoincrement }
            columns.append(column)
            if let position = Int(row[4] ?? "0"), position > 0 { primaryKey.append((position, columnName)) }
        }
        var uniques: [UniqueConstraint] = []
        for row in try query("SELECT name, origin FROM pragma_index_list(\(literal))") where row[1] == "u" {
            guard let indexName = row[0] else { continue }
            let names = try query("SELECT name FROM pragma_index_info(\(dialect.literal(indexName))) ORDER BY seqno").compactMap { $0[0] }
            uniques.append(UniqueConstraint(columns: names))
        }
        var keys: [Int: ForeignKey] = [:]
        for row in try query(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(\(literal)) ORDER BY id, seq")
        {
            guard let id = Int(row[0] ?? ""), let referenced = row[2], let from = row[3] else { continue }
            var key = keys[id] ?? ForeignKey(
                columns: [], referencedTable: referenced, referencedColumns: [],
                onUpdate: ForeignKey.Action(rawValue: row[5] ?? "") ?? .noAction, onDelete: ForeignKey.Action(rawValue: row[6] ?? "") ?? .noAction)
            key.columns.append(from)
            if let to = row[4] { key.referencedColumns.append(to) }
            keys[id] = key
        }
        var foreignKeys: [ForeignKey] = []
        for (_, var key) in keys.sorted(by: { $0.key < $1.key }) {
            if key.referencedColumns.isEmpty {
                // `REFERENCES t` without columns names t's primary key.
                key.referencedColumns = try query(
                    "SELECT name FROM pragma_table_info(\(dialect.literal(key.referencedTable))) WHERE pk > 0 ORDER BY pk"
                ).compactMap { $0[0] }
            }
            key.deferrable = parsed.deferrable[key.columns.map { $0.lowercased() }.joined(separator: ",")]
            foreignKeys.append(key)
        }
        var tableIndexes: [TableIndex] = []
        for (indexName, indexText) in indexes {
            tableIndexes.append(try readIndex(indexName, table: name, sql: indexText))
        }
        return Table(
            name: name, columns: columns,
            primaryKey: primaryKey.isEmpty ? nil : PrimaryKey(columns: primaryKey.sorted { $0.0 < $1.0 }.map(\.1)),
            uniques: uniques, checks: parsed.checks, foreignKeys: foreignKeys, indexes: tableIndexes, options: parsed.options)
    }

    /// One index made by `CREATE INDEX`: column keys from `pragma_index_xinfo`, expression keys
    /// and the predicate from its text.
    func readIndex(_ name: String, table: String, sql: String) throws -> TableIndex {
        let tokens = SQLiteTokens.tokenize(sql)[...]
        let isUnique = tokens.prefix(3).contains { $0.isWord("unique") }
        var items: [ArraySlice<SQLiteToken>] = []
        var predicate: String?
        if let on = SQLiteTokens.firstWord("on", in: tokens),
            let open = tokens[on...].firstIndex(where: { $0.kind == .punctuation && $0.text == "(" })
        {
            let close = SQLiteTokens.closing(tokens, from: open)
            if close > open { items = SQLiteTokens.splitAtCommas(tokens[(open + 1)..<close]) }
            if close + 1 < tokens.endIndex, tokens[close + 1].isWord("where") {
                predicate = SQLiteTokens.canonical(tokens[(close + 2)...])
            }
        }
        var keys: [String] = []
        for row in try query("SELECT seqno, cid, name, \"desc\", coll FROM pragma_index_xinfo(\(dialect.literal(name))) WHERE key = 1 ORDER BY seqno") {
            let position = Int(row[0] ?? "0") ?? 0
            if row[1] == "-2" || row[2] == nil {
                keys.append(position < items.count ? SQLiteTokens.canonical(items[position]) : "?")
                continue
            }
            var key = dialect.quote(row[2] ?? "")
            if let collation = row[4], collation.uppercased() != "BINARY" { key += " COLLATE \(collation.uppercased())" }
            if row[3] == "1" { key += " DESC" }
            keys.append(key)
        }
        return TableIndex(name: name, table: table, isUnique: isUnique, keys: keys, predicate: predicate)
    }
}

/// What a `CREATE TABLE` statement says that SQLite's pragmas do not.
struct CreateTableText {
    /// Per column (by lower-case name): collation, generation, AUTOINCREMENT.
    struct ColumnDetails {
        var collation: String?
        var generated: Column.Generated?
        var isAutoincrement = false
    }

    var columns: [String: ColumnDetails] = [:]
    var checks: [CheckConstraint] = []
    /// `DEFERRABLE …` of foreign keys, by their lower-case columns joined with commas.
    var deferrable: [String: String] = [:]
    /// `WITHOUT ROWID`, `STRICT`.
    var options: [String] = []

    init(_ sql: String) {
        let tokens = SQLiteTokens.tokenize(sql)[...]
        guard let open = tokens.firstIndex(where: { $0.kind == .punctuation && $0.text == "(" }) else { return }
        let close = SQLiteTokens.closing(tokens, from: open)
        guard close > open else { return }
        if close + 1 < tokens.endIndex {
            options = SQLiteTokens.splitAtCommas(tokens[(close + 1)...]).map { part in
                part.map { $0.text.uppercased() }.joined(separator: " ")
            }.filter { !$0.isEmpty && $0 != ";" }
        }
        for item in SQLiteTokens.splitAtCommas(tokens[(open + 1)..<close]) {
            guard let first = item.first else { continue }
            let isTableConstraint = first.kind == .word && ["constraint", "primary", "unique", "check", "foreign"].contains(first.text.lowercased())
            if isTableConstraint {
                readClauses(item, column: nil)
            } else {
                let name = first.text.lowercased()
                columns[name] = ColumnDetails()
                readClauses(item.dropFirst(), column: name)
            }
        }
    }

    /// Reads constraint clauses: of a column (after its name) or of the table.
    mutating func readClauses(_ tokens: ArraySlice<SQLiteToken>, column: String?) {
        var index = tokens.startIndex
        var constraintName: String?
        func group(after position: Int) -> (ArraySlice<SQLiteToken>, Int)? {
            guard let open = tokens[position...].firstIndex(where: { $0.kind == .punctuation && $0.text == "(" }) else { return nil }
            let close = SQLiteTokens.closing(tokens, from: open)
            return (tokens[(open + 1)..<min(close, tokens.endIndex)], close)
        }
        while index < tokens.endIndex {
            let token = tokens[index]
            if token.kind == .punctuation && token.text == "(" {
                index = SQLiteTokens.closing(tokens, from: index) + 1
                continue
            }
            guard token.kind == .word else {
                index += 1
                continue
            }
            switch token.text.lowercased() {
            case "constraint" where index + 1 < tokens.endIndex:
                constraintName = tokens[index + 1].text
                index += 2
                continue
            case "check":
                if let (expression, close) = group(after: index) {
                    checks.append(CheckConstraint(name: constraintName, expression: SQLiteTokens.canonical(expression)))
                    index = close + 1
                    constraintName = nil
                    continue
                }
            case "collate" where column != nil && index + 1 < tokens.endIndex:
                columns[column!]?.collation = tokens[index + 1].text.uppercased()
                index += 2
                continue
            case "as" where column != nil:
                if let (expression, close) = group(after: index) {
                    let isStored = close + 1 < tokens.endIndex && tokens[close + 1].isWord("stored")
                    columns[column!]?.generated = Column.Generated(expression: SQLiteTokens.canonical(expression), isStored: isStored)
                    index = close + 1
                    continue
                }
            case "autoincrement" where column != nil:
                columns[column!]?.isAutoincrement = true
            case "foreign":
                if let (names, close) = group(after: index) {
                    let key = SQLiteTokens.splitAtCommas(names).compactMap { $0.first?.text.lowercased() }.joined(separator: ",")
                    readDeferrable(tokens[min(close + 1, tokens.endIndex)...], key: key)
                    return
                }
            case "references" where column != nil:
                readDeferrable(tokens[(index + 1)...], key: column!)
            default:
                break
            }
            index += 1
        }
    }

    /// Records `DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]` of the foreign key clause in `tokens`.
    mutating func readDeferrable(_ tokens: ArraySlice<SQLiteToken>, key: String) {
        guard let position = tokens.firstIndex(where: { $0.isWord("deferrable") }) else { return }
        if position > tokens.startIndex && tokens[position - 1].isWord("not") { return }
        let rest = tokens[(position + 1)...].prefix(2).map { $0.text.lowercased() }
        deferrable[key] = rest == ["initially", "deferred"] ? "DEFERRABLE INITIALLY DEFERRED" : "DEFERRABLE"
    }
}
