import ArgumentParser
import Godwit
import GodwitCore

/// A command that changes one environment: upgrade, downgrade, stamp, promote. Its default
/// `run` prints the offline script (`--sql`), or shows the plan and asks before changing a
/// protected environment on a terminal, runs the request and renders the result.
protocol ChangeCommand: ProjectCommand {
    var change: ChangeOptions { get }
    /// `--rehearse`, for the commands that offer it.
    var isRehearsal: Bool { get }
    /// `--skip-promotion-check`, for the commands that offer it.
    var skipsPromotionCheck: Bool { get }
    /// The environment to change and what to ask of it.
    func plannedChange(in workspace: Workspace) throws -> (environment: Environment, request: ChangeRequest)
    /// `--target`, `--shard`, `--canary`: nil for the commands that do not run on fleets yet.
    var fleetOptions: FleetOptions? { get }
}

extension ChangeCommand {
    var isRehearsal: Bool { false }
    var skipsPromotionCheck: Bool { false }
    var fleetOptions: FleetOptions? { nil }

    func validate() throws {
        try change.validate(isRehearsal: isRehearsal, skipsPromotionCheck: skipsPromotionCheck)
    }

    /// A request for `kind` with this command's options.
    func makeRequest(_ kind: ChangeRequest.Kind) -> ChangeRequest {
        change.request(kind, isRehearsal: isRehearsal, skipsPromotionCheck: skipsPromotionCheck)
    }

    func run(in workspace: Workspace, console: Console) throws {
        let planned = try plannedChange(in: workspace)
        let environment = planned.environment.waitingForLock(change.lockWait.value)
        var request = planned.request
        request.includesLintWarnings = console.isJSON  // text shows them for a dry-run only, which lints anyway
        if environment.isFleet || fleetOptions?.isGiven == true {
            return try runFleet(request, environment: environment, in: workspace, console: console)
        }
        if change.sql {
            let script = try OfflineScriptWriter(workspace: workspace).script(request, environment: environment, from: change.from)
            return console.isJSON ? console.json(CommandJSON.script(environment: environment.name, sql: script)) : console.raw(script)
        }
        let migrator = Migrator(workspace: workspace, environment: environment)
        if environment.isProtected && !request.isConfirmed && !request.isDryRun && console.isInteractive && !console.isJSON {
            var preview = request
            preview.isDryRun = true
            preview.isRehearsal = false
            renderResult(try migrator.run(preview), console: console)
            request.isConfirmed = confirm(environment, console: console)
        }
        renderResult(try migrator.run(request), console: console)
    }
}
