import Foundation
import GodwitCore
import Testing

@testable import GodwitSQLite

/// Introspection of SQLite databases, and the diff's DDL run against real ones.
@Suite struct SQLiteSchemaTests {
    func read(_ connection: SQLiteConnection) throws -> Schema {
        try connection.readSchema(excludingPrefix: "godwit_")
    }

    /// The schema `sql` makes in a fresh in-memory database.
    func schema(of sql: String) throws -> Schema {
        let connection = try SQLiteConnection(path: nil)
        defer { connection.close() }
        try connection.execute(sql)
        return try read(connection)
    }

    /// Runs generated DDL the way a revision runs: in one transaction.
    func apply(_ ddl: String, to connection: SQLiteConnection) throws {
        try connection.withTransaction { try connection.execute(ddl) }
    }

    @Test func readsColumnsKeysChecksIndexesAndViews() throws {
        let schema = try schema(
            of: """
                CREATE TABLE godwit_revisions (revision TEXT PRIMARY KEY);
                CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, code text collate nocase UNIQUE);
                CREATE TABLE child (
                    "id" integer NOT NULL,
                    parent_id INTEGER REFERENCES parent ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                    amount   DECIMAL(10, 2) DEFAULT -1 CHECK(amount>=-1),
                    label TEXT DEFAULT ('a' || 'b'),
                    twice INTEGER GENERATED ALWAYS AS (amount * 2) VIRTUAL,
                    CONSTRAINT one_label UNIQUE (label, parent_id),
                    CONSTRAINT positive CHECK (id > 0),
                    PRIMARY KEY (id)
                ) WITHOUT ROWID;
                CREATE INDEX child_label ON child (lower(label), "amount" DESC) WHERE label IS NOT NULL;
                CREATE VIEW labelled AS SELECT id,   label FROM child WHERE label <> '';
                """)
        #expect(schema.tables.map(\.name) == ["child", "parent"], "Godwit's own tables are left out")
        let parent = try #require(schema.table("parent"))
        #expect(parent.columns[0] == Column(name: "id", type: "INTEGER", identity: .autoincrement))
        #expect(parent.columns[1] == Column(name: "code", type: "TEXT", collation: "NOCASE"))
        #expect(parent.uniques == [UniqueConstraint(columns: ["code"])])
        let child = try #require(schema.table("child"))
        #expect(child.options == ["WITHOUT ROWID"])
        #expect(child.primaryKey == PrimaryKey(columns: ["id"]))
        #expect(child.columns.map(\.type) == ["INTEGER", "INTEGER", "DECIMAL(10,2)", "TEXT", "INTEGER"])
        #expect(child.columns[2].defaultValue == "-1")
        #expect(child.columns[3].defaultValue == "'a' || 'b'")
        #expect(child.columns[4].generated == Column.Generated(expression: "amount * 2", isStored: false))
        #expect(child.checks == [CheckConstraint(expression: "amount >= -1"), CheckConstraint(name: "positive", expression: "id > 0")])
        #expect(child.uniques == [UniqueConstraint(columns: ["label", "parent_id"])])
        #expect(
            child.foreignKeys == [
                ForeignKey(
                    columns: ["parent_id"], referencedTable: "parent", referencedColumns: ["id"], onDelete: .cascade,
                    deferrable: "DEFERRABLE INITIALLY DEFERRED")
            ])
        #expect(
            child.indexes == [TableIndex(name: "child_label", table: "child", keys: ["lower(label)", "\"amount\" DESC"], predicate: "label is not null")])
        #expect(schema.views == [View(name: "labelled", definition: "select id, label from child where label <> ''")])
    }

    @Test(arguments: [
        "a>=0", "CAST ( x AS INTEGER )", "\"order\" + [weird name]", "f(a,b)-1", "x IN (1, 2,3)", "-1", "(- 2.5e-3)", "x'00ff'",
        "coalesce(\"a\", 'it''s')", "a || '-' || b", "json_extract(doc, '$.a') ->> 'b'",
    ])
    func canonicalSpellingIsStable(_ text: String) {
        let once = SQLiteTokens.canonical(SQLiteTokens.tokenize(text))
        #expect(SQLiteTokens.canonical(SQLiteTokens.tokenize(once)) == once, "\(text) -> \(once)")
    }

    static let fixedPointSchemas: [String] = [
        // The demo project's shop.
        """
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
            total_cents INTEGER NOT NULL CHECK (total_cents >= 0), placed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
            status TEXT NOT NULL DEFAULT 'placed');
        CREATE INDEX orders_user_id ON orders (user_id);
        CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
        CREATE TABLE order_lines (
            order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE, product_id INTEGER NOT NULL REFERENCES products(id),
            quantity INTEGER NOT NULL CHECK (quantity > 0), PRIMARY KEY (order_id, product_id));
        """,
        // Everything the reader knows, with awkward names.
        """
        CREATE TABLE "select" ("from" INTEGER PRIMARY KEY AUTOINCREMENT, "two words" text COLLATE NOCASE DEFAULT 'it''s', blob_col BLOB DEFAULT x'00ff');
        CREATE TABLE node (
            id INTEGER NOT NULL, parent INTEGER REFERENCES node (id) ON UPDATE RESTRICT ON DELETE SET NULL,
            weight REAL DEFAULT -0.5 CONSTRAINT heavy CHECK (weight < 100), path TEXT GENERATED ALWAYS AS ('/' || id) STORED,
            at TEXT DEFAULT (datetime('now')), PRIMARY KEY (id), UNIQUE (parent, weight)
        ) STRICT;
        CREATE TABLE kv (k TEXT PRIMARY KEY, v ANY) WITHOUT ROWID, STRICT;
        CREATE UNIQUE INDEX node_path ON node (path) WHERE path IS NOT NULL;
        CREATE INDEX node_weight ON node (abs(weight) DESC, id);
        CREATE VIEW heavy_nodes AS SELECT id, weight FROM node WHERE weight > 10;
        CREATE VIEW heaviest AS SELECT max(weight) AS w FROM heavy_nodes;
        """,
        // Foreign keys in a cycle, and one without columns (the referenced primary key).
        """
        CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b);
        CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id) DEFERRABLE);
        """,
    ]

    /// From empty to the schema and back: the upgrade makes exactly the schema, a second diff
    /// finds nothing, and the downgrade leaves the database empty.
    @Test(arguments: fixedPointSchemas)
    func fixedPoint(_ sql: String) throws {
        let desired = try schema(of: sql)
        let database = try SQLiteConnection(path: nil)
        defer { database.close() }
        try apply(SchemaDiff(from: try read(database), to: desired).ddl(.sqlite), to: database)
        #expect(try read(database) == desired)
        #expect(SchemaDiff(from: try read(database), to: desired).isEmpty)
        try apply(SchemaDiff(from: desired, to: Schema()).ddl(.sqlite), to: database)
        #expect(try read(database).isEmpty)
    }

    static let base = "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"

    /// Each kind of change on its own: (what, before, after). Table `t` always has `id` and `name`.
    static let changes: [(String, String, String)] = [
        ("add column", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT DEFAULT 'x');"),
        ("add not null column", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);"),
        ("drop column", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"),
        ("column type", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(50));"),
        ("nullability", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        ("default", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'anon');"),
        ("index", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); CREATE INDEX t_name ON t (name);"),
        ("partial expression index", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); CREATE UNIQUE INDEX t_lower ON t (lower(name)) WHERE name <> '';"),
        ("unique", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, UNIQUE (name));"),
        ("check", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT CHECK (length(name) > 0));"),
        ("foreign key", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, p_id INTEGER);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE);"),
        ("view", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); CREATE VIEW names AS SELECT name FROM t;"),
    ]

    /// Up and down between two schemas, with a row in `t` that must survive (both ways) and a
    /// view on `t` that a SQLite rebuild must put back.
    @Test(arguments: changes)
    func eachChangeOnItsOwn(_ what: String, _ before: String, _ after: String) throws {
        let keep = "\nCREATE VIEW keep AS SELECT id FROM t;"
        let old = try schema(of: Self.base + before + keep)
        let new = try schema(of: Self.base + after + keep)
        let up = SchemaDiff(from: old, to: new)
        #expect(!up.isEmpty, "\(what): a difference")
        #expect(!up.ddl(.sqlite).contains("TODO"), "\(what)\n\(up.ddl(.sqlite))")
        let database = try SQLiteConnection(path: nil)
        defer { database.close() }
        try database.execute(Self.base + before + keep + "\nINSERT INTO t (id, name) VALUES (7, 'seven');")
        try apply(up.ddl(.sqlite), to: database)
        #expect(try read(database) == new, "\(what): upgrade\n\(up.ddl(.sqlite))")
        #expect(try database.query("SELECT id, name FROM t") == [["7", "seven"]], "\(what): the row survives")
        let down = SchemaDiff(from: new, to: old)
        try apply(down.ddl(.sqlite), to: database)
        #expect(try read(database) == old, "\(what): downgrade\n\(down.ddl(.sqlite))")
        #expect(try database.query("SELECT id, name FROM t") == [["7", "seven"]])
    }
}
