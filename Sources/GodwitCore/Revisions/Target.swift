/// Where an upgrade, downgrade or stamp goes (SPEC §5).
public enum Target: Sendable, Hashable, CustomStringConvertible {
    /// The one head of the graph; an error when there are several.
    case head
    /// Every head of the graph.
    case heads
    /// Nothing applied.
    case base
    /// A revision by id, unique prefix or branch label.
    case revision(String)
    /// `LABEL@head`: the head of the branch that carries the label.
    case branchHead(String)
    /// `+N`, `-N` (from the current head, `from` nil) and `REV+N`, `REV-N`.
    case relative(from: String?, steps: Int)
    /// Exactly these revisions as heads (`promote`: another environment's heads).
    case revisions([String])

    /// Parses a target as written on the command line.
    /// - Throws: `GraphError` for an empty or malformed target.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "": throw GraphError(.emptyTarget)
        case "head": self = .head; return
        case "heads": self = .heads; return
        case "base": self = .base; return
        default: break
        }
        if t.hasSuffix("@head") {
            let label = String(t.dropLast(5))
            guard RevisionFile.isValidID(label) else { throw GraphError(.invalidBranchHeadTarget(t, label: label)) }
            self = .branchHead(label)
            return
        }
        if let signIndex = t.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let base = String(t[..<signIndex])
            let number = t[t.index(after: signIndex)...]
            guard let count = Int(number), count > 0 else {
                throw GraphError(.invalidRelativeTarget(t))
            }
            let steps = t[signIndex] == "+" ? count : -count
            if base.isEmpty {
                self = .relative(from: nil, steps: steps)
            } else {
                guard base == "head" || RevisionFile.isValidID(base.hasSuffix("@head") ? String(base.dropLast(5)) : base) else {
                    throw GraphError(.invalidRelativeBase(t, base: base))
                }
                self = .relative(from: base, steps: steps)
            }
            return
        }
        guard RevisionFile.isValidID(t) else {
            throw GraphError(.invalidTarget(t))
        }
        self = .revision(t)
    }

    public var description: String {
        switch self {
        case .head: return "head"
        case .heads: return "heads"
        case .base: return "base"
        case .revision(let id): return id
        case .branchHead(let label): return "\(label)@head"
        case .relative(let from, let steps): return (from ?? "") + (steps > 0 ? "+\(steps)" : "\(steps)")
        case .revisions(let ids): return ids.isEmpty ? "base" : ids.joined(separator: ",")
        }
    }
}

/// Where a walk along the graph ends: at a revision, or below a base (nothing of that line applied).
package enum WalkEnd: Equatable {
    case revision(String)
    case belowBase(String)
}

extension RevisionGraph {
    /// The one head of the graph.
    /// - Throws: `GraphError` listing the heads when there are several, or when the graph is empty.
    public func singleHead() throws -> String {
        guard heads.count == 1 else {
            throw GraphError(heads.isEmpty ? .noRevisions : .multipleHeads(heads))
        }
        return heads[0]
    }

    /// Resolves one revision: `head`, `LABEL@head`, an id, a prefix or a label.
    /// - Throws: `GraphError` when it names nothing or several revisions.
    public func resolveSingle(_ name: String) throws -> String {
        if name == "head" { return try singleHead() }
        if name.hasSuffix("@head") {
            let label = String(name.dropLast(5))
            guard let labeled = labels[label] else {
                throw GraphError(.unknownBranchLabel(label, labels: labels.keys.sorted()))
            }
            let branchHeads = heads(above: labeled)
            guard branchHeads.count == 1 else {
                throw GraphError(.multipleBranchHeads(label: label, heads: branchHeads))
            }
            return branchHeads[0]
        }
        return try resolve(name)
    }

    /// The single current head of an applied set, for a relative target.
    func currentHeadForWalk(_ applied: Set<String>, _ text: String) throws -> String? {
        let current = heads(ofApplied: applied)
        guard current.count <= 1 else {
            throw GraphError(.ambiguousCurrentHead(target: text, heads: current))
        }
        return current.first
    }

