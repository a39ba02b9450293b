import Foundation
import GodwitCore

/// Writes the SQL script of a request (`--sql`): from the state `--from` implies, else from the
/// environment's recorded state when it can be read, else from base.
public struct OfflineScriptWriter: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates a writer.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// The applied set `--from` implies (base when nil).
    func startingState(from: String?, graph: RevisionGraph) throws -> Set<String> {
        try from.map { $0 == "base" ? [] : graph.ancestry(of: [try graph.resolveSingle($0)]) } ?? []
    }

    func plan(_ request: ChangeRequest, graph: RevisionGraph, applied: Set<String>) throws -> Plan {
        var plan: Plan
        switch request.kind {
        case .upgrade(let target):
            // Where the database's state is not read (`--from`), every repeatable is in the script.
            plan = try graph.upgradePlan(applied: applied, to: target)
            plan.steps += try workspace.repeatables().map(\.step)
        case .downgrade(let target): plan = try graph.downgradePlan(applied: applied, to: target)
        case .stamp(let target, let purge): plan = try graph.stampPlan(applied: applied, to: target, purge: purge)
        case .resolve: throw ConfigurationError(.resolveHasNoOfflineForm)
        }
        plan.operation = request.operation
        return plan
    }

    /// The plan of `--sql` and the state it starts from: `from` when given; else the environment's
    /// recorded state when it can be read (planned as an online run would, so a failed revision or
    /// one without a file is refused), else base. Says on stderr which.
    /// - Throws: `GraphError`, `PlanRefusal`, `ConfigurationError`.
    public func startingPlan(_ request: ChangeRequest, environment: Environment, from: String?) throws -> (plan: Plan, state: Set<String>) {
        if case .resolve = request.kind { throw ConfigurationError(.resolveHasNoOfflineForm) }
        let graph = try workspace.graph()
        if let from {
            let state = try startingState(from: from, graph: graph)
            return (try plan(request, graph: graph, applied: state), state)
        }
        let rows: [AppliedRevision]
        let recorded: [String: String]
        do {
            rows = try workspace.readState(of: environment)
            recorded = try workspace.readRepeatables(of: environment)
        } catch let error as GodwitError {
            workspace.events(.warning("the state of '\(environment.name)' cannot be read (\(error.message)); the script starts from base (give --from REV to start elsewhere)"))
            return (try plan(request, graph: graph, applied: []), [])
        }
        let plan = try Planner(environment: environment.name, versionsPath: project.versionsPath).plan(
            request, graph: graph, rows: rows, repeatables: try workspace.repeatables(), recorded: recorded)
        let heads = plan.fromHeads.isEmpty ? "base" : plan.fromHeads.joined(separator: ", ")
        workspace.events(.warning("the script starts from the heads recorded in '\(environment.name)': \(heads)"))
        return (plan, Set(rows.map(\.revision)))
    }

    /// The offline SQL script of a request for an environment (`--sql`): starts from `from`, else
    /// from the environment's recorded heads when they can be read, else from base.
    /// The SQL carries the real values of the environment's variables: a DBA runs it.
    /// - Throws: `GraphError`, `PlanRefusal`, `ConfigurationError`, `SQLTemplateError`.
    public func script(_ request: ChangeRequest, environment: Environment, from: String?) throws -> String {
        let (written, state) = try startingPlan(request, environment: environment, from: from)
        let values = try workspace.sqlVariables(of: environment)
        let plan = try written.rendered(variables: values)
        let variables = SQLTemplate.masking(values).filter { written.variableNames.contains($0.key) }
        let dialect: any DatabaseDialect
        if let known = try? workspace.dialect(of: environment) {
            dialect = known
        } else if let fallback = workspace.strictestDialect {
            dialect = fallback
            workspace.events(.warning("the url of '\(environment.name)' cannot be expanded here; writing \(fallback.displayName) SQL"))
        } else {
            throw ConfigurationError(.noDriver(environment: environment.name, url: nil), location: environment.urlLocation, environment: environment.name)
        }
        var hook: (String, String)?
        if plan.steps.contains(where: { $0.direction != .downgrade }), request.operation == .upgrade || request.operation == .promote,
            let url = project.afterUpgradeHook(for: environment.name), let text = try? String(contentsOf: url, encoding: .utf8)
        {
            hook = (RevisionGraph.relativePath(of: url, to: project.root), text)
        }
        let offline = OfflineScript(dialect: dialect, prefix: project.tablePrefix, isKeyed: try AuditKey.of(workspace) != nil)
        let now = AuditRecord.timestamp()
        let script = offline.render(
            plan, environment: environment, identity: workspace.identity, isAtomic: request.isAtomic, reason: request.reason, hook: hook,
            variables: variables, lock: environment.lockRequest(tablePrefix: project.tablePrefix, holder: workspace.holder), startingState: state, now: now)
        // The record's opening, so that the run after the script may copy (or seal) it.
        try AuditLogFile.appendOpening(
            offline.auditRecord(
                plan, environment: environment, identity: workspace.identity, reason: request.reason, variables: variables, now: now), withID: false,
            to: project.auditLog)
        return script
    }
}
