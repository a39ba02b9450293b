import Foundation
import GodwitCore

/// Lints the project's revisions (`lint`, and `check` and changes under `lint:`) with the linters
/// the executable handed to the workspace.
public struct ProjectLinter: Sendable {
    /// The workspace: its graph, linters and environments.
    public let workspace: Workspace

    /// Creates the linter of a workspace.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }
    var linters: [SQLDialect: any Linter] { workspace.linters }
    var strictestDialect: (any DatabaseDialect)? { workspace.strictestDialect }
    func graph() throws -> RevisionGraph { try workspace.graph() }
    func dialect(of environment: Environment) throws -> any DatabaseDialect { try workspace.dialect(of: environment) }
}

extension ProjectLinter {
    /// `lint [REV...]`: the findings of the named revisions (ids, unique prefixes, branch labels,
    /// `head`, `LABEL@head`, `repeatable/NAME`), or of every revision of the graph when none is
    /// named, parents first, then every repeatable.
    /// Upgrade sections only, unless `includingDowngrades`. `{{ name }}` is replaced from
    /// `variables` first (nil: those of `lintVariables(environment: nil)`).
    /// - Throws: `OperationError.noLinter` (exit 2) when the executable handed in no linter for `dialect`;
    ///   `RevisionFileError` or `GraphError` for the graph and the names; `SQLTemplateError` for an
    ///   undefined variable; what the linter throws for a section it cannot read.
    public func lint(
        _ revisions: [String] = [], dialect: SQLDialect, includingDowngrades: Bool = false, variables: [String: String]? = nil
    ) throws -> [LintFinding] {
        guard let linter = linters[dialect] else {
            throw OperationError.noLinter(dialect: dialect.rawValue)
        }
        let graph = try graph()
        var ids = graph.order
        var repeatables = try workspace.repeatables()
        if !revisions.isEmpty {
            let repeatableNames = revisions.filter(Repeatable.isRepeatableID)
            if let unknown = repeatableNames.first(where: { name in !repeatables.contains { $0.id == name } }) {
                throw GraphError(.unknownRevision(unknown), revision: unknown)
            }
            repeatables = repeatables.filter { repeatableNames.contains($0.id) }
            let named = Set(try revisions.filter { !Repeatable.isRepeatableID($0) }.map { try graph.resolveSingle($0) })
            ids = ids.filter { named.contains($0) }
        }
        let values = try variables ?? lintVariables(environment: nil)
        return try (graph.revisions(ids) + repeatables.map(\.revision)).flatMap {
            try linter.lint($0.rendered(variables: values), includingDowngrade: includingDowngrades)
        }
    }

    /// The variables `lint` renders the SQL with: the named environment's; with none named, the
    /// default environment's, else the top-level `vars:`.
    /// - Throws: `ConfigurationError` for an unknown environment or an unset `${VAR}` in a value.
    public func lintVariables(environment name: String?) throws -> [String: String] {
        guard name != nil || project.defaultEnvironment != nil else { return try workspace.scratchSQLVariables() }
        return try workspace.sqlVariables(of: project.environment(name))
    }

    /// `lint --since REF`: the findings of the revisions whose files were added or changed since
    /// `git merge-base REF HEAD`, committed or not (`GitChanges`), parents first, and of the changed
    /// repeatables; none when no such file changed. Upgrade sections only, unless `includingDowngrades`.
    /// - Throws: `GitError` (exit 2) outside a git checkout, for an unknown ref or without git;
    ///   what `lint(_:dialect:includingDowngrades:variables:)` throws.
    public func lint(
        changedSince ref: String, dialect: SQLDialect, includingDowngrades: Bool = false, variables: [String: String]? = nil
    ) throws -> [LintFinding] {
        let changed = try GitChanges.paths(in: project.root, under: project.versionsPath, since: ref)
        let graph = try graph()
        let ids = graph.order.filter { id in graph.revisions[id].map { changed.contains($0.path) } ?? false }
        let repeatables = try workspace.repeatables().filter { changed.contains($0.path) }.map(\.id)
        guard !ids.isEmpty || !repeatables.isEmpty else { return [] }
        return try lint(ids + repeatables, dialect: dialect, includingDowngrades: includingDowngrades, variables: variables)
    }

    /// The dialect whose rules `lint` applies: the named environment's; with none named, SQLite
    /// when every environment is SQLite, else the strictest of the handed-in drivers' (a project
    /// that reaches PostgreSQL anywhere gets its rules). An environment whose URL cannot be
    /// expanded (an unset `${VAR}`) counts as the strictest.
    /// - Throws: `ConfigurationError` for an unknown environment name; `OperationError.noLinter`
    ///   when the executable handed in no driver at all.
    public func lintDialect(environment name: String? = nil) throws -> SQLDialect {
        let environments = try name.map { [try project.environment($0)] } ?? project.orderedEnvironments
        let found = Set(environments.map(lintingDialect(of:)))
        if found.count == 1, let only = found.first, let dialect = only { return dialect }
        guard let strictest = strictestDialect?.id else { throw OperationError.noLinter(dialect: nil) }
        return strictest
    }

    /// The dialect of an environment's URL for linting: the strictest handed-in driver's when the
    /// URL cannot be expanded or read; nil when no driver was handed in.
    func lintingDialect(of environment: Environment) -> SQLDialect? {
        if environment.isFleet { return environment.dialectMember(in: workspace).flatMap { lintingDialect(of: $0) } ?? strictestDialect?.id }
        return (try? dialect(of: environment).id) ?? strictestDialect?.id
    }
}

extension ProjectLinter {
    /// The lint findings of each step of a plan in an environment's dialect, by revision id
    /// (steps without SQL, and dialects without a linter, have none).
    /// - Throws: what the linter throws for a section it cannot read.
    public func lintFindings(of plan: Plan, in environment: Environment) throws -> [String: [LintFinding]] {
        guard let dialect = lintingDialect(of: environment), let linter = linters[dialect] else { return [:] }
        var findings: [String: [LintFinding]] = [:]
        // The upgrade steps share what the earlier ones created; on a fresh database (no head
        // before the plan), `CREATE TABLE IF NOT EXISTS` creates its table too.
        var context = LintContext(isFreshDatabase: plan.fromHeads.isEmpty)
        for step in plan.steps {
            guard let section = step.sql else { continue }
            let found = step.direction != .downgrade
                ? try linter.lint(section, revision: step.revision, context: &context)
                : try linter.lint(section, revision: step.revision)
            if !found.isEmpty { findings[step.revision.id, default: []] += found }
        }
        return findings
    }
}

extension Problem {
    /// A lint finding as a problem of SPEC §9: `kind` is the rule's id.
    public init(_ finding: LintFinding) {
        self.init(kind: finding.rule.id, revision: finding.revision, file: finding.file, line: finding.line, message: finding.message)
    }
}

extension CheckReport {
    /// The report of `lint`: ok when there is no finding.
    public init(findings: [LintFinding]) {
        self.init(problems: findings.map(Problem.init))
    }
}
