import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Resolve: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Clear a failed non-transactional revision after fixing it by hand.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The failed revision.", completion: Completion.revisions) var revision: String
        @Flag(name: .long, help: "It is now fully applied.") var applied = false
        @Flag(name: .customLong("rolled-back"), help: "It is now fully undone.") var rolledBack = false
        @Option(name: .long, help: "Why: stored in the audit record.") var reason: String?
        @Flag(name: .long, help: "Confirm for a protected environment.") var yes = false
        @OptionGroup var lockWait: LockTimeoutOption
        @OptionGroup var fleet: FleetOptions

        func validate() throws {
            guard applied != rolledBack else { throw ValidationError("give exactly one of --applied and --rolled-back") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            var request = ChangeRequest(.resolve(revision: revision, applied: applied))
            request.reason = reason
            request.isConfirmed = yes
            let environment = try workspace.project.environment(global.env).waitingForLock(lockWait.value)
            if environment.isFleet || fleet.isGiven {
                // A failed revision is one target's: the run names the targets to resolve.
                guard environment.isFleet, !fleet.targets.isEmpty else {
                    throw FleetError(.resolveWithoutTarget(environment: environment.name), environment: environment.name)
                }
                return try runFleetChange(request, operation: .resolve, environment: environment, rollout: fleet.rollout(), in: workspace, console: console)
            }
            renderResult(try Migrator(workspace: workspace, environment: environment).run(request), console: console)
        }
    }
}
