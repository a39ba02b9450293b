import GodwitCore

extension PostgresConnection: SchemaReader {
    /// Reads one schema from `pg_catalog`: expressions, types and view bodies as the server prints
    /// them back (`pg_get_expr`, `format_type`, `pg_get_viewdef`, `pg_get_indexdef`), so that two
    /// databases built by equivalent SQL compare equal. Objects that belong to an extension are
    /// left out (the extension stands for them), and so are the tables starting with
    /// `excludingPrefix`, with their indexes and constraints. A serial column is read as its
    /// integer type with identity `.serial`, its sequence and `nextval` default implied.
    /// - Throws: `DatabaseError`.
    public func readSchema(schema: String?, excludingPrefix: String) throws -> Schema {
        let namespaceRows = try query(
            "SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE nspname = \(schema.map { dialect.literal($0) } ?? "current_schema()")")
        guard let namespaceRow = namespaceRows.first, let oid = namespaceRow[0], let namespace = namespaceRow[1] else { return Schema() }
        func isExcluded(_ table: String) -> Bool { !excludingPrefix.isEmpty && table.hasPrefix(excludingPrefix) }
        func notExtensionMember(_ catalog: String, _ column: String) -> String {
            "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '\(catalog)'::regclass AND e.objid = \(column) AND e.deptype = 'e')"
        }
        func bool(_ text: String?) -> Bool { text == "t" }
        func names(_ text: String?) -> [String] {
            guard let text, !text.isEmpty else { return [] }
            return text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        }

        // Tables.
        var tableNames: [String: String] = [:]
        for row in try query(
            """
            SELECT c.oid, c.relname FROM pg_catalog.pg_class c
            WHERE c.relnamespace = \(oid) AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND \(notExtensionMember("pg_class", "c.oid"))
            """)
        {
            guard let relation = row[0], let name = row[1], !isExcluded(name) else { continue }
            tableNames[relation] = name
        }

        // Columns.
        var columns: [String: [Column]] = [:]
        var hiddenSequences: Set<String> = []
        for row in try query(
            """
            SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_catalog.pg_get_expr(d.adbin, d.adrelid, true), a.attidentity, a.attgenerated,
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END,
                (SELECT s.relname FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_class s ON s.oid = dep.objid
                 WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
                   AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i') AND s.relkind = 'S' ORDER BY s.relname LIMIT 1)
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
            WHERE c.relnamespace = \(oid) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """)
        {
            guard let relation = row[0], tableNames[relation] != nil, let name = row[1], let type = row[2] else { continue }
            var column = Column(name: name, type: type, isNullable: !bool(row[3]), defaultValue: row[4], collation: row[7])
            switch row[5] {
            case "a": column.identity = .always
            case "d": column.identity = .byDefault
            default: break
            }
            if row[6] == "s", let expression = row[4] {
                column.generated = Column.Generated(expression: expression, isStored: true)
                column.defaultValue = nil
            }
            if let sequence = row[8] {
                if column.identity != nil {
                    hiddenSequences.insert(sequence)
                } else if let value = column.defaultValue, value.hasPrefix("nextval("), value.contains(sequence),
                    ["integer", "bigint", "smallint"].contains(type)
                {
                    column.identity = .serial
                    column.defaultValue = nil
                    hiddenSequences.insert(sequence)
                }
            }
            columns[relation, default: []].append(column)
        }

        // Constraints.
        var primaryKeys: [String: PrimaryKey] = [:]
        var uniques: [String: [UniqueConstraint]] = [:]
        var checks: [String: [CheckConstraint]] = [:]
        var foreignKeys: [String: [ForeignKey]] = [:]
        func attributeNames(_ array: String, _ relation: String) -> String {
            """
            pg_catalog.array_to_string(ARRAY(SELECT a.attname FROM unnest(\(array)) WITH ORDINALITY k(n, i)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = \(relation) AND a.attnum = k.n ORDER BY k.i), chr(31))
            """
        }
        for row in try query(
            """
            SELECT con.conrelid, con.conname, con.contype, \(attributeNames("con.conkey", "con.conrelid")),
                fc.relname, fn.nspname, \(attributeNames("con.confkey", "con.confrelid")),
                con.confupdtype, con.confdeltype, con.condeferrable, con.condeferred,
                pg_catalog.pg_get_expr(con.conbin, con.conrelid, true)
            FROM pg_catalog.pg_constraint con
            JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
            LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
            LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE c.relnamespace = \(oid) AND con.contype IN ('p', 'u', 'c', 'f')
            ORDER BY con.conrelid, con.conname
            """)
        {
            guard let relation = row[0], tableNames[relation] != nil, let name = row[1] else { continue }
            let deferrable = bool(row[9]) ? (bool(row[10]) ? "DEFERRABLE INITIALLY DEFERRED" : "DEFERRABLE") : nil
            switch row[2] {
            case "p":
                primaryKeys[relation] = PrimaryKey(name: name, columns: names(row[3]))
            case "u":
                uniques[relation, default: []].append(UniqueConstraint(name: name, columns: names(row[3]), deferrable: deferrable))
            case "c":
                checks[relation, default: []].append(CheckConstraint(name: name, expression: row[11] ?? ""))
            case "f":
                func action(_ code: String?) -> ForeignKey.Action {
                    switch code {
                    case "r": return .restrict
                    case "c": return .cascade
                    case "n": return .setNull
                    case "d": return .setDefault
                    default: return .noAction
                    }
                }
                foreignKeys[relation, default: []].append(
                    ForeignKey(
                        name: name, columns: names(row[3]), referencedSchema: row[5] == namespace ? nil : row[5],
                        referencedTable: row[4] ?? "", referencedColumns: names(row[6]), onUpdate: action(row[7]),
                        onDelete: action(row[8]), deferrable: deferrable))
            default:
                break
            }
        }

        // Indexes that no constraint owns.
        var indexes: [String: [TableIndex]] = [:]
        for row in try query(
            """
            SELECT i.indrelid, ic.relname, i.indisunique, am.amname, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
                pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
            JOIN pg_catalog.pg_am am ON am.oid = ic.relam
            WHERE t.relnamespace = \(oid) AND t.relkind IN ('r', 'p')
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                              WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
            ORDER BY ic.relname
            """)
        {
            guard let relation = row[0], let table = tableNames[relation], let name = row[1], let method = row[3], let definition = row[4]
            else { continue }
            let parts = Self.indexParts(definition, method: method)
            indexes[relation, default: []].append(
                TableIndex(
                    name: name, table: table, isUnique: bool(row[2]), method: method, keys: parts.keys, include: parts.include,
                    predicate: row[5]))
        }

        let tables = tableNames.map { relation, name in
            Table(
                name: name, columns: columns[relation] ?? [], primaryKey: primaryKeys[relation], uniques: uniques[relation] ?? [],
                checks: checks[relation] ?? [], foreignKeys: foreignKeys[relation] ?? [], indexes: indexes[relation] ?? [])
        }

        // Views.
        var views: [View] = []
        for row in try query(
            """
            SELECT c.relname, c.relkind, pg_catalog.pg_get_viewdef(c.oid, true) FROM pg_catalog.pg_class c
            WHERE c.relnamespace = \(oid) AND c.relkind IN ('v', 'm') AND \(notExtensionMember("pg_class", "c.oid"))
            """)
        {
            guard let name = row[0], var definition = row[2] else { continue }
            definition = definition.trimmingWhitespace()
            if definition.hasSuffix(";") { definition.removeLast() }
            views.append(View(name: name, definition: definition, isMaterialized: row[1] == "m"))
        }

        // Sequences that are not a serial's or an identity's.
        var sequences: [SchemaSequence] = []
        for row in try query(
            """
            SELECT c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
            FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
            WHERE c.relnamespace = \(oid) AND \(notExtensionMember("pg_class", "c.oid"))
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
            """)
        {
            guard let name = row[0], !hiddenSequences.contains(name), !isExcluded(name) else { continue }
            sequences.append(
                SchemaSequence(
                    name: name, type: row[1] ?? "bigint", start: row[2] ?? "1", increment: row[3] ?? "1", minValue: row[4] ?? "1",
                    maxValue: row[5] ?? "", cache: row[6] ?? "1", cycles: bool(row[7])))
        }

        // Enum types.
        var labels: [String: [String]] = [:]
        for row in try query(
            """
            SELECT t.typname, e.enumlabel FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
            WHERE t.typnamespace = \(oid) AND \(notExtensionMember("pg_type", "t.oid"))
            ORDER BY t.typname, e.enumsortorder
            """)
        {
            guard let name = row[0], let label = row[1] else { continue }
            labels[name, default: []].append(label)
        }
        let enums = labels.map { EnumType(name: $0.key, values: $0.value) }

        let extensions = try query("SELECT extname FROM pg_catalog.pg_extension WHERE extnamespace = \(oid)").compactMap { $0[0] }.map(Extension.init)

        // Triggers on the tables and views read (not the internal ones of foreign keys).
        var triggers: [Trigger] = []
        for row in try query(
            """
            SELECT t.tgname, c.relname, pg_catalog.pg_get_triggerdef(t.oid, true) FROM pg_catalog.pg_trigger t
            JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = \(oid) AND NOT t.tgisinternal AND \(notExtensionMember("pg_trigger", "t.oid"))
            """)
        {
            guard let name = row[0], let table = row[1], let definition = row[2], !isExcluded(table) else { continue }
            triggers.append(Trigger(name: name, table: table, definition: definition))
        }
        return Schema(tables: tables, views: views, sequences: sequences, enums: enums, extensions: extensions, triggers: triggers)
    }

