import Foundation
import GodwitCore
import Synchronization

/// Reads every target of a fleet, `rollout.parallel` at a time (SPEC §10): what `status`, `check`
/// and the promotion gate need of a fleet. A target that cannot be read is that target's result,
/// never thrown.
struct FleetReader: Sendable {
    /// The workspace the targets are read through.
    let workspace: Workspace

    /// `body` of every member, in the fleet's order, on at most `parallel` threads.
    func map<T: Sendable>(_ members: [Fleet.Member], parallel: Int, _ body: @escaping @Sendable (Fleet.Member) -> T) -> [T] {
        guard !members.isEmpty else { return [] }
        let results = ReadResults<T>(count: members.count)
        let group = DispatchGroup()
        for _ in 0..<min(max(parallel, 1), members.count) {
            group.enter()
            Thread.detachNewThread {
                while let index = results.take() { results.set(index, body(members[index])) }
                group.leave()
            }
        }
        group.wait()
        return results.values
    }

    /// Every member's recorded rows, or the error that kept it from being read.
    func states(of fleet: Fleet) -> [(member: Fleet.Member, rows: Result<[AppliedRevision], any Error>)] {
        let workspace = workspace
        return map(fleet.members, parallel: fleet.environment.rollout.parallel) { member in
            (member, Result { try workspace.readState(of: member.environment) })
        }
    }
}

/// The reading threads' shared state: the next member to read and the results so far.
/// Checked `Sendable`: every field lives in the `Mutex`.
final class ReadResults<T: Sendable>: Sendable {
    private let state: Mutex<(next: Int, items: [T?])>

    init(count: Int) { state = Mutex((0, Array(repeating: nil, count: count))) }

    /// The index of the next member to read; nil when none is left.
    func take() -> Int? {
        state.withLock { state in
            guard state.next < state.items.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    func set(_ index: Int, _ value: T) { state.withLock { $0.items[index] = value } }

    var values: [T] { state.withLock { $0.items.compactMap { $0 } } }
}
