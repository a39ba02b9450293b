import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Init: ConsoleCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a project: environments/environments.yaml (SQLite dev, test, prod) and a first revision.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder (default: the current one).") var directory: String?

        func run(console: Console) throws {
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let folder = URL(fileURLWithPath: directory ?? ".", relativeTo: cwd).standardizedFileURL
            let written = try Scaffold.create(in: folder)
            if console.isJSON { return console.json(CommandJSON.scaffold(project: folder.path, files: written)) }
            console.out("created a Godwit project in \(folder.path):")
            for path in written { console.out("  \(path)") }
            console.out("next: 'godwit upgrade' applies the first revision to the dev environment")
        }
    }
}
