import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Wait: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "wait",
            abstract: "Block until the environment has reached TARGET (default: heads): for an application's start-up or an init container.",
            discussion: "Exit 0 when reached, 4 on timeout, 5 at once when a failed revision needs resolve. An unreachable database is waited for.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "What must be applied.") var target: String = "heads"
        @Option(name: .long, help: "How long to wait: 30s, 5m, 1h.") var timeout: String = "5m"
        @Option(name: .long, help: "Seconds between reads.") var interval: Double = 1

        func run(in workspace: Workspace, console: Console) throws {
            guard let limit = TimeoutValue(parsing: timeout) else {
                throw ValidationError("--timeout '\(timeout)' is not a duration; write e.g. 30s, 5m or 1h")
            }
            let environment = try workspace.project.environment(global.env)
            if environment.isFleet {
                let reads = try FleetReads(workspace: workspace).wait(for: environment, target: try Target(parsing: target), timeout: limit, interval: max(0.05, interval))
                return renderFleetWait(reads, environment: environment.name, target: target, console: console)
            }
            let heads = try EnvironmentChecks(workspace: workspace).wait(for: environment, target: try Target(parsing: target), timeout: limit, interval: max(0.05, interval))
            if console.isJSON { return console.json(CommandJSON.reached(environment: environment.name, heads: heads)) }
            console.out("'\(environment.name)' has reached \(target) (\(heads.isEmpty ? "base" : heads.joined(separator: ", ")))")
        }
    }
}
