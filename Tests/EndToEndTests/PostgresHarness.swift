import Foundation
import GodwitTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the end-to-end tests add to the shared `PostgresTestServer`: its URL as text, and URLs
/// of other databases on it.
extension PostgresTestServer {
    /// The admin URL (`GODWIT_TEST_POSTGRES_URL`, a trusted superuser).
    /// - Throws: `MissingServer` when it is not set.
    static func admin() throws -> String { try url().secretText }

    /// A server URL with its database (and optionally port and password) replaced.
    static func url(_ base: String, database: String, port: Int? = nil, password: String? = nil) throws -> String {
        guard var components = URLComponents(string: base) else { throw HarnessError("not a URL: \(base)") }
        components.path = "/" + database
        if let port { components.port = port }
        if let password { components.password = password }
        guard let text = components.string else { throw HarnessError("cannot rebuild \(base)") }
        return text
    }
}

/// A database of its own for one test (`godwit_e2e_<hex>`), created on the server and dropped,
/// with every session still connected to it, by `drop()`.
final class PostgresDatabase: @unchecked Sendable {
    let name: String
    /// The URL of this database as the trusted superuser.
    let url: String
    private let admin: String

    init() throws {
        admin = try PostgresTestServer.admin()
        name = PostgresTestServer.uniqueName("godwit_e2e")
        url = try PostgresTestServer.url(admin, database: name)
        _ = try psqlOutput(admin, "CREATE DATABASE \(name)")
    }

