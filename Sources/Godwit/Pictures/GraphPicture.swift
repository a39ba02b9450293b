import GodwitCore

/// The revision graph as `graph` and `report` draw it (SPEC §13): nodes newest first, edges from
/// child to parent, runs of plain revisions folded into one node, every environment as a marker,
/// and what the chosen environments lack shaded. A value: the renderers only print it.
public struct GraphPicture: Sendable {
    /// One revision drawn as itself.
    public struct RevisionNode: Sendable, Equatable {
        /// The full id.
        public var id: String
        /// The message.
        public var message: String
        /// The branch labels.
        public var branchLabels: [String]
        /// True when the revision has several parents.
        public var isMerge: Bool
        /// True when several revisions name it as their parent.
        public var isBranchPoint: Bool
        /// True when no revision names it as its parent.
        public var isHead: Bool
        /// True when a shaded environment lacks it.
        public var isShaded: Bool
    }

    /// Several plain revisions in a row, drawn as one node.
    public struct CollapsedRun: Sendable, Equatable {
        /// The revisions, oldest first.
        public var revisions: [String]
        /// True when the shaded environments lack them.
        public var isShaded: Bool
        /// The node's id: `run:` and the newest revision's id.
        public var id: String { "run:" + (revisions.last ?? "") }
    }

    /// A node of the picture.
    public enum Node: Sendable, Equatable {
        /// A revision.
        case revision(RevisionNode)
        /// A folded run of plain revisions.
        case run(CollapsedRun)

        /// The node's id: the revision's id, or the run's.
        public var id: String {
            switch self {
            case .revision(let node): node.id
            case .run(let run): run.id
            }
        }
    }

    /// An edge from a child to a parent (`down_revision`) or to what it depends on (`depends_on`).
    public struct Edge: Sendable, Equatable {
        /// The child's node id.
        public var from: String
        /// The parent's node id.
        public var to: String
        /// True for a `depends_on` edge.
        public var isDependency: Bool
    }

    /// The nodes, newest first.
    public var nodes: [Node]
    /// The edges, in the order of their child's node, then the parent's order in its header.
    public var edges: [Edge]
    /// Every environment, in the order given.
    public var markers: [EnvironmentMarker]
    /// The environments whose pending revisions are shaded.
    public var shaded: [String]

    /// The shortest runs that are folded.
    public static let minimumRun = 4

    /// Builds the picture of `graph` with `markers`, shading what the environments named in
    /// `shaded` lack (an unreachable one shades nothing); runs of at least `minimumRun` plain
    /// revisions — one parent, one child, no label, no dependency, no environment on them, and
    /// all shaded or all not — become one node unless `isFull`.
    public init(graph: RevisionGraph, markers: [EnvironmentMarker], shaded: [String] = [], isFull: Bool = false) {
        let shading = markers.filter { shaded.contains($0.name) && $0.isReachable }
        let isShaded = { (id: String) in shading.contains { $0.pending.contains(id) } }
        let marked = Set(markers.flatMap { $0.heads.map(\.revision) })
        let newestFirst = Array(graph.order.reversed())
        func isPlain(_ id: String) -> Bool {
            guard let revision = graph[id] else { return false }
            return revision.downRevisions.count == 1 && revision.dependsOn.isEmpty && revision.branchLabels.isEmpty
                && graph.children[id]?.count == 1 && (graph.dependents[id] ?? []).isEmpty && !marked.contains(id)
        }
        // A run starts at a plain revision whose child does not continue it, and goes down through
        // plain parents with the same shading.
        var runOf: [String: CollapsedRun] = [:]
        if !isFull {
            for id in newestFirst where isPlain(id) {
                let child = graph.children[id]?.first ?? ""
                if isPlain(child) && isShaded(child) == isShaded(id) { continue }
                var run = [id]
                while let parent = graph[run[run.count - 1]]?.downRevisions.first, isPlain(parent), isShaded(parent) == isShaded(id) {
                    run.append(parent)
                }
                guard run.count >= Self.minimumRun else { continue }
                let collapsed = CollapsedRun(revisions: run.reversed(), isShaded: isShaded(id))
                for member in run { runOf[member] = collapsed }
            }
        }
        var nodes: [Node] = []
        var edges: [Edge] = []
        let nodeID = { (id: String) in runOf[id]?.id ?? id }
        for id in newestFirst {
            guard let revision = graph[id] else { continue }
            if let run = runOf[id] {
                // A run is drawn once, where its newest revision stands; its edge leaves from its oldest.
                if run.revisions.last == id { nodes.append(.run(run)) }
                if run.revisions.first == id {
                    edges += revision.downRevisions.map { Edge(from: run.id, to: nodeID($0), isDependency: false) }
                }
                continue
            }
            nodes.append(
                .revision(
                    RevisionNode(
                        id: id, message: revision.message, branchLabels: revision.branchLabels, isMerge: revision.isMerge,
                        isBranchPoint: graph.isBranchPoint(id), isHead: graph.children[id] == nil, isShaded: isShaded(id))))
            edges += revision.downRevisions.map { Edge(from: id, to: nodeID($0), isDependency: false) }
            edges += revision.dependsOn.map { Edge(from: id, to: nodeID($0), isDependency: true) }
        }
        self.nodes = nodes
        self.edges = edges
        self.markers = markers
        self.shaded = shaded
    }

    /// The ids of every node, for the markers' edges (an environment's head may have no file).
    public var nodeIDs: Set<String> { Set(nodes.map(\.id)) }

    /// The first 12 characters of an id, as `status` shows it.
    public static func short(_ id: String) -> String { String(id.prefix(12)) }

    /// A run's label: `N revisions (first…last)`, oldest first.
    public static func label(of run: CollapsedRun) -> String {
        "\(run.revisions.count) revisions (\(short(run.revisions.first ?? ""))…\(short(run.revisions.last ?? "")))"
    }

    /// A revision's label lines: the short id with its labels, the message, and what it is in the graph.
    public static func lines(of node: RevisionNode) -> [String] {
        var first = short(node.id)
        if !node.branchLabels.isEmpty { first += " [" + node.branchLabels.joined(separator: ", ") + "]" }
        var lines = [first, node.message]
        let roles = [node.isMerge ? "merge" : nil, node.isBranchPoint ? "branch point" : nil, node.isHead ? "head" : nil].compactMap { $0 }
        if !roles.isEmpty { lines.append(roles.joined(separator: ", ")) }
        return lines
    }

    /// A marker's label lines: the name, then (fleet) its target count, or why it could not be read.
    public static func lines(of marker: EnvironmentMarker) -> [String] {
        var lines = [marker.name]
        if let error = marker.error {
            lines.append("unreachable: " + error)
        } else if marker.isFleet {
            lines.append("\(marker.targetCount) targets" + (marker.targetsAtBase > 0 ? ", \(marker.targetsAtBase) at base" : ""))
        } else if marker.heads.isEmpty {
            lines.append("at base")
        }
        return lines
    }

    /// The label of a marker's edge to one head: a fleet's count of targets there.
    public static func edgeLabel(of marker: EnvironmentMarker, count: Int) -> String? {
        marker.isFleet ? "\(count) target" + (count == 1 ? "" : "s") : nil
    }
}
