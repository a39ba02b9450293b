import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Promote: ChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Upgrade TO to exactly FROM's heads (FROM defaults to TO's predecessor in promotion).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var change: ChangeOptions
        @OptionGroup var rehearsal: RehearsalOption
        @OptionGroup var promotionCheck: PromotionCheckOption
        @OptionGroup var fleet: FleetOptions
        @Argument(help: "FROM and TO, or only TO.", completion: Completion.environments) var environments: [String]

        var fleetOptions: FleetOptions? { fleet }

        var isRehearsal: Bool { rehearsal.rehearse }
        var skipsPromotionCheck: Bool { promotionCheck.skipPromotionCheck }

        func validate() throws {
            guard (1...2).contains(environments.count) else { throw ValidationError("give TO, or FROM and TO") }
            try change.validate(isRehearsal: isRehearsal, skipsPromotionCheck: skipsPromotionCheck)
        }

        func plannedChange(in workspace: Workspace) throws -> (environment: Environment, request: ChangeRequest) {
            let promotion = try Promotion(workspace: workspace).fleetRequest(from: environments.count == 2 ? environments[0] : nil, to: environments[environments.count - 1])
            var request = makeRequest(.upgrade(promotion.target))
            request.operationName = .promote
            if request.reason == nil { request.reason = "promote from \(promotion.from.name)" }
            return (promotion.to, request)
        }
    }
}
