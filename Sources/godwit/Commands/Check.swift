import ArgumentParser
import Godwit

extension GodwitCommand {
    struct Check: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "CI gate: exit 3 when the graph has several heads, or the environment has pending or failed revisions or checksum mismatches.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            try report(EnvironmentChecks(workspace: workspace).check(environment), console: console, okText: "'\(environment.name)' is up to date with the graph")
        }
    }
}
