import Foundation
import Testing

/// A failure of the harness itself (not of the binary under test).
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What one run of the binary printed and how it ended.
struct RunResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)" }

    /// stdout parsed as one JSON document.
    func json() throws -> Any {
        guard let data = stdout.data(using: .utf8), !data.isEmpty else {
            throw HarnessError("stdout is empty, expected one JSON document\n\(self)")
        }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw HarnessError("stdout is not one JSON document: \(error)\n\(self)")
        }
    }

    /// stdout as a JSON object.
    func jsonObject() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else { throw HarnessError("stdout is not a JSON object\n\(self)") }
        return object
    }

    /// stdout as a JSON array of objects.
    func jsonArray() throws -> [[String: Any]] {
        guard let array = try json() as? [[String: Any]] else { throw HarnessError("stdout is not a JSON array of objects\n\(self)") }
        return array
    }
}

/// Where things are: the package root (from this file's path) and the built binary (next to the
/// running test bundle, or `GODWIT_BINARY`).
enum Paths {
    /// `<package root>`: this file is `<root>/Tests/EndToEndTests/Harness.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<package root>/Tests/Fixtures`.
    static let fixtures: URL = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The folders the build put its products in, as seen from the running tests: SwiftPM puts
    /// `godwit` next to `GodwitPackageTests.xctest`, which on Linux is the running executable and on
    /// macOS a bundle loaded by the test runner. Debug, release and `--scratch-path` alike.
    static var productFolders: [URL] {
        var folders: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        var seen = Set<String>()
        return folders.map(\.standardizedFileURL).filter { seen.insert($0.path).inserted }
    }

    /// The binary under test: `GODWIT_BINARY` when set, else `godwit` in the products folder of
    /// the running test bundle.
    /// - Throws: `HarnessError` naming every place it looked when there is no executable there.
    static func requireBinary() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["GODWIT_BINARY"], !override.isEmpty {
            let binary = URL(fileURLWithPath: override)
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                throw HarnessError("GODWIT_BINARY is \(override), which is not an executable file")
            }
            return binary
        }
        let candidates = productFolders.map { $0.appendingPathComponent("godwit") }
        if let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return binary }
        let places = candidates.isEmpty ? "no products folder of the test bundle was found" : candidates.map(\.path).joined(separator: ", ")
        throw HarnessError(
            "the godwit binary is missing (looked at: \(places)); run `swift build --build-tests` "
                + "(scripts/test does) with the same configuration and scratch path as `swift test`, or set GODWIT_BINARY")
    }
}

/// Environment variables removed from the child unless a test passes them explicitly: they
/// would let the caller's shell change what the binary does.
private let scrubbedVariables = [
    "GODWIT_PROJECT", "GODWIT_ACTOR", "TEST_DATABASE_URL", "PROD_DATABASE_URL", "SCRATCH_DATABASE_URL",
    "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR",
]

/// Runs an executable with `args` in `dir`, stdout and stderr captured through temporary files
/// (no pipe can fill up and deadlock), stdin from `stdin` or the null device.
func runProcess(
    _ executable: URL, _ args: [String], in dir: URL, environment: [String: String], stdin: String? = nil
) throws -> RunResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-e2e-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    defer {
        try? outHandle.close()
        try? errHandle.close()
    }

    let process = Process()
    process.executableURL = executable
    process.arguments = args
    process.currentDirectoryURL = dir
    process.environment = environment
    process.standardOutput = outHandle
    process.standardError = errHandle
    var inHandle: FileHandle?
    if let stdin {
        let inURL = scratch.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin.utf8))
        inHandle = try FileHandle(forReadingFrom: inURL)
        process.standardInput = inHandle
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    defer { try? inHandle?.close() }
    try process.run()
    process.waitUntilExit()
    let out = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
    let err = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
    // A process killed by a signal (a crash: SIGILL, SIGTRAP, SIGSEGV) reports the signal number,
    // which could pass for an exit code; report it the way a shell does, as 128 + signal.
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return RunResult(status: status, stdout: out, stderr: err)
}

