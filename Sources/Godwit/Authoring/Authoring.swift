import Foundation
import GodwitCore

/// Writes new revision files: `revision` and `merge`.
public struct Authoring {
    /// The project.
    public let project: Project
    /// The graph the new file joins.
    public let graph: RevisionGraph

    /// Creates an author for a project and its graph.
    public init(project: Project, graph: RevisionGraph) {
        self.project = project
        self.graph = graph
    }

    /// A new random 12-character lowercase hex id that no revision has.
    public func newID() -> String {
        while true {
            let id = Self.randomID()
            if graph.revisions[id] == nil && !graph.order.contains(where: { $0.hasPrefix(id) }) { return id }
        }
    }

    /// A random 12-character lowercase hex id, from the system's random number generator.
    public static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<12).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined()
    }

    /// Writes a new revision whose parent is the current head, or `head` (`base` for a new root),
    /// with the given SQL in its sections. A `head` that is not a head of the graph needs `splice`.
    /// - Throws: `ConfigurationError` when the message or a label holds a control character;
    ///   `GraphError` when there are several heads and no `head`, `head` is not a head and `splice`
    ///   is false, or a name resolves to nothing; `OperationError.cannotWrite` when the file cannot be written.
    public func newRevision(
        message: String, head: String?, splice: Bool = false, branchLabels: [String], dependsOn: [String],
        upgrade: String = "", downgrade: String = ""
    ) throws -> (id: String, path: String) {
        try Self.checkHeaderText(message: message, branchLabels: branchLabels)
        let parents = try parents(head: head, splice: splice)
        for label in branchLabels {
            guard RevisionFile.isValidID(label) else { throw GraphError(.invalidBranchLabel(label)) }
            if let owner = graph.labels[label] { throw GraphError(.branchLabelTaken(label, owner: owner)) }
        }
        let dependencies = try dependsOn.map { try graph.resolveSingle($0) }
        return try write(
            parents: parents, message: message, branchLabels: branchLabels, dependsOn: dependencies, upgrade: upgrade, downgrade: downgrade)
    }

    /// Writes a merge revision joining `names` (every head when empty or `heads`).
    /// - Throws: `ConfigurationError` when the message holds a control character; `GraphError` when
    ///   fewer than two distinct revisions are named.
    public func merge(message: String, names: [String]) throws -> (id: String, path: String) {
        try Self.checkHeaderText(message: message, branchLabels: [])
        let parents: [String]
        if names.isEmpty || names == ["heads"] {
            parents = graph.heads
        } else {
            parents = try names.map { try graph.resolveSingle($0) }
        }
        let unique = parents.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard unique.count >= 2 else {
            throw GraphError(unique.count == 1 && names.isEmpty ? .nothingToMerge(head: unique[0]) : .mergeNeedsTwoRevisions)
        }
        return try write(parents: unique, message: message, branchLabels: [], dependsOn: [])
    }

    /// Refuses a message or branch label with a control character (a CR, a tab, an escape): the
    /// header it would write is one that every later command refuses, so nothing is written.
    /// - Throws: `ConfigurationError.Code.controlCharacterInOption` naming the option.
    public static func checkHeaderText(message: String, branchLabels: [String]) throws {
        for (option, text) in [("--message", message)] + branchLabels.map({ ("--branch-label", $0) }) {
            if let scalar = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                throw ConfigurationError(.controlCharacterInOption(option: option, scalar: scalar.value))
            }
        }
    }

    func write(
        parents: [String], message: String, branchLabels: [String], dependsOn: [String], upgrade: String = "", downgrade: String = ""
    ) throws -> (id: String, path: String) {
        let id = newID()
        let name = RevisionFile.fileName(id: id, message: message)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let text = RevisionFile.render(
            id: id, downRevisions: parents, message: message, createDate: formatter.string(from: Date()),
            branchLabels: branchLabels, dependsOn: dependsOn, upgrade: upgrade, downgrade: downgrade)
        try? FileManager.default.createDirectory(at: project.versionsDirectory, withIntermediateDirectories: true)
        let url = project.versionsDirectory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8)) else {
            throw OperationError.cannotWrite(path: url.path)
        }
        return (id, RevisionGraph.relativePath(of: url, to: project.root))
    }
}
