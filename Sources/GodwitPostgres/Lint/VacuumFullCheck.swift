import GodwitCore

/// `vacuum-full`: `VACUUM FULL`, which rewrites the tables under an ACCESS EXCLUSIVE lock.
struct VacuumFullCheck: StatementCheck {
    var nodeTypes: Set<String> { ["VacuumStmt"] }

    func check(_ body: JSONValue, of type: String, state: inout LintState) -> [LintFlag] {
        guard body["is_vacuumcmd"]?.isTrue == true, (body["options"]?.arrayValue ?? []).contains(where: { $0.defElem(named: "full") }) else { return [] }
        let tables = (body["rels"]?.arrayValue ?? []).compactMap { TableName(rangeVar: $0["VacuumRelation"]?["relation"]) }
        let what = tables.isEmpty ? "every table of the database" : tables.map(\.description).joined(separator: ", ")
        return [LintFlag(.vacuumFull, "VACUUM FULL rewrites \(what) under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes; use plain VACUUM (which does not block), or reclaim the space online with pg_repack or pg_squeeze")]
    }
}
