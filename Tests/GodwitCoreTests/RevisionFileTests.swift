import Foundation
import GodwitCore
import Testing

/// The revision file format of SPEC §3: header keys, markers, sections and their lines, errors with
/// their lines, line endings and checksums, rendering and file names.
@Suite struct RevisionFileTests {
    static let fullPath = "versions/9b1c0d2e3f4a_add_orders.sql"
    static let full = """
        -- revision: 9b1c0d2e3f4a
        -- down_revision: 3f2a9c1b7d4e
        -- message: add orders
        -- create_date: 2026-11-25T17:40:00Z
        -- branch_labels: billing, invoicing
        -- depends_on: 77aa00bb11cc
        -- transactional: false
        -- lock_timeout: 2s
        -- statement_timeout: 30m

        -- +upgrade
        CREATE TABLE orders (id bigint PRIMARY KEY);
        CREATE INDEX orders_id ON orders (id);

        -- +downgrade
        DROP TABLE orders;

        """

    /// A file from lines, each ended by a newline.
    static func text(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    /// The minimal valid header of revision abc123 (lines 1–3).
    static let header = ["-- revision: abc123", "-- down_revision:", "-- message: m"]
    static let path = "versions/abc123_m.sql"

    // MARK: - A complete file

    @Test func parsesEveryHeaderKeyOfAFullFile() throws {
        let revision = try RevisionFile.parse(Self.full, path: Self.fullPath)
        #expect(revision.id == "9b1c0d2e3f4a")
        #expect(revision.downRevisions == ["3f2a9c1b7d4e"])
        #expect(revision.message == "add orders")
        #expect(revision.createDate == "2026-11-25T17:40:00Z")
        #expect(revision.branchLabels == ["billing", "invoicing"])
        #expect(revision.dependsOn == ["77aa00bb11cc"])
        #expect(revision.isTransactional == false)
        #expect(revision.lockTimeout == TimeoutValue(milliseconds: 2000))
        #expect(revision.statementTimeout == TimeoutValue(milliseconds: 1_800_000))
        #expect(revision.path == Self.fullPath)
        #expect(revision.isReversible)
        #expect(!revision.isBase)
        #expect(!revision.isMerge)
        #expect(revision.headerLines == [
            "revision": 1, "down_revision": 2, "message": 3, "create_date": 4, "branch_labels": 5,
            "depends_on": 6, "transactional": 7, "lock_timeout": 8, "statement_timeout": 9,
        ])
    }

    @Test func sectionsHoldTheirSQLAndStartLine() throws {
        let revision = try RevisionFile.parse(Self.full, path: Self.fullPath)
        #expect(revision.upgrade.line == 12)
        #expect(revision.upgrade.sql == "CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE INDEX orders_id ON orders (id);\n\n")
        #expect(revision.downgrade?.line == 16)
        #expect(revision.downgrade?.sql == "DROP TABLE orders;\n")
        #expect(revision.section(.upgrade) == revision.upgrade)
        #expect(revision.section(.downgrade) == revision.downgrade)
    }

    @Test func lineAtAUTF8OffsetMapsBackIntoTheFile() throws {
        let revision = try RevisionFile.parse(Self.full, path: Self.fullPath)
        let sql = revision.upgrade.sql
        let index = sql.range(of: "CREATE INDEX")!.lowerBound
        let offset = sql.utf8.distance(from: sql.utf8.startIndex, to: index)
        #expect(revision.upgrade.line(atUTF8Offset: 0) == 12)
        #expect(revision.upgrade.line(atUTF8Offset: offset) == 13)
        #expect(revision.upgrade.line(atUTF8Offset: offset - 1) == 12, "the newline belongs to the line it ends")
    }

    @Test(arguments: [
        // (sql, byte offset, expected line relative to a section starting on line 20)
        ("SELECT 1;\nSELECT 2;\n", 0, 20),
        ("SELECT 1;\nSELECT 2;\n", 10, 21),
        ("SELECT 1;\nSELECT 2;\n", 9, 20),
        // 'é' is two bytes: "SELECT 'é';\n" is 13 bytes, so offset 13 starts line 2.
        ("SELECT 'é';\nSELECT 2;\n", 13, 21),
        ("SELECT 'é';\nSELECT 2;\n", 12, 20),
        ("\n\n\nSELECT 4;\n", 3, 23),
    ])
    func lineAtUTF8Offset(_ sql: String, _ offset: Int, _ expected: Int) {
        #expect(SQLSection(sql: sql, line: 20).line(atUTF8Offset: offset) == expected)
    }

    // MARK: - Each header key

    enum Field: Sendable {
        case downRevisions([String])
        case message(String)
        case createDate(String?)
        case branchLabels([String])
        case dependsOn([String])
        case transactional(Bool)
        case lockTimeout(Int?)
        case statementTimeout(Int?)


        func check(_ revision: Revision) {
            switch self {
            case .downRevisions(let v): #expect(revision.downRevisions == v)
            case .message(let v): #expect(revision.message == v)
            case .createDate(let v): #expect(revision.createDate == v)
            case .branchLabels(let v): #expect(revision.branchLabels == v)
            case .dependsOn(let v): #expect(revision.dependsOn == v)
            case .transactional(let v): #expect(revision.isTransactional == v)
            case .lockTimeout(let v): #expect(revision.lockTimeout?.milliseconds == v)
            case .statementTimeout(let v): #expect(revision.statementTimeout?.milliseconds == v)
            }
        }
    }

    @Test(arguments: [
        // (header lines after '-- revision: abc123', expected field)
        (["-- down_revision:"], Field.downRevisions([])),
        (["-- down_revision: p1"], .downRevisions(["p1"])),
        // A merge keeps the order the header gives.
        (["-- down_revision: p2, p1"], .downRevisions(["p2", "p1"])),
        (["-- down_revision:p1,p2,p3"], .downRevisions(["p1", "p2", "p3"])),
        (["-- down_revision:", "-- message: add orders: and more  "], .message("add orders: and more")),
        (["-- down_revision:"], .message("")),
        (["-- down_revision:", "-- create_date: 2026-11-25T17:40:00Z"], .createDate("2026-11-25T17:40:00Z")),
        (["-- down_revision:", "-- create_date:"], .createDate(nil)),
        (["-- down_revision:"], .createDate(nil)),
        (["-- down_revision:", "-- branch_labels: billing"], .branchLabels(["billing"])),
        (["-- down_revision:", "-- branch_labels: billing , core"], .branchLabels(["billing", "core"])),
        (["-- down_revision:"], .branchLabels([])),
        (["-- down_revision:", "-- depends_on: 77aa00bb11cc, 88bb"], .dependsOn(["77aa00bb11cc", "88bb"])),
        (["-- down_revision:"], .dependsOn([])),
        (["-- down_revision:"], .transactional(true)),
        (["-- down_revision:", "-- transactional: true"], .transactional(true)),
        (["-- down_revision:", "-- transactional: false"], .transactional(false)),
        (["-- down_revision:", "-- transactional: FALSE"], .transactional(false)),
        (["-- down_revision:", "-- transactional: no"], .transactional(false)),
        (["-- down_revision:", "-- transactional: yes"], .transactional(true)),
        (["-- down_revision:"], .lockTimeout(nil)),
        (["-- down_revision:", "-- lock_timeout: 500ms"], .lockTimeout(500)),
        (["-- down_revision:", "-- lock_timeout: 0"], .lockTimeout(0)),
        (["-- down_revision:"], .statementTimeout(nil)),
        (["-- down_revision:", "-- statement_timeout: 5m"], .statementTimeout(300_000)),
        (["-- down_revision:", "-- statement_timeout: 1h"], .statementTimeout(3_600_000)),
    ])
    func headerKey(_ lines: [String], _ field: Field) throws {
        let text = Self.text(["-- revision: abc123"] + lines + ["", "-- +upgrade", "SELECT 1;"])
        field.check(try RevisionFile.parse(text, path: Self.path))
    }

    @Test func freeCommentsAndBlankLinesInTheHeaderAreAllowed() throws {
        let text = Self.text([
            "-- Adds the orders table.", "-- See https://example.com/tickets/42 for why.", "", "-- revision: abc123",
            "--down_revision:", "   -- message: m", "", "  -- +upgrade  ", "SELECT 1;", "\t-- +downgrade", "SELECT 2;",
        ])
        let revision = try RevisionFile.parse(text, path: Self.path)
        #expect(revision.id == "abc123")
        #expect(revision.headerLines["revision"] == 4)
        #expect(revision.headerLines["message"] == 6)
        #expect(revision.headerLines.count == 3)
        #expect(revision.upgrade == SQLSection(sql: "SELECT 1;\n", line: 9))
        #expect(revision.downgrade == SQLSection(sql: "SELECT 2;\n", line: 11))
    }

    @Test func keysInsideTheSQLAreNotHeaderKeys() throws {
        let text = Self.text(Self.header + ["-- +upgrade", "-- revision: other", "-- colour: blue", "SELECT 1;"])
        let revision = try RevisionFile.parse(text, path: Self.path)
        #expect(revision.id == "abc123")
        #expect(revision.upgrade.sql == "-- revision: other\n-- colour: blue\nSELECT 1;\n")
    }

    // MARK: - Sections

    @Test func noDowngradeSectionMakesTheRevisionIrreversible() throws {
        let revision = try RevisionFile.parse(Self.text(Self.header + ["-- +upgrade", "SELECT 1;"]), path: Self.path)
        #expect(revision.downgrade == nil)
        #expect(!revision.isReversible)
        #expect(revision.section(.downgrade) == nil)
        #expect(revision.upgrade == SQLSection(sql: "SELECT 1;\n", line: 5))
    }

    @Test func emptySectionsAreEmptyButPresent() throws {
        let revision = try RevisionFile.parse(Self.text(Self.header + ["-- +upgrade", "-- +downgrade"]), path: Self.path)
        #expect(revision.upgrade.sql == "")
        #expect(revision.upgrade.isEmpty)
        #expect(revision.downgrade?.sql == "")
        #expect(revision.downgrade?.isEmpty == true)
        #expect(revision.isReversible, "an empty downgrade is a no-op, not irreversible")
    }

    @Test(arguments: [
        ("", true),
        ("\n\n", true),
        ("  -- nothing to undo\n\n", true),
        ("-- a\n  -- b\n", true),
        ("SELECT 1;\n", false),
        ("-- drop it\nDROP TABLE t;\n", false),
        ("  ;\n", false),
    ])
    func sectionIsEmpty(_ sql: String, _ expected: Bool) {
        #expect(SQLSection(sql: sql, line: 1).isEmpty == expected)
    }

    @Test func fileWithoutTrailingNewlineKeepsItsLastStatement() throws {
        let text = Self.header.joined(separator: "\n") + "\n-- +upgrade\nSELECT 1;\n-- +downgrade\nSELECT 2;"
        let revision = try RevisionFile.parse(text, path: Self.path)
        #expect(revision.upgrade.sql == "SELECT 1;\n")
        #expect(revision.downgrade?.sql == "SELECT 2;\n")
        #expect(revision.downgrade?.line == 7)
    }

    // MARK: - Line endings and checksums

    @Test func crlfFileParsesLikeTheLFFileWithTheSameChecksum() throws {
        let lf = try RevisionFile.parse(Self.full, path: Self.fullPath)
        let crlf = try RevisionFile.parse(Self.full.replacingOccurrences(of: "\n", with: "\r\n"), path: Self.fullPath)
        let cr = try RevisionFile.parse(Self.full.replacingOccurrences(of: "\n", with: "\r"), path: Self.fullPath)
        for other in [crlf, cr] {
            #expect(other.checksum == lf.checksum)
            #expect(other.upgrade == lf.upgrade)
            #expect(other.downgrade == lf.downgrade)
            #expect(other.headerLines == lf.headerLines)
            #expect(!other.upgrade.sql.contains("\r"))
        }
    }

    @Test func checksumIsTheSHA256OfTheNormalisedFile() throws {
        let revision = try RevisionFile.parse(Self.full, path: Self.fullPath)
        #expect(revision.checksum == Checksum.sha256(Self.full))
        #expect(revision.checksum == Checksum.ofRevisionFile(Self.full.replacingOccurrences(of: "\n", with: "\r\n")))
        #expect(revision.checksum.count == 64)
        // Any change to the file, even in a comment, changes the checksum.
        let edited = try RevisionFile.parse(Self.full.replacingOccurrences(of: "DROP TABLE orders;", with: "DROP TABLE orders; "), path: Self.fullPath)
        #expect(edited.checksum != revision.checksum)
    }

    @Test(arguments: [
        // Known SHA-256 vectors (FIPS 180-2).
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesKnownVectors(_ input: String, _ expected: String) {
        #expect(Checksum.sha256(input) == expected)
        #expect(Checksum.sha256(Data(input.utf8)) == expected)
    }

    @Test(arguments: [
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb\r", "a\nb\n"),
        ("a\r\n\r\nb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("plain\n", "plain\n"),
    ])
    func lineEndingsAreNormalised(_ input: String, _ expected: String) {
        #expect(Checksum.normalizingLineEndings(input) == expected)
    }

    // MARK: - Errors, each with its file and line

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: [String]
        var path: String = RevisionFileTests.path
        var line: Int
        var column: Int? = nil
        var code: RevisionFileError.Code
        var testDescription: String { name }
    }

    static let errors: [ErrorCase] = [
        ErrorCase(name: "no upgrade marker", lines: header + ["", "-- only comments"], line: 5, code: .missingUpgradeMarker),
        ErrorCase(name: "empty file", lines: [], line: 1, code: .missingUpgradeMarker),
        ErrorCase(
            name: "downgrade before upgrade", lines: header + ["-- +downgrade", "DROP TABLE t;", "-- +upgrade", "CREATE TABLE t (x int);"],
            line: 4, code: .downgradeBeforeUpgrade),
        ErrorCase(
            name: "SQL before the upgrade marker", lines: header + ["CREATE TABLE t (x int);", "-- +upgrade"], line: 4,
            code: .sqlBeforeUpgrade),
        ErrorCase(
            name: "two upgrade markers", lines: header + ["", "-- +upgrade", "SELECT 1;", "-- +upgrade", "SELECT 2;"], line: 7,
            code: .repeatedUpgradeMarker(firstLine: 5)),
        ErrorCase(
            name: "two downgrade markers", lines: header + ["-- +upgrade", "SELECT 1;", "-- +downgrade", "SELECT 2;", "-- +downgrade"],
            line: 8, code: .repeatedDowngradeMarker(firstLine: 6)),
        ErrorCase(
            name: "unknown key close to a known one", lines: ["-- revision: abc123", "-- down_revisions: x", "-- +upgrade"], line: 2,
            code: .unknownKey("down_revisions", suggestion: "down_revision")),
        ErrorCase(
            name: "misspelt timeout key", lines: header + ["-- lock_timout: 2s", "-- +upgrade"], line: 4,
            code: .unknownKey("lock_timout", suggestion: "lock_timeout")),
        ErrorCase(
            name: "unknown key far from any", lines: header + ["-- colour: blue", "-- +upgrade"], line: 4,
            code: .unknownKey("colour", suggestion: nil)),
        ErrorCase(
            name: "duplicate key", lines: header + ["-- message: again", "-- +upgrade"], line: 4,
            code: .duplicateKey("message", firstLine: 3)),
        ErrorCase(
            name: "missing revision", lines: ["-- down_revision:", "-- message: m", "-- +upgrade"], line: 1,
            code: .missingRevision),
        ErrorCase(
            name: "missing down_revision", lines: ["-- message: m", "-- revision: abc123", "-- +upgrade"], line: 2,
            code: .missingDownRevision),
        ErrorCase(
            name: "bad revision id", lines: ["-- revision: abc-123", "-- down_revision:", "-- +upgrade"],
            path: "versions/abc-123_m.sql", line: 1, code: .invalidID("abc-123")),
        ErrorCase(
            name: "bad down_revision id", lines: ["-- revision: abc123", "-- message: m", "-- down_revision: a.b", "-- +upgrade"],
            line: 3, code: .invalidListItem(key: "down_revision", item: "a.b")),
        ErrorCase(
            name: "names itself", lines: ["-- revision: abc123", "-- down_revision: p, abc123", "-- +upgrade"], line: 2,
            code: .selfParent("abc123")),
        ErrorCase(
            name: "repeated list item", lines: header + ["-- depends_on: a, a", "-- +upgrade"], line: 4,
            code: .repeatedListItem(key: "depends_on", item: "a")),
        ErrorCase(
            name: "bad transactional", lines: header + ["", "-- transactional: maybe", "-- +upgrade"], line: 5,
            code: .invalidTransactional("maybe")),
        ErrorCase(
            name: "bad lock_timeout", lines: header + ["-- lock_timeout: soon", "-- +upgrade"], line: 4,
            code: .invalidDuration(key: "lock_timeout", text: "soon")),
        ErrorCase(
            name: "negative statement_timeout", lines: header + ["-- statement_timeout: -5s", "-- +upgrade"], line: 4,
            code: .invalidDuration(key: "statement_timeout", text: "-5s")),
        ErrorCase(
            name: "unknown duration unit", lines: header + ["-- statement_timeout: 5w", "-- +upgrade"], line: 4,
            code: .invalidDuration(key: "statement_timeout", text: "5w")),
        ErrorCase(
            name: "hexadecimal lock_timeout", lines: header + ["-- lock_timeout: 0x10s", "-- +upgrade"], line: 4,
            code: .invalidDuration(key: "lock_timeout", text: "0x10s")),
        ErrorCase(
            name: "lock_timeout with a space before its unit", lines: header + ["-- lock_timeout: 5 s", "-- +upgrade"], line: 4,
            code: .invalidDuration(key: "lock_timeout", text: "5 s")),
        ErrorCase(
            name: "revision id 'head'", lines: ["-- revision: head", "-- down_revision:", "-- +upgrade"],
            path: "versions/head_m.sql", line: 1, code: .reservedID("head")),
        ErrorCase(
            name: "revision id 'heads'", lines: ["-- down_revision:", "-- revision: heads", "-- +upgrade"],
            path: "versions/heads.sql", line: 2, code: .reservedID("heads")),
        ErrorCase(
            name: "revision id 'base'", lines: ["-- revision: base", "-- down_revision:", "-- +upgrade"],
            path: "versions/base_m.sql", line: 1, code: .reservedID("base")),
        ErrorCase(
            name: "NUL byte in the upgrade", lines: header + ["-- +upgrade", "CREATE TABLE a (x int);\0CREATE TABLE b (x int);"],
            line: 5, column: 24, code: .nulByte),
        ErrorCase(
            name: "escape character in the header", lines: ["-- revision: abc123", "-- down_revision:", "-- message: \u{1B}[31mred", "-- +upgrade"],
            line: 3, column: 13, code: .controlCharacter(0x1B)),
        ErrorCase(
            name: "form feed in the downgrade", lines: header + ["-- +upgrade", "SELECT 1;", "-- +downgrade", "\tSELECT\u{0C}2;"],
            line: 7, column: 8, code: .controlCharacter(0x0C)),
        ErrorCase(
            name: "file name of another revision", lines: header + ["-- +upgrade"], path: "versions/abc124_m.sql", line: 1,
            code: .fileNameMismatch(fileName: "abc124_m.sql", id: "abc123")),
        ErrorCase(
            name: "file name extending the id", lines: header + ["-- +upgrade"], path: "versions/abc1234_m.sql", line: 1,
            code: .fileNameMismatch(fileName: "abc1234_m.sql", id: "abc123")),
    ]

    @Test(arguments: errors)
    func refusesWithFileAndLine(_ c: ErrorCase) {
        let error = #expect(throws: RevisionFileError.self) { try RevisionFile.parse(Self.text(c.lines), path: c.path) }
        #expect(error?.location == GodwitCore.SourceLocation(file: c.path, line: c.line, column: c.column))
        #expect(error?.code == c.code, "message: \(error?.message ?? "")")
        #expect(error?.exitCode == .usage)
        #expect(error?.description == "\(c.path):\(c.line)\(c.column.map { ":\($0)" } ?? ""): \(error?.message ?? "")")
    }

    /// An empty item in an id list ("a,,b", a trailing comma) is most likely an id that was deleted by
    /// mistake; the parser means to refuse it ("has an empty item") and should.
    @Test(arguments: ["-- down_revision: a,,b", "-- down_revision: a,", "-- down_revision: , a"])
    func emptyItemInAnIdListIsRefused(_ line: String) {
        let text = Self.text(["-- revision: abc123", line, "-- +upgrade"])
        let error = #expect(throws: RevisionFileError.self) { try RevisionFile.parse(text, path: Self.path) }
        #expect(error?.location == GodwitCore.SourceLocation(file: Self.path, line: 2))
        #expect(error?.code == .emptyListItem(key: "down_revision", list: String(line.dropFirst("-- down_revision: ".count))))
    }

    /// A misspelt key that differs only by a hyphen or by case is a key the author meant, not a comment:
    /// ignoring `-- depends-on: 77aa` silently drops the dependency. SPEC: unknown keys are errors with the
    /// closest valid key suggested, not silently ignored.
    @Test(arguments: [
        ("-- depends-on: 77aa", "depends_on"),
        ("-- Depends_On: 77aa", "depends_on"),
        ("-- lock-timeout: 2s", "lock_timeout"),
        ("-- Transactional: false", "transactional"),
    ])
    func nearMissKeysAreNotSilentlyIgnored(_ line: String, _ suggestion: String) {
        let text = Self.text(Self.header + [line, "", "-- +upgrade", "SELECT 1;"])
        let error = #expect(throws: RevisionFileError.self) { try RevisionFile.parse(text, path: Self.path) }
        #expect(error?.location == GodwitCore.SourceLocation(file: Self.path, line: 4))
        #expect(error?.code == .unknownKey(String(line.dropFirst(3).prefix { $0 != ":" }), suggestion: suggestion))
    }

    @Test(arguments: ["-- Note: this takes a while on big tables", "-- TODO: split this file", "-- Author: Ada"])
    func proseCommentsWithAColonStayComments(_ line: String) throws {
        let text = Self.text(Self.header + [line, "", "-- +upgrade", "SELECT 1;"])
        #expect(try RevisionFile.parse(text, path: Self.path).id == "abc123")
    }

    @Test func errorsInACRLFFileHaveTheSameLines() {
        let lines = Self.header + ["", "-- transactional: maybe", "-- +upgrade"]
        let error = #expect(throws: RevisionFileError.self) {
            try RevisionFile.parse(lines.map { $0 + "\r\n" }.joined(), path: Self.path)
        }
        #expect(error?.location?.line == 5)
    }

    @Test(arguments: ["versions/abc123.sql", "versions/abc123_m.sql", "abc123_anything_at_all.sql"])
    func acceptsFileNamesThatMatchTheId(_ path: String) throws {
        #expect(try RevisionFile.parse(Self.text(Self.header + ["-- +upgrade"]), path: path).id == "abc123")
    }

    // MARK: - Durations

    @Test(arguments: [
        ("500ms", 500), ("2s", 2000), ("10S", 10_000), (" 10s ", 10_000), ("1.5s", 1500), ("5m", 300_000),
        ("1h", 3_600_000), ("1d", 86_400_000), ("3", 3000), ("0", 0), ("0s", 0), ("0.5s", 500), (".5s", 500),
    ])
    func parsesDurations(_ text: String, _ milliseconds: Int) {
        #expect(TimeoutValue(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: [
        "", "soon", "-1s", "-1", "5w", "ms", "s", "nan", "inf", "1s2", "2min",
        // Only plain decimals right against their unit: no hexadecimal, exponent, sign or inner space.
        "0x10s", "0x10", "1e3s", "+5s", "5 s", " 5 s", "5 m", "1.2.3s", ".s",
    ])
    func refusesMalformedDurations(_ text: String) {
        #expect(TimeoutValue(parsing: text) == nil)
    }

    @Test(arguments: [(0, "0"), (500, "500ms"), (1500, "1500ms"), (2000, "2s"), (90_000, "90s"), (300_000, "5m"), (7_200_000, "2h")])
    func durationDescriptionsParseBack(_ milliseconds: Int, _ text: String) {
        let value = TimeoutValue(milliseconds: milliseconds)
        #expect(value.description == text)
        #expect(TimeoutValue(parsing: value.description) == value)
        #expect(value.seconds == Double(milliseconds) / 1000)
    }

    /// A duration too large for an Int must be refused like any bad duration, not crash the process
    /// (SPEC §8: no crashes). Run in a child process so that a crash fails only this test.
    @Test func hugeDurationIsRefusedNotACrash() async {
        await #expect(processExitsWith: .success) {
            if TimeoutValue(parsing: "1e300s") != nil { exit(1) }
            if TimeoutValue(parsing: "99999999999999999999") != nil { exit(1) }
        }
    }

    @Test func hugeDurationInAFileIsAnErrorWithItsLine() async {
        await #expect(processExitsWith: .success) {
            let text = "-- revision: abc123\n-- down_revision:\n-- lock_timeout: 1e300s\n-- +upgrade\n"
            do {
                _ = try RevisionFile.parse(text, path: "versions/abc123_m.sql")
                exit(1)
            } catch let error as RevisionFileError {
                if error.location?.line != 3 { exit(2) }
            } catch {
                exit(3)
            }
        }
    }

    // MARK: - Rendering and file names

    struct RenderCase: Sendable, CustomTestStringConvertible {
        var id: String
        var downRevisions: [String] = []
        var message: String
        var branchLabels: [String] = []
        var dependsOn: [String] = []
        var upgrade: String = ""
        var downgrade: String = ""
        var testDescription: String { "\(id): \(message)" }
    }

    static let renders: [RenderCase] = [
        RenderCase(id: "3f2a9c1b7d4e", message: "create users", upgrade: "CREATE TABLE users (id bigint);\n", downgrade: "DROP TABLE users;\n"),
        RenderCase(id: "9b1c0d2e3f4a", downRevisions: ["3f2a9c1b7d4e"], message: "add orders", upgrade: "CREATE TABLE orders (id bigint);", downgrade: "DROP TABLE orders;"),
        RenderCase(id: "aa11bb22cc33", downRevisions: ["p1", "p2", "p3"], message: "merge heads"),
        RenderCase(id: "dd44", downRevisions: ["p1"], message: "billing start", branchLabels: ["billing", "invoicing"], dependsOn: ["x1", "x2"]),
        RenderCase(id: "ee55", downRevisions: ["p1"], message: "Fix: the \"orders\" index, again!"),
    ]

    @Test(arguments: renders)
    func renderedFilesParseBack(_ c: RenderCase) throws {
        let text = RevisionFile.render(
            id: c.id, downRevisions: c.downRevisions, message: c.message, createDate: "2026-11-25T17:40:00Z",
            branchLabels: c.branchLabels, dependsOn: c.dependsOn, upgrade: c.upgrade, downgrade: c.downgrade)
        let path = "versions/" + RevisionFile.fileName(id: c.id, message: c.message)
        let revision = try RevisionFile.parse(text, path: path)
        #expect(revision.id == c.id)
        #expect(revision.downRevisions == c.downRevisions)
        #expect(revision.message == c.message)
        #expect(revision.createDate == "2026-11-25T17:40:00Z")
        #expect(revision.branchLabels == c.branchLabels)
        #expect(revision.dependsOn == c.dependsOn)
        #expect(revision.isTransactional)
        #expect(revision.isReversible)
        #expect(revision.upgrade.sql.trimmingCharacters(in: .whitespacesAndNewlines) == c.upgrade.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(revision.downgrade?.sql.trimmingCharacters(in: .whitespacesAndNewlines) == c.downgrade.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(revision.checksum == Checksum.ofRevisionFile(text))
        // The upgrade SQL starts on the line after its marker.
        let lines = text.components(separatedBy: "\n")
        #expect(lines[revision.upgrade.line - 2] == "-- +upgrade")
        #expect(lines[revision.downgrade!.line - 2] == "-- +downgrade")
    }

    @Test func renderedMessageStaysOnOneLine() throws {
        let text = RevisionFile.render(id: "abc123", downRevisions: [], message: "first line\nsecond line", createDate: "2026-01-01T00:00:00Z")
        let revision = try RevisionFile.parse(text, path: "versions/abc123.sql")
        #expect(revision.message == "first line second line")
        #expect(revision.upgrade.sql == "")
    }

    @Test(arguments: [
        ("add orders", "abc_add_orders.sql"),
        ("Add Orders!", "abc_add_orders.sql"),
        ("  --weird__spacing--  ", "abc_weird_spacing.sql"),
        ("v2 API: users/roles", "abc_v2_api_users_roles.sql"),
        ("Café crème", "abc_caf_cr_me.sql"),
        ("", "abc.sql"),
        ("!!!", "abc.sql"),
        ("日本語", "abc.sql"),
    ])
    func fileNameSlugsTheMessage(_ message: String, _ expected: String) {
        #expect(RevisionFile.fileName(id: "abc", message: message) == expected)
    }

    @Test func longMessagesGiveASlugOfAtMostFortyCharacters() {
        let name = RevisionFile.fileName(id: "abc", message: String(repeating: "word ", count: 30))
        #expect(name.hasPrefix("abc_word_word_"))
        #expect(name.hasSuffix(".sql"))
        let slug = name.dropFirst("abc_".count).dropLast(".sql".count)
        #expect(slug.count <= 40)
        #expect(slug.count >= 35)
        #expect(!slug.hasSuffix("_"))
    }

    @Test(arguments: ["a", "A_b_9", "3f2a9c1b7d4e", "_"])
    func validIds(_ id: String) { #expect(RevisionFile.isValidID(id)) }

    @Test(arguments: ["", "a-b", "a b", "a.b", "é", "a/b", "a@head"])
    func invalidIds(_ id: String) { #expect(!RevisionFile.isValidID(id)) }
}
