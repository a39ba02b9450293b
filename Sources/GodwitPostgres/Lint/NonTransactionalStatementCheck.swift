import GodwitCore

/// `non-transactional-statement-in-transaction`: in a transactional revision, a statement the
/// database refuses in a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, `CREATE
/// DATABASE`, …) or one that ends Godwit's transaction (`BEGIN`, `COMMIT`, …).
struct NonTransactionalStatementCheck: StatementCheck {
    var nodeTypes: Set<String> {
        Set(Self.alwaysOutside.keys).union(["IndexStmt", "DropStmt", "ReindexStmt", "VacuumStmt", "AlterEnumStmt", "TransactionStmt"])
    }

    /// The statements that cannot run in a transaction whatever their options, by node type.
    static let alwaysOutside = [
        "CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE", "CreateTableSpaceStmt": "CREATE TABLESPACE",
        "DropTableSpaceStmt": "DROP TABLESPACE", "AlterSystemStmt": "ALTER SYSTEM",
    ]

    /// Transaction control, by `TransactionStmt` kind.
    static let transactionControl = [
        "TRANS_STMT_BEGIN": "BEGIN", "TRANS_STMT_START": "START TRANSACTION", "TRANS_STMT_COMMIT": "COMMIT",
        "TRANS_STMT_ROLLBACK": "ROLLBACK", "TRANS_STMT_PREPARE": "PREPARE TRANSACTION",
        "TRANS_STMT_COMMIT_PREPARED": "COMMIT PREPARED", "TRANS_STMT_ROLLBACK_PREPARED": "ROLLBACK PREPARED",
    ]

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        if let what = Self.alwaysOutside[type] { return state.outsideTransaction(what) }
        let isConcurrent = body["concurrent"]?.isTrue == true
        switch type {
        case "IndexStmt": return isConcurrent ? state.outsideTransaction("CREATE INDEX CONCURRENTLY") : []
        case "DropStmt": return isConcurrent ? state.outsideTransaction("DROP INDEX CONCURRENTLY") : []
        case "VacuumStmt": return body["is_vacuumcmd"]?.isTrue == true ? state.outsideTransaction("VACUUM") : []
        case "ReindexStmt":
            let options = body["params"]?.arrayValue ?? []
            if options.contains(where: { $0.defElem(named: "concurrently") }) { return state.outsideTransaction("REINDEX … CONCURRENTLY") }
            switch body["kind"]?.stringValue {
            case "REINDEX_OBJECT_DATABASE": return state.outsideTransaction("REINDEX DATABASE")
            case "REINDEX_OBJECT_SYSTEM": return state.outsideTransaction("REINDEX SYSTEM")
            default: return []
            }
        case "AlterEnumStmt":
            guard body["oldVal"] == nil, body["newVal"] != nil, state.serverMajorVersion < 12 else { return [] }
            return state.outsideTransaction("ALTER TYPE … ADD VALUE (before PostgreSQL 12)")
        case "TransactionStmt":
            guard state.isTransactional, let kind = body["kind"]?.stringValue, let name = Self.transactionControl[kind] else { return [] }
            return [LintFlag(.nonTransactionalStatementInTransaction, "\(name) in a transactional revision ends or nests the transaction Godwit runs the revision in: the statements around it and the revision's state row are no longer applied all or nothing; remove it (Godwit opens and commits the transaction), or use the header '-- transactional: false'")]
        default:
            return []
        }
    }
}
