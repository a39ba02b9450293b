import GodwitCore

extension StatusReader {
    /// Reads a fleet's status (SPEC §10): every target read `rollout.parallel` at a time, each one
    /// status object named for its target (in `targets`); the fleet's own lists are the union of
    /// its targets'. A fleet whose targets cannot be resolved is unreachable with that error.
    func fleetStatus(of environment: Environment, graph: RevisionGraph, connectTimeout: Int) -> EnvironmentStatus {
        var result = EnvironmentStatus(
            name: environment.name, url: nil, isProtected: environment.isProtected, isReachable: false, error: nil, heads: [],
            pending: [], failed: [], checksumMismatches: [], unknown: [], lockHolder: nil, lastAudit: nil, schemaFingerprint: nil)
        let fleet: Fleet
        do {
            fleet = try FleetResolver(workspace: workspace).resolve(environment)
        } catch let error as GodwitError {
            result.error = error.message
            return result
        } catch {
            result.error = "\(error)"
            return result
        }
        let targets = FleetReader(workspace: workspace).map(fleet.members, parallel: environment.rollout.parallel) { member in
            var status = self.status(of: member.environment, graph: graph, connectTimeout: connectTimeout)
            status.name = member.name
            return status
        }
        func union(_ lists: [[String]]) -> [String] {
            var seen = Set<String>()
            return lists.joined().filter { seen.insert($0).inserted }
        }
        result.isReachable = true
        result.heads = union(targets.map(\.heads))
        result.pending = union(targets.map(\.pending))
        result.failed = union(targets.map(\.failed))
        result.checksumMismatches = union(targets.map(\.checksumMismatches))
        result.unknown = union(targets.map(\.unknown))
        result.targets = targets
        return result
    }
}

/// The state of one target of a fleet, as the fleet's `status` row counts it.
public enum TargetState: String, Sendable, Hashable, CaseIterable {
    /// Every revision of the graph applied, none failed, checksums as the files.
    case upToDate = "up to date"
    /// Some revisions not applied.
    case pending
    /// A revision recorded as failed.
    case failed
    /// An applied revision whose checksum differs from its file, or that has no file.
    case mismatch
    /// The target could not be read.
    case unreachable

    /// The state of a target's status object.
    public init(_ status: EnvironmentStatus) {
        if !status.isReachable {
            self = .unreachable
        } else if !status.failed.isEmpty {
            self = .failed
        } else if !status.checksumMismatches.isEmpty || !status.unknown.isEmpty {
            self = .mismatch
        } else if !status.pending.isEmpty {
            self = .pending
        } else {
            self = .upToDate
        }
    }
}

extension EnvironmentStatus {
    /// For a fleet: how many targets are in each state, in `TargetState` order, zero counts left out.
    public var targetStateCounts: [(state: TargetState, count: Int)] {
        let states = (targets ?? []).map(TargetState.init)
        return TargetState.allCases.map { state in (state, states.filter { $0 == state }.count) }.filter { $0.count > 0 }
    }

    /// For a fleet: how many reachable targets stand at each set of heads (`base` for none), most first.
    public var targetHeadCounts: [(heads: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for target in targets ?? [] where target.isReachable {
            let heads = target.heads.isEmpty ? "base" : target.heads.map { String($0.prefix(12)) }.joined(separator: "+")
            if counts[heads] == nil { order.append(heads) }
            counts[heads, default: 0] += 1
        }
        return order.map { ($0, counts[$0] ?? 0) }.sorted { $0.count > $1.count }
    }
}
