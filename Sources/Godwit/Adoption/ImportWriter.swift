import Foundation
import GodwitCore

/// What `import` wrote: each revision and repeatable with the file it came from, the placeholders
/// to define under `vars:`, and the files skipped with `--skip-bad`.
public struct ImportResult: Sendable {
    /// One file written.
    public struct Written: Sendable, Equatable {
        /// The revision id, or the repeatable's name.
        public var name: String
        /// The file it came from, relative to the imported folder.
        public var source: String
        /// The file written, relative to the project root.
        public var path: String
    }

    /// The tool: `flyway`, `golang-migrate`, `goose`, `dbmate`, `alembic`.
    public var format: String
    /// The revisions written, parents first.
    public var revisions: [Written]
    /// The repeatables written.
    public var repeatables: [Written]
    /// The placeholder names now written `{{ name }}`, to define under `vars:`.
    public var placeholders: [String]
    /// The files that did not convert (skipped with `--skip-bad`).
    public var problems: [ImportProblem]

    /// The JSON of `import`: `{"format", "revisions", "repeatables", "placeholders", "problems"}`.
    public var json: JSONValue {
        func written(_ items: [Written], key: String) -> JSONValue {
            .array(items.map { .object([key: .string($0.name), "source": .string($0.source), "path": .string($0.path)]) })
        }
        return .object([
            "format": .string(format),
            "revisions": written(revisions, key: "revision"),
            "repeatables": written(repeatables, key: "name"),
            "placeholders": .strings(placeholders),
            "problems": .array(problems.map { .object(["file": .string($0.file), "line": .optional($0.line), "reason": .string($0.reason)]) }),
        ])
    }
}

/// Writes an imported history into `versions/`: every file or none, into an empty history only.
public struct ImportWriter {
    /// The project root, for the paths shown.
    public let root: URL
    /// The folder of revisions.
    public let versionsDirectory: URL

    /// Creates a writer for a project's `versions/`.
    public init(project: Project) {
        self.init(root: project.root, versionsDirectory: project.versionsDirectory)
    }

    /// Creates a writer for a folder of revisions under `root`.
    public init(root: URL, versionsDirectory: URL) {
        self.root = root
        self.versionsDirectory = versionsDirectory
    }

