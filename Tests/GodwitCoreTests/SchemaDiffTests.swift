import GodwitCore
import Testing

/// The schema diff and its DDL on literal models: no database.
@Suite struct SchemaDiffTests {
    static let users = Table(
        name: "users",
        columns: [Column(name: "id", type: "bigint", isNullable: false), Column(name: "email", type: "text", isNullable: false)],
        primaryKey: PrimaryKey(name: "users_pkey", columns: ["id"]),
        uniques: [UniqueConstraint(name: "users_email_key", columns: ["email"])])
    static let orders = Table(
        name: "orders",
        columns: [
            Column(name: "id", type: "bigint", isNullable: false),
            Column(name: "user_id", type: "bigint", isNullable: false),
            Column(name: "status", type: "order_status", isNullable: false, defaultValue: "'placed'::order_status"),
        ],
        primaryKey: PrimaryKey(name: "orders_pkey", columns: ["id"]),
        foreignKeys: [
            ForeignKey(name: "orders_user_id_fkey", columns: ["user_id"], referencedTable: "users", referencedColumns: ["id"], onDelete: .cascade)
        ],
        indexes: [TableIndex(name: "orders_user_idx", table: "orders", method: "btree", keys: ["user_id"])])
    static let shop = Schema(
        tables: [orders, users], views: [View(name: "big_orders", definition: "SELECT id FROM orders")],
        enums: [EnumType(name: "order_status", values: ["placed", "shipped"])], extensions: [Extension(name: "pg_trgm")])

    func kinds(_ changes: [SchemaChange]) -> [String] {
        changes.map { change in
            switch change {
            case .createExtension: return "createExtension"
            case .dropExtension: return "dropExtension"
            case .createEnum: return "createEnum"
            case .dropEnum: return "dropEnum"
            case .addEnumValue(_, let value, _): return "addEnumValue \(value)"
            case .alterEnum: return "alterEnum"
            case .createTable(let table): return "createTable \(table.name)"
            case .dropTable(let table): return "dropTable \(table.name)"
            case .addForeignKey(let table, _): return "addForeignKey \(table)"
            case .dropForeignKey(let table, _): return "dropForeignKey \(table)"
            case .createIndex(let index): return "createIndex \(index.name)"
            case .dropIndex(let index): return "dropIndex \(index.name)"
            case .createView(let view): return "createView \(view.name)"
            case .dropView(let view): return "dropView \(view.name)"
            default: return "\(change)"
            }
        }
    }

    @Test func fromEmptyTypesComeBeforeTablesAndTablesBeforeKeysIndexesAndViews() {
        let diff = SchemaDiff(from: Schema(), to: Self.shop)
        #expect(
            kinds(diff.changes) == [
                "createExtension", "createEnum", "createTable users", "createTable orders", "addForeignKey orders",
                "createIndex orders_user_idx", "createView big_orders",
            ])
        // The created table carries no foreign key: it is added after every table exists.
        if case .createTable(let table) = diff.changes[3] { #expect(table.foreignKeys.isEmpty && table.indexes.isEmpty) }
    }

    @Test func toEmptyDropsInReverseDependencyOrder() {
        let diff = SchemaDiff(from: Self.shop, to: Schema())
        #expect(kinds(diff.changes) == ["dropView big_orders", "dropTable orders", "dropTable users", "dropEnum", "dropExtension"])
    }

    @Test func equalSchemasHaveNoChangesAndEqualFingerprints() {
        #expect(SchemaDiff(from: Self.shop, to: Self.shop).isEmpty)
        var reordered = Self.shop
        reordered.tables[0].columns.reverse()
        #expect(SchemaDiff(from: Self.shop, to: reordered).isEmpty, "column order is not compared")
        #expect(Self.shop.fingerprint == reordered.fingerprint)
        #expect(Self.shop.fingerprint.count == 12)
        #expect(Schema().fingerprint == "e3b0c44298fc")
        var other = Self.shop
        other.tables[1].columns[1].isNullable = true
        #expect(other.fingerprint != Self.shop.fingerprint)
    }

