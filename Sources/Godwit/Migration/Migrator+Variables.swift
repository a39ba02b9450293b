import GodwitCore

extension Migrator {
    /// The environment's variables with the values of secret-looking ones (`SQLTemplate.isSecret`)
    /// as `***`: what a dry-run, a result and the audit record show.
    var maskedVariables: [String: String] {
        SQLTemplate.masking((try? workspace.sqlVariables(of: environment)) ?? [:])
    }

    /// The variables the plan's SQL uses, masked, for its audit record.
    func auditVariables(_ plan: Plan) -> [String: String] {
        let masked = maskedVariables
        return plan.variableNames.reduce(into: [:]) { $0[$1] = masked[$1] }
    }

    /// The SQL a step shows: rendered, but with the values of secret-looking variables as `***`,
    /// since a dry-run's output ends up in CI logs.
    func shownSQL(_ step: Plan.Step, masked: [String: String]) -> String? {
        guard let sql = step.sql else { return nil }
        guard let written = step.revision.section(step.direction), written.hasPlaceholders else { return sql.sql }
        return (try? written.rendered(variables: masked, file: step.revision.path).sql) ?? sql.sql
    }
}