    /// The key list and `INCLUDE` list of an index, cut out of `pg_get_indexdef`'s text after
    /// `USING <method> (`.
    static func indexParts(_ definition: String, method: String) -> (keys: [String], include: [String]) {
        let bytes = Array(definition.utf8)
        guard let using = definition.range(of: " USING \(method) (") else { return ([definition], []) }
        let open = definition.utf8.distance(from: definition.utf8.startIndex, to: using.upperBound.samePosition(in: definition.utf8)!) - 1
        func group(from start: Int) -> (items: [String], end: Int) {
            var items: [String] = []
            var depth = 0
            var quote: UInt8?
            var itemStart = start + 1
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                    quote = byte
                } else if byte == UInt8(ascii: "(") {
                    depth += 1
                } else if byte == UInt8(ascii: ")") {
                    depth -= 1
                    if depth == 0 {
                        items.append(String(decoding: bytes[itemStart..<index], as: UTF8.self).trimmingWhitespace())
                        return (items, index)
                    }
                } else if byte == UInt8(ascii: ",") && depth == 1 {
                    items.append(String(decoding: bytes[itemStart..<index], as: UTF8.self).trimmingWhitespace())
                    itemStart = index + 1
                }
                index += 1
            }
            return (items, bytes.count)
        }
        let keys = group(from: open)
        let rest = String(decoding: bytes[min(keys.end + 1, bytes.count)...], as: UTF8.self)
        var include: [String] = []
        if rest.hasPrefix(" INCLUDE (") {
            let start = keys.end + 1 + " INCLUDE ".utf8.count
            include = group(from: start).items
        }
        return (keys.items, include)
    }
}

extension String {
    /// The string without leading and trailing white space and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
