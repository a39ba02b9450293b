import GodwitCore

/// An operation on a project that could not be carried out, neither a configuration error nor a
/// refused plan: a file that cannot be written, a `wait` that timed out, a gate that cannot read
/// the predecessor.
public enum OperationError: GodwitError, Hashable {
    /// What `wait` last saw of the environment.
    public enum WaitProgress: Sendable, Hashable, CustomStringConvertible {
        /// The environment has not been read yet.
        case nothingRead
        /// These revisions are still missing, parents first.
        case missing([String])
        /// The database could not be read, for this reason.
        case unreadable(String)

        public var description: String {
            switch self {
            case .nothingRead: return "nothing read yet"
            case .missing(let ids):
                return "\(ids.count) revision\(ids.count == 1 ? "" : "s") still missing (\(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : ""))"
            case .unreadable(let reason): return "cannot read it: \(reason)"
            }
        }
    }

    /// A file could not be written.
    case cannotWrite(path: String)
    /// `wait` ran out of time (exit 4).
    case waitTimedOut(environment: String, target: Target, timeout: TimeoutValue, last: WaitProgress)
    /// The promotion gate of `environment` cannot read its predecessor, for `reason`.
    case predecessorUnreadable(environment: String, predecessor: String, reason: String)
    /// The executable handed the workspace no linter for `dialect` (nil: no driver at all).
    case noLinter(dialect: String?)

    public var exitCode: ExitStatus {
        switch self {
        case .cannotWrite, .predecessorUnreadable: return .failed
        case .waitTimedOut: return .lockTimeout
        case .noLinter: return .usage
        }
    }

    /// The environment the operation was about.
    public var environment: String? {
        switch self {
        case .cannotWrite, .noLinter: return nil
        case .waitTimedOut(let environment, _, _, _): return environment
        case .predecessorUnreadable(_, let predecessor, _): return predecessor
        }
    }

    /// What could not be done, and why.
    public var message: String {
        switch self {
        case .cannotWrite(let path):
            return "cannot write \(path)"
        case .waitTimedOut(let environment, let target, let timeout, let last):
            return "'\(environment)' did not reach \(target) within \(timeout): \(last)"
        case .predecessorUnreadable(let environment, let predecessor, let reason):
            return "cannot check the promotion gate of '\(environment)': its predecessor '\(predecessor)' cannot be read: \(reason)"
        case .noLinter(let dialect):
            return dialect.map { "no linter for \($0) revisions was given to this workspace" } ?? "no database driver was given to this workspace, so no linter applies"
        }
    }
}
