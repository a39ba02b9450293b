import Foundation
import GodwitCore

/// Where one environment stands (`godwit current`).
public struct CurrentState: Sendable {
    public var environment: String
    /// The environment's heads, and whether each is a head of the graph.
    public var heads: [(id: String, isGraphHead: Bool)]
    /// Applied revisions in the order they were applied.
    public var applied: [String]
    /// Revisions of the graph not applied, parents first.
    public var pending: [String]
    /// Revisions recorded as failed.
    public var failed: [String]

    /// The JSON of SPEC §9.
    public var json: JSONValue {
        .object([
            "environment": .string(environment), "heads": .strings(heads.map(\.id)), "applied": .strings(applied),
            "pending": .strings(pending), "failed": .strings(failed),
        ])
    }
}

extension Workspace {
    /// Reads where an environment stands.
    /// - Throws: `DatabaseError` when unreachable; `GraphError`/`RevisionFileError` for bad revisions.
    public func current(of environment: Environment) throws -> CurrentState {
        let graph = try graph()
        let rows = try readState(of: environment)
        let state = StateReport(graph: graph, rows: rows)
        return CurrentState(
            environment: environment.name,
            heads: state.heads.map { ($0, graph.heads.contains($0)) },
            applied: rows.filter { !$0.isFailed }.map(\.revision), pending: state.pending, failed: state.failed)
    }

    /// The plan of a request computed without a database, from the state `from` implies (`--sql`).
    /// - Throws: `GraphError` or `PlanRefusal` as planning does.
    public func offlinePlan(_ request: ChangeRequest, from: String?) throws -> Plan {
        let graph = try graph()
        let applied: Set<String> = try from.map { $0 == "base" ? [] : graph.ancestry(of: [try graph.resolveSingle($0)]) } ?? []
        var plan: Plan
        switch request.kind {
        case .upgrade(let target): plan = try graph.upgradePlan(applied: applied, to: target)
        case .downgrade(let target): plan = try graph.downgradePlan(applied: applied, to: target)
        case .stamp(let target, let purge): plan = try graph.stampPlan(applied: applied, to: target, purge: purge)
        case .resolve: throw ConfigurationError("resolve has no offline form; it only changes Godwit's own table")
        }
        plan.operation = request.operation
        return plan
    }

    /// The offline SQL script of a request for an environment (`--sql`): needs no database.
    /// - Throws: `GraphError`, `PlanRefusal`, `ConfigurationError`.
    public func offlineScript(_ request: ChangeRequest, environment: Environment, from: String?) throws -> String {
        let plan = try offlinePlan(request, from: from)
        let dialect: any DatabaseDialect
        if let known = try? self.dialect(of: environment) {
            dialect = known
        } else if let fallback = strictestDialect {
            dialect = fallback
            events(.warning("the url of '\(environment.name)' cannot be expanded here; writing \(fallback.displayName) SQL"))
        } else {
            throw ConfigurationError(
                "no driver for the url of environment '\(environment.name)'", location: environment.urlLocation, environment: environment.name)
        }
        var hook: (String, String)?
        if plan.steps.contains(where: { $0.direction == .upgrade }), request.operation == .upgrade || request.operation == .promote,
            let url = project.afterUpgradeHook(for: environment.name), let text = try? String(contentsOf: url, encoding: .utf8)
        {
            hook = (RevisionGraph.relativePath(of: url, to: project.root), text)
        }
        return OfflineScript(dialect: dialect, prefix: project.tablePrefix).render(
            plan, environment: environment, identity: identity, isAtomic: request.isAtomic, reason: request.reason, hook: hook)
    }
}
