import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Repair: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "repair",
            abstract: "Re-record the checksum of applied revisions whose file changed (a comment, a godwit:ignore), without running SQL.",
            discussion: """
                Name the revisions, or give --all for every applied revision whose file differs from the checksum \
                recorded. --reason is required and goes into the audit record (operation 'repair', each step with \
                its old and new checksum). A protected environment needs --yes (or its name typed on a terminal).
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Revisions to re-record: ids or unique prefixes.") var revisions: [String] = []
        @Flag(name: .long, help: "Every applied revision whose file changed.") var all = false
        @Option(name: .long, help: "Why the edit is accepted: stored in the audit record (required).") var reason: String
        @Flag(name: .long, help: "Confirm for a protected environment.") var yes = false
        @Flag(name: .customLong("dry-run"), help: "List what would be re-recorded; change nothing.") var dryRun = false
        @OptionGroup var fleet: FleetOptions

        func validate() throws {
            guard all != !revisions.isEmpty else {
                throw ValidationError("name the revisions to repair, or give --all (not both)")
            }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            let repair = Godwit.Repair(workspace: workspace, environment: environment)
            var request = Godwit.Repair.Request(revisions: revisions, isAll: all, reason: reason)
            request.isConfirmed = yes
            request.isDryRun = dryRun
            if environment.isFleet || fleet.isGiven {
                guard environment.isFleet else {
                    throw FleetError(.selectionWithoutFleet(environment: environment.name), environment: environment.name)
                }
                if environment.isProtected && !yes && !dryRun && console.isInteractive && !console.isJSON {
                    request.isConfirmed = confirm(environment, console: console)
                }
                let reads = try FleetReads(workspace: workspace).repair(request, environment: environment, rollout: fleet.rollout())
                return try renderFleetRepair(reads, environment: environment.name, isDryRun: dryRun, graph: try? workspace.graph(), console: console)
            }
            if environment.isProtected && !yes && !dryRun && console.isInteractive && !console.isJSON {
                var preview = request
                preview.isDryRun = true
                let planned = try repair.run(preview)
                renderRepair(planned, graph: try? workspace.graph(), console: console)
                if planned.steps.isEmpty { return }
                request.isConfirmed = confirm(environment, console: console)
            }
            renderRepair(try repair.run(request), graph: try? workspace.graph(), console: console)
        }
    }
}

/// A repair's result: the JSON of SPEC §9, or one line per revision and a summary.
func renderRepair(_ result: RepairResult, graph: RevisionGraph?, console: Console) {
    if console.isJSON { return console.json(result.json(graph: graph)) }
    if result.steps.isEmpty {
        return console.out("every applied revision of '\(result.environment)' matches its file; nothing to repair")
    }
    for step in result.steps {
        let message = graph?.revisions[step.revision]?.message ?? ""
        console.out("  repair \(step.revision) \(message): checksum \((step.oldChecksum ?? "").prefix(12)) -> \(step.checksum.prefix(12))")
    }
    let count = "\(result.steps.count) checksum\(result.steps.count == 1 ? "" : "s")"
    if result.isDryRun { return console.out("would re-record \(count) in '\(result.environment)' (dry run: nothing changed)") }
    let audit = result.auditID.map { console.dim(" (audit #\($0))") } ?? ""
    console.out("\(console.green("re-recorded \(count) in '\(result.environment)'"))\(audit)")
}
