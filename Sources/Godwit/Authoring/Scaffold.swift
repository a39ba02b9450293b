import Foundation
import GodwitCore

/// Creates a new project (`godwit init`).
public enum Scaffold {
    /// What `create` did: the files written and those skipped, relative to the project's root.
    public struct Result: Sendable, Hashable {
        /// The files written.
        public var written: [String]
        /// The files left alone because they exist (`--force`).
        public var skipped: [String]
    }

    /// The files `init` writes, relative to the new project's root; the example revision gets a
    /// fresh random id.
    public static func files() -> [(String, String)] {
        let id = Authoring.randomID()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let revision = RevisionFile.render(
            id: id, downRevisions: [], message: "create users", createDate: formatter.string(from: Date()),
            upgrade: "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE\n);\n",
            downgrade: "DROP TABLE users;\n")
        return [
            (Project.configPath, """
                # Godwit environments: see the README for every key.
                versions: versions
                promotion: [dev, test, prod]
                default_environment: dev
                table_prefix: godwit_

                environments:
                  dev:
                    url: sqlite:var/dev.sqlite3
                  test:
                    url: ${TEST_DATABASE_URL:-sqlite:var/test.sqlite3}
                  prod:
                    url: ${PROD_DATABASE_URL:-sqlite:var/prod.sqlite3}
                    protected: true
                    lock_timeout: 10s

                """),
            ("versions/\(RevisionFile.fileName(id: id, message: "create users"))", revision),
            (".gitignore", "var/\n"),
        ]
    }

    /// Creates the layout in `directory` (created when missing). A folder that holds anything
    /// besides `.git` is refused unless `force`; even then no existing file is overwritten (it is
    /// skipped), nor is the example revision added to a versions folder that holds revisions.
    /// - Throws: `ConfigurationError.folderNotEmpty` naming the folder; `OperationError.cannotWrite`.
    public static func create(in directory: URL, force: Bool = false) throws -> Result {
        let manager = FileManager.default
        let entries = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0 != ".git" }
        if !entries.isEmpty && !force {
            throw ConfigurationError(.folderNotEmpty(path: directory.path))
        }
        let versions = directory.appendingPathComponent("versions")
        let hasRevisions = ((try? manager.contentsOfDirectory(atPath: versions.path)) ?? []).contains { $0.hasSuffix(".sql") }
        var result = Result(written: [], skipped: [])
        for (path, text) in files() {
            let url = directory.appendingPathComponent(path)
            if manager.fileExists(atPath: url.path) || (hasRevisions && path.hasPrefix("versions/")) {
                result.skipped.append(path)
                continue
            }
            try? manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard manager.createFile(atPath: url.path, contents: Data(text.utf8)) else {
                throw OperationError.cannotWrite(path: url.path)
            }
            result.written.append(path)
        }
        return result
    }
}
