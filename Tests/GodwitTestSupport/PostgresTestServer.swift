import Foundation
import GodwitCore
import Testing

/// The PostgreSQL server of every test target: `GODWIT_TEST_POSTGRES_URL` (a trusted superuser) and
/// `GODWIT_TEST_POSTGRES_PASSWORD_URL` (a role that logs in with a password). Without a server the
/// server tests are disabled, unless `GODWIT_REQUIRE_POSTGRES=1`, in which case they run and fail.
public enum PostgresTestServer {
    /// The server URL from the environment, nil when unset or empty.
    public static let urlText: String? = variable("GODWIT_TEST_POSTGRES_URL")

    /// The URL of the role that logs in with a password, nil when unset or empty.
    public static let passwordURLText: String? = variable("GODWIT_TEST_POSTGRES_PASSWORD_URL")

    /// True when a missing server must fail the tests instead of disabling them.
    public static let isRequired = ProcessInfo.processInfo.environment["GODWIT_REQUIRE_POSTGRES"] == "1"

    /// The condition of `.enabled(if:)` for tests that need the server: a server is given, or one is required.
    public static var isEnabled: Bool { urlText != nil || isRequired }

    /// The reason shown when the server tests are disabled.
    public static let disabledComment: Comment = "set GODWIT_TEST_POSTGRES_URL (and GODWIT_REQUIRE_POSTGRES=1 in CI) to run the PostgreSQL tests"

    /// The server's URL.
    /// - Throws: `MissingServer` when `GODWIT_TEST_POSTGRES_URL` is not set.
    public static func url() throws -> DatabaseURL {
        guard let urlText else { throw MissingServer() }
        return DatabaseURL(kind: .postgresql, text: urlText)
    }

    /// The server URL with query parameters added.
    /// - Throws: `MissingServer` when `GODWIT_TEST_POSTGRES_URL` is not set.
    public static func url(adding parameters: String) throws -> DatabaseURL {
        let base = try url().secretText
        return DatabaseURL(kind: .postgresql, text: base + (base.contains("?") ? "&" : "?") + parameters)
    }

    /// A schema or database name no other test uses: `<prefix>_<12 hex>`.
    public static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    /// An environment variable, nil when unset or empty.
    static func variable(_ name: String) -> String? {
        let text = ProcessInfo.processInfo.environment[name] ?? ""
        return text.isEmpty ? nil : text
    }

    /// The error of a test that needs the server when none is configured.
    public struct MissingServer: Error, CustomStringConvertible {
        /// Creates the error.
        public init() {}

        /// What is missing.
        public var description: String { "GODWIT_REQUIRE_POSTGRES=1 but GODWIT_TEST_POSTGRES_URL is not set" }
    }
}
