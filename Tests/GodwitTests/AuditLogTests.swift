import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite
import GodwitTestSupport
import Testing

@testable import Godwit

/// A project whose `dev` is a SQLite file or a PostgreSQL schema of its own, with `audit_log:`
/// set, and a direct connection to dev's database for tampering.
final class AuditFixture {
    enum Backend: String, CustomStringConvertible, Sendable {
        case sqlite, postgresql
        var description: String { rawValue }
    }

    let project: TestProject
    let backend: Backend
    /// The PostgreSQL URL dev uses (may hold a password); nil on SQLite.
    let url: String?
    let schema: String?

    /// Revisions: users, orders, an index, then `ddd444`, which fails.
    static let revisions = shopRevisions + [
        (id: "ddd444", parents: "ccc333", upgrade: "CREATE TABLE d (x INTEGER);\nINSERT INTO nowhere VALUES (1);", downgrade: "DROP TABLE d;", extra: "")
    ]

    init(_ backend: Backend, url: String? = nil, revisions: [(id: String, parents: String, upgrade: String, downgrade: String?, extra: String)] = AuditFixture.revisions) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            self.url = nil
            schema = nil
        case .postgresql:
            self.url = try url ?? AuditPostgres.url()
            schema = "godwit_audit_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        }
        let dev = backend == .sqlite ? "    url: sqlite:var/dev.sqlite3" : "    url: ${PG_URL}\n    schema: \(schema!)"
        project = try TestProject(
            yaml: """
                promotion: [dev]
                default_environment: dev
                audit_log: var/audit.jsonl
                environments:
                  dev:
                \(dev)
                """, revisions: revisions)
    }

    func workspace(actor: String = "tester") throws -> Workspace {
        try Workspace(
            project: try Project(root: project.root), drivers: [SQLiteDriver(), PostgresDriver()],
            identity: Identity(actor: actor, host: "test-host", gitCommit: "abc123"), variables: url.map { ["PG_URL": $0] } ?? [:])
    }

    func migrator(actor: String) throws -> Migrator {
        let workspace = try workspace(actor: actor)
        return Migrator(workspace: workspace, environment: try workspace.project.environment("dev"))
    }

    var dev: Environment { get throws { try workspace().project.environment("dev") } }

    /// A connection to dev's database, in dev's schema on PostgreSQL.
    func connect() throws -> any DriverConnection {
        switch backend {
        case .sqlite: return try SQLiteConnection(path: project.root.appendingPathComponent("var/dev.sqlite3").path)
        case .postgresql:
            return try PostgresConnection(url: DatabaseURL(kind: .postgresql, text: url!), options: ConnectionOptions(applicationName: "godwit audit tests", schema: schema))
        }
    }

    /// Runs SQL on dev's database.
    func execute(_ sql: String) throws {
        let connection = try connect()
        defer { connection.close() }
        try connection.execute(sql)
    }

    /// Every cell of every row of a query on dev's database, as text.
    func text(_ sql: String) throws -> String {
        let connection = try connect()
        defer { connection.close() }
        return try connection.query(sql).map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }.joined(separator: "\n")
    }

    var logURL: URL { project.root.appendingPathComponent("var/audit.jsonl") }

    /// The lines of the JSON Lines log.
    /// The log's record lines (its opening lines, `"hash":null`, left out).
    func logLines() throws -> [String] {
        try String(contentsOf: logURL, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.contains("\"hash\":null") }
    }

    func writeLog(_ lines: [String]) throws {
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: logURL)
    }

    /// alice upgrades to ccc333 with a reason, bob downgrades to aaa111, carol's upgrade fails at ddd444.
    func runThreeActors() throws {
        var first = ChangeRequest(.upgrade(.revision("ccc333")))
        first.reason = "release 1"
        _ = try migrator(actor: "alice").run(first)
        _ = try migrator(actor: "bob").run(ChangeRequest(.downgrade(.revision("aaa111"))))
        #expect(throws: DatabaseError.self) { try self.migrator(actor: "carol").run(ChangeRequest(.upgrade(.heads))) }
    }

    func remove() {
        if backend == .postgresql, let schema, let admin = try? PostgresConnection(url: DatabaseURL(kind: .postgresql, text: url!)) {
            try? admin.execute("DROP SCHEMA IF EXISTS \(SQLDialect.postgresql.quote(schema)) CASCADE")
            admin.close()
        }
        project.remove()
    }
}

