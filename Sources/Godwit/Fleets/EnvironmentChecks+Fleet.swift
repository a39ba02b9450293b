import GodwitCore

extension EnvironmentChecks {
    /// `check` of a fleet (SPEC §10): every target read `rollout.parallel` at a time; its pending,
    /// failed and checksum problems, each message led by `target 'NAME': `; a target that cannot be
    /// read is a problem of kind `unreachable`. The lint of `lint: error` runs once, on what any
    /// target lacks.
    /// - Throws: `FleetError` or `ConfigurationError` when the targets cannot be resolved; lint errors.
    func fleetProblems(_ environment: Environment, graph: RevisionGraph) throws -> [Problem] {
        let fleet = try FleetResolver(workspace: workspace).resolve(environment)
        var problems: [Problem] = []
        var pending = Set<String>()
        let workspace = workspace
        let repeatables = try workspace.repeatables()
        // Each target's rows and the repeatables it has run, so that a changed repeatable is
        // pending there as on one database.
        let reads = FleetReader(workspace: workspace).map(fleet.members, parallel: environment.rollout.parallel) { member in
            (member, Result { (try workspace.readState(of: member.environment), try workspace.readRepeatables(of: member.environment)) })
        }
        for (member, read) in reads {
            let lead = "target '\(member.name)': "
            switch read {
            case .success(let (rows, recorded)):
                let state = StateReport(graph: graph, rows: rows, repeatables: repeatables, recorded: recorded)
                pending.formUnion(state.pending)
                problems += stateProblems(state, graph: graph, environment: environment).map { problem in
                    var problem = problem
                    problem.message = lead + problem.message
                    return problem
                }
            case .failure(let error):
                problems.append(Problem(kind: "unreachable", message: lead + ((error as? GodwitError)?.message ?? "\(error)")))
            }
        }
        let linter = ProjectLinter(workspace: workspace)
        if environment.lint == .error, let member = fleet.members.first, let dialect = linter.lintingDialect(of: member.environment),
            workspace.linters[dialect] != nil
        {
            problems += try linter.lint(graph.order.filter(pending.contains), dialect: dialect).map(Problem.init)
        }
        return problems
    }
}
