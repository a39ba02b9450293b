import GodwitCore

/// An error in reading the audit trail or its `audit_log:` file, or in the filters of `audit`.
public enum AuditError: GodwitError, Hashable {
    /// `--limit` below 1.
    case limitTooSmall(Int)
    /// `--operation` names no operation Godwit records; `suggestion` is the closest one.
    case unknownOperation(String, suggestion: String?)
    /// `--since` is not a date.
    case notADate(String)
    /// The `audit_log:` file exists but cannot be read.
    case unreadableLog(path: String, environment: String)
    /// The `audit_log:` file cannot be written; `reason` is the system's.
    case unwritableLog(path: String, reason: String)
    /// A line of the `audit_log:` file is not an audit record.
    case notARecord(path: String, line: Int)
    /// `GODWIT_AUDIT_KEY_FILE` names a file that cannot be read or is empty.
    case unreadableKeyFile(path: String)

    public var exitCode: ExitStatus {
        switch self {
        case .limitTooSmall, .unknownOperation, .notADate, .notARecord, .unreadableKeyFile: return .usage
        case .unreadableLog, .unwritableLog: return .failed
        }
    }

    /// The file the error is about.
    public var location: SourceLocation? {
        switch self {
        case .unreadableLog(let path, _): return SourceLocation(file: path)
        case .notARecord(let path, let line): return SourceLocation(file: path, line: line)
        default: return nil
        }
    }

    /// The environment whose audit trail it is.
    public var environment: String? {
        if case .unreadableLog(_, let environment) = self { return environment }
        return nil
    }

    /// What is wrong and what to write instead.
    public var message: String {
        switch self {
        case .limitTooSmall(let limit):
            return "--limit must be at least 1, not \(limit)"
        case .unknownOperation(let operation, let suggestion):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? "; use one of \(AuditFilter.operations.joined(separator: ", "))"
            return "--operation '\(operation)' is not an operation Godwit records\(hint)"
        case .notADate(let text):
            return "--since '\(text)' is not a date; write YYYY-MM-DD (midnight UTC) or an ISO 8601 time such as 2026-11-25T17:40:00Z"
        case .unreadableLog(let path, _):
            return "cannot read the audit log \(path)"
        case .unwritableLog(let path, let reason):
            return "cannot write the audit log '\(path)': \(reason)"
        case .notARecord:
            return "not an audit record"
        case .unreadableKeyFile(let path):
            return "cannot read the audit key from '\(path)' (GODWIT_AUDIT_KEY_FILE): the file is missing, unreadable or empty"
        }
    }
}
