import GodwitCore

/// Why `import alembic` could not read the Alembic project (what did not convert is an
/// `ImportError`, as for the other tools).
public enum AlembicImportError: GodwitError {
    /// No `alembic` on `PATH` or in `$VIRTUAL_ENV/bin` (exit 2: the user's setup).
    case notOnPath
    /// The Alembic configuration file does not exist (exit 2).
    case configNotFound(path: String)
    /// A process could not be started (exit 1).
    case cannotRun(executable: String, reason: String)
    /// Alembic could not read the project's revisions; the end of its stderr (exit 2).
    case graphUnreadable(config: String, stderr: String)

    public var exitCode: ExitStatus {
        switch self {
        case .cannotRun: return .failed
        case .notOnPath, .configNotFound, .graphUnreadable: return .usage
        }
    }

    /// What is wrong and what to do next.
    public var message: String {
        switch self {
        case .notOnPath:
            return "alembic is not on PATH: activate the project's virtual environment or pip install alembic"
        case .configNotFound(let path):
            return "no Alembic configuration at \(path); give it with --config PATH/alembic.ini"
        case .cannotRun(let executable, let reason):
            return "cannot run \(executable): \(reason)"
        case .graphUnreadable(let config, let stderr):
            return "alembic cannot read the revisions of \(config):\n\(stderr)"
        }
    }
}
