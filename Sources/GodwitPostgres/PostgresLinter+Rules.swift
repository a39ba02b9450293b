import GodwitCore

/// A table as a statement names it: a schema when one is written, and the name.
struct TableName: Hashable, CustomStringConvertible {
    var schema: String?
    var name: String

    /// The table of a `RangeVar` (`{"schemaname", "relname"}`).
    init?(rangeVar: JSONValue?) {
        guard let name = rangeVar?["relname"]?.stringValue else { return nil }
        self.schema = rangeVar?["schemaname"]?.stringValue
        self.name = name
    }

    /// The table of a qualified name list (`[{"String": {"sval"}}, …]`).
    init?(nameList: JSONValue?) {
        let parts = (nameList?.arrayValue ?? []).compactMap { $0["String"]?["sval"]?.stringValue }
        guard let name = parts.last else { return nil }
        self.schema = parts.count > 1 ? parts[parts.count - 2] : nil
        self.name = name
    }

    init(schema: String?, name: String) {
        self.schema = schema
        self.name = name
    }

    /// True when both name the same table; a name without schema matches it in any schema.
    func matches(_ other: TableName) -> Bool {
        name == other.name && (schema == nil || other.schema == nil || schema == other.schema)
    }

    var description: String { "'" + (schema.map { "\($0).\(name)" } ?? name) + "'" }
}

/// The rules read over the statements of one section, in order, with what the section did before.
struct LintPass {
    /// A rule that flags a statement, and the message of the finding.
    typealias Flag = (rule: LintRule, message: String)

    /// A constraint added `NOT VALID` earlier in the section.
    struct PendingConstraint {
        var table: TableName
        var name: String
        /// The column a `CHECK (column IS NOT NULL)` proves, when it is one.
        var notNullColumn: String?
    }

    /// True when the revision runs in one transaction.
    let isTransactional: Bool
    /// The oldest PostgreSQL major version the revision must run on.
    let serverMajorVersion: Int
    /// Tables created earlier in the section: the lock rules leave them alone (nobody uses them yet).
    var newTables: [TableName] = []
    /// Constraints added `NOT VALID` earlier in the section.
    var pendingConstraints: [PendingConstraint] = []
    /// Checks validated earlier in the section, with the column they prove not null (nil: unknown).
    var validatedChecks: [(table: TableName, column: String?)] = []

    /// The views the section creates, anywhere in it: a table renamed and replaced by a view of
    /// its old name keeps running code working.
    let views: [TableName]

    init(isTransactional: Bool, serverMajorVersion: Int, views: [TableName] = []) {
        self.isTransactional = isTransactional
        self.serverMajorVersion = serverMajorVersion
        self.views = views
    }

    /// The flags of one statement (`{"NodeType": {…}}`), remembering what it does for the next ones.
    mutating func check(_ statement: JSONValue) -> [Flag] {
        guard let (type, body) = statement.node else { return [] }
        switch type {
        case "CreateStmt":
            if body["if_not_exists"]?.isTrue != true, let table = TableName(rangeVar: body["relation"]) { newTables.append(table) }
            return []
        case "CreateTableAsStmt":
            if body["if_not_exists"]?.isTrue != true, let table = TableName(rangeVar: body["into"]?["rel"]) { newTables.append(table) }
            return []
        case "SelectStmt":
            if let table = TableName(rangeVar: body["intoClause"]?["rel"]) { newTables.append(table) }
            return []
        case "DropStmt": return drop(body)
        case "AlterTableStmt": return alterTable(body)
        case "IndexStmt": return createIndex(body)
        case "RenameStmt": return rename(body)
        case "VacuumStmt": return vacuum(body)
        case "ClusterStmt":
            let table = TableName(rangeVar: body["relation"])
            return [(.cluster, "CLUSTER \(table.map { "rewrites \($0)" } ?? "rewrites every table clustered before") in index order under an ACCESS EXCLUSIVE lock: no reads or writes of it until it finishes; reorder the table online with pg_repack --order-by, or leave the order to autovacuum and a covering index")]
        case "LockStmt": return lock(body)
        case "ReindexStmt":
            let options = body["params"]?.arrayValue ?? []
            if options.contains(where: { $0.defElem(named: "concurrently") }) { return outsideTransaction("REINDEX … CONCURRENTLY") }
            switch body["kind"]?.stringValue {
            case "REINDEX_OBJECT_DATABASE": return outsideTransaction("REINDEX DATABASE")
            case "REINDEX_OBJECT_SYSTEM": return outsideTransaction("REINDEX SYSTEM")
            default: return []
            }
        case "CreatedbStmt": return outsideTransaction("CREATE DATABASE")
        case "DropdbStmt": return outsideTransaction("DROP DATABASE")
        case "CreateTableSpaceStmt": return outsideTransaction("CREATE TABLESPACE")
        case "DropTableSpaceStmt": return outsideTransaction("DROP TABLESPACE")
        case "AlterSystemStmt": return outsideTransaction("ALTER SYSTEM")
        case "AlterEnumStmt":
            guard body["oldVal"] == nil, body["newVal"] != nil, serverMajorVersion < 12 else { return [] }
            return outsideTransaction("ALTER TYPE … ADD VALUE (before PostgreSQL 12)")
        case "TransactionStmt": return transactionControl(body)
        default: return []
        }
    }

