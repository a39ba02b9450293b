import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

/// Triggers in the schema model on the real server (defect 12): read with `pg_get_triggerdef`,
/// reported by `diff`, created, changed and kept when a view they sit on is created again.
extension PostgresSchemaTests {
    /// A table, a view on it and the trigger functions (functions are not modelled: both sides have them).
    static let triggerBase = """
        CREATE TABLE t (id int PRIMARY KEY, name text, touched int NOT NULL DEFAULT 0);
        CREATE VIEW names AS SELECT id, name FROM t;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := NEW.touched + 1; RETURN NEW; END $$;
        CREATE FUNCTION names_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END $$;

        """

    static let triggerStatements = """
        CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER names_insert INSTEAD OF INSERT ON names FOR EACH ROW EXECUTE FUNCTION names_insert();
        """

    @Test func triggersAreReadDiffedCreatedAndKept() throws {
        let old = try schema(of: Self.triggerBase)
        let new = try schema(of: Self.triggerBase + Self.triggerStatements)
        #expect(new.triggers.map(\.name) == ["names_insert", "t_touch"])
        #expect(new.triggers.last?.definition == "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()")
        let up = SchemaDiff(from: old, to: new)
        #expect(up.differences.map { [$0.kind, $0.object, $0.name] } == [["added", "trigger", "names.names_insert"], ["added", "trigger", "t.t_touch"]])

        let changedStatements = Self.triggerStatements.replacingOccurrences(of: "BEFORE UPDATE ON t", with: "BEFORE UPDATE OF name ON t")
        let changed = try schema(of: Self.triggerBase + changedStatements)
        let change = SchemaDiff(from: new, to: changed)
        #expect(change.differences.map { [$0.kind, $0.name] } == [["changed", "t.t_touch"]])

        // A column the view reads changes type: PostgreSQL needs the view dropped, which drops its trigger.
        let retyped = try schema(of: Self.triggerBase.replacingOccurrences(of: "name text", with: "name varchar") + changedStatements)
        let retype = SchemaDiff(from: changed, to: retyped)
        #expect(retype.differences.allSatisfy { $0.object != "trigger" }, "\(retype.differences)")

        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            try connection.execute(Self.triggerBase + "INSERT INTO t (id, name) VALUES (7, 'seven');")
            try apply(up.ddl(.postgresql), to: connection)
            #expect(try read(connection, schema) == new, "\(up.ddl(.postgresql))")
            try apply(change.ddl(.postgresql), to: connection)
            #expect(try read(connection, schema) == changed, "\(change.ddl(.postgresql))")
            try apply(retype.ddl(.postgresql), to: connection)
            #expect(try read(connection, schema) == retyped, "\(retype.ddl(.postgresql))")
            try connection.execute("UPDATE t SET name = 'SEVEN'; INSERT INTO names (id, name) VALUES (8, 'eight');")
            #expect(try connection.query("SELECT id, name, touched FROM t ORDER BY id") == [["7", "SEVEN", "1"], ["8", "eight", "0"]])
            let down = SchemaDiff(from: retyped, to: old)
            try apply(down.ddl(.postgresql), to: connection)
            #expect(try read(connection, schema).triggers.isEmpty, "\(down.ddl(.postgresql))")
        }
    }
}
