import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// One of N slices of a fleet (`--shard I/N`): a target belongs to slice
/// `FNV-1a-64(UTF-8 of its name) mod N + 1`. The hash depends on the name alone — not on the
/// machine, the process or the other targets — so that N machines (a CI matrix, a Kubernetes
/// indexed Job) each running one slice cover every target exactly once.
public struct Shard: Sendable, Hashable {
    /// Which slice, from 1.
    public var index: Int
    /// How many slices.
    public var count: Int

    /// Parses `I/N`.
    /// - Throws: `FleetError.invalidShard` unless 1 ≤ I ≤ N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            throw FleetError(.invalidShard(text))
        }
        self.index = index
        self.count = count
    }

    /// True when the target named `name` belongs to this slice.
    public func contains(_ name: String) -> Bool {
        Int(Self.hash(name) % UInt64(count)) + 1 == index
    }

    /// FNV-1a, 64 bits, of the UTF-8 bytes of `name`.
    public static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Which targets of a fleet a run takes, and in what order (SPEC §10): `--target` patterns,
/// `--shard I/N`, `--canary`, and the fleet's `rollout:`.
public struct Rollout: Sendable {
    /// `--target`: names or shell-style globs; empty for every target.
    public var patterns: [String]
    /// `--shard I/N`.
    public var shard: Shard?
    /// `--canary`: the canary targets alone.
    public var isCanaryOnly: Bool

    /// Creates a selection.
    public init(patterns: [String] = [], shard: Shard? = nil, isCanaryOnly: Bool = false) {
        self.patterns = patterns
        self.shard = shard
        self.isCanaryOnly = isCanaryOnly
    }

    /// True when the run takes part of the fleet (`--target` or `--shard`): it then needs the
    /// canary to have reached the plan's target first.
    public var isPartial: Bool { !patterns.isEmpty || shard != nil }

    /// The phases of a run: the canary first (alone) when the run starts the rollout, then the rest.
    /// - Throws: `FleetError` for a pattern that matches no target, `--canary` without a canary,
    ///   an unknown canary name.
    public func phases(of fleet: Fleet) throws -> (canary: [Fleet.Member], rest: [Fleet.Member]) {
        let canaryNames = try fleet.canaryNames()
        var chosen = fleet.members
        for pattern in patterns where !fleet.members.contains(where: { Self.matches(pattern, $0.name) }) {
            throw FleetError(.noTargetMatches(pattern: pattern, environment: fleet.name), environment: fleet.name)
        }
        if !patterns.isEmpty { chosen = chosen.filter { member in patterns.contains { Self.matches($0, member.name) } } }
        if let shard { chosen = chosen.filter { shard.contains($0.name) } }
        if isCanaryOnly {
            guard !canaryNames.isEmpty else { throw FleetError(.noCanary(environment: fleet.name), environment: fleet.name) }
            return (chosen.filter { canaryNames.contains($0.name) }, [])
        }
        // A partial run checks the canary instead of running it first.
        if isPartial { return ([], chosen) }
        let canary = Set(canaryNames)
        return (chosen.filter { canary.contains($0.name) }, chosen.filter { !canary.contains($0.name) })
    }

    /// True when `name` matches a name or shell-style glob (`*`, `?`, `[...]`).
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}
