import Foundation
import GodwitCore

/// Reads schemas: an environment's live one, what the revisions produce (replayed in the scratch
/// database), the desired `schema:` file; and compares them (`diff`, drift).
public struct SchemaInspector: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates an inspector.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// The live schema of an environment, read through a read-only connection.
    /// - Throws: `DatabaseError` (with the environment) when unreachable; `ConfigurationError`.
    public func liveSchema(of environment: Environment) throws -> Schema {
        let connection = try workspace.connect(environment, readOnly: true)
        defer { connection.close() }
        return try workspace.withReadTransaction(connection, environment: environment) {
            try connection.readSchema(schema: environment.schema, excludingPrefix: project.tablePrefix)
        }
    }

    /// The schema that the revisions up to `target`, then `repeatables`, produce from an empty
    /// database, replayed in the scratch database with `variables` for `{{ name }}` (nil: the
    /// top-level `vars:`).
    /// - Throws: `DatabaseError` naming the revision, file and line that fails; graph errors;
    ///   `SQLTemplateError` for an undefined variable.
    public func replayedSchema(
        to target: Target, schema: String?, repeatables: [Repeatable] = [], variables: [String: String]? = nil
    ) throws -> Schema {
        let graph = try workspace.graph()
        let scratch = try Scratch(workspace: workspace, schema: schema)
        let values = try variables ?? workspace.scratchSQLVariables()
        return try scratch.withFreshConnection { connection in
            try scratch.replay(graph, to: target, repeatables: repeatables, variables: values, on: connection)
            return try scratch.read(connection)
        }
    }

    /// The desired schema of `schema:`, loaded into the scratch database.
    /// - Throws: `ConfigurationError` when `schema:` is not set or the file is missing;
    ///   `DatabaseError` naming the line of the file that fails.
    public func desiredSchema(schema: String?) throws -> Schema {
        guard let location = project.schemaFile else {
            throw ConfigurationError(.noDesiredSchema, location: SourceLocation(file: Project.configPath))
        }
        let scratch = try Scratch(workspace: workspace, schema: schema)
        return try scratch.withFreshConnection { connection in
            try scratch.load(location, on: connection)
            return try scratch.read(connection)
        }
    }

    /// `diff ENV_A ENV_B`: the changes from A's live schema to B's.
    /// - Throws: `ConfigurationError` when one is SQLite and the other PostgreSQL; `DatabaseError`.
    public func diff(_ left: Environment, _ right: Environment) throws -> SchemaDiff {
        guard try workspace.dialect(of: left).id == workspace.dialect(of: right).id else {
            throw ConfigurationError(.differentDatabaseKinds(left: left.name, right: right.name))
        }
        return SchemaDiff(from: try liveSchema(of: left), to: try liveSchema(of: right))
    }

    /// `diff ENV --expected`: the changes from what the environment's applied revisions produce
    /// (replayed in the scratch database) to its live schema: drift from hand-made changes.
    /// - Throws: `GraphError` when an applied revision has no file; `ConfigurationError` for a
    ///   scratch database of another kind; `DatabaseError`.
    public func drift(_ environment: Environment) throws -> SchemaDiff {
        SchemaDiff(from: try expectedSchema(of: environment), to: try liveSchema(of: environment))
    }

    /// What the environment's applied revisions produce, replayed in the scratch database.
    /// - Throws: `GraphError` when an applied revision has no file; `ConfigurationError` for a
    ///   scratch database of another kind; `DatabaseError`.
    public func expectedSchema(of environment: Environment) throws -> Schema {
        let graph = try workspace.graph()
        let state = StateReport(graph: graph, rows: try workspace.readState(of: environment))
        if let unknown = state.unknown.first {
            throw GraphError(
                .unreplayable(environment: environment.name, versionsPath: project.versionsPath, revision: unknown), revision: unknown)
        }
        let scratch = try Scratch(workspace: workspace, schema: environment.schema)
        guard try workspace.dialect(of: environment).id == scratch.dialect.id else {
            throw ConfigurationError(
                .scratchOfOtherKind(scratch: scratch.dialect.displayName, environment: environment.name, environmentKind: nil),
                location: SourceLocation(file: Project.configPath), environment: environment.name)
        }
        // The repeatables the environment has run, as their files are now (a changed one is
        // pending, as `status` says, and its old text is not kept).
        let recorded = try workspace.readRepeatables(of: environment)
        return try replayedSchema(
            to: .revisions(state.heads), schema: environment.schema,
            repeatables: try workspace.repeatables().filter { recorded[$0.id] != nil }, variables: try workspace.sqlVariables(of: environment))
    }

    /// `schema dump`: the environment's live schema, or with `expected` what its applied revisions
    /// produce, as Godwit's canonical DDL in its dialect (`Schema.ddl`).
    /// - Throws: what `liveSchema(of:)` and `expectedSchema(of:)` throw.
    public func dump(_ environment: Environment, expected: Bool = false) throws -> SchemaDump {
        let dialect = try workspace.dialect(of: environment).id
        let schema = try expected ? expectedSchema(of: environment) : liveSchema(of: environment)
        return SchemaDump(environment: environment.name, dialect: dialect, sql: schema.ddl(dialect))
    }
}