/// The PostgreSQL server of the tests (`GODWIT_TEST_POSTGRES_URL`): without it these tests are
/// disabled, unless `GODWIT_REQUIRE_POSTGRES=1`, in which case they run and fail.
enum AuditPostgres {
    static var isEnabled: Bool { PostgresTestServer.isEnabled }

    static func url() throws -> String { try PostgresTestServer.url().secretText }

    /// A URL with a password and the password: `GODWIT_TEST_POSTGRES_PASSWORD_URL` (password
    /// authentication), else the server URL with a password added (which trust authentication ignores).
    static func urlWithPassword() throws -> (url: String, password: String) {
        if let url = PostgresTestServer.passwordURLText,
            let password = DatabaseURL(kind: .postgresql, text: url).password
        {
            return (url, password)
        }
        let password = "Th3-s3cret-pw"
        let base = try url()
        guard let scheme = base.range(of: "://") else { throw PostgresTestServer.MissingServer() }
        let rest = base[scheme.upperBound...]
        let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        if let at = authority.lastIndex(of: "@") {
            let user = authority[..<at].split(separator: ":").first.map(String.init) ?? "postgres"
            return (base.replacingCharacters(in: authority.startIndex..<at, with: "\(user):\(password)"), password)
        }
        return (base.replacingCharacters(in: scheme.upperBound..<scheme.upperBound, with: "postgres:\(password)@"), password)
    }
}

/// Ways to tamper with the audit table of the fixture's three records, and what `audit verify` must say.
enum Tamper: String, CaseIterable, CustomStringConvertible, Sendable {
    case editedField, editedFirstRecord, deletedRow, swappedOrder, deletedNewestRow

    var description: String { rawValue }

    var sql: String {
        switch self {
        case .editedField: return "UPDATE godwit_audit SET actor = 'mallory' WHERE id = 2"
        case .editedFirstRecord: return "UPDATE godwit_audit SET reason = 'approved by nobody' WHERE id = 1"
        case .deletedRow: return "DELETE FROM godwit_audit WHERE id = 2"
        case .swappedOrder:
            return "UPDATE godwit_audit SET id = -1 WHERE id = 2; UPDATE godwit_audit SET id = 2 WHERE id = 3; UPDATE godwit_audit SET id = 3 WHERE id = -1"
        case .deletedNewestRow: return "DELETE FROM godwit_audit WHERE id = 3"
        }
    }

    var firstBadID: Int {
        switch self {
        case .editedField, .deletedRow, .swappedOrder: return 2
        case .editedFirstRecord: return 1
        case .deletedNewestRow: return 3
        }
    }

    /// What the table's own chain shows; nil when only the JSON Lines log can tell.
    var tableKind: AuditProblem.Kind? {
        switch self {
        case .editedField, .editedFirstRecord: return .edited
        case .deletedRow: return .missing
        case .swappedOrder: return .reordered
        case .deletedNewestRow: return nil
        }
    }
}

