import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Verify: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Compare the checksums of the environment's applied revisions with their files; exit 3 on a difference.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            if environment.isFleet {
                let checks = EnvironmentChecks(workspace: workspace)
                let reads = try FleetReads(workspace: workspace).each(environment) { try checks.verify($0.environment) }
                return try renderFleetVerify(reads, environment: environment.name, console: console)
            }
            try report(EnvironmentChecks(workspace: workspace).verify(environment), console: console, okText: "every applied revision of '\(environment.name)' matches its file")
        }
    }
}