    /// Walks `steps` along the graph from `start` (nil: below every base).
    package func walk(from start: String?, steps: Int, text: String) throws -> WalkEnd {
        var current: WalkEnd = start.map { .revision($0) } ?? .belowBase("")
        for taken in 0..<abs(steps) {
            if steps > 0 {
                let candidates: [String]
                switch current {
                case .belowBase(let root): candidates = root.isEmpty ? bases : [root]
                case .revision(let id): candidates = children[id] ?? []
                }
                if candidates.isEmpty {
                    throw GraphError(.pastHead(target: text, possible: taken))
                }
                if candidates.count > 1 {
                    throw GraphError(.ambiguousBranch(target: text, children: candidates))
                }
                current = .revision(candidates[0])
            } else {
                guard case .revision(let id) = current else {
                    throw GraphError(.belowBase(target: text, possible: taken))
                }
                let parents = self[id]?.downRevisions ?? []
                if parents.count > 1 {
                    throw GraphError(.ambiguousMerge(target: text, revision: id, parents: parents))
                }
                current = parents.isEmpty ? .belowBase(id) : .revision(parents[0])
            }
        }
        if case .belowBase(let root) = current, root.isEmpty {
            throw GraphError(.namesNoRevision(target: text))
        }
        return current
    }

    /// Resolves a relative target to where it ends.
    func resolveRelative(from: String?, steps: Int, applied: Set<String>, text: String) throws -> WalkEnd {
        let start = try from.map { try resolveSingle($0) } ?? currentHeadForWalk(applied, text)
        if start == nil && steps < 0 {
            throw GraphError(.nothingApplied(target: text))
        }
        return try walk(from: start, steps: steps, text: text)
    }

    /// The revisions an upgrade to `target` applies, parents and dependencies first.
    /// - Throws: `GraphError` for a target that names nothing, is ambiguous, or lies below the current state.
    public func upgradeSteps(applied: Set<String>, to target: Target) throws -> [String] {
        let tips: [String]
        switch target {
        case .head: tips = [try singleHead()]
        case .heads: tips = heads
        case .base: tips = []
        case .revision(let name): tips = [try resolve(name)]
        case .branchHead(let label): tips = [try resolveSingle("\(label)@head")]
        case .revisions(let ids): tips = try ids.map { try resolve($0) }
        case .relative(let from, let steps):
            switch try resolveRelative(from: from, steps: steps, applied: applied, text: target.description) {
            case .revision(let id):
                if steps < 0 && from == nil {
                    throw GraphError(.upgradeBelowCurrentHead(target: target.description))
                }
                tips = [id]
            case .belowBase:
                throw GraphError(.upgradeBelowBase(target: target.description))
            }
        }
        let needed = ancestry(of: tips).subtracting(applied)
        return order.filter { needed.contains($0) }
    }

    /// The revisions a downgrade to `target` removes, children and dependents first.
    /// - Throws: `GraphError` for a target that names nothing, is ambiguous, or is not applied.
    public func downgradeSteps(applied: Set<String>, to target: Target) throws -> [String] {
        let remove: Set<String>
        func keeping(_ id: String) throws -> Set<String> {
            guard applied.contains(id) else {
                throw GraphError(.notApplied(id), revision: id)
            }
            // What stands above `id` on its lines: its children and everything above them.
            // Revisions that merely depend on `id` stay, as in Alembic.
            return descendants(of: children[id] ?? [])
        }
        switch target {
        case .base: remove = Set(applied.filter { revisions[$0] != nil })
        case .heads: remove = []
        case .head: remove = try keeping(singleHead())
        case .revision(let name): remove = try keeping(resolve(name))
        case .branchHead(let label): remove = try keeping(resolveSingle("\(label)@head"))
        case .revisions(let ids):
            let keep = ancestry(of: try ids.map { try resolve($0) })
            remove = Set(applied.filter { revisions[$0] != nil && !keep.contains($0) })
        case .relative(let from, let steps):
            if from == nil && steps > 0 {
                throw GraphError(.downgradeAboveCurrentHead(target: target.description))
            }
            switch try resolveRelative(from: from, steps: steps, applied: applied, text: target.description) {
            case .revision(let id): remove = try keeping(id)
            case .belowBase(let root): remove = descendants(of: [root])
            }
        }
        let applicable = remove.intersection(applied)
        return order.reversed().filter { applicable.contains($0) }
    }

    /// The applied set after a stamp to `target`: its ancestry when it is not applied, the state
    /// below it when it is (so stamping back removes what stands above, as a downgrade would).
    /// - Throws: `GraphError` as the upgrade and downgrade resolutions do.
    public func stampedState(applied: Set<String>, to target: Target, purge: Bool) throws -> Set<String> {
        let start = purge ? [] : applied
        if case .base = target { return [] }
        let up = try upgradeStepsAllowingBelow(applied: start, to: target)
        if !up.isEmpty { return start.union(up) }
        if purge { return start }
        return start.subtracting(try downgradeSteps(applied: start, to: target))
    }

    func upgradeStepsAllowingBelow(applied: Set<String>, to target: Target) throws -> [String] {
        if case .relative(_, let steps) = target, steps < 0 { return [] }
        return try upgradeSteps(applied: applied, to: target)
    }
}
