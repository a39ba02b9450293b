import Foundation
import GodwitCore

/// The checks of one environment against the graph: `check` (the CI gate), `verify` (checksums)
/// and `wait` (until a deploy has reached a target).
public struct EnvironmentChecks: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates the checks.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// `verify`: the checksums of an environment's applied revisions against their files.
    /// - Throws: `DatabaseError` when the environment cannot be read; graph errors.
    public func verify(_ environment: Environment) throws -> CheckReport {
        let graph = try workspace.graph()
        let state = StateReport(graph: graph, rows: try workspace.readState(of: environment))
        return CheckReport(problems: checksumProblems(state, graph: graph, environment: environment))
    }

    func checksumProblems(_ state: StateReport, graph: RevisionGraph, environment: Environment) -> [Problem] {
        state.checksumMismatches.map { id in
            Problem(
                kind: "checksum_mismatch", revision: id, file: graph[id]?.path, line: 1,
                message: "revision '\(id)' was changed after it was applied to '\(environment.name)': its file's checksum differs from the one recorded; revert the edit and write a new revision instead, or, when the edit changes no SQL (a comment), record it with 'godwit repair \(id) -e \(environment.name) --reason TEXT'")
        }
            + state.unknown.map { id in
                Problem(
                    kind: "unknown_revision", revision: id,
                    message: "revision '\(id)' is applied in '\(environment.name)' but has no file in \(project.versionsPath)/")
            }
    }

    /// `check`: the CI gate. Several graph heads, pending or failed revisions, checksum mismatches;
    /// for a fleet, those of every target, each naming its target.
    /// - Throws: `DatabaseError` when the environment cannot be read; graph errors; `FleetError`
    ///   when a fleet's targets cannot be resolved.
    public func check(_ environment: Environment) throws -> CheckReport {
        let graph = try workspace.graph()
        var problems: [Problem] = []
        if graph.heads.count > 1 {
            problems.append(Problem(
                kind: "multiple_heads",
                message: "the graph has \(graph.heads.count) heads (\(graph.heads.joined(separator: ", "))); join them with 'godwit merge -m MESSAGE heads'"))
        }
        if environment.isFleet { return CheckReport(problems: problems + (try fleetProblems(environment, graph: graph))) }
        let state = StateReport(
            graph: graph, rows: try workspace.readState(of: environment), repeatables: try workspace.repeatables(),
            recorded: try workspace.readRepeatables(of: environment))
        problems += stateProblems(state, graph: graph, environment: environment)
        let linter = ProjectLinter(workspace: workspace)
        if environment.lint == .error, let dialect = linter.lintingDialect(of: environment), workspace.linters[dialect] != nil {
            problems += try linter.lint(state.pending, dialect: dialect, variables: workspace.sqlVariables(of: environment)).map(Problem.init)
        }
        return CheckReport(problems: problems)
    }

    /// The pending, failed and checksum problems of one database's recorded state.
    func stateProblems(_ state: StateReport, graph: RevisionGraph, environment: Environment) -> [Problem] {
        var problems: [Problem] = []
        for revision in graph.revisions(state.pending) {
            let id = revision.id
            problems.append(Problem(
                kind: "pending", revision: id, file: revision.path, line: 1,
                message: "revision '\(id)' (\(revision.message)) is not applied to '\(environment.name)'; run 'godwit upgrade -e \(environment.name)'"))
        }
        let repeatables = (try? workspace.repeatables()) ?? []
        for repeatable in repeatables where state.changedRepeatables.contains(repeatable.id) {
            problems.append(Problem(
                kind: "repeatable_pending", revision: repeatable.id, file: repeatable.path, line: 1,
                message: "repeatable '\(repeatable.id)' has changed (or never ran) in '\(environment.name)'; run 'godwit upgrade -e \(environment.name)' to run it"))
        }
        for id in state.failed {
            problems.append(Problem(
                kind: "failed", revision: id, file: graph.revisions[id]?.path, line: graph.revisions[id] == nil ? nil : 1,
                message: "revision '\(id)' failed part-way in '\(environment.name)'; finish or undo it by hand, then 'godwit resolve \(id) -e \(environment.name) --applied' or '--rolled-back'"))
        }
        return problems + checksumProblems(state, graph: graph, environment: environment)
    }

    /// `wait`: blocks until the environment has reached `target`, reading it every `interval`
    /// seconds; an unreachable database is waited for too.
    /// - Throws: `OperationError.waitTimedOut` (exit 4) on timeout, saying what is still missing or why the
    ///   database could not be read; `PlanRefusal.failedRevision` (exit 5) at once when the target is not
    ///   reached and a revision is recorded as failed (only `resolve` moves it on); graph errors at once.
    public func wait(for environment: Environment, target: Target, timeout: TimeoutValue, interval: Double = 1) throws -> [String] {
        let graph = try workspace.graph()
        let deadline = Date().addingTimeInterval(timeout.seconds)
        var last = OperationError.WaitProgress.nothingRead
        while true {
            do {
                let rows = try workspace.readState(of: environment)
                let applied = Set(rows.filter { !$0.isFailed }.map(\.revision))
                let missing = try graph.upgradeSteps(applied: applied, to: target)
                if missing.isEmpty { return graph.heads(ofApplied: applied) }
                // A failed revision blocks every upgrade until someone resolves it: no point waiting.
                if let failed = rows.first(where: \.isFailed) {
                    throw PlanRefusal.failedRevision(revision: failed.revision, environment: environment.name)
                }
                last = .missing(missing)
            } catch let error as DatabaseError {
                last = .unreadable(error.message)
            } catch let error as ConfigurationError {
                throw error
            }
            if Date() >= deadline {
                throw OperationError.waitTimedOut(environment: environment.name, target: target, timeout: timeout, last: last)
            }
            Thread.sleep(forTimeInterval: min(interval, max(0.05, deadline.timeIntervalSinceNow)))
        }
    }
}
