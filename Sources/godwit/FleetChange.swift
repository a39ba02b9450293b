import ArgumentParser
import Godwit
import GodwitCore

extension ChangeCommand {
    /// Runs the change on every target of a fleet the options pick, a line per target as it
    /// finishes, then the summary; exits with the fleet's status (SPEC §10).
    func runFleet(_ request: ChangeRequest, environment: Environment, in workspace: Workspace, console: Console) throws {
        let name = Self.configuration.commandName ?? "this command"
        guard environment.isFleet else {
            throw FleetError(.selectionWithoutFleet(environment: environment.name), environment: environment.name)
        }
        guard let options = fleetOptions else {
            throw FleetError(.notSupported(environment: environment.name, command: name), environment: environment.name)
        }
        if change.sql || isRehearsal {
            let flag = change.sql ? "--sql" : "--rehearse"
            throw FleetError(.notSupported(environment: environment.name, command: "\(name) \(flag)"), environment: environment.name)
        }
        var request = request
        request.includesLintWarnings = false  // per-target steps are not shown
        if environment.isProtected && !request.isConfirmed && !request.isDryRun && console.isInteractive && !console.isJSON {
            request.isConfirmed = confirm(environment, console: console)
        }
        // The targets' steps run in parallel: their lines would interleave, so only the line per
        // finished target is shown, with lock waits, warnings and notices.
        let targets = try Workspace(
            project: workspace.project, drivers: workspace.drivers, identity: workspace.identity, variables: workspace.variables,
            linters: workspace.linters
        ) { event in
            switch event {
            case .stepStarted, .stepFinished, .hookStarted: return
            default: render(event, console)
            }
        }
        let isDryRun = request.isDryRun
        let runner = FleetRunner(workspace: targets) { target in renderFleetTarget(target, isDryRun: isDryRun, console: console) }
        let result = try runner.run(request, on: environment, rollout: options.rollout())
        renderFleetResult(result, console: console)
        if let signal = result.interruption { throw ArgumentParser.ExitCode(128 + signal) }
        if let status = result.exitStatus { throw ArgumentParser.ExitCode(status.rawValue) }
    }
}
