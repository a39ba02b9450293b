import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct ImportAlembic: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "alembic",
            abstract: "Import an Alembic project's revisions, with the SQL its own alembic prints offline.",
            discussion: """
                Runs the project's alembic (from PATH, or $VIRTUAL_ENV/bin) once per revision and direction: \
                'alembic upgrade PARENT:REV --sql' and 'alembic downgrade REV:PARENT --sql', in the folder of the \
                config file, and keeps each revision's SQL without Alembic's bookkeeping (alembic_version, BEGIN/COMMIT). \
                Ids, down_revisions, branch labels, depends_on, messages and dates are kept. The SQL is in the dialect of \
                sqlalchemy.url (or what -x makes env.py use). Nothing is written unless every revision converts, or --skip-bad.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("The Alembic configuration file.", valueName: "alembic.ini")) var config = "alembic.ini"
        @Option(name: .customShort("x"), help: ArgumentHelp("An argument for env.py, given to alembic as -x (repeatable).", valueName: "key=value"))
        var xArguments: [String] = []
        @Flag(name: .customLong("skip-bad"), help: "Write the revisions that convert, and list the others.") var skipBad = false

        func run(in workspace: Workspace, console: Console) throws {
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let history = try AlembicImport(configFile: URL(fileURLWithPath: config, relativeTo: cwd).standardizedFileURL, xArguments: xArguments).read()
            if !history.problems.isEmpty && !skipBad { throw AlembicImportError.notConverted(history.problems) }
            let written = try write(history.revisions, into: workspace.project)
            if console.isJSON {
                return console.json(.object([
                    "format": .string("alembic"),
                    "revisions": .array(written.map { .object(["revision": .string($0.id), "path": .string($0.path)]) }),
                    "problems": .array(history.problems.map {
                        .object(["file": .string($0.file), "line": .optional($0.line), "reason": .string($0.reason)])
                    }),
                ]))
            }
            for problem in history.problems { console.warn(StyledText("\(problem.file): skipped: \(problem.reason)")) }
            console.out(StyledText("imported \(written.count) Alembic revision\(written.count == 1 ? "" : "s"):"))
            for file in written { console.out(StyledText("  \(file.path)")) }
        }

        /// Writes one revision file per imported revision (refusing an id `versions/` already holds),
        /// through the rendering `revision` uses.
        func write(_ revisions: [ImportedRevision], into project: Project) throws -> [(id: String, path: String)] {
            let folder = project.versionsDirectory
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for revision in revisions {
                if let file = existing.first(where: { $0 == "\(revision.id).sql" || $0.hasPrefix("\(revision.id)_") }) {
                    throw AlembicImportError.revisionExists(id: revision.id, path: "\(project.versionsPath)/\(file)")
                }
            }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return try revisions.map { revision in
                var text = RevisionFile.render(
                    id: revision.id, downRevisions: revision.downRevisions, message: revision.message,
                    createDate: revision.createDate.map(formatter.string(from:)) ?? "", branchLabels: revision.branchLabels,
                    dependsOn: revision.dependsOn, upgrade: revision.upgradeSQL, downgrade: revision.downgradeSQL ?? "")
                if !revision.isTransactional, let markers = text.range(of: "\n\n-- +upgrade\n") {
                    text.replaceSubrange(markers, with: "\n-- transactional: false\n\n-- +upgrade\n")
                }
                let url = folder.appendingPathComponent(RevisionFile.fileName(id: revision.id, message: revision.message))
                guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8)) else {
                    throw OperationError.cannotWrite(path: url.path)
                }
                return (revision.id, RevisionGraph.relativePath(of: url, to: project.root))
            }
        }
    }
}
