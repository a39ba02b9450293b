import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Init: ConsoleCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a project: environments/environments.yaml (SQLite dev, test, prod) and a first revision.",
            discussion: """
                The folder must be empty (a .git folder is allowed). With --force, init writes into a folder that \\
                holds files, adding only the files that do not exist yet: it never overwrites one, and lists those \\
                it skipped. The example revision gets a fresh random id.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder (default: the current one).") var directory: String?
        @Flag(name: .long, help: "Write into a folder that is not empty, skipping every file that exists.") var force = false

        func run(console: Console) throws {
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let folder = URL(fileURLWithPath: directory ?? ".", relativeTo: cwd).standardizedFileURL
            let result = try Scaffold.create(in: folder, force: force)
            if console.isJSON { return console.json(CommandJSON.scaffold(project: folder.path, files: result.written, skipped: result.skipped)) }
            console.out("created a Godwit project in \(folder.path):")
            for path in result.written { console.out("  \(path)") }
            if !result.skipped.isEmpty {
                console.out("skipped (they exist; init never overwrites):")
                for path in result.skipped { console.out("  \(path)") }
            }
            console.out("next: 'godwit upgrade' applies the first revision to the dev environment")
        }
    }
}
