import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Diff: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare the live schemas of two environments, or one environment with what its applied revisions produce (--expected).",
            discussion: """
                Tables, columns (type, nullability, default), keys, indexes, constraints, views, sequences, enum types and \\
                extensions; Godwit's own tables are left out. With --expected, the left side is the environment's applied \\
                revisions replayed in the scratch database (scratch_url) and the right side its live schema: what shows is \\
                drift made by hand. Exit 3 when the two sides differ.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "ENV_A ENV_B, or ENV with --expected.") var environments: [String]
        @Flag(name: .long, help: "Compare ENV with the schema its applied revisions should have produced.") var expected = false

        func validate() throws {
            if expected && environments.count != 1 { throw ValidationError("with --expected, give one environment: godwit diff ENV --expected") }
            if !expected && environments.count != 2 { throw ValidationError("give two environments (godwit diff ENV_A ENV_B), or one with --expected") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let sides = try environments.map { try workspace.project.environment($0) }
            if expected, sides[0].isFleet {
                // The targets replay into one scratch database: one at a time.
                let inspector = SchemaInspector(workspace: workspace)
                let reads = try FleetReads(workspace: workspace).each(sides[0], parallel: 1) { try inspector.drift($0.environment).differences }
                return try renderFleetDrift(reads, environment: sides[0].name, console: console)
            }
            let diff = try expected ? SchemaInspector(workspace: workspace).drift(sides[0]) : SchemaInspector(workspace: workspace).diff(sides[0], sides[1])
            try renderDiff(diff.differences, sides: sides.map(\.name), console: console)
        }
    }
}
