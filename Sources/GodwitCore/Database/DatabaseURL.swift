import Foundation

/// A database URL that only ever prints redacted: `postgresql://app:***@db:5432/shop`.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// What kind of database the URL names.
    public enum Kind: Sendable, Hashable {
        /// A SQLite file at an absolute path, or in memory when the path is nil.
        case sqlite(path: String?)
        /// A PostgreSQL database; the string is handed to libpq as it is.
        case postgresql
    }

    /// The kind and, for SQLite, the file.
    public let kind: Kind
    /// The URL as written, with its password. Never print it: use `description`.
    public let secretText: String
    /// The password written in the URL, when there is one.
    public let password: String?

    /// Parses a URL. A relative SQLite path is resolved against `root`.
    /// - Throws: `ContextualError` (exit 2) for an unknown scheme.
    public init(parsing text: String, root: URL) throws {
        secretText = text
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            kind = .postgresql
            password = Self.passwords(in: text).first
            return
        }
        password = nil
        guard text.hasPrefix("sqlite:") else {
            let shown = Self.redact(text, passwords: Self.passwords(in: text))
            throw ContextualError(
                .usage,
                "unsupported database URL '\(shown)'; use postgresql://…, sqlite:relative/path, sqlite:///absolute/path or sqlite::memory:")
        }
        var path = String(text.dropFirst("sqlite:".count))
        if path == ":memory:" || path == "//:memory:" {
            kind = .sqlite(path: nil)
            return
        }
        if path.hasPrefix("///") {
            path = String(path.dropFirst(2))
        } else if path.hasPrefix("//") {
            path = String(path.dropFirst(2))
        }
        if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
        guard !path.isEmpty else {
            throw ContextualError(.usage, "the SQLite URL '\(text)' names no file; write sqlite:var/dev.sqlite3 or sqlite::memory:")
        }
        if !path.hasPrefix("/") {
            path = root.appendingPathComponent(path).standardizedFileURL.path
        }
        kind = .sqlite(path: path)
    }

    /// Wraps a URL whose kind is already known (tests, drivers).
    public init(kind: Kind, text: String) {
        self.kind = kind
        self.secretText = text
        self.password = Self.passwords(in: text).first
    }

    /// The URL with its password replaced by `***`.
    public var description: String { redact(secretText) }

    /// True for PostgreSQL URLs.
    public var isPostgreSQL: Bool { kind == .postgresql }

    /// Replaces every occurrence of this URL's password in `text` with `***`.
    public func redact(_ text: String) -> String {
        Self.redact(text, passwords: Self.passwords(in: secretText))
    }

    static func redact(_ text: String, passwords: [String]) -> String {
        var result = text
        for password in passwords where !password.isEmpty {
            result = result.replacingOccurrences(of: password, with: "***")
            if let decoded = password.removingPercentEncoding, decoded != password, !decoded.isEmpty {
                result = result.replacingOccurrences(of: decoded, with: "***")
            }
        }
        return result
    }

    /// The passwords in a URL: the userinfo's and a `password=` query parameter's.
    static func passwords(in text: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = text.range(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            // libpq ends the user and password at '@' (the last one before the path), not at '?' or '#'.
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userinfo = authority[..<at]
                if let colon = userinfo.firstIndex(of: ":") {
                    found.append(String(userinfo[userinfo.index(after: colon)...]))
                }
            }
        }
        if let query = text.firstIndex(of: "?") {
            for pair in text[text.index(after: query)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 && parts[0].lowercased() == "password" { found.append(String(parts[1])) }
            }
        }
        // The keyword form of libpq: `host=db password=secret`.
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let parts = token.split(separator: "=", maxSplits: 1)
            if parts.count == 2 && parts[0].lowercased() == "password" {
                found.append(String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'")))
            }
        }
        return found.filter { !$0.isEmpty }
    }
}