    /// True when `table` was created earlier in the section.
    func isNew(_ table: TableName?) -> Bool {
        guard let table else { return false }
        return newTables.contains { $0.matches(table) }
    }

    /// `non-transactional-statement-in-transaction` for `what`, when the revision is transactional.
    func outsideTransaction(_ what: String) -> [Flag] {
        guard isTransactional else { return [] }
        return [(.nonTransactionalStatementInTransaction, "\(what) cannot run inside a transaction, and this revision is transactional: the database refuses it and the revision fails; put it in a revision of its own with the header '-- transactional: false'")]
    }

    func transactionControl(_ body: JSONValue) -> [Flag] {
        let names = [
            "TRANS_STMT_BEGIN": "BEGIN", "TRANS_STMT_START": "START TRANSACTION", "TRANS_STMT_COMMIT": "COMMIT",
            "TRANS_STMT_ROLLBACK": "ROLLBACK", "TRANS_STMT_PREPARE": "PREPARE TRANSACTION",
            "TRANS_STMT_COMMIT_PREPARED": "COMMIT PREPARED", "TRANS_STMT_ROLLBACK_PREPARED": "ROLLBACK PREPARED",
        ]
        guard isTransactional, let kind = body["kind"]?.stringValue, let name = names[kind] else { return [] }
        return [(.nonTransactionalStatementInTransaction, "\(name) in a transactional revision ends or nests the transaction Godwit runs the revision in: the statements around it and the revision's state row are no longer applied all or nothing; remove it (Godwit opens and commits the transaction), or use the header '-- transactional: false'")]
    }

    func drop(_ body: JSONValue) -> [Flag] {
        var flags: [Flag] = []
        if body["concurrent"]?.isTrue == true { flags += outsideTransaction("DROP INDEX CONCURRENTLY") }
        guard body["removeType"]?.stringValue == "OBJECT_TABLE" else { return flags }
        let tables = (body["objects"]?.arrayValue ?? []).compactMap { TableName(nameList: $0["List"]?["items"]) }.filter { !isNew($0) }
        guard !tables.isEmpty else { return flags }
        let names = tables.map(\.description).joined(separator: ", ")
        flags.append((.dropTable, "DROP TABLE \(names) deletes \(tables.count == 1 ? "the table" : "the tables") and \(tables.count == 1 ? "its" : "their") data, and every running copy of the application that still reads \(tables.count == 1 ? "it" : "them") fails; first release code that no longer uses \(tables.count == 1 ? "it" : "them"), then drop \(tables.count == 1 ? "it" : "them") in a later revision (keep a backup, or rename and drop later)"))
        return flags
    }

