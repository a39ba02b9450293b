import ArgumentParser
import Godwit

extension GodwitCommand {
    struct History: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "Show the revision graph, newest first, with branch points and merges marked.")
        @OptionGroup var global: GlobalOptions
        @Option(
            name: [.customShort("r"), .long], parsing: .unconditional,
            help: "A range A:B: descendants of A up to B. Either side may be empty, 'current' (with -e), a revision, or relative ('-3:', 'abc+2').")
        var rev: String?

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            let range = try rev.map(HistoryRange.init(parsing:))
            let current = try range?.needsCurrentHeads == true ? StatusReader(workspace: workspace).current(of: workspace.project.environment(global.env)).heads.map(\.id) : []
            let ids = try range?.revisions(in: graph, currentHeads: current) ?? graph.order.reversed()
            if console.isJSON { return console.json(.array(ids.map(graph.historyJSON))) }
            renderHistory(ids, graph: graph, isVerbose: global.verbose, console: console)
        }
    }
}
