import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Downgrade: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "downgrade",
            abstract: "Roll back to TARGET, removing what stands above it on its lines.",
            discussion: "TARGET: base, an id or unique prefix, -N, REV-N.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @OptionGroup var rehearsal: RehearsalOption
        @OptionGroup var fleet: FleetOptions
        @Argument(help: "Where to go back to.", completion: Completion.revisions) var target: String

        var fleetOptions: FleetOptions? { fleet }

        var isRehearsal: Bool { rehearsal.rehearse }

        func plannedChange(in workspace: Workspace) throws -> (environment: Environment, request: ChangeRequest) {
            (try workspace.project.environment(global.env), makeRequest(.downgrade(try Target(parsing: target))))
        }
    }
}
