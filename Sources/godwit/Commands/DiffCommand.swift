import ArgumentParser
import Foundation
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
            let project = workspace.project
            let diff: SchemaDiff
            let same: String
            let header: (Int) -> String
            if expected {
                let environment = try project.environment(environments[0])
                diff = try SchemaInspector(workspace: workspace).drift(environment)
                same = "'\(environment.name)' matches what its applied revisions produce"
                header = { count in
                    "'\(environment.name)' differs from what its applied revisions produce in \(count) \(count == 1 ? "object" : "objects") (- only expected, + only live, ~ changed):"
                }
            } else {
                let a = try project.environment(environments[0])
                let b = try project.environment(environments[1])
                diff = try SchemaInspector(workspace: workspace).diff(a, b)
                same = "'\(a.name)' and '\(b.name)' have the same schema"
                header = { count in
                    "'\(a.name)' and '\(b.name)' differ in \(count) \(count == 1 ? "object" : "objects") (- only in '\(a.name)', + only in '\(b.name)', ~ changed):"
                }
            }
            let differences = diff.differences
            if console.isJSON {
                console.json(.object(["ok": .bool(differences.isEmpty), "changes": .array(differences.map(\.json))]))
            } else if differences.isEmpty {
                console.out(console.green("ok: ") + same)
            } else {
                console.out(header(differences.count))
                for difference in differences { console.out("  " + differenceLine(difference, console: console)) }
            }
            if !differences.isEmpty { throw ArgumentParser.ExitCode(GodwitCore.ExitStatus.found.rawValue) }
        }
    }
}

/// One difference as a line: `+ index users.users_email_idx: UNIQUE INDEX ON users (email)`.
func differenceLine(_ difference: SchemaDifference, console: Console) -> String {
    let object = difference.object.replacingOccurrences(of: "_", with: " ")
    switch difference.kind {
    case "added": return console.green("+") + " \(object) \(difference.name): \(difference.right ?? "")"
    case "removed": return console.red("-") + " \(object) \(difference.name): \(difference.left ?? "")"
    default: return console.yellow("~") + " \(object) \(difference.name): \(difference.left ?? "") -> \(difference.right ?? "")"
    }
}
