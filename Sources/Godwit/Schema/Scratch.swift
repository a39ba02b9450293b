import Foundation
import GodwitCore

/// The scratch database of `scratch_url` (SPEC §2): a database Godwit wipes and fills to learn
/// what a chain of revisions or a schema file produces. SQLite's default is a fresh in-memory
/// database each time; a PostgreSQL scratch database has the schemas its user owns dropped and
/// the working schema created again before each use.
public struct Scratch {
    /// The expanded URL.
    public let url: DatabaseURL
    /// The PostgreSQL schema to work in (the environment's `schema:`), nil for `public`.
    public let schema: String?
    let workspace: Workspace

    /// The driver that opens the scratch URL.
    let driver: any DatabaseDriver
    /// The scratch database's dialect.
    var dialect: any DatabaseDialect { driver.dialect }

    /// Runs `body` on a freshly wiped scratch database, under the scratch's own lock.
    /// - Throws: `ConfigurationError` when no driver opens the URL; `DatabaseError` with the
    ///   scratch URL named; what `body` throws.
    func withFreshConnection<T>(_ body: (any DriverConnection) throws -> T) throws -> T {
        let connection: any DriverConnection
        do {
            connection = try driver.connect(
                to: url, options: ConnectionOptions(applicationName: "godwit scratch \(workspace.identity.holder)", schema: schema))
        } catch let error as DatabaseError {
            throw named(error)
        }
        defer { connection.close() }
        let request = LockRequest(
            name: "scratch.\(workspace.project.tablePrefix)", tablePrefix: workspace.project.tablePrefix, mode: .advisory,
            timeout: TimeoutValue(milliseconds: 60_000), holder: workspace.identity.holder)
        do {
            return try connection.withLock(request, waiting: { holder in
                workspace.events(.warning("waiting for the scratch database, in use by \(holder ?? "another run")"))
            }) {
                try connection.wipe(workingSchema: schema)
                return try body(connection)
            }
        } catch let error as DatabaseError {
            throw named(error)
        }
    }

    /// Adds "scratch database" and the redacted URL to a database error.
    func named(_ error: DatabaseError) -> DatabaseError {
        var copy = error
        copy.message = url.redact(error.message)
        if error.location == nil && !copy.message.contains("scratch") {
            copy.message = "scratch database (\(url)): " + copy.message
        }
        return copy
    }

    /// Replays the upgrade sections of the revisions up to `target` from an empty database, each
    /// transactional one in its own transaction, the others statement by statement, then
    /// `repeatables` (the files as they are), as an upgrade runs them, `{{ name }}` replaced from
    /// `variables` (every step checked before the first runs).
    /// - Throws: `DatabaseError` naming the revision's file and line; `SQLTemplateError`.
    func replay(
        _ graph: RevisionGraph, to target: Target, repeatables: [Repeatable] = [], variables: [String: String] = [:],
        on connection: any DriverConnection
    ) throws {
        var plan = try graph.upgradePlan(applied: [], to: target)
        plan.steps += repeatables.map(\.step)
        plan = try plan.rendered(variables: variables)
        let runner = StepRunner(connection: connection)
        for step in plan.steps {
            guard let section = step.sql, !section.isEmpty else { continue }
            do {
                try runner.replay(section, of: step.revision)
            } catch var error as DatabaseError {
                error.message = "in the scratch database: " + url.redact(error.message)
                throw error
            }
        }
    }

    /// Runs the SQL files of the desired schema (a file, or every `*.sql` of a folder by name),
    /// restoring the session after each: a file made by pg_dump empties the search_path.
    /// - Throws: `ConfigurationError` when the file cannot be read; `DatabaseError` naming its line.
    func load(_ location: URL, on connection: any DriverConnection) throws {
        let root = workspace.project.root
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isFolder) else {
            throw ConfigurationError(.missingDesiredSchema(path: RevisionGraph.relativePath(of: location, to: root)))
        }
        var files = [location]
        if isFolder.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: location.path)) ?? []
            files = names.filter { $0.hasSuffix(".sql") }.sorted().map { location.appendingPathComponent($0) }
        }
        for file in files {
            let path = RevisionGraph.relativePath(of: file, to: root)
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw ConfigurationError(.cannotRead(path), location: SourceLocation(file: path))
            }
            let section = SQLSection(sql: Checksum.normalizingLineEndings(text), line: 1)
            do {
                let restore = connection.restoreSessionScript
                try connection.execute(restore.isEmpty ? section.sql : section.sql + "\n;\n" + restore)
            } catch let error as DatabaseError {
                var failure = located(error, section: section, path: path, revision: nil)
                failure.message = "the desired schema does not load: " + failure.message
                throw failure
            }
        }
    }

    /// Names the file and line where the failing statement starts.
    func located(_ error: DatabaseError, section: SQLSection, path: String, revision: String?, offset: Int = 0) -> DatabaseError {
        var copy = error
        copy.message = url.redact(error.message)
        copy.revision = revision
        let line = section.line(atUTF8Offset: offset + (error.position ?? 0))
        copy.location = SourceLocation(file: path, line: line)
        if let exact = error.errorPosition {
            let exactLine = section.line(atUTF8Offset: offset + exact)
            if exactLine != line { copy.message += " (at line \(exactLine))" }
        }
        copy.message = "in the scratch database: " + copy.message
        return copy
    }

    /// Reads the scratch database's schema: the working one (`schema`, else the one the session
    /// resolved to at connect), not whatever search_path the SQL left.
    /// - Throws: `DatabaseError`; `ConfigurationError` when the driver cannot read schemas.
    func read(_ connection: any DriverConnection) throws -> Schema {
        try connection.readSchema(schema: schema ?? connection.session.schema, excludingPrefix: workspace.project.tablePrefix)
    }

    /// The scratch database, working in the PostgreSQL schema `schema`.
    /// - Throws: `ConfigurationError` for a bad `scratch_url`, or one that is an environment's URL.
    public init(workspace: Workspace, schema: String?) throws {
        let project = workspace.project
        let template = project.scratchURL ?? "sqlite::memory:"
        let text = try Environment.expand(template, variables: workspace.variables, environment: "scratch", location: nil)
        let url: DatabaseURL
        do {
            url = try DatabaseURL(parsing: text, root: project.root)
        } catch let error as ContextualError {
            throw ConfigurationError(.invalidScratchURL(error.message), location: SourceLocation(file: Project.configPath))
        }
        // The scratch database is wiped: never one an environment uses (an in-memory one is its own).
        let scratchDatabase = workspace.databaseIdentity(of: url, schema: nil)
        for environment in project.orderedEnvironments where scratchDatabase != nil {
            guard let other = try? workspace.url(of: environment) else { continue }
            if workspace.databaseIdentity(of: other, schema: nil) == scratchDatabase {
                throw ConfigurationError(.scratchIsEnvironment(environment.name), location: SourceLocation(file: Project.configPath))
            }
        }
        guard let driver = workspace.drivers.first(where: { $0.accepts(url) }) else {
            throw ConfigurationError(.noScratchDriver(url: url.description))
        }
        self.url = url
        self.schema = schema
        self.workspace = workspace
        self.driver = driver
    }
}
