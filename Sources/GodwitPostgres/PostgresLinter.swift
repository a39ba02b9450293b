import CPgQuery
import GodwitCore

/// The lint rules of SPEC §7, read from libpg_query's parse tree: PostgreSQL's own parser, no
/// hand-written SQL lexer or parser.
///
/// A section is split into statements by `PostgresStatementSplitter` (each statement's offset
/// gives its line in the file); each statement is parsed on its own into libpg_query's JSON parse
/// tree, and the rules read that tree in order, remembering what the revision did before (the
/// tables it created, the constraints it added `NOT VALID` or validated). A statement the parser
/// rejects (a syntax error, or syntax newer than libpg_query's PostgreSQL 15 grammar) is not
/// linted: the database judges it when it runs.
///
/// SQLite revisions are linted with the same parser and the rules of
/// `LintRule.rules(for: .sqlite)`: SQLite's DDL for tables and columns is PostgreSQL's, and a
/// statement only SQLite understands is skipped like any statement that does not parse.
///
/// Findings are silenced with `-- godwit:ignore RULE[, RULE…]` (see `IgnoreDirective`); comments
/// are found by libpg_query's scanner, so a directive inside a string literal silences nothing.
public struct PostgresLinter: Linter {
    /// The dialect of the revisions: decides the rules and how lenient reading is.
    public var dialect: SQLDialect
    /// The rules that report; the others stay silent.
    public var rules: Set<LintRule>
    /// The oldest PostgreSQL major version the revisions must run on: before 12, `ALTER TYPE …
    /// ADD VALUE` cannot run in a transaction.
    public var serverMajorVersion: Int

    /// Creates a linter for revisions of `dialect`, with the rules of `LintRule.rules(for:)`.
    public init(dialect: SQLDialect = .postgresql, serverMajorVersion: Int = 12) {
        self.dialect = dialect
        self.rules = LintRule.rules(for: dialect)
        self.serverMajorVersion = serverMajorVersion
    }

    /// The findings of one section of `revision`, in the order of its statements, linted on its
    /// own against a busy database.
    /// - Throws: `ContextualError` (exit 2) at `path:line` when a PostgreSQL section cannot be
    ///   split into statements (an unterminated quote, comment or dollar quote). A SQLite section
    ///   that PostgreSQL's scanner cannot split has no findings instead.
    public func lint(_ sql: SQLSection, revision: Revision) throws -> [LintFinding] {
        var context = LintContext()
        return try lint(sql, revision: revision, context: &context)
    }

    /// The findings of one section of `revision` as a step of a plan: the tables `context` lists
    /// are new (no lock or drop rule fires on them), and so is a table `CREATE TABLE IF NOT EXISTS`
    /// creates on a fresh database; the tables the section creates are added to `context`.
    /// - Throws: what `lint(_:revision:)` throws.
    public func lint(_ sql: SQLSection, revision: Revision, context: inout LintContext) throws -> [LintFinding] {
        let lines = LineIndex(sql.sql)
        var statements: [(sql: String, offset: Int)]
        do {
            statements = try PostgresStatementSplitter.split(sql.sql)
        } catch let error as DatabaseError {
            if dialect == .sqlite { return [] }
            throw ContextualError(
                .usage,
                "cannot lint revision '\(revision.id)': \(error.message); fix the SQL of the revision",
                location: SourceLocation(file: revision.path, line: sql.line + lines.line(atUTF8Offset: error.position ?? 0)),
                revision: revision.id)
        }
        if dialect == .sqlite { statements = Self.joiningTriggerBodies(statements) }
        let spans = statements.map { $0.offset..<($0.offset + $0.sql.utf8.count) }
        let directives = Self.ignoreDirectives(in: sql.sql, statements: spans, lines: lines)
        let trees = statements.map { Self.parseTrees($0.sql) ?? [] }
        var state = LintState(isTransactional: revision.isTransactional, serverMajorVersion: serverMajorVersion, context: context, trees: trees)
        var findings: [LintFinding] = []
        for (index, statement) in statements.enumerated() {
            let line = sql.line + lines.line(atUTF8Offset: statement.offset)
            state.statementIndex = index
            for tree in trees[index] {
                for flag in LintRegistry.check(tree, state: &state) where rules.contains(flag.rule) {
                    guard !directives[index].contains(where: { $0.silences(flag.rule) }) else { continue }
                    findings.append(LintFinding(
                        rule: flag.rule, revision: revision.id, file: revision.path, line: line, message: flag.message))
                }
            }
        }
        context = state.updating(context)
        return findings
    }

    /// The parse trees (`{"NodeType": {…}}`) of the statements in `sql`; nil when the parser rejects it.
    static func parseTrees(_ sql: String) -> [JSONValue]? {
        let result = sql.withCString { pg_query_parse($0) }
        defer { pg_query_free_parse_result(result) }
        guard result.error == nil, let text = result.parse_tree,
            let tree = try? JSONValue(parsing: String(cString: text))
        else { return nil }
        return tree["stmts"]?.arrayValue?.compactMap { $0["stmt"] } ?? []
    }

    /// The ignore directives that apply to each statement: those in comments on the statement's
    /// lines (a trailing comment after its `;` included), and those in the comment-only lines
    /// right above it (up to a blank line or another statement).
    static func ignoreDirectives(in script: String, statements: [Range<Int>], lines: LineIndex) -> [[IgnoreDirective]] {
        let bytes = Array(script.utf8)
        var codeLines = Set<Int>()
        for span in statements where !span.isEmpty {
            codeLines.formUnion(lines.line(atUTF8Offset: span.lowerBound)...lines.line(atUTF8Offset: span.upperBound - 1))
        }
        var commentLines = Set<Int>()
        var directivesByLine: [Int: [IgnoreDirective]] = [:]
        for range in PostgresScanner.comments(in: script) {
            let covered = lines.line(atUTF8Offset: range.lowerBound)...lines.line(atUTF8Offset: range.upperBound - 1)
            commentLines.formUnion(covered)
            guard let directive = IgnoreDirective(comment: String(decoding: bytes[range], as: UTF8.self)) else { continue }
            for line in covered { directivesByLine[line, default: []].append(directive) }
        }
        return statements.map { span in
            let first = lines.line(atUTF8Offset: span.lowerBound)
            let last = lines.line(atUTF8Offset: max(span.lowerBound, span.upperBound - 1))
            var found = (first...last).flatMap { directivesByLine[$0] ?? [] }
            var above = first - 1
            while above >= 0, commentLines.contains(above), !codeLines.contains(above) {
                found += directivesByLine[above] ?? []
                above -= 1
            }
            return found
        }
    }
}

/// Maps UTF-8 offsets of a text to 0-based line numbers, in logarithmic time.
struct LineIndex {
    /// The offset of each line's first byte.
    private let starts: [Int]

    /// Indexes the lines of `text`.
    init(_ text: String) {
        var starts = [0]
        for (offset, byte) in text.utf8.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        self.starts = starts
    }

    /// The 0-based line holding the byte at `offset`.
    func line(atUTF8Offset offset: Int) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
