import GodwitCore

/// `cluster`: `CLUSTER`, which rewrites the table in index order under an ACCESS EXCLUSIVE lock.
struct ClusterCheck: StatementCheck {
    var nodeTypes: Set<String> { ["ClusterStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        let table = TableName(rangeVar: body["relation"])
        return [LintFlag(.cluster, "CLUSTER \(table.map { "rewrites \($0)" } ?? "rewrites every table clustered before") in index order under an ACCESS EXCLUSIVE lock: no reads or writes of it until it finishes; reorder the table online with pg_repack --order-by, or leave the order to autovacuum and a covering index")]
    }
}
