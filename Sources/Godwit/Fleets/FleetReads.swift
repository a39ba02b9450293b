import Foundation
import GodwitCore

/// The read commands on a fleet (SPEC §10): `current`, `verify`, `wait`, `audit`, `audit verify`,
/// `diff --expected` run per target, `rollout.parallel` at a time, one connection per running
/// target. A target that cannot be read is that target's result, never thrown.
public struct FleetReads: Sendable {
    /// What a read command found on one target.
    public struct Read<Value: Sendable>: Sendable {
        /// The target's name.
        public var target: String
        /// What was read, or why it could not be.
        public var value: Result<Value, any Error>

        /// The error as shown to people, nil when the target was read.
        public var error: String? {
            guard case .failure(let error) = value else { return nil }
            return (error as? GodwitError)?.message ?? "\(error)"
        }
    }

    /// The workspace the targets are read through.
    public let workspace: Workspace

    /// Creates a reader.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// `body` on every target of the fleet `environment`, in the fleet's order, at most
    /// `parallel` (default `rollout.parallel`) at a time.
    /// - Throws: `FleetError` or `ConfigurationError` when the targets cannot be resolved.
    public func each<T: Sendable>(
        _ environment: Environment, parallel: Int? = nil, _ body: @escaping @Sendable (Fleet.Member) throws -> T
    ) throws -> [Read<T>] {
        let fleet = try FleetResolver(workspace: workspace).resolve(environment)
        return FleetReader(workspace: workspace).map(fleet.members, parallel: parallel ?? environment.rollout.parallel) { member in
            Read(target: member.name, value: Result { try body(member) })
        }
    }

    /// `wait` on a fleet: every target reaches `target` before `timeout` runs out, each read
    /// every `interval` seconds; returns each target's heads.
    /// - Throws: `FleetError.targetRefused` (exit 5) at once when a target has a failed revision;
    ///   `FleetError.waitTimedOut` (exit 4) naming the targets not there in time; what `each` throws.
    public func wait(for environment: Environment, target: Target, timeout: TimeoutValue, interval: Double) throws -> [Read<[String]>] {
        let checks = EnvironmentChecks(workspace: workspace)
        let deadline = Date().addingTimeInterval(timeout.seconds)
        let workspace = workspace
        // A failed revision is seen at once, before any target is waited for.
        for read in try each(environment, { try workspace.readState(of: $0.environment) }) {
            if case .success(let rows) = read.value, let failed = rows.first(where: \.isFailed) {
                let refusal = PlanRefusal.failedRevision(revision: failed.revision, environment: environment.name)
                throw FleetError(.targetRefused(target: read.target, reason: refusal.message), environment: environment.name)
            }
        }
        let reads = try each(environment) { member in
            let left = max(0, deadline.timeIntervalSinceNow)
            return try checks.wait(for: member.environment, target: target, timeout: TimeoutValue(milliseconds: max(1, Int(left * 1000))), interval: interval)
        }
        for read in reads {
            if case .failure(let error as PlanRefusal) = read.value {
                throw FleetError(.targetRefused(target: read.target, reason: error.message), environment: environment.name)
            }
        }
        let late = reads.compactMap { read -> String? in
            guard case .failure(let error) = read.value else { return nil }
            if let error = error as? OperationError, case .waitTimedOut(_, _, _, let last) = error { return "\(read.target): \(last)" }
            return "\(read.target): \(read.error ?? "")"
        }
        if !late.isEmpty {
            throw FleetError(.waitTimedOut(environment: environment.name, timeout: timeout.description, targets: late), environment: environment.name)
        }
        return reads
    }
}
