import Foundation

/// One revision read from another tool's history, ready to be written as a Godwit revision file.
public struct ImportedRevision: Sendable, Equatable {
    /// The Godwit revision id: Alembic's own; otherwise `v<version>` with `.` as `_` (SPEC §12).
    public var id: String
    /// The parents' ids: none for a base, several for a merge.
    public var downRevisions: [String]
    /// The revision's message (from the file name, or Alembic's docstring).
    public var message: String
    /// When it was written, when the tool knows.
    public var createDate: Date?
    /// Branch labels (Alembic only).
    public var branchLabels: [String]
    /// Dependencies on other revisions (Alembic's `depends_on`).
    public var dependsOn: [String]
    /// False for a migration the tool runs outside a transaction.
    public var isTransactional: Bool
    /// The upgrade SQL, byte for byte as the tool holds (or, for Alembic, prints) it.
    public var upgradeSQL: String
    /// The downgrade SQL; nil when the tool has none (the revision is then irreversible).
    public var downgradeSQL: String?
    /// The file it came from, relative to the imported folder, for messages.
    public var source: String

    /// Creates an imported revision.
    public init(
        id: String, downRevisions: [String], message: String, createDate: Date? = nil, branchLabels: [String] = [],
        dependsOn: [String] = [], isTransactional: Bool = true, upgradeSQL: String, downgradeSQL: String?, source: String
    ) {
        self.id = id
        self.downRevisions = downRevisions
        self.message = message
        self.createDate = createDate
        self.branchLabels = branchLabels
        self.dependsOn = dependsOn
        self.isTransactional = isTransactional
        self.upgradeSQL = upgradeSQL
        self.downgradeSQL = downgradeSQL
        self.source = source
    }
}

/// A repeatable read from another tool (Flyway's `R__` files), written to `versions/repeatable/`.
public struct ImportedRepeatable: Sendable, Equatable {
    /// The file stem in `versions/repeatable/`.
    public var name: String
    /// Its message (from the file name).
    public var message: String
    /// Its SQL, byte for byte.
    public var sql: String
    /// The file it came from, relative to the imported folder.
    public var source: String

    /// Creates an imported repeatable.
    public init(name: String, message: String, sql: String, source: String) {
        self.name = name
        self.message = message
        self.sql = sql
        self.source = source
    }
}

/// A file of another tool's history that could not be converted: where, and why.
public struct ImportProblem: Sendable, Equatable {
    /// The file, relative to the imported folder.
    public var file: String
    /// The line, when the problem is at one.
    public var line: Int?
    /// What is wrong, in words.
    public var reason: String

    /// Creates a problem.
    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
}

/// What an import read from another tool's folder: revisions in the tool's order, repeatables,
/// the placeholder names rewritten to `{{ name }}`, and the files that did not convert.
public struct ImportedHistory: Sendable {
    /// The revisions, parents before children.
    public var revisions: [ImportedRevision]
    /// The repeatables, in file-name order.
    public var repeatables: [ImportedRepeatable]
    /// Placeholder names the SQL uses, now `{{ name }}` (Flyway's `${name}`).
    public var placeholders: [String]
    /// The files that did not convert.
    public var problems: [ImportProblem]

    /// Creates a history.
    public init(
        revisions: [ImportedRevision], repeatables: [ImportedRepeatable] = [], placeholders: [String] = [],
        problems: [ImportProblem] = []
    ) {
        self.revisions = revisions
        self.repeatables = repeatables
        self.placeholders = placeholders
        self.problems = problems
    }
}