/// Checks `audit verify` on the fixture after `tamper`.
func expectVerifyFinds(_ tamper: Tamper, in fixture: AuditFixture) throws {
    let workspace = try fixture.workspace()
    let clean = try AuditReader(workspace: workspace).verify(try fixture.dev)
    #expect(clean.isOK, "\(clean.problems)")
    #expect(clean.records == 3 && clean.firstBadID == nil)
    #expect(clean.json["first_bad_id"] == .null)

    try fixture.execute(tamper.sql)
    let found = try AuditReader(workspace: workspace).verify(try fixture.dev)
    #expect(!found.isOK)
    #expect(found.firstBadID == tamper.firstBadID, "\(found.problems)")
    #expect(found.json["ok"] == .bool(false) && found.json["first_bad_id"] == .int(tamper.firstBadID))
    let tableProblems = found.problems.filter { $0.location == nil }
    if let kind = tamper.tableKind {
        #expect(tableProblems.first?.kind == kind, "\(found.problems)")
        #expect(tableProblems.first?.id == tamper.firstBadID, "\(found.problems)")
        #expect(tableProblems.first?.message.contains("record \(tamper.firstBadID)") == true, "\(found.problems)")
    } else {
        // The chain alone cannot tell; the state rows that name the deleted record can.
        #expect(tableProblems.allSatisfy { $0.kind == .orphanedState }, "the table's chain alone cannot tell: \(found.problems)")
    }
    if tamper == .deletedRow || tamper == .deletedNewestRow {
        #expect(found.problems.contains { $0.kind == .notInTable && $0.id == tamper.firstBadID }, "the log still has it: \(found.problems)")
    }
}

@Suite struct AuditLogTests {
    @Test func threeActorsLeaveThreeRecordsNewestFirst() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        let workspace = try fixture.workspace()
        let graph = try workspace.graph()
        let records = try AuditReader(workspace: workspace).records(of: try fixture.dev)

