import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension AdoptionFormat: ExpressibleByArgument {}

extension GodwitCommand {
    struct Adopt: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Record as applied what another tool's state table says it applied (a stamp audited as 'adopt').",
            discussion: """
                FORMAT is flyway, golang-migrate, goose, dbmate or alembic; the table is read in the environment's \
                database (and schema:). A failed or dirty record, or a version versions/ lacks, is refused (exit 5). \
                On a fleet, each target reads its own table and is stamped with its own mapping.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tool: flyway, golang-migrate, goose, dbmate or alembic.") var format: AdoptionFormat
        @Flag(name: .customLong("dry-run"), help: "Show the mapping and the plan; change nothing.") var dryRun = false
        @Flag(name: .long, help: "Confirm a change to a protected environment.") var yes = false
        @Option(name: .long, help: "Why: stored in the audit record.") var reason: String?
        @OptionGroup var fleet: FleetOptions

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            if environment.isFleet || fleet.isGiven {
                guard environment.isFleet else {
                    throw FleetError(.selectionWithoutFleet(environment: environment.name), environment: environment.name)
                }
                return try runFleetChange(
                    Adopter.request(isDryRun: dryRun, isConfirmed: yes, reason: reason), operation: .adopt, environment: environment,
                    rollout: fleet.rollout(), in: workspace, console: console, perTarget: Adopter.targetRequest(format, workspace: workspace))
            }
            let adopter = Adopter(workspace: workspace, environment: environment)
            var isConfirmed = yes
            if environment.isProtected && !yes && !dryRun && console.isInteractive && !console.isJSON {
                renderAdoption(try adopter.run(format, isDryRun: true, isConfirmed: false, reason: reason), console: console)
                isConfirmed = confirm(environment, console: console)
            }
            renderAdoption(try adopter.run(format, isDryRun: dryRun, isConfirmed: isConfirmed, reason: reason), console: console)
        }
    }
}

/// The mapping (tool version → revision), then the stamp's result.
func renderAdoption(_ result: AdoptionResult, console: Console) {
    if console.isJSON { return console.json(result.json) }
    if result.mapping.isEmpty { console.out("\(result.format.table) records nothing applied") }
    for record in result.mapping {
        console.out("  \(result.format.table) \(record.version) -> \(console.bold(record.revision))")
    }
    renderResult(result.operation, console: console)
}
