import Foundation
import GodwitCore

/// Writes the SQL script of a request without a database (`--sql`), from the state `--from` implies.
public struct OfflineScriptWriter: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates a writer.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// The plan of a request computed without a database, from the state `from` implies (`--sql`).
    /// - Throws: `GraphError` or `PlanRefusal` as planning does.
    public func plan(_ request: ChangeRequest, from: String?) throws -> Plan {
        let graph = try workspace.graph()
        let applied: Set<String> = try from.map { $0 == "base" ? [] : graph.ancestry(of: [try graph.resolveSingle($0)]) } ?? []
        var plan: Plan
        switch request.kind {
        case .upgrade(let target): plan = try graph.upgradePlan(applied: applied, to: target)
        case .downgrade(let target): plan = try graph.downgradePlan(applied: applied, to: target)
        case .stamp(let target, let purge): plan = try graph.stampPlan(applied: applied, to: target, purge: purge)
        case .resolve: throw ConfigurationError(.resolveHasNoOfflineForm)
        }
        plan.operation = request.operation
        return plan
    }

    /// The offline SQL script of a request for an environment (`--sql`): needs no database.
    /// - Throws: `GraphError`, `PlanRefusal`, `ConfigurationError`.
    public func script(_ request: ChangeRequest, environment: Environment, from: String?) throws -> String {
        let plan = try plan(request, from: from)
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
        if plan.steps.contains(where: { $0.direction == .upgrade }), request.operation == .upgrade || request.operation == .promote,
            let url = project.afterUpgradeHook(for: environment.name), let text = try? String(contentsOf: url, encoding: .utf8)
        {
            hook = (RevisionGraph.relativePath(of: url, to: project.root), text)
        }
        let offline = OfflineScript(dialect: dialect, prefix: project.tablePrefix, isKeyed: try AuditKey.of(workspace) != nil)
        let now = AuditRecord.timestamp()
        let script = offline.render(
            plan, environment: environment, identity: workspace.identity, isAtomic: request.isAtomic, reason: request.reason, hook: hook, now: now)
        // The record's opening, so that the run after the script may copy (or seal) it.
        try AuditLogFile.appendOpening(
            offline.auditRecord(plan, environment: environment, identity: workspace.identity, reason: request.reason, now: now), withID: false,
            to: project.auditLog)
        return script
    }
}
