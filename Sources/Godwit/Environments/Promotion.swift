import Foundation
import GodwitCore

/// `promote [FROM] TO`: what brings TO to exactly FROM's heads, refused when the two have diverged
/// or FROM's revisions are not what their files say. The gate every change passes is `PromotionGate`.
public struct Promotion: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// Creates a promotion.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var project: Project { workspace.project }

    /// `promote [FROM] TO`: the request that brings TO to exactly FROM's heads.
    /// - Throws: `ConfigurationError` when FROM is not given and TO has no predecessor; `PlanRefusal`
    ///   (exit 5) when TO has revisions FROM lacks, or a revision's checksum recorded in FROM
    ///   differs from its file; `DatabaseError` when FROM cannot be read.
    public func request(from source: String?, to targetName: String) throws -> (from: Environment, to: Environment, target: Target) {
        let target = try project.environment(targetName)
        guard let sourceName = source ?? project.predecessor(of: target.name) else {
            throw ConfigurationError(.noPredecessor(environment: target.name), environment: target.name)
        }
        let from = try project.environment(sourceName)
        guard from.name != target.name else {
            throw ConfigurationError(.promotionToItself(environment: target.name), environment: target.name)
        }
        let graph = try workspace.graph()
        let fromRows = try workspace.readState(of: from)
        let toRows = try workspace.readState(of: target)
        if let failed = fromRows.first(where: \.isFailed) {
            throw PlanRefusal.failedInSource(revision: failed.revision, source: from.name)
        }
        let edited = StateReport(graph: graph, rows: fromRows).checksumMismatches
        if let id = edited.first {
            throw PlanRefusal.editedInSource(revision: id, source: from.name, target: target.name, file: graph.revisions[id]?.path)
        }
        let fromApplied = Set(fromRows.map(\.revision))
        let extra = toRows.map(\.revision).filter { !fromApplied.contains($0) }
        if !extra.isEmpty {
            throw PlanRefusal.diverged(extra: extra, source: from.name, target: target.name)
        }
        let heads = graph.heads(ofApplied: fromApplied)
        return (from, target, .revisions(heads))
    }
}
