import ArgumentParser

extension GodwitCommand {
    struct SchemaCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Work with an environment's schema: 'godwit schema dump'.",
            subcommands: [Dump.self])
    }
}
