import Foundation
import GodwitCore
import Synchronization

/// Changes a fleet (SPEC §10): resolves its targets, picks the run's share (`Rollout`), checks or
/// runs the canary first, then runs a `Migrator` per target on a bounded pool of threads —
/// `rollout.parallel` at a time, one connection per running target — and collects each target's
/// outcome. A failing or unreachable target never throws: it is that target's outcome.
public struct FleetRunner: Sendable {
    /// The workspace the targets are changed through (its events are the targets' events).
    public let workspace: Workspace
    /// Called on a pool thread as each target finishes, for a live line per target.
    public let progress: @Sendable (FleetResult.Target) -> Void
    /// Makes each target's own request from the run's, when the targets differ (`adopt`); nil
    /// when every target takes the run's request.
    public let perTarget: TargetRequest?

    /// Makes one target's request from the run's (`adopt`: a stamp to what that target's tool
    /// table records), and may note on the target what it read; what it throws is that target's
    /// failure.
    public typealias TargetRequest = @Sendable (ChangeRequest, Fleet.Member, inout FleetResult.Target) throws -> ChangeRequest

    /// Creates a runner.
    public init(workspace: Workspace, perTarget: TargetRequest? = nil, progress: @escaping @Sendable (FleetResult.Target) -> Void = { _ in }) {
        self.workspace = workspace
        self.perTarget = perTarget
        self.progress = progress
    }

    /// `member`'s request: the run's, or what `perTarget` makes of it.
    /// - Throws: what `perTarget` throws.
    func request(_ request: ChangeRequest, for member: Fleet.Member, noting target: inout FleetResult.Target) throws -> ChangeRequest {
        guard let perTarget else { return request }
        return try perTarget(request, member, &target)
    }

    /// `member`'s request when nothing is noted on the target.
    /// - Throws: what `perTarget` throws.
    func request(_ request: ChangeRequest, for member: Fleet.Member) throws -> ChangeRequest {
        var scratch = FleetResult.Target(name: member.name, outcome: .failed)
        return try self.request(request, for: member, noting: &scratch)
    }

    /// Carries out (or, with `isDryRun`, only plans) `request` on the targets `rollout` picks.
    /// A signal stops new targets from starting and cancels the running ones; the result then
    /// says so (`interruption`) and holds what finished, the others `skipped`.
    /// - Throws: `PlanRefusal.protectedEnvironment` (exit 5) without confirmation;
    ///   `FleetError.canaryNotReached` (exit 5) for a partial run ahead of its canary; the promotion
    ///   gate's `PlanRefusal` (exit 5), checked once for the run before any target starts; `FleetError`
    ///   or `ConfigurationError` when the targets cannot be resolved or picked.
    /// `confirm`, when given, is asked once — with the number of targets the run takes — before
    /// a protected fleet is changed without `isConfirmed`; without it such a run is refused at once.
    public func run(_ request: ChangeRequest, on environment: Environment, rollout: Rollout, confirm: ((Int) -> Bool)? = nil) throws -> FleetResult {
        // `resolve` needs no confirmation, as for one database.
        let needsConfirmation = !request.isDryRun && !request.isResolve && environment.isProtected && !request.isConfirmed
        if needsConfirmation && confirm == nil {
            throw PlanRefusal.protectedEnvironment(environment: environment.name, operation: request.operation.rawValue)
        }
        let fleet = try FleetResolver(workspace: workspace).resolve(environment)
        let phases = try rollout.phases(of: fleet)
        var request = request
        if needsConfirmation {
            guard let confirm, confirm(phases.canary.count + phases.rest.count) else {
                throw PlanRefusal.protectedEnvironment(environment: environment.name, operation: request.operation.rawValue)
            }
            request.isConfirmed = true
        }
        if rollout.isPartial && !rollout.isCanaryOnly && !request.isResolve {
            try checkCanary(of: fleet, request: request)
        }
        request = try gated(request, fleet: fleet, members: phases.canary + phases.rest)
        var result = FleetResult(
            environment: fleet.name, operation: request.operation, isDryRun: request.isDryRun, isRehearsal: request.isRehearsal,
            fleetSize: fleet.members.count, targets: [])
        // Held for the whole run, so that a signal lets the running targets unwind and the
        // summary be printed, instead of ending the process at once.
        Interruption.shared.enterProtectedSection()
        defer { Interruption.shared.leaveProtectedSection() }
        let policy = fleet.environment.rollout
        let canary = runPool(phases.canary, request: request, parallel: policy.parallel, stopsOnFailure: true)
        result.targets = canary
        let canaryFailed = canary.contains { $0.outcome != .succeeded && $0.outcome != .unchanged }
        if canaryFailed {
            result.targets += phases.rest.map { FleetResult.Target(name: $0.name, outcome: .skipped) }
        } else {
            result.targets += runPool(phases.rest, request: request, parallel: policy.parallel, stopsOnFailure: policy.onError == .stop)
        }
        result.interruption = Interruption.shared.signal
        return result
    }

