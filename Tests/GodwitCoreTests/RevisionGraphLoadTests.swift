import Foundation
import GodwitCore
import Testing

/// `RevisionGraph.load(directory:root:)`: reading `versions/` from disk, with paths relative to the project root.
@Suite struct RevisionGraphLoadTests {
    /// A fresh project folder with a `versions/` folder holding `files`.
    static func project(_ files: [String: Data]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-core-\(UUID().uuidString)")
        let versions = root.appendingPathComponent("versions")
        try FileManager.default.createDirectory(at: versions, withIntermediateDirectories: true)
        for (name, data) in files {
            try data.write(to: versions.appendingPathComponent(name))
        }
        return root
    }

    static func file(_ id: String, down: String = "") -> Data {
        Data("-- revision: \(id)\n-- down_revision: \(down)\n-- message: \(id)\n\n-- +upgrade\nSELECT 1;\n".utf8)
    }

    @Test func loadsEverySQLFileWithPathsRelativeToTheRoot() throws {
        let root = try Self.project([
            "bb_second.sql": Self.file("bb", down: "aa"), "aa_first.sql": Self.file("aa"),
            "README.md": Data("-- revision: zz\nnot a revision".utf8),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let graph = try RevisionGraph.load(directory: root.appendingPathComponent("versions"), root: root)
        #expect(graph.order == ["aa", "bb"])
        #expect(graph["aa"]?.path == "versions/aa_first.sql")
        #expect(graph["bb"]?.path == "versions/bb_second.sql")
        #expect(graph["nope"] == nil, "an unknown id is nil, not a crash")
        #expect(graph["bb"]?.checksum == Checksum.ofRevisionFile(String(decoding: Self.file("bb", down: "aa"), as: UTF8.self)))
    }

    @Test func missingVersionsFolderPointsAtTheEnvironmentsFile() throws {
        let root = try Self.project([:])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: GraphError.self) {
            try RevisionGraph.load(directory: root.appendingPathComponent("migrations"), root: root)
        }
        #expect(error?.code == .missingVersionsFolder("migrations"))
        #expect(error?.location?.file == "environments/environments.yaml")
    }

    @Test func badFileErrorNamesTheRelativePathAndLine() throws {
        let root = try Self.project([
            "aa_first.sql": Self.file("aa"),
            "bb_bad.sql": Data("-- revision: bb\n-- down_revision: aa\n-- transactional: perhaps\n-- +upgrade\n".utf8),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: RevisionFileError.self) {
            try RevisionGraph.load(directory: root.appendingPathComponent("versions"), root: root)
        }
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/bb_bad.sql", line: 3))
        #expect(error?.code == .invalidTransactional("perhaps"))
    }

    @Test func fileThatIsNotUTF8IsNamed() throws {
        let root = try Self.project(["aa_first.sql": Data([0x2d, 0x2d, 0x20, 0xff, 0xfe, 0x0a])])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: RevisionFileError.self) {
            try RevisionGraph.load(directory: root.appendingPathComponent("versions"), root: root)
        }
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/aa_first.sql", line: 1, column: 4))
        #expect(error?.code == .invalidUTF8(0xff))
        #expect(error?.message.contains("UTF-8") == true)
    }

    /// An Emacs lock link (`.#x.sql`, dangling) and other dot-files are not revisions, as in Alembic.
    @Test func dotFilesAreIgnored() throws {
        let root = try Self.project([
            "aa_first.sql": Self.file("aa"), ".aa_first.sql": Self.file("aa"), ".hidden.sql": Data("not a revision".utf8),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let versions = root.appendingPathComponent("versions")
        try FileManager.default.createSymbolicLink(
            atPath: versions.appendingPathComponent(".#aa_first.sql").path, withDestinationPath: "ada@host.1234:1700000000")
        let graph = try RevisionGraph.load(directory: versions, root: root)
        #expect(graph.order == ["aa"])
    }

    @Test func aNulByteInALoadedFileIsNamedWithLineAndColumn() throws {
        let root = try Self.project([
            "aa_first.sql": Data("-- revision: aa\n-- down_revision:\n-- +upgrade\nCREATE TABLE a (x int);\0CREATE TABLE b (x int);\n".utf8)
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: RevisionFileError.self) {
            try RevisionGraph.load(directory: root.appendingPathComponent("versions"), root: root)
        }
        #expect(error?.code == .nulByte)
        #expect(error?.description.hasPrefix("versions/aa_first.sql:4:24: ") == true, "\(error?.description ?? "")")
    }

    @Test func graphErrorsFromLoadedFilesNameTheirFiles() throws {
        let root = try Self.project(["aa_first.sql": Self.file("aa"), "aa_again.sql": Self.file("aa")])
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: GraphError.self) {
            try RevisionGraph.load(directory: root.appendingPathComponent("versions"), root: root)
        }
        // Files are read in name order, so the second one read is the one reported.
        #expect(error?.location == GodwitCore.SourceLocation(file: "versions/aa_first.sql", line: 1))
        #expect(error?.code == .duplicateRevision("aa", otherPath: "versions/aa_again.sql"))
    }

    @Test(arguments: [
        ("/srv/app/versions", "/srv/app", "versions"),
        ("/srv/app/db/versions", "/srv/app/", "db/versions"),
        ("/srv/app", "/srv/app", ""),
        ("/srv/other/versions", "/srv/app", "/srv/other/versions"),
        ("/srv/application/versions", "/srv/app", "/srv/application/versions"),
    ])
    func relativePath(_ path: String, _ root: String, _ expected: String) {
        #expect(RevisionGraph.relativePath(of: URL(fileURLWithPath: path), to: URL(fileURLWithPath: root)) == expected)
    }
}
