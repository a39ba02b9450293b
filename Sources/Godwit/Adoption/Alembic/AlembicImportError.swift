import GodwitCore

/// Why `import alembic` stopped before writing anything.
public enum AlembicImportError: GodwitError {
    /// No `alembic` on `PATH` or in `$VIRTUAL_ENV/bin` (exit 2: the user's setup).
    case notOnPath
    /// The Alembic configuration file does not exist (exit 2).
    case configNotFound(path: String)
    /// A process could not be started (exit 1).
    case cannotRun(executable: String, reason: String)
    /// Alembic could not read the project's revisions; the end of its stderr (exit 2).
    case graphUnreadable(config: String, stderr: String)
    /// Some revisions did not convert, and `--skip-bad` was not given (exit 2).
    case notConverted([ImportProblem])
    /// `versions/` already holds a revision file with an imported id (exit 2).
    case revisionExists(id: String, path: String)

    public var exitCode: ExitStatus {
        switch self {
        case .cannotRun: return .failed
        case .notOnPath, .configNotFound, .graphUnreadable, .notConverted, .revisionExists: return .usage
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
        case .notConverted(let problems):
            let lines = problems.map { "  \($0.file)\($0.line.map { ":\($0)" } ?? ""): \($0.reason)" }
            return "\(problems.count) Alembic revision\(problems.count == 1 ? "" : "s") did not convert, so nothing was written; "
                + "fix them, or pass --skip-bad to write the others:\n" + lines.joined(separator: "\n")
        case .revisionExists(let id, let path):
            return "revision '\(id)' is already in \(path); import into a project whose versions/ does not hold the Alembic revisions yet"
        }
    }
}