/// Runs the built `godwit` binary in `dir`, with NO_COLOR=1, and without GODWIT_PROJECT (and the
/// other variables above) unless `env` gives them.
@discardableResult
func run(_ args: [String], in dir: URL, env: [String: String] = [:], stdin: String? = nil) throws -> RunResult {
    let binary = try Paths.requireBinary()
    var environment = ProcessInfo.processInfo.environment
    for name in scrubbedVariables { environment[name] = nil }
    environment["NO_COLOR"] = "1"
    environment["GODWIT_ACTOR"] = "e2e-tester"
    for (key, value) in env { environment[key] = value }
    return try runProcess(binary, args, in: dir, environment: environment, stdin: stdin)
}

/// A temporary folder of one test, removed by `remove()`.
struct Sandbox {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    func read(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }

    func write(_ path: String, _ text: String) throws {
        let target = url(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
    }

    /// Runs godwit in the sandbox's root (or `dir` under it).
    @discardableResult
    func godwit(_ args: [String], dir: String? = nil, env: [String: String] = [:], stdin: String? = nil) throws -> RunResult {
        try run(args, in: dir.map(url) ?? root, env: env, stdin: stdin)
    }

    /// `godwit init` in the sandbox: SQLite dev, test, prod and the example revision, whose
    /// random id is then pinned to 3f2a9c1b7d4e (`WorkflowTests.base`) so that tests can name it.
    func initProject() throws {
        let result = try godwit(["init"])
        guard result.status == 0 else { throw HarnessError("godwit init failed\n\(result)") }
        try pinExampleRevision()
    }

    /// Gives the example revision that `init` wrote under `folder` the id 3f2a9c1b7d4e.
    func pinExampleRevision(in folder: String = "") throws {
        let versions = folder.isEmpty ? "versions" : folder + "/versions"
        let id = try exampleRevisionID(in: folder)
        let name = "\(id)_create_users.sql"
        let text = try read("\(versions)/\(name)")
        try FileManager.default.removeItem(at: url("\(versions)/\(name)"))
        try write("\(versions)/3f2a9c1b7d4e_create_users.sql", text.replacingOccurrences(of: "-- revision: \(id)\n", with: "-- revision: 3f2a9c1b7d4e\n"))
    }

    /// The id of the example revision that `init` wrote under `folder`.
    func exampleRevisionID(in folder: String = "") throws -> String {
        let versions = folder.isEmpty ? "versions" : folder + "/versions"
        let names = try FileManager.default.contentsOfDirectory(atPath: url(versions).path)
        guard let name = names.first(where: { $0.hasSuffix("_create_users.sql") }), let id = name.split(separator: "_").first else {
            throw HarnessError("init wrote no example revision in \(versions): \(names)")
        }
        return String(id)
    }

    /// `godwit revision -m MESSAGE [extra]`, then puts SQL into the new file's sections.
    /// Returns the new id and its path relative to the root.
    @discardableResult
    func newRevision(
        _ message: String, upgrade: String, downgrade: String?, extra: [String] = []
    ) throws -> (id: String, path: String) {
        let result = try godwit(["revision", "-m", message, "--json"] + extra)
        guard result.status == 0 else { throw HarnessError("godwit revision failed\n\(result)") }
        let object = try result.jsonObject()
        guard let id = object["revision"] as? String, let path = object["path"] as? String else {
            throw HarnessError("godwit revision --json gave no revision and path\n\(result)")
        }
        try fill(path, upgrade: upgrade, downgrade: downgrade)
        return (id, path)
    }

    /// Puts SQL under the `-- +upgrade` marker and the `-- +downgrade` marker of a generated file;
    /// a nil downgrade removes the downgrade section (an irreversible revision).
    func fill(_ path: String, upgrade: String, downgrade: String?) throws {
        var text = try read(path)
        guard let up = text.range(of: "-- +upgrade\n"), let down = text.range(of: "-- +downgrade\n") else {
            throw HarnessError("\(path) lacks the markers:\n\(text)")
        }
        let header = String(text[..<up.upperBound])
        let downPart = downgrade.map { "\n-- +downgrade\n" + $0 } ?? ""
        text = header + upgrade + downPart
        _ = down
        try write(path, text)
    }

    /// The 1-based line of the first line of `path` that contains `needle`.
    func line(of needle: String, in path: String) throws -> Int {
        let lines = try read(path).components(separatedBy: "\n")
        guard let index = lines.firstIndex(where: { $0.contains(needle) }) else {
            throw HarnessError("'\(needle)' is not in \(path)")
        }
        return index + 1
    }
}

/// Rows of a query run by the `sqlite3` command-line tool, columns split on '|'.
func sqlite(_ database: URL, _ sql: String) throws -> [[String]] {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-batch", "-noheader", "-separator", "|", database.path, sql],
        in: database.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
    guard result.status == 0 else { throw HarnessError("sqlite3 failed on \(database.path): \(sql)\n\(result)") }
    return result.stdout.split(separator: "\n", omittingEmptySubsequences: true).map {
        $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Runs an SQL script through the `sqlite3` tool (stopping at the first error).
func sqliteScript(_ database: URL, _ script: String) throws -> RunResult {
    try runProcess(
        URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-batch", "-bail", database.path],
        in: database.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment, stdin: script)
}

/// The names of the tables in a database, sorted, Godwit's own included.
func tables(_ database: URL) throws -> [String] {
    guard FileManager.default.fileExists(atPath: database.path) else { return [] }
    return try sqlite(database, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map { $0[0] }
}

/// The user tables of a database (not Godwit's), sorted.
func userTables(_ database: URL, prefix: String = "godwit_") -> [String] {
    ((try? tables(database)) ?? []).filter { !$0.hasPrefix(prefix) }
}

/// `revision|state` of each row of `godwit_revisions`, in the order applied.
func revisionRows(_ database: URL) throws -> [String] {
    guard try tables(database).contains("godwit_revisions") else { return [] }
    return try sqlite(database, "SELECT revision, state FROM godwit_revisions ORDER BY seq").map { $0.joined(separator: "|") }
}

/// The applied revision ids, in the order applied.
func appliedIDs(_ database: URL) throws -> [String] {
    try revisionRows(database).map { String($0.split(separator: "|")[0]) }
}

/// `sqlite3 .dump` of a database: its full logical content.
func dump(_ database: URL) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-batch", database.path, ".dump"],
        in: database.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
    guard result.status == 0 else { throw HarnessError("sqlite3 .dump failed\n\(result)") }
    return result.stdout
}

/// SHA-256 of a file's bytes, by `sha256sum`.
func sha256(_ file: URL) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path], in: file.deletingLastPathComponent(),
        environment: ProcessInfo.processInfo.environment)
    guard result.status == 0, let hash = result.stdout.split(separator: " ").first else {
        throw HarnessError("sha256sum failed\n\(result)")
    }
    return String(hash)
}

/// Checks what every error output must never hold: a crash report or a stack trace.
func expectNoCrash(_ result: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
    for marker in ["Fatal error", "Stack dump", "stack trace", "Backtrace", "Illegal instruction", "Segmentation fault", "Current stack trace"] {
        #expect(!result.stderr.contains(marker), "stderr shows a crash (\(marker))\n\(result)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains(marker), "stdout shows a crash (\(marker))\n\(result)", sourceLocation: sourceLocation)
    }
    // runProcess reports a death by signal as 128 + signal.
    #expect(result.status < 128, "the process died of a signal\n\(result)", sourceLocation: sourceLocation)
}

/// The keys of a JSON object, sorted.
func keys(_ object: [String: Any]) -> [String] { object.keys.sorted() }

/// Asserts that a JSON object has every key in `required`.
func expectKeys(
    _ object: [String: Any], _ required: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let missing = required.filter { object[$0] == nil }
    #expect(missing.isEmpty, "\(what) lacks keys \(missing); has \(keys(object))", sourceLocation: sourceLocation)
}

/// A JSON value as a list of strings (nil when it is not one).
func strings(_ value: Any?) -> [String]? { value as? [String] }
