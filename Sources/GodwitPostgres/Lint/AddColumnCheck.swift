import GodwitCore

/// `add-column-volatile-default` (a volatile default, a serial type, an identity or a stored
/// generated column), and `add-constraint-without-not-valid` for a foreign key or check written
/// inline: `ADD COLUMN` on a table that existed before the section.
struct AddColumnCheck: AlterTableCheck {
    var subtypes: Set<String> { ["AT_AddColumn"] }

    /// Built-in (and common extension) functions PostgreSQL marks VOLATILE that appear in
    /// defaults. `now()`, `CURRENT_TIMESTAMP` and the like are STABLE: evaluated once by the
    /// `ALTER TABLE`, no rewrite since PostgreSQL 11.
    static let volatileFunctions: Set<String> = [
        "random", "random_normal", "gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "gen_random_bytes", "clock_timestamp", "timeofday", "nextval",
    ]

    /// The serial types: a sequence fills every existing row.
    static let serialTypes: Set<String> = ["smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"]

    func check(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag] {
        guard let definition = command["def"]?["ColumnDef"] else { return [] }
        if let name = definition["colname"]?.stringValue {
            state.setColumnType(name, of: table.name, to: ColumnType(typeName: definition["typeName"]))
        }
        guard !table.isNew else { return [] }
        let column = definition["colname"]?.stringValue.map { "'\($0)'" } ?? "a column"
        let constraints = (definition["constraints"]?.arrayValue ?? []).compactMap { $0["Constraint"] }
        var flags: [LintFlag] = []
        let rewrite = "rewrites the whole table under an ACCESS EXCLUSIVE lock: no reads or writes of it until every row is written"
        if let type = definition["typeName"]?.typeLabel, Self.serialTypes.contains(type) {
            flags.append(LintFlag(.addColumnVolatileDefault, "adding column \(column) of type \(type) to \(table.name) fills every existing row from a sequence and \(rewrite); add a nullable integer column, give it its sequence with ALTER COLUMN … SET DEFAULT nextval(…) (new rows only), and backfill the existing rows in batches"))
        }
        for constraint in constraints {
            switch constraint["contype"]?.stringValue {
            case "CONSTR_DEFAULT":
                if let call = volatileCall(in: constraint["raw_expr"]) {
                    flags.append(LintFlag(.addColumnVolatileDefault, "adding column \(column) to \(table.name) with the volatile default \(call) \(rewrite); add the column without a default (or with a constant or stable one, such as now()), set the default with ALTER COLUMN … SET DEFAULT (new rows only), and backfill the existing rows in batches"))
                }
            case "CONSTR_IDENTITY":
                flags.append(LintFlag(.addColumnVolatileDefault, "adding the identity column \(column) to \(table.name) numbers every existing row and \(rewrite); add a nullable column, backfill it in batches, then make it an identity column (ALTER COLUMN … ADD GENERATED … AS IDENTITY) once it is filled"))
            case "CONSTR_GENERATED":
                flags.append(LintFlag(.addColumnVolatileDefault, "adding the stored generated column \(column) to \(table.name) computes it for every existing row and \(rewrite); add a plain column kept up to date by a trigger, backfill it in batches, or compute the value in a view"))
            case "CONSTR_FOREIGN":
                let target = TableName(rangeVar: constraint["pktable"]).map { " to \($0)" } ?? ""
                flags.append(LintFlag(.addConstraintWithoutNotValid, "adding column \(column) to \(table.name) with a foreign key\(target) checks every existing row while holding locks that block writes to both tables, and a column constraint cannot be NOT VALID; add the column first, then the constraint with ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … NOT VALID, and VALIDATE CONSTRAINT it in a later revision"))
            case "CONSTR_CHECK":
                flags.append(LintFlag(.addConstraintWithoutNotValid, "adding column \(column) to \(table.name) with a check constraint checks every existing row under an ACCESS EXCLUSIVE lock, and a column constraint cannot be NOT VALID; add the column first, then the constraint with ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID, and VALIDATE CONSTRAINT it in a later revision"))
            default:
                continue
            }
        }
        return flags
    }

    /// The first call of a volatile function in an expression, as `'name()'`.
    func volatileCall(in expression: JSONValue?) -> String? {
        guard let expression else { return nil }
        switch expression {
        case .object(let members):
            if let call = members["FuncCall"], let name = call["funcname"]?.arrayValue?.last?["String"]?["sval"]?.stringValue,
                Self.volatileFunctions.contains(name.lowercased())
            {
                return "'\(name)()'"
            }
            for value in members.values { if let found = volatileCall(in: value) { return found } }
            return nil
        case .array(let values):
            for value in values { if let found = volatileCall(in: value) { return found } }
            return nil
        default:
            return nil
        }
    }
}
