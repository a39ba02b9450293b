/// Reads the SQL of a revision and reports the statements that lock or destroy (SPEC §7).
///
/// The executable hands a concrete linter (GodwitPostgres' `PostgresLinter`) to the orchestration
/// layer, as it hands it the drivers: `Godwit` never imports a dialect's module.
public protocol Linter: Sendable {
    /// The findings of one section of `revision` (its upgrade or its downgrade), in the order of
    /// the statements, with the lines of `revision.path`. Statements silenced by a
    /// `-- godwit:ignore RULE` comment (see `IgnoreDirective`) are left out.
    /// - Throws: `ContextualError` (exit 2) at `path:line` when the section cannot be read into
    ///   statements at all (an unterminated quote, comment or dollar quote).
    func lint(_ sql: SQLSection, revision: Revision) throws -> [LintFinding]

    /// The findings of one section of `revision` run as a step of a plan: `context` says what the
    /// earlier steps did, and the section's own tables are added to it for the steps after.
    /// The default ignores the context.
    /// - Throws: what `lint(_:revision:)` throws.
    func lint(_ sql: SQLSection, revision: Revision, context: inout LintContext) throws -> [LintFinding]
}

extension Linter {
    /// Lints the section on its own, leaving `context` as it is.
    /// - Throws: what `lint(_:revision:)` throws.
    public func lint(_ sql: SQLSection, revision: Revision, context: inout LintContext) throws -> [LintFinding] {
        try lint(sql, revision: revision)
    }

    /// The findings of a revision's upgrade section, then of its downgrade section when
    /// `includingDowngrade` is true.
    /// - Throws: what `lint(_:revision:)` throws.
    public func lint(_ revision: Revision, includingDowngrade: Bool = false) throws -> [LintFinding] {
        var findings = try lint(revision.upgrade, revision: revision)
        if includingDowngrade, let downgrade = revision.downgrade {
            findings += try lint(downgrade, revision: revision)
        }
        return findings
    }
}

/// A comment that silences rules for one statement: `-- godwit:ignore RULE[, RULE…]`, optionally
/// followed by a reason (`-- godwit:ignore drop-column: unused since v3`). It applies to the
/// statement on whose lines it stands (first line through the line of its `;`, a trailing comment
/// after the `;` included) or, on comment-only lines, to the statement right below it. `/* … */`
/// comments work the same way.
public struct IgnoreDirective: Sendable, Hashable {
    /// The rule ids the comment names, as written (unknown ids silence nothing).
    public var ruleIDs: [String]

    /// The marker that starts a directive inside a comment.
    public static let marker = "godwit:ignore"

    /// Reads a directive from a comment's full text (`-- …` or `/* … */`); nil when the comment is
    /// not one, or names no rule.
    public init?(comment: String) {
        var text = Substring(comment)
        if text.hasPrefix("--") {
            text = text.dropFirst(2)
        } else if text.hasPrefix("/*") {
            text = text.dropFirst(2)
            if text.hasSuffix("*/") { text = text.dropLast(2) }
        } else {
            return nil
        }
        text = text.drop(while: \.isWhitespace)
        guard text.hasPrefix(Self.marker) else { return nil }
        text = text.dropFirst(Self.marker.count)
        guard let first = text.first, first.isWhitespace else { return nil }
        var ids: [String] = []
        while true {
            text = text.drop(while: \.isWhitespace)
            let id = text.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            guard !id.isEmpty else { break }
            ids.append(id.lowercased())
            text = text.dropFirst(id.count).drop(while: \.isWhitespace)
            guard text.first == "," else { break }
            text = text.dropFirst()
        }
        guard !ids.isEmpty else { return nil }
        ruleIDs = ids
    }

    /// True when the directive names `rule`.
    public func silences(_ rule: LintRule) -> Bool { ruleIDs.contains(rule.id) }
}
