import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write revision files into an empty versions/ from another tool's migration folder.",
            discussion: """
                SQL is kept byte for byte, in the tool's order, as one linear chain; ids are v<version>. \
                Nothing is written unless every file converts (or --skip-bad). Then 'godwit adopt FORMAT -e ENV' \
                records what the tool already applied in each database.
                """,
            subcommands: [Flyway.self, GolangMigrate.self, Goose.self, Dbmate.self, ImportAlembic.self])

        struct Flyway: ImportCommand {
            static let configuration = CommandConfiguration(
                commandName: "flyway", abstract: "Import V/U/R__ files of a Flyway folder (and its subfolders).")
            static let format = "flyway"
            @OptionGroup var global: GlobalOptions
            @OptionGroup var source: ImportOptions
            func read(_ folder: URL) throws -> ImportedHistory { try FlywayImport().read(folder: folder) }
        }

        struct GolangMigrate: ImportCommand {
            static let configuration = CommandConfiguration(
                commandName: "golang-migrate", abstract: "Import <version>_<title>.up.sql/.down.sql files of golang-migrate.")
            static let format = "golang-migrate"
            @OptionGroup var global: GlobalOptions
            @OptionGroup var source: ImportOptions
            func read(_ folder: URL) throws -> ImportedHistory { try GolangMigrateImport().read(folder: folder) }
        }

        struct Goose: ImportCommand {
            static let configuration = CommandConfiguration(
                commandName: "goose", abstract: "Import <version>_<name>.sql files with -- +goose annotations.")
            static let format = "goose"
            @OptionGroup var global: GlobalOptions
            @OptionGroup var source: ImportOptions
            func read(_ folder: URL) throws -> ImportedHistory { try GooseImport().read(folder: folder) }
        }

        struct Dbmate: ImportCommand {
            static let configuration = CommandConfiguration(
                commandName: "dbmate", abstract: "Import <version>_<name>.sql files with -- migrate:up/down markers.")
            static let format = "dbmate"
            @OptionGroup var global: GlobalOptions
            @OptionGroup var source: ImportOptions
            func read(_ folder: URL) throws -> ImportedHistory { try DbmateImport().read(folder: folder) }
        }
    }
}

/// The folder and `--skip-bad` of every `import` subcommand.
struct ImportOptions: ParsableArguments {
    @Argument(help: "The tool's migration folder.") var folder: String
    @Flag(name: .customLong("skip-bad"), help: "Write the files that convert; list the others on stderr.") var skipBad = false
}

/// An `import` subcommand: reads its tool's folder, writes the history, renders what was written.
protocol ImportCommand: ProjectCommand {
    static var format: String { get }
    var source: ImportOptions { get }
    func read(_ folder: URL) throws -> ImportedHistory
}

extension ImportCommand {
    func run(in workspace: Workspace, console: Console) throws {
        let folder = URL(fileURLWithPath: source.folder, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let history = try read(folder.standardizedFileURL)
        let result = try ImportWriter(project: workspace.project).write(history, format: Self.format, isSkippingBad: source.skipBad)
        renderImport(result, console: console)
    }
}

/// What `import` wrote, for people (the files, the placeholders to define, the files skipped on
/// stderr), or its JSON.
func renderImport(_ result: ImportResult, console: Console) {
    for problem in result.problems {
        console.warn(console.yellow("skipped \(ImportProblem.place(problem)): \(problem.reason)"))
    }
    if console.isJSON { return console.json(result.json) }
    let count = result.revisions.count
    console.out(console.green("imported \(count) revision\(count == 1 ? "" : "s") from \(result.format)"))
    for item in result.revisions + result.repeatables {
        console.out("  \(item.path)  \(console.dim("(from \(item.source))"))")
    }
    if !result.placeholders.isEmpty {
        console.out(
            "placeholders now written {{ name }}: \(result.placeholders.joined(separator: ", ")); "
                + "define each under vars: in environments/environments.yaml")
    }
    if !result.problems.isEmpty {
        console.out(console.yellow("\(result.problems.count) file\(result.problems.count == 1 ? "" : "s") skipped (--skip-bad)"))
    }
    console.out("next: 'godwit adopt \(result.format) -e ENV' in each database the tool has already migrated")
}
