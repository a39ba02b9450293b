import Foundation
import GodwitCore
import GodwitSQLite
import Godwit

/// One revision of a `TestProject`: its id, its parents (space-separated), its SQL and extra header lines.
public typealias TestRevision = (id: String, parents: String, upgrade: String, downgrade: String?, extra: String)

/// A project in a temporary folder, written from literal files, with a workspace on SQLite.
public struct TestProject: Sendable {
    /// The project's folder.
    public let root: URL

    /// Writes `environments/environments.yaml` (`yaml`, or SQLite dev, test, protected prod and
    /// scratch) and the revisions.
    /// - Throws: when a file cannot be written.
    public init(yaml: String? = nil, revisions: [TestRevision] = []) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("environments"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("versions"), withIntermediateDirectories: true)
        try write(Project.configPath, yaml ?? """
            promotion: [dev, test, prod]
            default_environment: dev
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              test:
                url: sqlite:var/test.sqlite3
              prod:
                url: sqlite:var/prod.sqlite3
                protected: true
              scratch:
                url: sqlite:var/scratch.sqlite3
            """)
        for revision in revisions { try add(revision) }
    }

    /// Writes a file at `path` under the root, creating its folders.
    /// - Throws: when the file cannot be written.
    public func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Writes `versions/<id>_test.sql` for one revision.
    /// - Throws: when the file cannot be written.
    public func add(_ r: TestRevision) throws {
        var text = "-- revision: \(r.id)\n-- down_revision: \(r.parents)\n-- message: \(r.id) message\n\(r.extra)\n-- +upgrade\n\(r.upgrade)\n"
        if let downgrade = r.downgrade { text += "-- +downgrade\n\(downgrade)\n" }
        try write("versions/\(r.id)_test.sql", text)
    }

    /// A workspace on the project with the SQLite driver and a fixed identity.
    /// - Throws: `ConfigurationError` when the project does not load.
    public func workspace(actor: String = "tester", events: @escaping @Sendable (Event) -> Void = { _ in }) throws -> Workspace {
        try Workspace(
            project: try Project(root: root), drivers: [SQLiteDriver()],
            identity: Identity(actor: actor, host: "test-host", gitCommit: "abc123"), variables: [:], events: events)
    }

    /// A migrator of one environment.
    /// - Throws: `ConfigurationError` when the project or the environment does not load.
    public func migrator(_ environment: String = "dev", actor: String = "tester") throws -> Migrator {
        let workspace = try workspace(actor: actor)
        return Migrator(workspace: workspace, environment: try workspace.project.environment(environment))
    }

    /// Runs SQL against an environment's database file.
    /// - Throws: `DatabaseError`.
    public func query(_ environment: String, _ sql: String) throws -> [[String?]] {
        let connection = try SQLiteConnection(path: root.appendingPathComponent("var/\(environment).sqlite3").path)
        defer { connection.close() }
        return try connection.query(sql)
    }

    /// Removes the project's folder.
    public func remove() { try? FileManager.default.removeItem(at: root) }
}

/// Three revisions: users, orders, and an index.
public let shopRevisions: [TestRevision] = [
    ("aaa111", "", "CREATE TABLE users (id INTEGER PRIMARY KEY);", "DROP TABLE users;", ""),
    ("bbb222", "aaa111", "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER);", "DROP TABLE orders;", ""),
    ("ccc333", "bbb222", "CREATE INDEX orders_user ON orders (user_id);", "DROP INDEX orders_user;", ""),
]
