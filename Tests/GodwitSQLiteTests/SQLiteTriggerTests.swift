import Foundation
import GodwitCore
import Testing

@testable import GodwitSQLite

/// Triggers in the schema model on real SQLite databases (defect 12): read from `sqlite_schema`,
/// reported by `diff`, kept by a table rebuild.
extension SQLiteSchemaTests {
    static let triggerTables = """
        CREATE TABLE godwit_revisions (revision TEXT PRIMARY KEY);
        CREATE TABLE log (what TEXT);
        CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT CHECK (length(name) > 0));
        CREATE TABLE other (id INTEGER PRIMARY KEY);
        CREATE VIEW names AS SELECT id, name FROM t;

        """

    static let triggerStatements = """
        CREATE TRIGGER t_logged AFTER INSERT ON t BEGIN INSERT INTO log (what) VALUES ('t ' || new.name); END;
        CREATE TRIGGER other_touches_t AFTER DELETE ON other BEGIN DELETE FROM t WHERE id = old.id; END;
        CREATE TRIGGER names_insert INSTEAD OF INSERT ON names BEGIN INSERT INTO t (id, name) VALUES (new.id, new.name); END;
        CREATE TRIGGER godwit_own AFTER INSERT ON godwit_revisions BEGIN SELECT 1; END;
        """

    @Test func readsTriggersOfTablesAndViewsButNotGodwitsOwn() throws {
        let schema = try schema(of: Self.triggerTables + Self.triggerStatements)
        #expect(schema.triggers.map(\.name) == ["names_insert", "other_touches_t", "t_logged"])
        #expect(schema.triggers.map(\.table) == ["names", "other", "t"])
        let logged = try #require(schema.triggers.first { $0.name == "t_logged" })
        #expect(logged.definition.lowercased().hasPrefix("create trigger t_logged after insert on t begin"))
        // The definition is the trigger's DDL: it makes the same trigger again.
        let again = try self.schema(of: Self.triggerTables + schema.triggers.map { $0.definition + ";" }.joined(separator: "\n"))
        #expect(again.triggers == schema.triggers)
    }

    @Test func diffReportsAddedRemovedAndChangedTriggers() throws {
        let old = try schema(of: Self.triggerTables + """
            CREATE TRIGGER gone AFTER INSERT ON t BEGIN SELECT 1; END;
            CREATE TRIGGER changes AFTER INSERT ON t BEGIN SELECT 1; END;
            """)
        let new = try schema(of: Self.triggerTables + """
            CREATE TRIGGER changes AFTER INSERT ON t BEGIN SELECT 2; END;
            CREATE TRIGGER added BEFORE DELETE ON other BEGIN SELECT 3; END;
            """)
        let diff = SchemaDiff(from: old, to: new)
        let found = diff.differences.filter { $0.object == "trigger" }.map { [$0.kind, $0.name] }.sorted { $0[1] < $1[1] }
        #expect(found == [["changed", "t.changes"], ["added", "other.added"], ["removed", "t.gone"]].sorted { $0[1] < $1[1] })
        let database = try SQLiteConnection(path: nil)
        defer { database.close() }
        try database.execute(Self.triggerTables + "CREATE TRIGGER gone AFTER INSERT ON t BEGIN SELECT 1; END;\nCREATE TRIGGER changes AFTER INSERT ON t BEGIN SELECT 1; END;")
        try apply(diff.ddl(.sqlite), to: database)
        #expect(try read(database) == new, "\(diff.ddl(.sqlite))")
        #expect(SchemaDiff(from: try read(database), to: new).isEmpty)
    }

    /// A changed CHECK rebuilds `t`: its trigger, the trigger of another table that mentions it
    /// and the INSTEAD OF trigger of the view on it all come back, and still fire.
    @Test func aTableRebuildKeepsEveryTrigger() throws {
        let changed = Self.triggerTables.replacingOccurrences(of: "CHECK (length(name) > 0)", with: "CHECK (length(name) > 1)")
        let old = try schema(of: Self.triggerTables + Self.triggerStatements)
        let new = try schema(of: changed + Self.triggerStatements)
        let diff = SchemaDiff(from: old, to: new)
        let ddl = diff.ddl(.sqlite)
        #expect(ddl.contains("RENAME TO"), "a rebuild:\n\(ddl)")
        #expect(diff.differences.allSatisfy { $0.object != "trigger" }, "no trigger changed: \(diff.differences)")
        let database = try SQLiteConnection(path: nil)
        defer { database.close() }
        try database.execute(Self.triggerTables + Self.triggerStatements + "\nINSERT INTO t (id, name) VALUES (7, 'seven'); INSERT INTO other (id) VALUES (7);")
        try apply(ddl, to: database)
        #expect(try read(database) == new, "\(ddl)")
        try database.execute("INSERT INTO t (id, name) VALUES (8, 'eight'); INSERT INTO names (id, name) VALUES (9, 'nine'); DELETE FROM other WHERE id = 7;")
        #expect(try database.query("SELECT what FROM log ORDER BY rowid") == [["t seven"], ["t eight"], ["t nine"]])
        #expect(try database.query("SELECT id FROM t ORDER BY id") == [["8"], ["9"]])
        let down = SchemaDiff(from: new, to: old)
        try apply(down.ddl(.sqlite), to: database)
        #expect(try read(database) == old, "\(down.ddl(.sqlite))")
    }

    @Test func fromEmptyToTriggersAndBack() throws {
        let desired = try schema(of: Self.triggerTables + Self.triggerStatements)
        let database = try SQLiteConnection(path: nil)
        defer { database.close() }
        try apply(SchemaDiff(from: try read(database), to: desired).ddl(.sqlite), to: database)
        #expect(try read(database) == desired)
        try apply(SchemaDiff(from: desired, to: Schema()).ddl(.sqlite), to: database)
        #expect(try read(database).isEmpty)
    }
}
