import Foundation
import GodwitCore

/// The range of `history -r A:B` (SPEC §5): descendants of A up to B, newest first. Either end may
/// be empty (`base`, `heads`), `current` (the environment's heads), a revision, `head`,
/// `LABEL@head`, or relative: `-N` counts down from B when B is one revision, else from the
/// head; `+N` counts up from base; `REV-N` and `REV+N` count from REV.
public struct HistoryRange: Sendable, Equatable {
    /// One end of the range.
    public enum End: Sendable, Equatable {
        /// No limit on this side.
        case open
        /// The environment's current heads.
        case current
        /// A target as `upgrade` reads it.
        case target(Target)
    }

    /// The older end, A.
    public var lower: End
    /// The newer end, B.
    public var upper: End

    /// Parses `A:B`.
    /// - Throws: `ContextualError` (usage) without a colon; `GraphError` for a malformed end.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw ContextualError(.usage, "-r takes a range 'A:B', e.g. 'base:head' or 'abc:'")
        }
        lower = try Self.end(String(text[..<colon]), open: "base")
        upper = try Self.end(String(text[text.index(after: colon)...]), open: "heads")
    }

    static func end(_ text: String, open: String) throws -> End {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == open { return .open }
        if trimmed == "current" { return .current }
        return .target(try Target(parsing: trimmed))
    }

    /// True when an end is `current`, which needs the environment's state.
    public var needsCurrentHeads: Bool { lower == .current || upper == .current }

    /// The revisions in the range, newest first.
    /// - Throws: `GraphError` (exit 2) for an end that names nothing or is ambiguous, a walk that
    ///   leaves the graph, or ends that are not on one line of descent.
    public func revisions(in graph: RevisionGraph, currentHeads: [String] = []) throws -> [String] {
        let upperIDs = try ids(of: upper, in: graph, currentHeads: currentHeads, anchor: nil, isUpper: true)
        let lowerIDs = try ids(of: lower, in: graph, currentHeads: currentHeads, anchor: upperIDs?.count == 1 ? upperIDs?.first : nil, isUpper: false)
        var ids = Array(graph.order.reversed())
        if let lowerIDs {
            let below = graph.descendants(of: lowerIDs)
            ids = ids.filter { below.contains($0) }
        }
        if let upperIDs {
            let above = graph.ancestry(of: upperIDs)
            ids = ids.filter { above.contains($0) }
            if let from = lowerIDs?.first(where: { !above.contains($0) }), let to = upperIDs.first {
                throw GraphError(.rangeNotOnOneLine(from: from, to: to), revision: from)
            }
        }
        return ids
    }

    /// The revisions an end stands for; nil for an open end.
    func ids(of end: End, in graph: RevisionGraph, currentHeads: [String], anchor: String?, isUpper: Bool) throws -> [String]? {
        switch end {
        case .open: return nil
        case .current: return currentHeads.isEmpty ? (isUpper ? [] : nil) : currentHeads
        case .target(let target):
            switch target {
            case .base: return isUpper ? [] : nil
            case .heads: return isUpper ? nil : graph.heads
            case .head: return [try graph.singleHead()]
            case .revision(let name): return [try graph.resolveSingle(name)]
            case .branchHead(let label): return [try graph.resolveSingle("\(label)@head")]
            case .revisions(let names): return try names.map { try graph.resolveSingle($0) }
            case .relative(let from, let steps):
                let start = try from.map { try graph.resolveSingle($0) } ?? (steps < 0 ? (anchor ?? graph.singleHead()) : nil)
                return [try Self.walk(graph, from: start, steps: steps, text: target.description)]
            }
        }
    }

    /// Follows the only parent (`steps` < 0) or the only child (> 0) `steps` times, from base when
    /// `start` is nil: the graph's own walk of relative targets, which must end on a revision.
    static func walk(_ graph: RevisionGraph, from start: String?, steps: Int, text: String) throws -> String {
        guard case .revision(let id) = try graph.walk(from: start, steps: steps, text: text) else {
            throw GraphError(.namesNoRevision(target: text))
        }
        return id
    }
}
