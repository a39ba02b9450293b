/// How an error ends the process: the exit codes of SPEC §8.
public enum ExitStatus: Int32, Sendable, Codable {
    /// The operation failed: an SQL error, an unreachable database.
    case failed = 1
    /// Usage or configuration error: bad flags, bad YAML, bad revision file, bad graph.
    case usage = 2
    /// `check`, `verify`, `lint`, `diff` or `audit verify` found something.
    case found = 3
    /// The migration lock was not acquired in time.
    case lockTimeout = 4
    /// Refused by a rule: promotion gate, protected environment, irreversible downgrade, failed revision.
    case refused = 5
    /// Interrupted by SIGINT (Ctrl-C): 128 + 2, as shells report it.
    case interrupted = 130
    /// Stopped by SIGTERM (a deploy being stopped): 128 + 15.
    case terminated = 143
}

/// A place in a file, written `path:line` or `path:line:column`, path relative to the project root.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path, relative to the project root where possible.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?

    /// Creates a location.
    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let line = line, line > 0, let column { text += ":\(column)" }
        return text
    }
}

/// Every error Godwit shows a user: what was wrong, where, and what to do next.
public protocol GodwitError: Error, CustomStringConvertible {
    /// The exit code this error ends the process with.
    var exitCode: ExitStatus { get }
    /// The message, lowercase, identifiers quoted, with one next step when there is one.
    var message: String { get }
    /// Where in a file, when the error is about a file.
    var location: SourceLocation? { get }
    /// The environment the error happened in.
    var environment: String? { get }
    /// The revision the error is about.
    var revision: String? { get }
    /// The SQLSTATE of a database error.
    var sqlstate: String? { get }
}

extension GodwitError {
    public var location: SourceLocation? { nil }
    public var environment: String? { nil }
    public var revision: String? { nil }
    public var sqlstate: String? { nil }
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// A plain error with every field settable, used where one layer adds context to another's error.
public struct ContextualError: GodwitError {
    public var exitCode: ExitStatus
    public var message: String
    public var location: SourceLocation?
    public var environment: String?
    public var revision: String?
    public var sqlstate: String?

    /// Creates an error.
    public init(
        _ exitCode: ExitStatus, _ message: String, location: SourceLocation? = nil,
        environment: String? = nil, revision: String? = nil, sqlstate: String? = nil
    ) {
        self.exitCode = exitCode
        self.message = message
        self.location = location
        self.environment = environment
        self.revision = revision
        self.sqlstate = sqlstate
    }

    /// Copies any Godwit error, so that context can be added to it.
    public init(_ error: any GodwitError) {
        self.init(
            error.exitCode, error.message, location: error.location, environment: error.environment,
            revision: error.revision, sqlstate: error.sqlstate)
    }
}

/// Suggests the candidate closest to `word` (Levenshtein distance), when one is close enough.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
    let chars = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(chars, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}