        #expect(records.map(\.id) == [3, 2, 1])
        #expect(records.map(\.actor) == ["carol", "bob", "alice"])
        #expect(records.map(\.operation) == ["upgrade", "downgrade", "upgrade"])
        #expect(records.map(\.outcome) == ["failed", "succeeded", "succeeded"])
        #expect(records.map(\.fromHeads) == [["aaa111"], ["ccc333"], []])
        #expect(records.map(\.toHeads) == [["ccc333"], ["aaa111"], ["ccc333"]], "the failed run ends where its last step committed")
        #expect(records.map { $0.steps.map(\.revision) } == [["bbb222", "ccc333"], ["ccc333", "bbb222"], ["aaa111", "bbb222", "ccc333"]])
        #expect(records[1].steps.allSatisfy { $0.direction == .downgrade })
        for record in records {
            for step in record.steps { #expect(step.checksum == graph[step.revision]?.checksum) }
            #expect(record.gitCommit == "abc123" && record.host == "test-host" && record.environment == "dev")
            #expect(record.hash == record.computedHash && record.finishedAt != nil && record.durationMS != nil)
        }
        #expect(records.map(\.reason) == [nil, nil, "release 1"])
        #expect(records[0].error?.contains("nowhere") == true && records[0].error?.contains("versions/ddd444_test.sql") == true)
        #expect(records[1].error == nil)
        #expect(records[2].prevHash == nil && records[1].prevHash == records[2].hash && records[0].prevHash == records[1].hash)

        let verification = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(verification.isOK, "\(verification.problems)")
        #expect(verification.records == 3 && verification.logPath == "var/audit.jsonl")
        #expect(verification.json == .object([
            "ok": .bool(true), "records": .int(3), "first_bad_id": .null, "environment": .string("dev"),
            "audit_log": .string("var/audit.jsonl"), "problems": .array([]), "notes": .array([]),
        ]))
    }

    @Test func theJSONLinesLogHoldsTheSameRecordsAsTheTable() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        let table = try AuditReader(workspace: fixture.workspace()).records(of: try fixture.dev).reversed()
        let logged = try AuditLogFile.read(fixture.logURL)
        #expect(Array(table) == logged)
        #expect(try fixture.logLines() == table.map(\.json.canonical), "each line is the record's canonical JSON")
    }

    @Test func filtersSelectBySinceLimitOperationAndActor() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        let workspace = try fixture.workspace()
        let dev = try fixture.dev
        func ids(_ filter: AuditFilter) throws -> [Int] { try AuditReader(workspace: workspace).records(of: dev, filter: filter).map(\.id) }

        #expect(try ids(AuditFilter(limit: 2)) == [3, 2])
        #expect(try ids(AuditFilter(operation: "upgrade")) == [3, 1])
        #expect(try ids(AuditFilter(limit: 1, operation: "upgrade")) == [3])
        #expect(try ids(AuditFilter(operation: "promote")) == [])
        #expect(try ids(AuditFilter(actor: "bob")) == [2])
        #expect(try ids(AuditFilter(actor: "Bob")) == [], "actors match exactly")
        #expect(try ids(AuditFilter(since: Date().addingTimeInterval(3600))) == [])
        #expect(try ids(AuditFilter(since: Date().addingTimeInterval(-3600))) == [3, 2, 1])
        let today = String(AuditRecord.timestamp().prefix(10))
        #expect(try ids(AuditFilter(parsingSince: today, limit: nil, operation: nil, actor: nil)) == [3, 2, 1])
        // `since` compares on started_at: a record started a moment ago is in, one started before is out.
        let second = try #require(try AuditReader(workspace: workspace).records(of: dev, filter: AuditFilter(actor: "bob")).first)
        let sinceSecond = try AuditFilter(parsingSince: second.startedAt, limit: nil, operation: nil, actor: nil)
        #expect(try ids(sinceSecond) == [3, 2])
    }

    @Test(arguments: [
        ("2026-11-25", "2026-11-25T00:00:00.000Z"),
        ("2026-11-25T17:40:00Z", "2026-11-25T17:40:00.000Z"),
        ("2026-11-25T17:40:00.250Z", "2026-11-25T17:40:00.250Z"),
        ("2026-11-25T19:40:00+02:00", "2026-11-25T17:40:00.000Z"),
        ("2026-11-25T17:40", "2026-11-25T17:40:00.000Z"),
        ("2026-11-25 17:40:05", "2026-11-25T17:40:05.000Z"),
    ])
    func sinceReadsDatesAndISOTimes(_ text: String, _ expected: String) throws {
        #expect(AuditRecord.timestamp(try AuditFilter.date(parsing: text)) == expected)
    }

    @Test(arguments: ["yesterday", "2026-13-01", "2026-11-31", "25.11.2026", ""])
    func sinceRefusesWhatIsNotADate(_ text: String) {
        let error = #expect(throws: AuditError.notADate(text)) { try AuditFilter.date(parsing: text) }
        #expect(error?.exitCode == .usage)
        #expect(error?.message.contains("YYYY-MM-DD") == true)
    }

    @Test func badFiltersAreUsageErrors() {
        let limit = #expect(throws: AuditError.limitTooSmall(0)) { try AuditFilter(parsingSince: nil, limit: 0, operation: nil, actor: nil) }
        #expect(limit?.exitCode == .usage)
        let operation = #expect(throws: AuditError.unknownOperation("upgarde", suggestion: "upgrade")) {
            try AuditFilter(parsingSince: nil, limit: nil, operation: "upgarde", actor: nil)
        }
        #expect(operation?.exitCode == .usage)
        #expect(operation?.message.contains("did you mean 'upgrade'") == true)
    }

    @Test func anEnvironmentGodwitNeverTouchedHasNoRecordsAndVerifies() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        let workspace = try fixture.workspace()
        #expect(try AuditReader(workspace: workspace).records(of: try fixture.dev).isEmpty)
        let verification = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(verification.isOK && verification.records == 0)
        #expect(!FileManager.default.fileExists(atPath: fixture.project.root.appendingPathComponent("var/dev.sqlite3").path), "reading created nothing")
    }

    @Test(arguments: Tamper.allCases)
    func verifyFindsTamperingOnSQLite(_ tamper: Tamper) throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        try expectVerifyFinds(tamper, in: fixture)
    }

    @Test func anOpenRecordIsNotSealedUntilTheNextRun() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        // What a killed run leaves: a record without hash at the tail.
        let open = AuditRecord(
            id: 4, environment: "dev", operation: "upgrade", startedAt: AuditRecord.timestamp(), fromHeads: ["ccc333"],
            actor: "killed", host: "h", toolVersion: "0", gitCommit: nil, reason: nil)
        // The killed run had appended its opening line to the log before it opened the record.
        try AuditLogFile.appendOpening(open, to: fixture.project.root.appendingPathComponent("var/audit.jsonl"))
        try fixture.execute(StateStore(dialect: SQLiteDialect(), prefix: "godwit_").insertAuditSQL(open))
        let workspace = try fixture.workspace()
        let found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.problems.map(\.kind) == [.unsealed], "\(found.problems)")
        #expect(found.firstBadID == 4 && found.records == 4)
        #expect(found.problems.first?.message.contains("godwit upgrade -e dev") == true)
        #expect(try AuditReader(workspace: workspace).records(of: try fixture.dev).first?.outcome == nil, "listed as running")

        // The next run seals it, even with nothing to apply: into the table's chain and the log.
        _ = try fixture.migrator(actor: "dave").run(ChangeRequest(.upgrade(.revision("ccc333"))))
        let sealed = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(sealed.isOK, "\(sealed.problems)")
        #expect(try fixture.logLines().count == 4)
    }

    @Test func aRecordStrippedOfItsHashBeforeSealedOnesIsFound() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        try fixture.execute("UPDATE godwit_audit SET hash = NULL WHERE id = 2")
        let found = try AuditReader(workspace: fixture.workspace()).verify(try fixture.dev)
        #expect(found.firstBadID == 2)
        #expect(found.problems.first?.kind == .unsealed && found.problems.first?.message.contains("removed") == true, "\(found.problems)")
    }

    @Test func verifyFindsTamperingWithTheLog() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        let workspace = try fixture.workspace()
        let lines = try fixture.logLines()

        // A line removed.
        try fixture.writeLog([lines[0], lines[2]])
        var found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.problems.map(\.kind) == [.notInLog] && found.firstBadID == 2, "\(found.problems)")
        #expect(found.problems[0].location == SourceLocation(file: "var/audit.jsonl"))

        // A field edited in the log.
        try fixture.writeLog([lines[0], lines[1].replacingOccurrences(of: "\"bob\"", with: "\"eve\""), lines[2]])
        found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.problems.map(\.kind) == [.edited] && found.firstBadID == 2, "\(found.problems)")
        #expect(found.problems[0].location == SourceLocation(file: "var/audit.jsonl", line: 2))

        // A line that is not a record.
        try fixture.writeLog(lines + ["{\"id\": 4, \"environment\": \"dev\""])
        found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.problems.map(\.kind) == [.corrupt], "\(found.problems)")
        #expect(found.problems[0].location == SourceLocation(file: "var/audit.jsonl", line: 4))

        // Lines swapped.
        try fixture.writeLog([lines[0], lines[2], lines[1]])
        found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(!found.problems.isEmpty && found.problems.allSatisfy { $0.kind == .reordered } && found.firstBadID == 2, "\(found.problems)")
        try fixture.writeLog([lines[1], lines[0], lines[2]])
        found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.problems.map(\.kind).contains(.reordered) && found.firstBadID == 1, "\(found.problems)")

        // Every line removed while the table has records.
        try fixture.writeLog([])
        found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.problems.map(\.kind) == [.notInLog] && found.problems[0].message.contains("records 1–3"), "\(found.problems)")

        // The log absent on this machine (a fresh clone, the file in an ignored folder): a note.
        try FileManager.default.removeItem(at: fixture.logURL)
        found = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(found.isOK && found.notes.count == 1, "\(found.problems)")

        try fixture.writeLog(lines)
        #expect(try AuditReader(workspace: workspace).verify(try fixture.dev).isOK)
    }

    @Test func aLogThatStartsLateLacksRecordsButADatabaseCreatedAnewStartsAChain() throws {
        let fixture = try AuditFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        let workspace = try fixture.workspace()
        let lines = try fixture.logLines()
        // The log lacks record 1 (its line removed, or audit_log set after it was written).
        try fixture.writeLog(Array(lines.dropFirst()))
        let late = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(late.problems.map(\.kind) == [.notInLog] && late.firstBadID == 1, "\(late.problems)")
        try fixture.writeLog(lines)

        // dev's database is deleted and created anew: its records start again at 1 in the same
        // log, a chain of their own; the old chain is still checked on its own.
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: fixture.project.root.appendingPathComponent("var/dev.sqlite3" + suffix))
        }
        _ = try fixture.migrator(actor: "erin").run(ChangeRequest(.upgrade(.revision("aaa111"))))
        let anew = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(anew.isOK, "\(anew.problems)")
        #expect(anew.records == 1)
        let relogged = try fixture.logLines()
        #expect(relogged.count == 4)
        try fixture.writeLog([relogged[0], relogged[1].replacingOccurrences(of: "\"bob\"", with: "\"eve\""), relogged[2], relogged[3]])
        let old = try AuditReader(workspace: workspace).verify(try fixture.dev)
        #expect(old.problems.map(\.kind) == [.edited] && old.problems.first?.location?.line == 2, "\(old.problems)")
    }
}