    @Test func aForeignKeyCycleAmongDroppedTablesIsBrokenFirst() {
        let a = Table(
            name: "a", columns: [Column(name: "b_id", type: "integer")],
            foreignKeys: [ForeignKey(name: "a_b", columns: ["b_id"], referencedTable: "b", referencedColumns: ["id"])])
        let b = Table(
            name: "b", columns: [Column(name: "id", type: "integer"), Column(name: "a_id", type: "integer")],
            foreignKeys: [ForeignKey(name: "b_a", columns: ["a_id"], referencedTable: "a", referencedColumns: ["b_id"])])
        let changes = kinds(SchemaDiff(from: Schema(tables: [a, b]), to: Schema()).changes)
        #expect(changes.filter { $0.hasPrefix("dropForeignKey") }.count == 1)
        #expect(changes.firstIndex { $0.hasPrefix("dropForeignKey") }! < changes.firstIndex { $0.hasPrefix("dropTable") }!)
    }

    @Test(arguments: [
        (["a", "b"], ["a", "b", "c"], ["addEnumValue c"]),
        (["a", "c"], ["a", "b", "c"], ["addEnumValue b"]),
        (["a", "b", "c"], ["a", "c"], ["alterEnum"]),
        (["a", "b"], ["b", "a"], ["alterEnum"]),
    ])
    func enumLabels(old: [String], new: [String], expected: [String]) {
        let diff = SchemaDiff(from: Schema(enums: [EnumType(name: "e", values: old)]), to: Schema(enums: [EnumType(name: "e", values: new)]))
        #expect(kinds(diff.changes) == expected)
    }

    @Test func anEnumLabelInTheMiddleGoesBeforeItsSuccessor() {
        let diff = SchemaDiff(from: Schema(enums: [EnumType(name: "e", values: ["a", "c"])]), to: Schema(enums: [EnumType(name: "e", values: ["a", "b", "c"])]))
        #expect(diff.ddl(.postgresql) == "ALTER TYPE \"e\" ADD VALUE 'b' BEFORE 'c';\n")
        let removed = SchemaDiff(from: Schema(enums: [EnumType(name: "e", values: ["a", "c"])]), to: Schema(enums: [EnumType(name: "e", values: ["a"])]))
        #expect(removed.ddl(.postgresql).hasPrefix("-- TODO: enum type \"e\""))
    }

    @Test func postgresColumnChanges() {
        var changed = Self.users
        changed.columns[1] = Column(name: "email", type: "character varying(320)", isNullable: true, defaultValue: "''::character varying")
        changed.columns[0].type = "bigint"
        let ddl = SchemaDiff(from: Schema(tables: [Self.users]), to: Schema(tables: [changed])).ddl(.postgresql)
        #expect(ddl.contains("-- TODO: column \"users\".\"email\" changes type from text to character varying(320)"))
        #expect(ddl.contains("-- ALTER TABLE \"users\" ALTER COLUMN \"email\" TYPE character varying(320) USING \"email\"::character varying(320);"))
        #expect(ddl.contains("ALTER TABLE \"users\" ALTER COLUMN \"email\" SET DEFAULT ''::character varying;"))
        #expect(ddl.contains("ALTER TABLE \"users\" ALTER COLUMN \"email\" DROP NOT NULL;"))

        var wider = Self.users
        wider.columns[0].type = "integer"
        let widen = SchemaDiff(from: Schema(tables: [wider]), to: Schema(tables: [Self.users])).ddl(.postgresql)
        #expect(widen == "ALTER TABLE \"users\" ALTER COLUMN \"id\" TYPE bigint;\n", "integer to bigint needs no cast")
        let narrow = SchemaDiff(from: Schema(tables: [Self.users]), to: Schema(tables: [wider])).ddl(.postgresql)
        #expect(narrow.hasPrefix("-- TODO: column \"users\".\"id\" changes type from bigint to integer"))
    }

    @Test func dropsAreWrittenAndMarked() {
        var fewer = Self.users
        fewer.columns.removeLast()
        fewer.uniques = []
        for dialect in [SQLDialect.postgresql, .sqlite] {
            let ddl = SchemaDiff(from: Schema(tables: [Self.users]), to: Schema(tables: [fewer])).ddl(dialect)
            #expect(ddl.contains("-- WARNING: drops column \"users\".\"email\" and its values"), "\(dialect)\n\(ddl)")
        }
        let table = SchemaDiff(from: Schema(tables: [Self.users]), to: Schema()).ddl(.postgresql)
        #expect(table == "-- WARNING: drops table \"users\" and every row in it\nDROP TABLE \"users\";\n")
    }