    /// Refuses a partial run until every canary target has reached the plan's target: planning
    /// the request on its recorded state finds nothing left to do.
    /// - Throws: `FleetError.canaryNotReached` naming the targets that have not, and why.
    func checkCanary(of fleet: Fleet, request: ChangeRequest) throws {
        let names = try fleet.canaryNames()
        guard !names.isEmpty else { return }
        let graph = try workspace.graph()
        let planner = Planner(environment: fleet.name, versionsPath: workspace.project.versionsPath)
        var behind: [String] = []
        for member in fleet.members where names.contains(member.name) {
            do {
                let rows = try workspace.readState(of: member.environment)
                let plan = try planner.plan(self.request(request, for: member), graph: graph, rows: rows)
                if !plan.isEmpty { behind.append("'\(member.name)' is \(plan.steps.count) revision\(plan.steps.count == 1 ? "" : "s") behind") }
            } catch let error as GodwitError {
                behind.append("'\(member.name)': \(error.message)")
            }
        }
        if !behind.isEmpty {
            throw FleetError(.canaryNotReached(environment: fleet.name, targets: behind), environment: fleet.name)
        }
    }

    /// Runs `members` on at most `parallel` threads, each taking the next target when it is free.
    /// After a failure with `stopsOnFailure`, or after a signal, no new target starts; those are `skipped`.
    func runPool(_ members: [Fleet.Member], request: ChangeRequest, parallel: Int, stopsOnFailure: Bool) -> [FleetResult.Target] {
        guard !members.isEmpty else { return [] }
        let queue = WorkQueue(count: members.count)
        let group = DispatchGroup()
        for _ in 0..<min(max(parallel, 1), members.count) {
            group.enter()
            Thread.detachNewThread {
                while let index = queue.take() {
                    let target = self.run(request, on: members[index])
                    queue.finish(index, target, stopsOnFailure: stopsOnFailure)
                    self.progress(target)
                }
                group.leave()
            }
        }
        group.wait()
        return queue.results.enumerated().map { index, target in
            target ?? FleetResult.Target(name: members[index].name, outcome: .skipped)
        }
    }

    /// Runs the request on one target; its failure is its outcome.
    func run(_ request: ChangeRequest, on member: Fleet.Member) -> FleetResult.Target {
        let begin = DispatchTime.now().uptimeNanoseconds
        var target = FleetResult.Target(name: member.name, outcome: .failed)
        do {
            let request = try self.request(request, for: member, noting: &target)
            let result = try Migrator(workspace: workspace, environment: member.environment).run(request)
            target.outcome = result.steps.isEmpty ? .unchanged : .succeeded
            target.fromHeads = result.fromHeads
            target.toHeads = result.toHeads
            target.stepCount = result.steps.count
            target.auditID = result.auditID
        } catch let error as GodwitError {
            var message = (error as? DatabaseError)?.fullMessage ?? error.message
            // The advice to resolve a revision left failed names this target.
            let environment = member.environment.name
            message = message.replacingOccurrences(of: " -e \(environment) --applied'", with: " -e \(environment) --target \(member.name) --applied'")
            target.error = error.location.map { "\($0): \(message)" } ?? message
            if let error = error as? DatabaseError, case .lockTimeout = error.reason { target.isLockTimeout = true }
        } catch {
            target.error = String(describing: error)
        }
        target.durationMS = Int((DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
        return target
    }
}

/// The pool's shared state: the next target to start, the results so far, and whether to stop.
/// Checked `Sendable`: every field lives in the `Mutex`.
final class WorkQueue: Sendable {
    struct State {
        var next = 0
        var isStopped = false
        var results: [FleetResult.Target?]
    }

    let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count)))
    }

    /// The next target to start; nil when none is left, the run stopped or a signal came.
    func take() -> Int? {
        state.withLock { state in
            guard !state.isStopped, !Interruption.shared.isInterrupted, state.next < state.results.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// Records a finished target; a failure stops the run when `stopsOnFailure`.
    func finish(_ index: Int, _ target: FleetResult.Target, stopsOnFailure: Bool) {
        state.withLock { state in
            state.results[index] = target
            if target.outcome == .failed && stopsOnFailure { state.isStopped = true }
        }
    }

    /// The results, nil for the targets never started.
    var results: [FleetResult.Target?] { state.withLock { $0.results } }
}
