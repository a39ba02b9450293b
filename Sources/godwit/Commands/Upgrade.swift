import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Upgrade: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade",
            abstract: "Apply revisions up to TARGET (default: heads).",
            discussion: "TARGET: head, heads, an id or unique prefix, LABEL@head, +N, REV+N.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @OptionGroup var rehearsal: RehearsalOption
        @OptionGroup var promotionCheck: PromotionCheckOption
        @OptionGroup var fleet: FleetOptions
        @Argument(help: "Where to go.", completion: Completion.revisions) var target: String = "heads"

        var isRehearsal: Bool { rehearsal.rehearse }
        var skipsPromotionCheck: Bool { promotionCheck.skipPromotionCheck }
        var fleetOptions: FleetOptions? { fleet }

        func plannedChange(in workspace: Workspace) throws -> (environment: Environment, request: ChangeRequest) {
            (try workspace.project.environment(global.env), makeRequest(.upgrade(try Target(parsing: target))))
        }
    }
}
