import Foundation
import GodwitCore
import Testing

/// The repeatable file format of SPEC §11: an optional `-- message:` line and a `-- +upgrade`
/// body; no ids, no downgrade; errors at `path:line`.
@Suite struct RepeatableFileTests {
    static let path = "versions/repeatable/views.sql"

    /// A file from lines, each ended by a newline.
    static func text(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }

    @Test func parsesNameMessageBodyAndChecksum() throws {
        let text = Self.text(["-- message: the views", "", "-- +upgrade", "CREATE VIEW v AS SELECT 1;"])
        let repeatable = try RepeatableFile.parse(text, path: Self.path)
        #expect(repeatable.name == "views")
        #expect(repeatable.id == "repeatable/views")
        #expect(repeatable.message == "the views")
        #expect(repeatable.sql() == SQLSection(sql: "CREATE VIEW v AS SELECT 1;\n", line: 4))
        #expect(repeatable.checksum == Checksum.ofRevisionFile(text))
        #expect(repeatable.path == Self.path)
        let revision = repeatable.revision
        #expect(revision.id == "repeatable/views" && revision.isTransactional && !revision.isReversible)
        #expect(repeatable.step.direction == .repeat && repeatable.step.sql == repeatable.sql())
    }

    @Test func theMessageIsOptionalAndLineEndingsDoNotChangeTheChecksum() throws {
        let unix = "-- +upgrade\nSELECT 1;\n"
        let windows = "-- +upgrade\r\nSELECT 1;\r\n"
        let a = try RepeatableFile.parse(unix, path: Self.path)
        let b = try RepeatableFile.parse(windows, path: Self.path)
        #expect(a.message == "")
        #expect(a.checksum == b.checksum && a.sql() == b.sql())
    }

    @Test(arguments: [
        (["-- revision: abc123", "-- +upgrade", "SELECT 1;"], 1, RevisionFileError.Code.keyInRepeatable("revision")),
        (["-- message: m", "-- down_revision: abc", "-- +upgrade", "SELECT 1;"], 2, .keyInRepeatable("down_revision")),
        (["-- transactional: false", "-- +upgrade", "SELECT 1;"], 1, .keyInRepeatable("transactional")),
        (["-- +upgrade", "SELECT 1;", "-- +downgrade", "SELECT 2;"], 3, .downgradeInRepeatable),
        (["-- +downgrade", "SELECT 2;"], 1, .downgradeInRepeatable),
        (["-- message: m", "SELECT 1;"], 2, .sqlBeforeUpgrade),
        (["-- message: m", "", "-- nothing else"], 3, .missingUpgradeMarker),
        (["-- message: a", "-- message: b", "-- +upgrade"], 2, .duplicateKey("message", firstLine: 1)),
        (["-- +upgrade", "SELECT 1;", "-- +upgrade"], 3, .repeatedUpgradeMarker(firstLine: 1)),
        (["-- mesage: typo", "-- +upgrade"], 1, .unknownKey("mesage", suggestion: "message")),
        (["-- Message: m", "-- +upgrade"], 1, .unknownKey("Message", suggestion: "message")),
    ])
    func errorsAreAtTheirLine(lines: [String], line: Int, code: RevisionFileError.Code) throws {
        let error = try #require(throws: RevisionFileError.self) { try RepeatableFile.parse(Self.text(lines), path: Self.path) }
        #expect(error.code == code)
        #expect(error.location == SourceLocation(file: Self.path, line: line))
    }

    @Test func aNulOrAControlCharacterIsAnErrorAtItsLineAndColumn() throws {
        let nul = try #require(throws: RevisionFileError.self) {
            try RepeatableFile.parse("-- +upgrade\nSELECT 1;\u{0}\n", path: Self.path)
        }
        #expect(nul.code == .nulByte)
        #expect(nul.location == SourceLocation(file: Self.path, line: 2, column: 10))
        let bell = try #require(throws: RevisionFileError.self) { try RepeatableFile.parse("-- +upgrade\n\u{7}\n", path: Self.path) }
        #expect(bell.code == .controlCharacter(7))
    }

    @Test func loadReadsTheFolderInNameOrderAndAnInvalidUTF8File() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-repeatables-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let versions = root.appendingPathComponent("versions")
        #expect(try RepeatableFile.load(versions: versions, root: root).isEmpty, "no folder, no repeatables")
        let folder = versions.appendingPathComponent("repeatable")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["b_functions", "a_views", ".hidden"] {
            try Data("-- +upgrade\nSELECT 1;\n".utf8).write(to: folder.appendingPathComponent("\(name).sql"))
        }
        try Data("not sql".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let loaded = try RepeatableFile.load(versions: versions, root: root)
        #expect(loaded.map(\.name) == ["a_views", "b_functions"])
        #expect(loaded.map(\.path) == ["versions/repeatable/a_views.sql", "versions/repeatable/b_functions.sql"])

        try Data([0x2D, 0x2D, 0x20, 0x2B, 0x75, 0x70, 0x0A, 0xFF, 0x0A]).write(to: folder.appendingPathComponent("c_bad.sql"))
        let error = try #require(throws: RevisionFileError.self) { try RepeatableFile.load(versions: versions, root: root) }
        #expect(error.location?.file == "versions/repeatable/c_bad.sql")
        #expect(error.location?.line == 2)
    }
}