    /// Writes the history: each revision as `versions/<id>_<slug>.sql`, each repeatable as
    /// `versions/repeatable/<name>.sql`. With problems, nothing is written unless `isSkippingBad`;
    /// then the others are written, a skipped revision's child taking its parents.
    /// - Throws: `ImportError.versionsNotEmpty` when `versions/` holds revision files (or a
    ///   repeatable of the same name); `ImportError.problems` listing every file that did not
    ///   convert; `OperationError.cannotWrite` when a file cannot be written.
    public func write(_ history: ImportedHistory, format: String, isSkippingBad: Bool) throws -> ImportResult {
        let versionsPath = RevisionGraph.relativePath(of: versionsDirectory, to: root)
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: versionsDirectory.path)) ?? []).filter { $0.hasSuffix(".sql") }
        if !existing.isEmpty { throw ImportError.versionsNotEmpty(path: versionsPath, count: existing.count) }

        var problems = history.problems
        var files: [(path: String, text: String)] = []
        var revisions: [ImportResult.Written] = []
        var skipped: [String: [String]] = [:]
        for var revision in history.revisions {
            revision.downRevisions = revision.downRevisions.flatMap { skipped[$0] ?? [$0] }
            let name = RevisionFile.fileName(id: revision.id, message: revision.message)
            let text = Self.render(revision)
            if let problem = Self.check(revision, text: text, path: "\(versionsPath)/\(name)") {
                problems.append(problem)
                skipped[revision.id] = revision.downRevisions
                continue
            }
            files.append((name, text))
            revisions.append(ImportResult.Written(name: revision.id, source: revision.source, path: "\(versionsPath)/\(name)"))
        }
        var repeatables: [ImportResult.Written] = []
        for repeatable in history.repeatables {
            let path = "repeatable/\(repeatable.name).sql"
            if FileManager.default.fileExists(atPath: versionsDirectory.appendingPathComponent(path).path) {
                throw ImportError.versionsNotEmpty(path: "\(versionsPath)/repeatable", count: 1)
            }
            files.append((path, Self.render(repeatable)))
            repeatables.append(ImportResult.Written(name: repeatable.name, source: repeatable.source, path: "\(versionsPath)/\(path)"))
        }
        problems.sort { ($0.file, $0.line ?? 0) < ($1.file, $1.line ?? 0) }
        if !problems.isEmpty && !isSkippingBad { throw ImportError.problems(problems) }
        try writeAll(files)
        return ImportResult(format: format, revisions: revisions, repeatables: repeatables, placeholders: history.placeholders, problems: problems)
    }

    /// Writes every file into a temporary folder next to `versions/`, then moves them in: a
    /// failure leaves `versions/` as it was.
    func writeAll(_ files: [(path: String, text: String)]) throws {
        let manager = FileManager.default
        let parent = versionsDirectory.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".godwit-import-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: staging) }
        do {
            for file in files {
                let url = staging.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard manager.createFile(atPath: url.path, contents: Data(file.text.utf8)) else {
                    throw OperationError.cannotWrite(path: url.path)
                }
            }
            if !manager.fileExists(atPath: versionsDirectory.path) {
                try manager.moveItem(at: staging, to: versionsDirectory)
                return
            }
            var moved: [URL] = []
            do {
                for file in files {
                    let target = versionsDirectory.appendingPathComponent(file.path)
                    try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try manager.moveItem(at: staging.appendingPathComponent(file.path), to: target)
                    moved.append(target)
                }
            } catch {
                for url in moved { try? manager.removeItem(at: url) }
                throw error
            }
        } catch let error as OperationError {
            throw error
        } catch {
            throw OperationError.cannotWrite(path: versionsDirectory.path)
        }
    }

    /// The revision file (SPEC §3): the header, then `-- +upgrade` and the SQL byte for byte, then
    /// `-- +downgrade` and its SQL when there is one.
    public static func render(_ revision: ImportedRevision) -> String {
        var text = "-- revision: \(revision.id)\n"
        text += "-- down_revision: \(revision.downRevisions.joined(separator: ", "))\n"
        text += "-- message: \(revision.message.replacingOccurrences(of: "\n", with: " "))\n"
        if let date = revision.createDate { text += "-- create_date: \(Timestamp.iso8601(date, fractionalSeconds: false))\n" }
        if !revision.branchLabels.isEmpty { text += "-- branch_labels: \(revision.branchLabels.joined(separator: ", "))\n" }
        if !revision.dependsOn.isEmpty { text += "-- depends_on: \(revision.dependsOn.joined(separator: ", "))\n" }
        if !revision.isTransactional { text += "-- transactional: false\n" }
        text += "\n-- +upgrade\n" + terminated(revision.upgradeSQL)
        if let downgrade = revision.downgradeSQL { text += "-- +downgrade\n" + terminated(downgrade) }
        return text
    }

    /// A repeatable file (SPEC §11): its `-- message:` line and its `-- +upgrade` body.
    public static func render(_ repeatable: ImportedRepeatable) -> String {
        "-- message: \(repeatable.message.replacingOccurrences(of: "\n", with: " "))\n\n-- +upgrade\n" + terminated(repeatable.sql)
    }

    /// The SQL with a line feed at its end, so that the next marker starts a line.
    static func terminated(_ sql: String) -> String {
        sql.isEmpty || sql.hasSuffix("\n") ? sql : sql + "\n"
    }

    /// Reads the rendered file back as every command will: a problem when it does not parse, or when
    /// its SQL is not the imported SQL (a line that reads as a `-- +upgrade` marker, say).
    static func check(_ revision: ImportedRevision, text: String, path: String) -> ImportProblem? {
        let parsed: Revision
        do {
            parsed = try RevisionFile.parse(text, path: path)
        } catch let error as any GodwitError {
            return ImportProblem(file: revision.source, reason: "would make a revision file Godwit cannot read: \(error.message)")
        } catch {
            return ImportProblem(file: revision.source, reason: "would make a revision file Godwit cannot read: \(error)")
        }
        func same(_ read: String?, _ imported: String?) -> Bool {
            guard let imported else { return read == nil }
            let expected = terminated(Checksum.normalizingLineEndings(imported))
            return read == expected || (expected.isEmpty && read == "")
        }
        if !same(parsed.upgrade.sql, revision.upgradeSQL) || !same(parsed.downgrade?.sql, revision.downgradeSQL) {
            return ImportProblem(file: revision.source, reason: "holds a line Godwit reads as a '-- +upgrade' or '-- +downgrade' marker")
        }
        return nil
    }
}