    mutating func alterTable(_ body: JSONValue) -> [Flag] {
        guard body["objtype"]?.stringValue == "OBJECT_TABLE", let table = TableName(rangeVar: body["relation"]) else { return [] }
        let isNewTable = isNew(table)
        var flags: [Flag] = []
        for item in body["cmds"]?.arrayValue ?? [] {
            guard let command = item["AlterTableCmd"], let subtype = command["subtype"]?.stringValue else { continue }
            let column = command["name"]?.stringValue.map { "'\($0)'" } ?? "a column"
            switch subtype {
            case "AT_DropColumn" where !isNewTable:
                flags.append((.dropColumn, "dropping column \(column) of \(table) deletes its data, and every running copy of the application that still reads or writes it (SELECT *, INSERT naming it) fails; first release code that no longer uses the column, then drop it in a later revision"))
            case "AT_AddColumn" where !isNewTable:
                flags += addColumn(command["def"]?["ColumnDef"], table: table)
            case "AT_SetNotNull" where !isNewTable:
                let name = command["name"]?.stringValue
                let proven = validatedChecks.contains { $0.table.matches(table) && ($0.column == nil || $0.column == name) }
                if !proven {
                    flags.append((.setNotNull, "SET NOT NULL on column \(column) of \(table) scans every row under an ACCESS EXCLUSIVE lock: no reads or writes of the table until it finishes; add CHECK (\(name ?? "column") IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later revision, and SET NOT NULL after the VALIDATE, which then needs no scan (PostgreSQL 12+)"))
                }
            case "AT_AddConstraint":
                flags += addConstraint(command["def"]?["Constraint"], table: table, isNewTable: isNewTable)
            case "AT_ValidateConstraint":
                guard let name = command["name"]?.stringValue else { continue }
                if let index = pendingConstraints.firstIndex(where: { $0.table.matches(table) && $0.name == name }) {
                    let pending = pendingConstraints.remove(at: index)
                    if let column = pending.notNullColumn { validatedChecks.append((table, column)) }
                    if isTransactional && !isNewTable {
                        flags.append((.addConstraintWithoutNotValid, "constraint '\(name)' of \(table) is added NOT VALID and validated in the same transaction: the lock taken by the ADD is held through the whole validation, which undoes NOT VALID; validate it in a later revision"))
                    }
                } else {
                    validatedChecks.append((table, nil))
                }
            case "AT_AlterColumnType" where !isNewTable:
                let type = typeLabel(command["def"]?["ColumnDef"]?["typeName"]).map { " to '\($0)'" } ?? ""
                flags.append((.alterColumnType, "changing the type of column \(column) of \(table)\(type) rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (unless the change is binary-compatible, such as varchar(n) to text or to a longer varchar), and running code may break on the new type; add a column of the new type, backfill it in batches, move the application to it, then drop the old column"))
            default:
                continue
            }
        }
        return flags
    }

    func addColumn(_ definition: JSONValue?, table: TableName) -> [Flag] {
        guard let definition else { return [] }
        let column = definition["colname"]?.stringValue.map { "'\($0)'" } ?? "a column"
        let constraints = (definition["constraints"]?.arrayValue ?? []).compactMap { $0["Constraint"] }
        var flags: [Flag] = []
        let rewrite = "rewrites the whole table under an ACCESS EXCLUSIVE lock: no reads or writes of it until every row is written"
        if let type = typeLabel(definition["typeName"]), ["smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"].contains(type) {
            flags.append((.addColumnVolatileDefault, "adding column \(column) of type \(type) to \(table) fills every existing row from a sequence and \(rewrite); add a nullable integer column, give it its sequence with ALTER COLUMN … SET DEFAULT nextval(…) (new rows only), and backfill the existing rows in batches"))
        }
        for constraint in constraints {
            switch constraint["contype"]?.stringValue {
            case "CONSTR_DEFAULT":
                if let call = volatileCall(in: constraint["raw_expr"]) {
                    flags.append((.addColumnVolatileDefault, "adding column \(column) to \(table) with the volatile default \(call) \(rewrite); add the column without a default (or with a constant or stable one, such as now()), set the default with ALTER COLUMN … SET DEFAULT (new rows only), and backfill the existing rows in batches"))
                }
            case "CONSTR_IDENTITY":
                flags.append((.addColumnVolatileDefault, "adding the identity column \(column) to \(table) numbers every existing row and \(rewrite); add a nullable column, backfill it in batches, then make it an identity column (ALTER COLUMN … ADD GENERATED … AS IDENTITY) once it is filled"))
            case "CONSTR_GENERATED":
                flags.append((.addColumnVolatileDefault, "adding the stored generated column \(column) to \(table) computes it for every existing row and \(rewrite); add a plain column kept up to date by a trigger, backfill it in batches, or compute the value in a view"))
            case "CONSTR_FOREIGN":
                let target = TableName(rangeVar: constraint["pktable"]).map { " to \($0)" } ?? ""
                flags.append((.addConstraintWithoutNotValid, "adding column \(column) to \(table) with a foreign key\(target) checks every existing row while holding locks that block writes to both tables, and a column constraint cannot be NOT VALID; add the column first, then the constraint with ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … NOT VALID, and VALIDATE CONSTRAINT it in a later revision"))
            case "CONSTR_CHECK":
                flags.append((.addConstraintWithoutNotValid, "adding column \(column) to \(table) with a check constraint checks every existing row under an ACCESS EXCLUSIVE lock, and a column constraint cannot be NOT VALID; add the column first, then the constraint with ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID, and VALIDATE CONSTRAINT it in a later revision"))
            default:
                continue
            }
        }
        return flags
    }