/// The same on PostgreSQL, each test in a schema of its own.
@Suite(.enabled(if: AuditPostgres.isEnabled, "set GODWIT_TEST_POSTGRES_URL to run the PostgreSQL tests"))
struct AuditLogPostgresTests {
    @Test(arguments: Tamper.allCases)
    func verifyFindsTamperingOnPostgreSQL(_ tamper: Tamper) throws {
        let fixture = try AuditFixture(.postgresql)
        defer { fixture.remove() }
        try fixture.runThreeActors()
        let records = try AuditReader(workspace: fixture.workspace()).records(of: try fixture.dev)
        #expect(records.map(\.actor) == ["carol", "bob", "alice"])
        #expect(records.map(\.outcome) == ["failed", "succeeded", "succeeded"])
        try expectVerifyFinds(tamper, in: fixture)
    }

    @Test func thePasswordOfTheURLIsInNoRecordEvenWhenTheServerQuotesIt() throws {
        let (url, password) = try AuditPostgres.urlWithPassword()
        // The server's error quotes the literal: invalid input syntax for type integer: "<password>".
        let fixture = try AuditFixture(.postgresql, url: url, revisions: [
            (id: "aaa111", parents: "", upgrade: "CREATE TABLE users (id INTEGER PRIMARY KEY);", downgrade: "DROP TABLE users;", extra: ""),
            (id: "bbb222", parents: "aaa111", upgrade: "SELECT '\(password)'::int;", downgrade: "", extra: ""),
        ])
        defer { fixture.remove() }
        var request = ChangeRequest(.upgrade(.heads))
        request.reason = "deploy"
        let error = try #require(throws: DatabaseError.self) { try fixture.migrator(actor: "alice").run(request) }
        #expect(!error.description.contains(password))
        #expect(error.sqlstate == "22P02", "the error came from the server: \(error)")

        let records = try AuditReader(workspace: fixture.workspace()).records(of: try fixture.dev)
        #expect(records.count == 1 && records[0].outcome == "failed")
        #expect(records[0].error?.contains("invalid input syntax") == true, "\(records)")
        #expect(records[0].error?.contains("***") == true, "the quoted password is redacted: \(records)")
        let everything = try fixture.text("SELECT * FROM godwit_audit") + fixture.text("SELECT * FROM godwit_revisions")
        #expect(!everything.contains(password), "the table holds the password: \(everything)")
        #expect(!records.map(\.json.canonical).joined().contains(password))
        let log = try String(contentsOf: fixture.logURL, encoding: .utf8)
        #expect(!log.isEmpty && !log.contains(password), "the log holds the password: \(log)")
        #expect(try AuditReader(workspace: fixture.workspace()).verify(try fixture.dev).isOK)
    }
}
