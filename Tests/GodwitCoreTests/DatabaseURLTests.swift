import Foundation
import GodwitCore
import Testing

/// Database URLs (SPEC §2): SQLite paths, PostgreSQL URLs, and redaction of every password.
@Suite struct DatabaseURLTests {
    static let root = URL(fileURLWithPath: "/srv/my-service", isDirectory: true)

    // MARK: - SQLite

    @Test(arguments: [
        ("sqlite:var/dev.sqlite3", "/srv/my-service/var/dev.sqlite3"),
        ("sqlite:dev.db", "/srv/my-service/dev.db"),
        ("sqlite:./var/../dev.db", "/srv/my-service/dev.db"),
        ("sqlite:../shared/dev.db", "/srv/shared/dev.db"),
        ("sqlite:///var/lib/app/prod.sqlite3", "/var/lib/app/prod.sqlite3"),
        ("sqlite:/var/lib/app/prod.sqlite3", "/var/lib/app/prod.sqlite3"),
        ("sqlite:var/dev.sqlite3?mode=ro", "/srv/my-service/var/dev.sqlite3"),
    ])
    func sqliteFiles(_ text: String, _ path: String) throws {
        let url = try DatabaseURL(parsing: text, root: Self.root)
        #expect(url.kind == .sqlite(path: path))
        #expect(!url.isPostgreSQL)
        #expect(url.password == nil)
        #expect(url.description == text)
    }

    @Test(arguments: ["sqlite::memory:", "sqlite://:memory:"])
    func sqliteInMemory(_ text: String) throws {
        let url = try DatabaseURL(parsing: text, root: Self.root)
        #expect(url.kind == .sqlite(path: nil))
    }

    @Test(arguments: ["sqlite:", "sqlite://", "sqlite:?mode=ro"])
    func sqliteWithoutAFileIsAnError(_ text: String) {
        let error = #expect(throws: ContextualError.self) { try DatabaseURL(parsing: text, root: Self.root) }
        #expect(error?.exitCode == .usage)
        #expect(error?.message.contains("names no file") == true)
    }

    // MARK: - PostgreSQL

    struct PostgresCase: Sendable, CustomTestStringConvertible {
        var url: String
        var password: String?
        var shown: String
        var testDescription: String { shown }
    }

    static let postgres: [PostgresCase] = [
        PostgresCase(url: "postgresql://app:s3cret@db.internal:5432/shop", password: "s3cret", shown: "postgresql://app:***@db.internal:5432/shop"),
        PostgresCase(url: "postgres://app:s3cret@db/shop?sslmode=require", password: "s3cret", shown: "postgres://app:***@db/shop?sslmode=require"),
        PostgresCase(url: "postgresql://app:s3cret@db", password: "s3cret", shown: "postgresql://app:***@db"),
        PostgresCase(url: "postgresql://app@db/shop?password=s3cret&sslmode=require", password: "s3cret", shown: "postgresql://app@db/shop?password=***&sslmode=require"),
        PostgresCase(url: "postgresql://db/shop?sslmode=require&PASSWORD=s3cret", password: "s3cret", shown: "postgresql://db/shop?sslmode=require&PASSWORD=***"),
        PostgresCase(url: "postgresql://app:one@db/shop?password=two", password: "one", shown: "postgresql://app:***@db/shop?password=***"),
        PostgresCase(url: "postgresql://app:p%40ss%2Fword@db/shop", password: "p%40ss%2Fword", shown: "postgresql://app:***@db/shop"),
        PostgresCase(url: "postgresql://app:s3cret@h1:5432,h2:5433/shop", password: "s3cret", shown: "postgresql://app:***@h1:5432,h2:5433/shop"),
        PostgresCase(url: "postgresql://app@db/shop", password: nil, shown: "postgresql://app@db/shop"),
        PostgresCase(url: "postgresql://app:@db/shop", password: nil, shown: "postgresql://app:@db/shop"),
        PostgresCase(url: "postgresql:///shop?host=/var/run/postgresql", password: nil, shown: "postgresql:///shop?host=/var/run/postgresql"),
    ]

    @Test(arguments: postgres)
    func postgresURLsAreShownRedacted(_ c: PostgresCase) throws {
        let url = try DatabaseURL(parsing: c.url, root: Self.root)
        #expect(url.kind == .postgresql)
        #expect(url.isPostgreSQL)
        #expect(url.secretText == c.url, "libpq gets the URL as written")
        #expect(url.password == c.password)
        #expect(url.description == c.shown)
        #expect("\(url)" == c.shown)
        #expect(String(describing: url) == c.shown)
    }

    /// libpq takes everything between ':' and '@' as the password, '?' included
    /// (PQconninfoParse("postgresql://app:pa?ss@db/shop") gives password "pa?ss"), so it must be redacted too.
    @Test(arguments: [
        ("postgresql://app:pa?ss@db/shop", "pa?ss"),
        ("postgresql://app:pa#ss@db/shop", "pa#ss"),
    ])
    func passwordWithAQuestionMarkOrHashIsRedacted(_ text: String, _ password: String) throws {
        let url = try DatabaseURL(parsing: text, root: Self.root)
        #expect(!url.description.contains(password), "shown: \(url.description)")
        #expect(url.description == "postgresql://app:***@db/shop")
        #expect(!url.redact("FATAL: password authentication failed (\(password))").contains(password))
    }

    // MARK: - Redacting other text