    mutating func addConstraint(_ constraint: JSONValue?, table: TableName, isNewTable: Bool) -> [Flag] {
        guard let constraint, let type = constraint["contype"]?.stringValue, type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK" else { return [] }
        let name = constraint["conname"]?.stringValue
        let notNullColumn = type == "CONSTR_CHECK" ? Self.notNullColumn(of: constraint["raw_expr"]) : nil
        if constraint["skip_validation"]?.isTrue == true {
            if let name { pendingConstraints.append(PendingConstraint(table: table, name: name, notNullColumn: notNullColumn)) }
            return []
        }
        if let notNullColumn { validatedChecks.append((table, notNullColumn)) }
        guard !isNewTable else { return [] }
        let label = name.map { " '\($0)'" } ?? ""
        if type == "CONSTR_FOREIGN" {
            let target = TableName(rangeVar: constraint["pktable"]).map { " and \($0)" } ?? ""
            return [(.addConstraintWithoutNotValid, "adding the foreign key\(label) to \(table) checks every existing row while holding locks that block writes to \(table)\(target); add it with NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT it in a later revision, which does not block writes")]
        }
        return [(.addConstraintWithoutNotValid, "adding the check constraint\(label) to \(table) checks every existing row under an ACCESS EXCLUSIVE lock: no reads or writes of the table until it finishes; add it with NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT it in a later revision, which does not block reads or writes")]
    }

    func createIndex(_ body: JSONValue) -> [Flag] {
        if body["concurrent"]?.isTrue == true { return outsideTransaction("CREATE INDEX CONCURRENTLY") }
        guard let table = TableName(rangeVar: body["relation"]), !isNew(table) else { return [] }
        let index = body["idxname"]?.stringValue.map { " '\($0)'" } ?? ""
        let unique = body["unique"]?.isTrue == true ? "UNIQUE " : ""
        return [(.createIndexNotConcurrently, "CREATE \(unique)INDEX\(index) on the existing table \(table) blocks every write to it (inserts, updates, deletes) for the whole build; use CREATE \(unique)INDEX CONCURRENTLY in a revision of its own with the header '-- transactional: false'")]
    }

    mutating func rename(_ body: JSONValue) -> [Flag] {
        let table = TableName(rangeVar: body["relation"])
        let newName = body["newname"]?.stringValue ?? "?"
        switch body["renameType"]?.stringValue {
        case "OBJECT_TABLE":
            guard let table else { return [] }
            if isNew(table) {
                newTables.append(TableName(schema: table.schema, name: newName))
                return []
            }
            if views.contains(where: { $0.matches(table) }) { return [] }
            return [(.renameTable, "renaming table \(table) to '\(newName)' breaks every running copy of the application that still uses the old name; in the same revision, create a view with the old name (CREATE VIEW \(table.name) AS SELECT * FROM \(newName): a simple view can be written through), and drop the view once no code uses the old name")]
        case "OBJECT_COLUMN" where body["relationType"]?.stringValue == "OBJECT_TABLE":
            guard let table, !isNew(table) else { return [] }
            let old = body["subname"]?.stringValue ?? "?"
            return [(.renameColumn, "renaming column '\(old)' of \(table) to '\(newName)' breaks every running copy of the application that still uses the old name; add the new column, write both and backfill it, move the application to it, then drop the old column in a later revision")]
        default:
            return []
        }
    }

