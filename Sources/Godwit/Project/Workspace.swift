import Foundation
import GodwitCore
import Synchronization

/// A loaded project with the drivers the executable handed it, the identity of whoever runs it,
/// and where its events go: what every service (`Migrator`, `StatusReader`, `EnvironmentChecks`,
/// `Promotion`, `SchemaInspector`, `AuditReader`, `Autogenerate`, `ProjectLinter`) is built on.
/// It connects to environments and holds the graph; it does nothing else.
///
/// Checked `Sendable`: its mutable state (the identity read on first use, the graph once loaded)
/// lives in `Mutex`es, since `status` reads environments on several threads.
public final class Workspace: Sendable {
    /// The project.
    public let project: Project
    /// The database drivers, tried in order.
    public let drivers: [any DatabaseDriver]
    /// Who runs this. A git commit that the creator left to be read later (see
    /// `init(project:drivers:identity:readsGitCommitLazily:variables:events:)`) is read on first use.
    public var identity: Identity {
        resolvedIdentity.withLock { resolved in
            if let resolved { return resolved }
            var identity = baseIdentity
            identity.gitCommit = Identity.gitCommit(of: project)
            resolved = identity
            return identity
        }
    }
    private let baseIdentity: Identity
    /// The identity with its git commit, once read.
    private let resolvedIdentity: Mutex<Identity?>
    /// Where events go.
    public let events: @Sendable (Event) -> Void
    /// Process environment variables, for `${VAR}` expansion.
    public let variables: [String: String]
    /// The linters of SPEC §7 by dialect, handed in by the executable like the drivers.
    public let linters: [SQLDialect: any Linter]
    /// The graph once loaded.
    private let cachedGraph = Mutex<RevisionGraph?>(nil)
    /// The repeatables once loaded.
    private let cachedRepeatables = Mutex<[Repeatable]?>(nil)

    /// Creates a workspace.
    /// - Throws: `ConfigurationError.sharedDatabase` when two environments reach one database.
    /// - Parameter readsGitCommitLazily: true when `identity.gitCommit` has not been read yet: it is
    ///   then read from the project's git checkout the first time `identity` is used — only by the
    ///   commands that write an audit record or a script — so that reading commands (`heads`,
    ///   `current`, `status`) never wait for two `git` processes.
    public init(
        project: Project, drivers: [any DatabaseDriver], identity: Identity, readsGitCommitLazily: Bool = false,
        variables: [String: String] = ProcessInfo.processInfo.environment, linters: [SQLDialect: any Linter] = [:],
        events: @escaping @Sendable (Event) -> Void = { _ in }
    ) throws {
        self.project = project
        self.drivers = drivers
        self.linters = linters
        self.baseIdentity = identity
        self.resolvedIdentity = Mutex(readsGitCommitLazily ? nil : identity)
        self.variables = variables
        self.events = events
        try checkSharedDatabases()
    }

    /// Refuses two environments on one database — the same place for Godwit's tables, as their
    /// drivers tell (for SQLite the same file; for PostgreSQL the same URL and schema), with the
    /// project's one table prefix: they would share one state table and one audit chain.
    /// Environments whose URL does not expand here are not compared.
    /// - Throws: `ConfigurationError.sharedDatabase` at the later environment's `url:` line.
    func checkSharedDatabases() throws {
        var seen: [String: Environment] = [:]
        let ordered = project.environments.values.sorted { ($0.urlLocation.line ?? 0, $0.name) < ($1.urlLocation.line ?? 0, $1.name) }
        for environment in ordered {
            guard let url = try? url(of: environment), let database = databaseIdentity(of: url, schema: environment.schema) else { continue }
            if let other = seen[database] {
                throw ConfigurationError(
                    .sharedDatabase(environment: environment.name, other: other.name), location: environment.urlLocation, environment: environment.name)
            }
            seen[database] = environment
        }
    }

    /// Where the tables of an environment with `url` and `schema` live, as the driver that opens
    /// `url` names it; nil for a database nothing else reaches, or without a driver.
    public func databaseIdentity(of url: DatabaseURL, schema: String?) -> String? {
        drivers.first { $0.accepts(url) }?.databaseIdentity(of: url, schema: schema)
    }

    /// `actor@host`, as written into locks and `application_name`; needs no git.
    public var holder: String { baseIdentity.holder }

    /// The revision graph, loaded once.
    /// - Throws: `RevisionFileError` or `GraphError`.
    public func graph() throws -> RevisionGraph {
        try cachedGraph.withLock { cached in
            if let cached { return cached }
            let graph = try project.loadGraph()
            cached = graph
            return graph
        }
    }

    /// The repeatables of `versions/repeatable/`, in file-name order, loaded once.
    /// - Throws: `RevisionFileError` for a bad file.
    public func repeatables() throws -> [Repeatable] {
        try cachedRepeatables.withLock { cached in
            if let cached { return cached }
            let repeatables = try project.loadRepeatables()
            cached = repeatables
            return repeatables
        }
    }

