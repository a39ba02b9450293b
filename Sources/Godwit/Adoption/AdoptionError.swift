import GodwitCore

/// Why `adopt` refused (exit 5): the tool's state table says something Godwit cannot record as it is.
public enum AdoptionError: GodwitError, Equatable {
    /// The environment's database has no such table (in the environment's schema).
    case noStateTable(table: String, environment: String)
    /// The environment already has Godwit state: adopt only starts a history.
    case hasGodwitState(environment: String, count: Int)
    /// The tool records a failed migration.
    case failedRecord(table: String, version: String, environment: String)
    /// golang-migrate's table is dirty: a migration stopped half-way.
    case dirty(table: String, version: String, environment: String)
    /// The tool records a version `versions/` has no revision for.
    case unknownVersion(table: String, version: String, environment: String)
    /// The tool records a revision as applied but not one it requires (migrations applied out of order).
    case gap(revision: String, missing: String, environment: String)

    public var exitCode: ExitStatus { .refused }

    public var environment: String? {
        switch self {
        case .noStateTable(_, let environment), .hasGodwitState(let environment, _), .failedRecord(_, _, let environment),
            .dirty(_, _, let environment), .unknownVersion(_, _, let environment), .gap(_, _, let environment):
            return environment
        }
    }

    public var message: String {
        switch self {
        case .noStateTable(let table, let environment):
            return "environment '\(environment)' has no table '\(table)' (in its schema); nothing to adopt: check the format, the url and schema:"
        case .hasGodwitState(let environment, let count):
            return "environment '\(environment)' already has Godwit state (\(count) revision\(count == 1 ? "" : "s") recorded); "
                + "adopt only starts a history: use 'godwit stamp' to change it"
        case .failedRecord(let table, let version, _):
            return "'\(table)' records version '\(version)' as failed; repair it with the tool first (flyway repair), then adopt"
        case .dirty(let table, let version, _):
            return "'\(table)' is dirty at version '\(version)': a migration stopped half-way; fix the database, "
                + "run 'migrate force \(version)' (or the version before it), then adopt"
        case .unknownVersion(let table, let version, _):
            return "'\(table)' records version '\(version)', which versions/ has no revision for; import the tool's folder first (godwit import)"
        case .gap(let revision, let missing, _):
            return "the tool records '\(revision)' as applied but not '\(missing)', which comes before it; "
                + "Godwit's history is one line: apply '\(missing)' with the tool, or adopt by hand with 'godwit stamp'"
        }
    }
}