    func vacuum(_ body: JSONValue) -> [Flag] {
        guard body["is_vacuumcmd"]?.isTrue == true else { return [] }
        var flags: [Flag] = []
        if (body["options"]?.arrayValue ?? []).contains(where: { $0.defElem(named: "full") }) {
            let tables = (body["rels"]?.arrayValue ?? []).compactMap { TableName(rangeVar: $0["VacuumRelation"]?["relation"]) }
            let what = tables.isEmpty ? "every table of the database" : tables.map(\.description).joined(separator: ", ")
            flags.append((.vacuumFull, "VACUUM FULL rewrites \(what) under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes; use plain VACUUM (which does not block), or reclaim the space online with pg_repack or pg_squeeze"))
        }
        return flags + outsideTransaction("VACUUM")
    }

    func lock(_ body: JSONValue) -> [Flag] {
        let tables = (body["relations"]?.arrayValue ?? []).compactMap { TableName(rangeVar: $0["RangeVar"]) }.filter { !isNew($0) }
        guard !tables.isEmpty else { return [] }
        let modes = [
            1: "ACCESS SHARE", 2: "ROW SHARE", 3: "ROW EXCLUSIVE", 4: "SHARE UPDATE EXCLUSIVE", 5: "SHARE",
            6: "SHARE ROW EXCLUSIVE", 7: "EXCLUSIVE", 8: "ACCESS EXCLUSIVE",
        ]
        let mode = modes[body["mode"]?.intValue ?? 8] ?? "ACCESS EXCLUSIVE"
        return [(.lockTable, "LOCK TABLE \(tables.map(\.description).joined(separator: ", ")) IN \(mode) MODE holds the lock until the revision's transaction ends, blocking other sessions (and queueing behind long queries); leave locking to the statements themselves, which take only the lock they need, and keep the revision short")]
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

    /// Built-in (and common extension) functions PostgreSQL marks VOLATILE that appear in
    /// defaults. `now()`, `CURRENT_TIMESTAMP` and the like are STABLE: evaluated once by the
    /// `ALTER TABLE`, no rewrite since PostgreSQL 11.
    static let volatileFunctions: Set<String> = [
        "random", "random_normal", "gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "gen_random_bytes", "clock_timestamp", "timeofday", "nextval",
    ]

    /// The column a `column IS NOT NULL` check proves, when the expression is one.
    static func notNullColumn(of expression: JSONValue?) -> String? {
        guard let test = expression?["NullTest"], test["nulltesttype"]?.stringValue == "IS_NOT_NULL" else { return nil }
        return test["arg"]?["ColumnRef"]?["fields"]?.arrayValue?.last?["String"]?["sval"]?.stringValue
    }

    /// A type's name as a user writes it (`int8` shows as `bigint`, `varchar(20)` as `varchar`); nil when absent.
    func typeLabel(_ typeName: JSONValue?) -> String? {
        guard let name = typeName?["names"]?.arrayValue?.last?["String"]?["sval"]?.stringValue else { return nil }
        let aliases = ["int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision", "bool": "boolean"]
        return aliases[name] ?? name
    }
}

extension JSONValue {
    /// A parse-tree node, `{"NodeType": {…}}`: its type and body.
    var node: (type: String, body: JSONValue)? {
        guard case .object(let members) = self, members.count == 1, let (type, body) = members.first else { return nil }
        return (type, body)
    }

    /// True for `true`.
    var isTrue: Bool {
        if case .bool(true) = self { return true }
        return false
    }

    /// True when this is the option `DefElem` named `name` and it is on: no argument (`FULL`),
    /// or a true one (`FULL true`, `FULL 1`, `FULL on`).
    func defElem(named name: String) -> Bool {
        guard let option = self["DefElem"], option["defname"]?.stringValue == name else { return false }
        guard let argument = option["arg"] else { return true }
        if let text = argument["String"]?["sval"]?.stringValue { return !["false", "off", "no", "0"].contains(text.lowercased()) }
        if let number = argument["Integer"] { return (number["ival"]?.intValue ?? 0) != 0 }
        if let flag = argument["Boolean"] { return flag["boolval"]?.isTrue == true }
        return true
    }
}
