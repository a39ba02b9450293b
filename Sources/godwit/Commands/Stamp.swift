import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Stamp: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "stamp",
            abstract: "Set the recorded state to TARGET without running SQL (to adopt an existing database).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @OptionGroup var promotionCheck: PromotionCheckOption
        @OptionGroup var fleet: FleetOptions
        @Argument(help: "The state to record.", completion: Completion.revisions) var target: String

        var fleetOptions: FleetOptions? { fleet }
        @Flag(name: .long, help: "Forget the recorded state first.") var purge = false

        var skipsPromotionCheck: Bool { promotionCheck.skipPromotionCheck }

        func plannedChange(in workspace: Workspace) throws -> (environment: Environment, request: ChangeRequest) {
            (try workspace.project.environment(global.env), makeRequest(.stamp(try Target(parsing: target), purge: purge)))
        }
    }
}
