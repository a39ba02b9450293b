import GodwitCore

/// One environment as the pictures draw it: a labelled marker on each of its heads, what it lacks,
/// or why it could not be read.
public struct EnvironmentMarker: Sendable {
    /// The environment's name.
    public var name: String
    /// Each head the environment stands at, with how many of its databases stand there
    /// (1 for one database; per head for a fleet).
    public var heads: [(revision: String, count: Int)]
    /// True for a fleet (SPEC §10): one marker whose edges carry counts of targets.
    public var isFleet: Bool
    /// For a fleet: how many targets it has.
    public var targetCount: Int
    /// For a fleet: how many targets stand at no revision at all.
    public var targetsAtBase: Int
    /// The graph revisions the environment has not applied (for a fleet: any of its targets).
    public var pending: Set<String>
    /// Why the environment could not be read; nil when it was.
    public var error: String?

    /// Creates a marker.
    public init(
        name: String, heads: [(revision: String, count: Int)], pending: Set<String> = [], error: String? = nil, isFleet: Bool = false,
        targetCount: Int = 0, targetsAtBase: Int = 0
    ) {
        self.name = name
        self.heads = heads
        self.pending = pending
        self.error = error
        self.isFleet = isFleet
        self.targetCount = targetCount
        self.targetsAtBase = targetsAtBase
    }

    /// The marker of what `status` read: a fleet's heads counted over its reachable targets.
    public init(_ status: EnvironmentStatus) {
        guard let targets = status.targets else {
            self.init(
                name: status.name, heads: status.heads.map { ($0, 1) }, pending: Set(status.pending),
                error: status.isReachable ? nil : (status.error ?? "unreachable"))
            return
        }
        var counts: [String: Int] = [:]
        var order: [String] = []
        var atBase = 0
        for target in targets where target.isReachable {
            if target.heads.isEmpty { atBase += 1 }
            for head in target.heads {
                if counts[head] == nil { order.append(head) }
                counts[head, default: 0] += 1
            }
        }
        self.init(
            name: status.name, heads: order.map { ($0, counts[$0] ?? 0) }, pending: Set(status.pending),
            error: status.isReachable ? nil : (status.error ?? "unreachable"), isFleet: true, targetCount: targets.count,
            targetsAtBase: atBase)
    }

    /// True when the environment was read.
    public var isReachable: Bool { error == nil }
}
