import Foundation

/// An error the database or its driver reported.
public struct DatabaseError: GodwitError {
    /// What kind of failure it was.
    public enum Reason: Sendable, Equatable {
        /// A statement failed.
        case statement
        /// The database could not be reached or opened.
        case connection
        /// The migration lock was not acquired in time; `holder` names who has it, when known.
        case lockTimeout(holder: String?)
        /// A signal stopped the work (SPEC §11): the statement was cancelled, or the next one not started.
        case interrupted(signal: Int32)
    }

    /// What kind of failure it was.
    public var reason: Reason
    /// The database's message, without the password.
    public var message: String
    /// The SQLSTATE (PostgreSQL), or SQLite's extended result code name.
    public var sqlstate: String?
    /// The server's detail line.
    public var detail: String?
    /// The server's hint.
    public var hint: String?
    /// The UTF-8 offset in the executed script where the statement that failed starts (or, when
    /// that is unknown, of the error itself): errors name this line (SPEC §8).
    public var position: Int?
    /// The UTF-8 offset in the executed script of the error itself, when the database says.
    public var errorPosition: Int?
    /// The environment, added by the orchestration layer.
    public var environment: String?
    /// The revision, added by the orchestration layer.
    public var revision: String?
    /// The file and line, added by the orchestration layer.
    public var location: SourceLocation?

    /// Creates an error.
    public init(
        _ reason: Reason, _ message: String, sqlstate: String? = nil, detail: String? = nil, hint: String? = nil,
        position: Int? = nil, errorPosition: Int? = nil
    ) {
        self.errorPosition = errorPosition
        self.reason = reason
        self.message = message
        self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint
        self.position = position
    }

    public var exitCode: ExitStatus {
        switch reason {
        case .lockTimeout: return .lockTimeout
        case .interrupted(let signal): return signal == SIGTERM ? .terminated : .interrupted
        case .statement, .connection: return .failed
        }
    }

    /// `path:line: ` and the full message: what logs and the audit record keep.
    public var description: String {
        if let location { return "\(location): \(fullMessage)" }
        return fullMessage
    }

    /// The message with detail and hint, one sentence each.
    public var fullMessage: String {
        var text = message
        if let detail, !detail.isEmpty { text += " (detail: \(detail))" }
        if let hint, !hint.isEmpty { text += " (hint: \(hint))" }
        return text
    }
}
