/// A repeatable revision (SPEC §11): `versions/repeatable/<name>.sql`, redefined as a whole
/// (a view, a function, grants) and run again whenever its checksum changes.
public struct Repeatable: Sendable, Hashable {
    /// The prefix of a repeatable's id in plans, audit steps and state: `repeatable/<name>`.
    public static let idPrefix = "repeatable/"

    /// The file's stem: `views` for `versions/repeatable/views.sql`.
    public var name: String
    /// The human message of the `-- message:` header line; empty when there is none.
    public var message: String
    /// The `-- +upgrade` section as written.
    public var upgrade: SQLSection
    /// The file's path, relative to the project root.
    public var path: String
    /// SHA-256 of the file's bytes with line endings normalised, lowercase hex.
    public var checksum: String

    /// Creates a repeatable; used by the parser and by tests.
    public init(name: String, message: String = "", upgrade: SQLSection, path: String = "", checksum: String = "") {
        self.name = name
        self.message = message
        self.upgrade = upgrade
        self.path = path
        self.checksum = checksum
    }

    /// The id that names it in plans, audit steps, `current` and `lint`: `repeatable/<name>`.
    public var id: String { Self.idPrefix + name }

    /// True when `id` names a repeatable (`repeatable/<name>`) rather than a revision.
    public static func isRepeatableID(_ id: String) -> Bool { id.hasPrefix(idPrefix) }

    /// The SQL that runs and that `--dry-run`, `--sql`, `--rehearse` and `lint` show: the one
    /// place a repeatable's SQL is taken from.
    public func sql() -> SQLSection { upgrade }

    /// The repeatable as a plan step's revision: always transactional, no downgrade, its SQL `sql()`.
    public var revision: Revision {
        Revision(
            id: id, message: message, isTransactional: true, upgrade: sql(), downgrade: nil, path: path,
            checksum: checksum, headerLines: [:])
    }

    /// The repeat step of a plan.
    public var step: Plan.Step { Plan.Step(revision: revision, direction: .repeat, sql: sql()) }
}
