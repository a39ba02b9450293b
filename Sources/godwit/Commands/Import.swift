import ArgumentParser

extension GodwitCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write revision files into versions/ from another migration tool's history.",
            subcommands: [ImportAlembic.self])
    }
}