    /// The checksum each repeatable last ran with in an environment, by id (`repeatable/<name>`),
    /// through a read-only connection.
    /// - Throws: `DatabaseError` when unreachable, `ConfigurationError` for a bad URL.
    public func readRepeatables(of environment: Environment) throws -> [String: String] {
        let connection = try connect(environment, readOnly: true)
        defer { connection.close() }
        return try withReadTransaction(connection, environment: environment) {
            try StateStore(for: connection, project: project).readRepeatables(on: connection)
        }
    }

    /// The expanded URL of an environment.
    /// - Throws: `ConfigurationError` for an unset variable.
    public func url(of environment: Environment) throws -> DatabaseURL {
        try environment.url(root: project.root, variables: variables)
    }

    /// Opens a connection to an environment.
    /// - Throws: `ConfigurationError` for a bad URL; `DatabaseError` (with the environment) when unreachable.
    public func connect(_ environment: Environment, readOnly: Bool, connectTimeout: Int = 10) throws -> any DriverConnection {
        let url = try url(of: environment)
        let driver = try self.driver(of: environment, url: url)
        let options = ConnectionOptions(
            isReadOnly: readOnly, applicationName: Identity.applicationName("godwit \(holder)"), connectTimeout: connectTimeout,
            schema: environment.schema, lockTimeout: environment.effectiveLockTimeout,
            statementTimeout: environment.statementTimeout, isPooled: environment.lockMode == .table,
            notices: { [events, name = environment.name] in events(.notice(environment: name, severity: $0, text: $1)) })
        do {
            return try driver.connect(to: url, options: options)
        } catch let error as DatabaseError {
            throw contextualize(error, environment: environment, url: url)
        }
    }

    /// The driver that opens an environment's URL.
    /// - Throws: `ConfigurationError` when no driver accepts it, or its client library cannot read it.
    func driver(of environment: Environment, url: DatabaseURL) throws -> any DatabaseDriver {
        guard let driver = drivers.first(where: { $0.accepts(url) }) else {
            throw ConfigurationError(
                .noDriver(environment: environment.name, url: url.description), location: environment.urlLocation, environment: environment.name)
        }
        if let problem = driver.syntaxError(in: url) {
            throw ConfigurationError(
                .invalidURL("the url of environment '\(environment.name)' cannot be read: \(problem)", variables: VariableExpansion.names(in: environment.urlTemplate)),
                location: environment.urlLocation, environment: environment.name)
        }
        return driver
    }

    /// The dialect of an environment's database, known without connecting.
    /// - Throws: `ConfigurationError` for a URL that cannot be expanded or that no driver opens.
    public func dialect(of environment: Environment) throws -> any DatabaseDialect {
        try driver(of: environment, url: url(of: environment)).dialect
    }

    /// The dialect assumed when an environment's URL cannot be read: the driver dialect with the
    /// most lint rules, the stricter (PostgreSQL when its driver was handed in).
    public var strictestDialect: (any DatabaseDialect)? {
        drivers.map(\.dialect).max { LintRule.rules(for: $0.id).count < LintRule.rules(for: $1.id).count }
    }

    /// Adds the environment to a database error and removes the password from its text.
    func contextualize(_ error: DatabaseError, environment: Environment, url: DatabaseURL, revision: String? = nil, location: SourceLocation? = nil) -> DatabaseError {
        var copy = error
        copy.message = url.redact(error.message)
        copy.detail = error.detail.map(url.redact)
        copy.hint = error.hint.map(url.redact)
        copy.environment = environment.name
        copy.revision = revision ?? error.revision
        copy.location = location ?? error.location
        if case .connection = error.reason, !copy.message.contains("environment '") {
            copy.message = "environment '\(environment.name)' (\(url)): \(copy.message)"
        }
        return copy
    }

    /// Reads an environment's state through a read-only connection.
    /// - Throws: `DatabaseError` when unreachable, `ConfigurationError` for a bad URL.
    public func readState(of environment: Environment) throws -> [AppliedRevision] {
        let connection = try connect(environment, readOnly: true)
        defer { connection.close() }
        return try withReadTransaction(connection, environment: environment) {
            try StateStore(for: connection, project: project).readRevisions(on: connection)
        }
    }

    /// Runs `body` in a read-only transaction (where the dialect has one) so a dry-run cannot write.
    func withReadTransaction<T>(_ connection: any DatabaseConnection, environment: Environment, _ body: () throws -> T) throws -> T {
        do {
            return try connection.withReadOnlyTransaction(body)
        } catch let error as DatabaseError {
            throw contextualize(error, environment: environment, url: try url(of: environment))
        }
    }
}
