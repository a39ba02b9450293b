import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand.SchemaCommand {
    struct Dump: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "dump",
            abstract: "Print the environment's schema as Godwit's canonical DDL, in a stable order.",
            discussion: """
                The same schema model as 'diff' (tables, columns, keys, indexes, constraints, views, sequences, enum \\
                types, extensions, triggers); Godwit's own tables are left out. Two dumps of one schema are the same \\
                bytes. With --expected, the schema the environment's applied revisions produce, replayed in the \\
                scratch database (scratch_url). Used as 'schema:', 'revision --autogenerate' on the environment's own \\
                revisions finds no changes.
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "Dump what the environment's applied revisions produce (replayed in the scratch database), not its live schema.")
        var expected = false
        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the DDL to this file (relative to the working directory) instead of stdout.", valueName: "file"))
        var output: String?

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            let dump = try SchemaInspector(workspace: workspace).dump(environment, expected: expected)
            if let output {
                let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                let file = URL(fileURLWithPath: output, relativeTo: cwd).standardizedFileURL
                guard (try? Data(dump.sql.utf8).write(to: file)) != nil else { throw OperationError.cannotWrite(path: file.path) }
                console.progress("wrote the \(expected ? "expected" : "live") schema of '\(environment.name)' to \(file.path)")
            }
            if console.isJSON { return console.json(dump.json) }
            if output == nil { console.raw(dump.sql) }
        }
    }
}
