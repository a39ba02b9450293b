import Foundation
import GodwitCore
import GodwitPostgres
import Testing

/// The PostgreSQL server of the library tests: `GODWIT_TEST_POSTGRES_URL`. Without it the
/// PostgreSQL cases are left out, unless `GODWIT_REQUIRE_POSTGRES=1`: then they run and fail.
enum PostgresServer {
    /// The server URL from the environment, nil when unset or empty.
    static let urlText: String? = {
        let text = ProcessInfo.processInfo.environment["GODWIT_TEST_POSTGRES_URL"] ?? ""
        return text.isEmpty ? nil : text
    }()

    /// True when the PostgreSQL cases run: a server is given, or one is required.
    static var isEnabled: Bool {
        urlText != nil || ProcessInfo.processInfo.environment["GODWIT_REQUIRE_POSTGRES"] == "1"
    }

    /// The server's URL.
    /// - Throws: `MissingServer` when `GODWIT_TEST_POSTGRES_URL` is not set.
    static func url() throws -> DatabaseURL {
        guard let urlText else { throw MissingServer() }
        return DatabaseURL(kind: .postgresql, text: urlText)
    }

    /// A schema name no other test uses: `<prefix>_<12 hex>`.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    /// The error of a test that needs the server when none is configured.
    struct MissingServer: Error, CustomStringConvertible {
        var description: String { "GODWIT_REQUIRE_POSTGRES=1 but GODWIT_TEST_POSTGRES_URL is not set" }
    }
}