    func drop() {
        _ = try? psqlOutput(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The URL of this database for another server URL (the password role).
    func url(from base: String, port: Int? = nil, password: String? = nil) throws -> String {
        try PostgresTestServer.url(base, database: name, port: port, password: password)
    }

    /// One value, or the rows joined by newlines with columns joined by `|`.
    func value(_ sql: String) throws -> String { try psqlOutput(url, sql) }

    /// The rows of a query, each with its columns joined by `|`.
    func rows(_ sql: String) throws -> [String] {
        let text = try psqlOutput(url, sql)
        return text.isEmpty ? [] : text.components(separatedBy: "\n")
    }

    /// Runs a script through `psql -v ON_ERROR_STOP=1`, as a DBA would run `--sql` output.
    func runScript(_ script: String) throws -> RunResult {
        try runProcess(
            URL(fileURLWithPath: "/usr/bin/psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"],
            in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment, stdin: script)
    }

    /// `schema.table` of every table, view, index, sequence and type outside the system schemas,
    /// and every schema: what a command that must create nothing is compared on.
    func catalog() throws -> [String] {
        try rows(
            """
            SELECT 'schema ' || nspname FROM pg_namespace
            UNION ALL
            SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL
            SELECT 'type ' || n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL
            SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1
            """)
    }

    /// The tables of a schema, Godwit's included, sorted.
    func tables(in schema: String = "public") throws -> [String] {
        try rows("SELECT tablename FROM pg_tables WHERE schemaname = '\(schema)' ORDER BY 1")
    }

    /// `revision|state` of each row of Godwit's revisions table, in the order applied.
    func revisionRows(schema: String = "public") throws -> [String] {
        guard try tables(in: schema).contains("godwit_revisions") else { return [] }
        return try rows("SELECT revision, state FROM \(schema).godwit_revisions ORDER BY seq")
    }

    /// Waits until `condition` holds (`pollUntil`).
    /// - Throws: `HarnessError` when it does not hold within `seconds`.
    func waitUntil(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
        try pollUntil(what, seconds: seconds, condition)
    }

    /// Waits until another session of this database runs a statement whose text contains `fragment`.
    func waitForActiveQuery(containing fragment: String, seconds: Double = 10) throws {
        try waitUntil("a session runs '\(fragment)'", seconds: seconds) {
            try value(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
                  AND strpos(query, '\(fragment.replacingOccurrences(of: "'", with: "''"))') > 0
                """) != "0"
        }
    }
}

/// Output of `psql -XAtq -c`, trimmed; throws when psql fails.
func psqlOutput(_ url: String, _ sql: String) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/psql"), ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment, stdin: nil)
    guard result.status == 0 else { throw HarnessError("psql failed on: \(sql)\n\(result)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A project on disk whose environments reach PostgreSQL through `${PG_URL}` (and more variables
/// a test adds), with revisions written from literal SQL.
struct PostgresProject {
    let sandbox: Sandbox
    let database: PostgresDatabase
    /// Variables given to every command: `PG_URL` is the test's database.
    var variables: [String: String]

    /// Writes `environments/environments.yaml` with one environment `dev` at `${PG_URL}`; `dev`
    /// lines are added under `dev:` (indented by four spaces), `top` lines at the top level and
    /// `others` after `dev`, under `environments:`.
    init(dev: [String] = [], top: [String] = [], others: [String] = []) throws {
        sandbox = try Sandbox()
        database = try PostgresDatabase()
        variables = ["PG_URL": database.url]
        var yaml = ["promotion: [dev]", "default_environment: dev"] + top + ["environments:", "  dev:", "    url: ${PG_URL}"]
        yaml += dev.map { "    " + $0 }
        yaml += others
        try sandbox.write("environments/environments.yaml", yaml.joined(separator: "\n") + "\n")
        try FileManager.default.createDirectory(at: sandbox.url("versions"), withIntermediateDirectories: true)
    }

    func remove() {
        database.drop()
        sandbox.remove()
    }

    /// Writes `versions/<id>_test.sql` and returns its path relative to the root.
    @discardableResult
    func revision(_ id: String, parent: String = "", header: [String] = [], upgrade: String, downgrade: String? = "") throws -> String {
        let path = "versions/\(id)_test.sql"
        var text = "-- revision: \(id)\n-- down_revision: \(parent)\n-- message: \(id.replacingOccurrences(of: "_", with: " "))\n"
        text += header.map { $0 + "\n" }.joined()
        text += "\n-- +upgrade\n" + upgrade + (upgrade.hasSuffix("\n") ? "" : "\n")
        if let downgrade { text += "\n-- +downgrade\n" + downgrade + (downgrade.hasSuffix("\n") || downgrade.isEmpty ? "" : "\n") }
        try sandbox.write(path, text)
        return path
    }

    /// Runs godwit in the project with the test's variables (plus `env`); GODWIT_ACTOR is `actor`.
    @discardableResult
    func godwit(_ args: [String], actor: String = "e2e-tester", env: [String: String] = [:]) throws -> RunResult {
        try sandbox.godwit(args, env: variables.merging(env) { $1 }.merging(["GODWIT_ACTOR": actor]) { $1 })
    }

    /// Starts godwit without waiting for it.
    func start(_ args: [String], actor: String = "e2e-tester", env: [String: String] = [:]) throws -> RunningProcess {
        var environment = ProcessInfo.processInfo.environment
        for name in ["GODWIT_PROJECT", "TEST_DATABASE_URL", "PROD_DATABASE_URL", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR"] {
            environment[name] = nil
        }
        environment["NO_COLOR"] = "1"
        environment["GODWIT_ACTOR"] = actor
        for (key, value) in variables.merging(env, uniquingKeysWith: { $1 }) { environment[key] = value }
        return try RunningProcess(try Paths.requireBinary(), args, in: sandbox.root, environment: environment)
    }
}

/// A child process started and not yet waited for; stdout and stderr go to temporary files.
final class RunningProcess {
    let process = Process()
    private let scratch: URL
    private let outHandle: FileHandle
    private let errHandle: FileHandle

    init(_ executable: URL, _ args: [String], in dir: URL, environment: [String: String]) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-e2e-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("stderr").path, contents: nil)
        outHandle = try FileHandle(forWritingTo: scratch.appendingPathComponent("stdout"))
        errHandle = try FileHandle(forWritingTo: scratch.appendingPathComponent("stderr"))
        process.executableURL = executable
        process.arguments = args
        process.currentDirectoryURL = dir
        process.environment = environment
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Sends SIGKILL: the process dies at once, without cleaning anything up.
    func kill() { _ = Glibc.kill(process.processIdentifier, SIGKILL) }

    /// Waits for the process and returns what it printed; death by a signal is 128 + signal.
    func wait() throws -> RunResult {
        process.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = String(decoding: try Data(contentsOf: scratch.appendingPathComponent("stdout")), as: UTF8.self)
        let err = String(decoding: try Data(contentsOf: scratch.appendingPathComponent("stderr")), as: UTF8.self)
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return RunResult(status: status, stdout: out, stderr: err)
    }
}

/// A `godwit init` project whose dev, test and protected prod each live in a schema of their own
/// (`e2e_<tag>_<env>_<suffix>`) on the test server, reached through `${PG_URL}`.
struct PromotionSchemas {
    /// The admin URL of the server.
    let url: String
    /// The schemas of dev, test and prod.
    let schemas: [String]
    let sandbox: Sandbox
    /// `PG_URL` for every command.
    var env: [String: String] { ["PG_URL": url] }

    /// Creates the project; `extra` is appended under `environments:` (indented by two spaces).
    init(tag: String, extra: String = "") throws {
        url = try PostgresTestServer.admin()
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        schemas = ["dev", "test", "prod"].map { "e2e_\(tag)\($0)_\(suffix)" }
        sandbox = try Sandbox()
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            promotion: [dev, test, prod]
            default_environment: dev
            environments:
              dev:
                url: ${PG_URL}
                schema: \(schemas[0])
              test:
                url: ${PG_URL}
                schema: \(schemas[1])
              prod:
                url: ${PG_URL}
                schema: \(schemas[2])
                protected: true
            \(extra)
            """)
    }

    /// Drops the schemas and removes the project.
    func remove() {
        _ = try? psqlOutput(url, schemas.map { "DROP SCHEMA IF EXISTS \($0) CASCADE;" }.joined())
        sandbox.remove()
    }
}
