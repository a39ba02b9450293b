/// One thing the linter found: a statement of a revision that a rule flags (SPEC §7).
public struct LintFinding: Sendable, Hashable, CustomStringConvertible {
    /// The rule that flags the statement.
    public var rule: LintRule
    /// The revision's id.
    public var revision: String
    /// The revision file's path, relative to the project root.
    public var file: String
    /// The 1-based line in the file where the flagged statement starts.
    public var line: Int
    /// What the statement does, why that is dangerous, and the safe alternative.
    public var message: String

    /// Creates a finding.
    public init(rule: LintRule, revision: String, file: String, line: Int, message: String) {
        self.rule = rule
        self.revision = revision
        self.file = file
        self.line = line
        self.message = message
    }

    /// Where the statement is: `path:line`.
    public var location: SourceLocation { SourceLocation(file: file, line: line) }

    /// The way a compiler writes a warning: `path:line: warning: [rule] message`.
    public var description: String { "\(file):\(line): warning: [\(rule.id)] \(message)" }
}
