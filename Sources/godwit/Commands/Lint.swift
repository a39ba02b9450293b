import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Lint: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Warn about statements that lock busy tables or destroy data: dropped tables and columns, blocking index builds, table rewrites and more; exit 3 when any is found.",
            discussion: """
                Lints the upgrade section of every revision when no REV is given. The rules are PostgreSQL's; when every \
                environment is SQLite (or -e names a SQLite one), only those that apply to SQLite run: drop-table, \
                drop-column, rename-table, rename-column, non-transactional-statement-in-transaction.
                Silence a finding with a comment '-- godwit:ignore RULE[, RULE...]' on the statement's lines, or on the \
                comment lines right above it.
                Rules: \(LintRule.allCases.map(\.id).joined(separator: ", ")).
                Exit 0 when nothing is found, 3 when something is.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Revisions to lint: ids, unique prefixes, branch labels, 'head' or 'LABEL@head' (default: every revision).")
        var revisions: [String] = []
        @Flag(name: .customLong("downgrade"), help: "Also lint the downgrade sections.") var includesDowngrades = false
        @Option(name: .long, help: ArgumentHelp("Lint only the revision files added or changed since 'git merge-base GIT_REF HEAD', uncommitted changes included (for a pull request's CI).", valueName: "git-ref"))
        var since: String?

        func validate() throws {
            if since != nil && !revisions.isEmpty { throw ValidationError("--since picks the revisions itself; give either REV... or --since GIT_REF") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let linter = ProjectLinter(workspace: workspace)
            let dialect = try linter.lintDialect(environment: global.env)
            let variables = try linter.lintVariables(environment: global.env)
            let findings = try since.map {
                try linter.lint(changedSince: $0, dialect: dialect, includingDowngrades: includesDowngrades, variables: variables)
            } ?? linter.lint(revisions, dialect: dialect, includingDowngrades: includesDowngrades, variables: variables)
            try renderLint(findings, console: console)
        }
    }
}
