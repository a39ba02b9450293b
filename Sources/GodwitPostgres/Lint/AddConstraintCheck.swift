import GodwitCore

/// `add-constraint-without-not-valid`: a foreign key or check added to a table that existed
/// before the section without `NOT VALID`, or added `NOT VALID` and validated in the same
/// transactional revision. Remembers the constraints added `NOT VALID` and the checks validated,
/// which `SetNotNullCheck` reads.
struct AddConstraintCheck: AlterTableCheck {
    var subtypes: Set<String> { ["AT_AddConstraint", "AT_ValidateConstraint"] }

    func check(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag] {
        if command["subtype"]?.stringValue == "AT_ValidateConstraint" { return validate(command, on: table, state: &state) }
        guard let constraint = command["def"]?["Constraint"], let type = constraint["contype"]?.stringValue,
            type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK"
        else { return [] }
        let name = constraint["conname"]?.stringValue
        let notNullColumn = type == "CONSTR_CHECK" ? Self.notNullColumn(of: constraint["raw_expr"]) : nil
        if constraint["skip_validation"]?.isTrue == true {
            if let name { state.pendingConstraints.append(.init(table: table.name, name: name, notNullColumn: notNullColumn)) }
            return []
        }
        if let notNullColumn { state.validatedChecks.append((table.name, notNullColumn)) }
        guard !table.isNew else { return [] }
        let label = name.map { " '\($0)'" } ?? ""
        if type == "CONSTR_FOREIGN" {
            let target = TableName(rangeVar: constraint["pktable"]).map { " and \($0)" } ?? ""
            return [LintFlag(.addConstraintWithoutNotValid, "adding the foreign key\(label) to \(table.name) checks every existing row while holding locks that block writes to \(table.name)\(target); add it with NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT it in a later revision, which does not block writes")]
        }
        return [LintFlag(.addConstraintWithoutNotValid, "adding the check constraint\(label) to \(table.name) checks every existing row under an ACCESS EXCLUSIVE lock: no reads or writes of the table until it finishes; add it with NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT it in a later revision, which does not block reads or writes")]
    }

    /// `VALIDATE CONSTRAINT`: flagged when the same transaction added it `NOT VALID`.
    func validate(_ command: JSONValue, on table: AlteredTable, state: inout LintState) -> [LintFlag] {
        guard let name = command["name"]?.stringValue else { return [] }
        guard let index = state.pendingConstraints.firstIndex(where: { $0.table.matches(table.name) && $0.name == name }) else {
            state.validatedChecks.append((table.name, nil))
            return []
        }
        let pending = state.pendingConstraints.remove(at: index)
        if let column = pending.notNullColumn { state.validatedChecks.append((table.name, column)) }
        guard state.isTransactional && !table.isNew else { return [] }
        return [LintFlag(.addConstraintWithoutNotValid, "constraint '\(name)' of \(table.name) is added NOT VALID and validated in the same transaction: the lock taken by the ADD is held through the whole validation, which undoes NOT VALID; validate it in a later revision")]
    }

    /// The column a `column IS NOT NULL` check proves, when the expression is one.
    static func notNullColumn(of expression: JSONValue?) -> String? {
        guard let test = expression?["NullTest"], test["nulltesttype"]?.stringValue == "IS_NOT_NULL" else { return nil }
        return test["arg"]?["ColumnRef"]?["fields"]?.arrayValue?.last?["String"]?["sval"]?.stringValue
    }
}
