import ArgumentParser
import Godwit
import GodwitCore

/// Options of the commands that run on a fleet (SPEC §10): which of its targets to take.
struct FleetOptions: ParsableArguments {
    @Option(name: .customLong("target"), help: ArgumentHelp("With a fleet: only this target (a name or a shell-style glob; repeatable).", valueName: "name|glob"))
    var targets: [String] = []
    @Option(name: .long, help: ArgumentHelp("With a fleet: the I-th of N slices of its targets, by a stable hash of each name.", valueName: "I/N"))
    var shard: String?
    @Flag(name: .long, help: "With a fleet: run its canary targets alone.")
    var canary = false

    /// True when any of these options is given.
    var isGiven: Bool { !targets.isEmpty || shard != nil || canary }

    func validate() throws {
        if canary && (!targets.isEmpty || shard != nil) {
            throw ValidationError("--canary runs the canary alone; it excludes --target and --shard")
        }
        if let shard, (try? Shard(parsing: shard)) == nil {
            throw ValidationError(FleetError(.invalidShard(shard)).message)
        }
    }

    /// The targets these options pick.
    /// - Throws: `FleetError.invalidShard`.
    func rollout() throws -> Rollout {
        Rollout(patterns: targets, shard: try shard.map { try Shard(parsing: $0) }, isCanaryOnly: canary)
    }
}
