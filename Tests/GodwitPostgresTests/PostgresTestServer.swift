import Foundation
import GodwitCore
import GodwitPostgres
import Testing

/// The PostgreSQL server of the tests: `GODWIT_TEST_POSTGRES_URL`. Without it the server tests are
/// disabled, unless `GODWIT_REQUIRE_POSTGRES=1`, in which case they run and fail.
enum PostgresTestServer {
    /// The server URL from the environment, nil when unset or empty.
    static let urlText: String? = {
        let text = ProcessInfo.processInfo.environment["GODWIT_TEST_POSTGRES_URL"] ?? ""
        return text.isEmpty ? nil : text
    }()

    /// True when a missing server must fail the tests instead of disabling them.
    static let isRequired = ProcessInfo.processInfo.environment["GODWIT_REQUIRE_POSTGRES"] == "1"

    /// The condition of `.enabled(if:)` for tests that need the server.
    static var isEnabled: Bool { urlText != nil || isRequired }

    /// The reason shown when the server tests are disabled.
    static let disabledComment: Comment = "set GODWIT_TEST_POSTGRES_URL (and GODWIT_REQUIRE_POSTGRES=1 in CI) to run the PostgreSQL tests"

    /// The server's URL.
    /// - Throws: `MissingServer` when `GODWIT_TEST_POSTGRES_URL` is not set.
    static func url() throws -> DatabaseURL {
        guard let urlText else { throw MissingServer() }
        return DatabaseURL(kind: .postgresql, text: urlText)
    }

    /// The server URL with query parameters added.
    static func url(adding parameters: String) throws -> DatabaseURL {
        let base = try url().secretText
        return DatabaseURL(kind: .postgresql, text: base + (base.contains("?") ? "&" : "?") + parameters)
    }

    /// The error of a test that needs the server when none is configured.
    struct MissingServer: Error, CustomStringConvertible {
        var description: String { "GODWIT_REQUIRE_POSTGRES=1 but GODWIT_TEST_POSTGRES_URL is not set" }
    }
}

/// A schema of its own for one test, so that tests run in parallel; dropped at the end.
final class TestSchema {
    /// The schema's name: `godwit_test_<random>`.
    let name: String
    /// The server.
    let url: DatabaseURL
    let admin: PostgresConnection

    private init() throws {
        url = try PostgresTestServer.url()
        name = "godwit_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        admin = try PostgresConnection(url: url, options: ConnectionOptions(applicationName: "godwit tests admin"))
    }

    /// Runs `body` with a fresh schema, dropped afterwards on every path.
    /// - Throws: what `body` throws, or `MissingServer`, or `DatabaseError` from the setup.
    static func with<T>(_ body: (TestSchema) throws -> T) throws -> T {
        let schema = try TestSchema()
        defer {
            try? schema.admin.execute("DROP SCHEMA IF EXISTS \(SQLDialect.postgresql.quote(schema.name)) CASCADE")
            schema.admin.close()
        }
        return try body(schema)
    }

    /// Opens a connection whose search_path is this schema (created on first use).
    /// - Throws: `DatabaseError`.
    func connect(
        applicationName: String = "godwit tests", isReadOnly: Bool = false, lockTimeout: TimeoutValue? = nil,
        statementTimeout: TimeoutValue? = nil, url: DatabaseURL? = nil
    ) throws -> PostgresConnection {
        try PostgresConnection(
            url: url ?? self.url,
            options: ConnectionOptions(
                isReadOnly: isReadOnly, applicationName: applicationName, schema: name, lockTimeout: lockTimeout,
                statementTimeout: statementTimeout))
    }

    /// A lock request unique to this schema.
    func lockRequest(_ mode: LockMode, timeout: TimeoutValue, holder: String = "alice@ci") -> LockRequest {
        LockRequest(name: "\(name).godwit_", tablePrefix: "godwit_", mode: mode, timeout: timeout, holder: holder)
    }
}

extension String {
    /// The UTF-8 offset of the first occurrence of `needle`, or of its `occurrence`-th one (1-based).
    func utf8Offset(of needle: String, occurrence: Int = 1) -> Int? {
        var searchStart = startIndex
        var found: Range<String.Index>?
        for _ in 0..<occurrence {
            guard let range = range(of: needle, range: searchStart..<endIndex) else { return nil }
            found = range
            searchStart = range.upperBound
        }
        return found.map { utf8.distance(from: utf8.startIndex, to: $0.lowerBound) }
    }

    /// The 1-based line of a UTF-8 offset.
    func line(atUTF8Offset offset: Int) -> Int {
        SQLSection(sql: self, line: 1).line(atUTF8Offset: offset)
    }
}