    @Test func aLikelyRenameIsATodo() {
        var renamed = Self.users
        renamed.name = "accounts"
        let diff = SchemaDiff(from: Schema(tables: [Self.users]), to: Schema(tables: [renamed]))
        #expect(diff.notes.count == 1)
        #expect(diff.ddl(.postgresql).hasPrefix("-- TODO: table \"users\" is dropped and \"accounts\" created with the same columns"))

        var column = Self.users
        column.columns[1].name = "mail"
        column.uniques = [UniqueConstraint(name: "users_email_key", columns: ["mail"])]
        let columnDiff = SchemaDiff(from: Schema(tables: [Self.users]), to: Schema(tables: [column]))
        #expect(columnDiff.ddl(.postgresql).contains("RENAME COLUMN \"email\" TO \"mail\""))

        var index = Self.orders
        index.indexes[0].name = "orders_by_user"
        let indexDiff = SchemaDiff(from: Schema(tables: [Self.orders]), to: Schema(tables: [index]))
        #expect(indexDiff.notes.count == 1 && indexDiff.notes[0].contains("ALTER INDEX \"orders_user_idx\" RENAME TO \"orders_by_user\""))
    }

    @Test func sqliteRebuildsWhatAlterTableCannotDo() {
        let before = Table(
            name: "t", columns: [Column(name: "id", type: "INTEGER"), Column(name: "n", type: "TEXT")], primaryKey: PrimaryKey(columns: ["id"]),
            indexes: [TableIndex(name: "t_n", table: "t", keys: ["\"n\""])])
        var after = before
        after.columns[1] = Column(name: "n", type: "TEXT", isNullable: false, defaultValue: "''")
        let ddl = SchemaDiff(from: Schema(tables: [before]), to: Schema(tables: [after])).ddl(.sqlite)
        #expect(
            ddl == """
                -- "t" is rebuilt (SQLite cannot ALTER it in place): new table, rows copied, old table dropped, new one renamed
                CREATE TABLE "t__godwit_new" (
                    "id" INTEGER,
                    "n" TEXT NOT NULL DEFAULT '',
                    PRIMARY KEY ("id")
                );
                INSERT INTO "t__godwit_new" ("id", "n") SELECT "id", COALESCE("n", '') FROM "t";
                DROP TABLE "t";
                ALTER TABLE "t__godwit_new" RENAME TO "t";
                CREATE INDEX "t_n" ON "t" ("n");

                """)
        var added = before
        added.columns.append(Column(name: "note", type: "TEXT"))
        #expect(SchemaDiff(from: Schema(tables: [before]), to: Schema(tables: [added])).ddl(.sqlite) == "ALTER TABLE \"t\" ADD COLUMN \"note\" TEXT;\n")
    }

    @Test func differencesNameEachObjectOnce() {
        var live = Self.shop
        live.tables[1].indexes.append(TableIndex(name: "users_email_lower", table: "users", method: "btree", keys: ["lower(email)"]))
        live.tables[1].columns[1].isNullable = true
        let differences = SchemaDiff(from: Self.shop, to: live).differences
        #expect(
            differences == [
                SchemaDifference(kind: "changed", object: "column", name: "users.email", left: "text NOT NULL", right: "text"),
                SchemaDifference(
                    kind: "added", object: "index", name: "users.users_email_lower", left: nil, right: "INDEX ON users USING btree (lower(email))"),
            ])
        #expect(differences[1].json == .object(["kind": .string("added"), "object": .string("index"), "name": .string("users.users_email_lower"), "left": .null, "right": .string("INDEX ON users USING btree (lower(email))")]))
        let whole = SchemaDiff(from: Schema(), to: Self.shop).differences
        #expect(whole.map(\.object) == ["extension", "enum", "table", "table", "view"], "a new table's keys and indexes are not listed again")
    }
}
