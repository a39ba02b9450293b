import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension ChangeCommand {
    /// Runs the change on every target of a fleet the options pick, a line per target as it
    /// finishes, then the summary; exits with the fleet's status (SPEC §10). `--sql` prints one
    /// script for the state the picked targets share; a protected fleet on a terminal asks once,
    /// showing how many targets the run takes.
    func runFleet(_ request: ChangeRequest, environment: Environment, in workspace: Workspace, console: Console) throws {
        let name = Self.configuration.commandName ?? "this command"
        guard environment.isFleet else {
            throw FleetError(.selectionWithoutFleet(environment: environment.name), environment: environment.name)
        }
        guard let options = fleetOptions else {
            throw FleetError(.notSupported(environment: environment.name, command: name), environment: environment.name)
        }
        if change.sql {
            let script = try OfflineScriptWriter(workspace: workspace).fleetScript(request, environment: environment, rollout: options.rollout(), from: change.from)
            return console.isJSON ? console.json(CommandJSON.script(environment: environment.name, sql: script)) : console.raw(script)
        }
        try runFleetChange(request, operation: request.operationName ?? Plan.Operation(rawValue: name) ?? .upgrade, environment: environment, rollout: options.rollout(), in: workspace, console: console)
    }
}

/// Runs a change on the targets `rollout` picks, a line per target as it finishes, then the
/// summary; asks once for a protected fleet on a terminal; exits with the fleet's status.
/// `perTarget` makes each target's own request when the targets differ (`adopt`).
func runFleetChange(
    _ request: ChangeRequest, operation: Plan.Operation, environment: Environment, rollout: Rollout, in workspace: Workspace, console: Console,
    perTarget: FleetRunner.TargetRequest? = nil
) throws {
    var request = request
    request.includesLintWarnings = false  // per-target steps are not shown
    let asks = environment.isProtected && !request.isConfirmed && !request.isDryRun && console.isInteractive && !console.isJSON
    let confirmation: ((Int) -> Bool)? = asks ? { count in confirm(environment, targets: count, operation: operation, console: console) } : nil
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
    let verb = FleetResult.verb(of: operation, isRehearsal: request.isRehearsal)
    let runner = FleetRunner(workspace: targets, perTarget: perTarget) { target in renderFleetTarget(target, isDryRun: isDryRun, verb: verb, console: console) }
    let result = try runner.run(request, on: environment, rollout: rollout, confirm: confirmation)
    renderFleetResult(result, console: console)
    if let signal = result.interruption { throw ArgumentParser.ExitCode(128 + signal) }
    if let status = result.exitStatus { throw ArgumentParser.ExitCode(status.rawValue) }
}

/// Asks on the terminal before a protected fleet is changed, with how many targets will be:
/// `prod is protected: 1000 targets will be upgraded. Type 'prod' to continue: `.
func confirm(_ environment: Environment, targets count: Int, operation: Plan.Operation, console: Console) -> Bool {
    let verb = FleetResult.verb(of: operation)
    let question = "\(environment.name) is protected: \(count) target\(count == 1 ? "" : "s") will be \(verb). Type '\(environment.name)' to continue: "
    guard let answer = console.ask(StyledText(question)) else { return false }
    return answer.trimmingCharacters(in: .whitespaces) == environment.name
}