    @Test func redactRemovesThePasswordFromAnyText() throws {
        let url = try DatabaseURL(parsing: "postgresql://app:s3cret@db/shop", root: Self.root)
        #expect(
            url.redact("connection to postgresql://app:s3cret@db/shop failed: password \"s3cret\" rejected; retry s3cret")
                == "connection to postgresql://app:***@db/shop failed: password \"***\" rejected; retry ***")
        #expect(url.redact("nothing secret here") == "nothing secret here")
    }

    @Test func redactRemovesBothTheEncodedAndTheDecodedPassword() throws {
        let url = try DatabaseURL(parsing: "postgresql://app:p%40ss%2Fw0rd@db/shop", root: Self.root)
        let redacted = url.redact("sent p%40ss%2Fw0rd, server saw p@ss/w0rd")
        #expect(redacted == "sent ***, server saw ***")
    }

    @Test func redactRemovesTheQueryPassword() throws {
        let url = try DatabaseURL(parsing: "postgresql://app@db/shop?password=hunter2", root: Self.root)
        #expect(url.redact("auth failed with hunter2") == "auth failed with ***")
    }

    @Test func aURLWithoutPasswordChangesNothing() throws {
        let url = try DatabaseURL(parsing: "sqlite:var/dev.sqlite3", root: Self.root)
        #expect(url.redact("postgresql://other:pw@x/y") == "postgresql://other:pw@x/y")
    }

    @Test func wrappedURLIsRedactedToo() {
        let url = DatabaseURL(kind: .postgresql, text: "postgresql://app:s3cret@db/shop")
        #expect(url.description == "postgresql://app:***@db/shop")
        #expect(url.password == "s3cret")
    }

    // MARK: - Unknown schemes

    @Test(arguments: ["mysql://app:s3cret@db/shop", "jdbc:postgresql://db/shop?user=app&password=s3cret", "db.sqlite3", "http://x"])
    func unknownSchemeIsAnErrorThatNeverShowsThePassword(_ text: String) {
        let error = #expect(throws: ContextualError.self) { try DatabaseURL(parsing: text, root: Self.root) }
        #expect(error?.exitCode == .usage)
        #expect(error?.message.contains("unsupported database URL") == true)
        #expect(error?.message.contains("postgresql://") == true, "says what to write instead")
        #expect(error?.message.contains("s3cret") == false, "message: \(error?.message ?? "")")
    }

    @Test func unknownSchemeShowsTheRedactedURL() {
        let error = #expect(throws: ContextualError.self) { try DatabaseURL(parsing: "mysql://app:s3cret@db/shop", root: Self.root) }
        #expect(error?.message.contains("'mysql://app:***@db/shop'") == true, "message: \(error?.message ?? "")")
    }

    /// A libpq keyword/value string is not a URL Godwit accepts, but the error saying so must not print
    /// its password (SPEC §2: a password never appears in any error message).
    @Test func keywordConnectionStringErrorDoesNotShowThePassword() {
        let error = #expect(throws: ContextualError.self) {
            try DatabaseURL(parsing: "host=db user=app password=hunter2 dbname=shop", root: Self.root)
        }
        #expect(error?.exitCode == .usage)
        #expect(error?.message.contains("hunter2") == false, "message: \(error?.message ?? "")")
    }
}

/// The exit codes of SPEC §8 and the shape of locations in messages.
@Suite struct ErrorContractTests {
    @Test(arguments: [(GodwitCore.ExitStatus.failed, 1), (.usage, 2), (.found, 3), (.lockTimeout, 4), (.refused, 5)] as [(GodwitCore.ExitStatus, Int32)])
    func exitCodes(_ code: GodwitCore.ExitStatus, _ value: Int32) {
        #expect(code.rawValue == value)
    }

    @Test(arguments: [
        (GodwitCore.SourceLocation(file: "versions/a_x.sql"), "versions/a_x.sql"),
        (GodwitCore.SourceLocation(file: "versions/a_x.sql", line: 7), "versions/a_x.sql:7"),
        (GodwitCore.SourceLocation(file: "versions/a_x.sql", line: 7, column: 3), "versions/a_x.sql:7:3"),
        (GodwitCore.SourceLocation(file: "environments/environments.yaml", line: nil, column: 3), "environments/environments.yaml"),
    ])
    func locationsAreWrittenLikeCompilersDo(_ location: GodwitCore.SourceLocation, _ expected: String) {
        #expect(location.description == expected)
    }

    @Test func errorDescriptionLeadsWithTheLocation() {
        let error = ContextualError(.usage, "bad thing", location: GodwitCore.SourceLocation(file: "f.sql", line: 2))
        #expect(error.description == "f.sql:2: bad thing")
        #expect(ContextualError(.failed, "no place").description == "no place")
        let copy = ContextualError(GraphError(.notApplied("abc"), revision: "abc"))
        #expect(copy.exitCode == .usage)
        #expect(copy.revision == "abc")
        #expect(copy.message == GraphError(.notApplied("abc")).message)
    }

    @Test(arguments: [
        ("down_revisions", "down_revision"), ("dependson", "depends_on"), ("mesage", "message"),
        ("revison", "revision"), ("Revision", "revision"),
    ])
    func closestMatchSuggestsNearKeys(_ word: String, _ expected: String) {
        #expect(closestMatch(to: word, in: RevisionFile.headerKeys) == expected)
    }

    @Test(arguments: ["colour", "xyz", "completely_unrelated"])
    func closestMatchStaysQuietWhenNothingIsClose(_ word: String) {
        #expect(closestMatch(to: word, in: RevisionFile.headerKeys) == nil)
    }
}
