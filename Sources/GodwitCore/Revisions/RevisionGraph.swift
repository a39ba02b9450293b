import Foundation

/// The revisions of a project as a graph with Alembic's semantics: parents (`down_revision`),
/// dependencies (`depends_on`), heads, bases, branch points, merges and branch labels.
///
/// The graph is validated when it is built, and every order it gives is deterministic:
/// `order` is a topological order (parents and dependencies first) that visits the heads
/// by id and each revision's parents in the order its header lists them, one branch at a time.
public struct RevisionGraph: Sendable {
    /// Every revision by id.
    public let revisions: [String: Revision]
    /// Every id, parents and dependencies before children.
    public let order: [String]
    /// The revisions that are not the parent of any revision, in `order`.
    public let heads: [String]
    /// The revisions without parents, in `order`.
    public let bases: [String]
    /// Children by parent (through `down_revision` only).
    public let children: [String: [String]]
    /// Revisions that name a revision in `depends_on`, by the revision they depend on.
    public let dependents: [String: [String]]
    /// The revision that carries each branch label.
    public let labels: [String: String]
    let position: [String: Int]

    /// Builds and validates a graph.
    /// - Throws: `GraphError` for a duplicate id, an unknown `down_revision` or `depends_on`, a cycle,
    ///   or a branch label used twice; the error names the file and line.
    public init(_ revisions: [Revision]) throws {
        var byID: [String: Revision] = [:]
        byID.reserveCapacity(revisions.count)
        for revision in revisions {
            if let other = byID[revision.id] {
                throw GraphError(
                    .duplicateRevision(revision.id, otherPath: other.path),
                    location: SourceLocation(file: revision.path, line: revision.headerLines["revision"]),
                    revision: revision.id)
            }
            byID[revision.id] = revision
        }
        var children: [String: [String]] = [:]
        var dependents: [String: [String]] = [:]
        var labels: [String: String] = [:]
        for revision in revisions {
            for parent in revision.downRevisions {
                guard byID[parent] != nil else {
                    throw GraphError(
                        .unknownDownRevision(parent, of: revision.id),
                        location: SourceLocation(file: revision.path, line: revision.headerLines["down_revision"]),
                        revision: revision.id)
                }
                children[parent, default: []].append(revision.id)
            }
            for dependency in revision.dependsOn {
                guard byID[dependency] != nil else {
                    throw GraphError(
                        .unknownDependency(dependency, of: revision.id),
                        location: SourceLocation(file: revision.path, line: revision.headerLines["depends_on"]),
                        revision: revision.id)
                }
                dependents[dependency, default: []].append(revision.id)
            }
            for label in revision.branchLabels {
                if let other = labels[label] {
                    throw GraphError(
                        .branchLabelTaken(label, owner: other),
                        location: SourceLocation(file: revision.path, line: revision.headerLines["branch_labels"]),
                        revision: revision.id)
                }
                if byID[label] != nil && label != revision.id {
                    throw GraphError(
                        .branchLabelIsRevision(label),
                        location: SourceLocation(file: revision.path, line: revision.headerLines["branch_labels"]),
                        revision: revision.id)
                }
                labels[label] = revision.id
            }
        }
        children = children.mapValues { $0.sorted() }
        dependents = dependents.mapValues { $0.sorted() }

        let sortedIDs = byID.keys.sorted()
        let headSet = sortedIDs.filter { children[$0] == nil }
        let order = try Self.topologicalOrder(starts: headSet + sortedIDs, revisions: byID)
        var position: [String: Int] = [:]
        position.reserveCapacity(order.count)
        for (index, id) in order.enumerated() { position[id] = index }

        self.revisions = byID
        self.order = order
        self.position = position
        self.children = children
        self.dependents = dependents
        self.labels = labels
        self.heads = order.filter { children[$0] == nil }
        self.bases = order.filter { byID[$0]?.downRevisions.isEmpty ?? false }
    }

    /// Builds a graph from short lines, for tests and examples:
    /// `"d: c1 c2"` (parents), `"x: a deps=b,c labels=billing"`, `"a"` (a base).
    /// - Throws: `GraphError` as `init(_:)` does.
    public init(describing lines: [String]) throws {
        var revisions: [Revision] = []
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            var revision = Revision(id: parts[0], message: parts[0], path: "versions/\(parts[0])_test.sql")
            if parts.count > 1 {
                for token in parts[1].split(separator: " ") {
                    if token.hasPrefix("deps=") {
                        revision.dependsOn = token.dropFirst(5).split(separator: ",").map(String.init)
                    } else if token.hasPrefix("labels=") {
                        revision.branchLabels = token.dropFirst(7).split(separator: ",").map(String.init)
                    } else if token == "irreversible" {
                        revision.downgrade = nil
                    } else {
                        revision.downRevisions.append(String(token))
                    }
                }
            }
            revisions.append(revision)
        }
        try self.init(revisions)
    }

    /// Depth-first post-order over parents then dependencies: a deterministic topological order.
    static func topologicalOrder(starts: [String], revisions: [String: Revision]) throws -> [String] {
        var state: [String: UInt8] = [:]  // 1 visiting, 2 done
        state.reserveCapacity(revisions.count)
        var order: [String] = []
        order.reserveCapacity(revisions.count)
        // Each entry holds its revision: the ids on the stack are known to be in `revisions`.
        var stack: [(revision: Revision, edges: [String], next: Int)] = []
        for start in starts where state[start] == nil {
            // Every start and every edge names a revision: `init` checked them before this walk.
            guard let revision = revisions[start] else { continue }
            state[start] = 1
            stack.append((revision, revision.downRevisions + revision.dependsOn, 0))
            while let top = stack.indices.last {
                if stack[top].next < stack[top].edges.count {
                    let edge = stack[top].edges[stack[top].next]
                    stack[top].next += 1
                    switch state[edge] {
                    case nil:
                        guard let parent = revisions[edge] else { continue }
                        state[edge] = 1
                        stack.append((parent, parent.downRevisions + parent.dependsOn, 0))
                    case 1:
                        // `edge` is being visited, so it is on the stack: the cycle runs from there.
                        let ids = stack.map(\.revision.id)
                        let cycle = Array(ids[(ids.lastIndex(of: edge) ?? 0)...]) + [edge]
                        let revision = stack[top].revision
                        let key = stack[top].next - 1 < revision.downRevisions.count ? "down_revision" : "depends_on"
                        throw GraphError(
                            .cycle(cycle),
                            location: SourceLocation(file: revision.path, line: revision.headerLines[key]),
                            revision: revision.id)
                    default:
                        break
                    }
                } else {
                    let done = stack.removeLast()
                    state[done.revision.id] = 2
                    order.append(done.revision.id)
                }
            }
        }
        return order
    }

    /// Loads every `*.sql` file of `directory` as a revision and builds the graph. Dot-files
    /// (`.#x.sql`, an editor's lock link; `.x.sql`, a hidden copy) are not revisions, as in Alembic.
    /// - Parameters:
    ///   - directory: the versions folder.
    ///   - root: the project root, so that paths in messages are relative to it.
    /// - Throws: `RevisionFileError` for a bad file, `GraphError` for a bad graph.
    public static func load(directory: URL, root: URL) throws -> RevisionGraph {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let relativeFolder = relativePath(of: directory, to: root)
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GraphError(
                .missingVersionsFolder(relativeFolder),
                location: SourceLocation(file: "environments/environments.yaml"))
        }
        let folderPath = directory.path
        let names = try manager.contentsOfDirectory(atPath: folderPath).filter { $0.hasSuffix(".sql") && !$0.hasPrefix(".") }.sorted()
        @Sendable func load(_ name: String) throws -> Revision {
            let path = relativeFolder.isEmpty ? name : "\(relativeFolder)/\(name)"
            // Plain string paths: URL.appendingPathComponent cost more than parsing the file.
            let text = try RevisionFile.text(atPath: folderPath.hasSuffix("/") ? folderPath + name : folderPath + "/" + name, path: path)
            return try RevisionFile.parse(text, path: path)
        }
        // Read and parsed on every core (the kernel's side of reading a file costs about what
        // parsing it does); the first bad file in name order is the error, as one by one.
        let workers = names.count < 256 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 8)
        let results = LoadResults(paths: names.map { relativeFolder.isEmpty ? $0 : "\(relativeFolder)/\($0)" })
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: names.count, by: workers) {
                results.set(index, Result { try load(names[index]) })
            }
        }
        let revisions = try results.values.map { try $0.get() }
        return try RevisionGraph(revisions)
    }

    /// What the workers of `load` read, each slot written by one of them.
    final class LoadResults: @unchecked Sendable {
        private var slots: [Result<Revision, any Error>]
        private let lock = NSLock()

        /// Every slot starts as "cannot read" its file, so that none is ever empty.
        init(paths: [String]) { slots = paths.map { .failure(RevisionFileError(.unreadable, file: $0, line: nil)) } }

        func set(_ index: Int, _ result: Result<Revision, any Error>) {
            lock.lock()
            slots[index] = result
            lock.unlock()
        }

        var values: [Result<Revision, any Error>] { slots }
    }

    /// `url`'s path relative to `root` when inside it, else the absolute path.
    public static func relativePath(of url: URL, to root: URL) -> String {
        let path = url.standardizedFileURL.path
        let base = root.standardizedFileURL.path
        if path == base { return "" }
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    // MARK: - Looking things up

    /// The revision with `id`, or nil when the graph has no such revision.
    public subscript(id: String) -> Revision? { revisions[id] }

    /// The revisions with `ids`, in that order; ids the graph does not have are left out.
    public func revisions(_ ids: some Sequence<String>) -> [Revision] {
        ids.compactMap { revisions[$0] }
    }

    /// The parents and dependencies of `id`; none for an id the graph does not have.
    public func requirements(of id: String) -> [String] {
        guard let revision = revisions[id] else { return [] }
        return revision.downRevisions + revision.dependsOn
    }

    /// The children and dependents of `id`.
    public func successors(of id: String) -> [String] {
        (children[id] ?? []) + (dependents[id] ?? [])
    }

    /// True when more than one revision names `id` as its parent.
    public func isBranchPoint(_ id: String) -> Bool { (children[id]?.count ?? 0) > 1 }

    /// The revisions with several children, in `order`.
    public var branchPoints: [String] { order.filter { isBranchPoint($0) } }

    /// Sorts ids by their place in `order`.
    public func sorted(_ ids: some Sequence<String>) -> [String] {
        ids.sorted { (position[$0] ?? Int.max, $0) < (position[$1] ?? Int.max, $1) }
    }

    /// Resolves a full id, a unique prefix of one, or a branch label to a revision id.
    /// - Throws: `GraphError` when nothing matches, or when a prefix matches several ids (all listed).
    public func resolve(_ name: String) throws -> String {
        if revisions[name] != nil { return name }
        if let labeled = labels[name] { return labeled }
        let matches = order.filter { $0.hasPrefix(name) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            throw GraphError(.unknownRevision(name), revision: name)
        }
        throw GraphError(.ambiguousPrefix(name, matches: matches.sorted()), revision: name)
    }

    /// Every ancestor and dependency of `ids`, transitively, including `ids`.
    public func ancestry(of ids: some Sequence<String>) -> Set<String> {
        closure(of: ids) { requirements(of: $0) }
    }

    /// Every descendant and dependent of `ids`, transitively, including `ids`.
    public func descendants(of ids: some Sequence<String>) -> Set<String> {
        closure(of: ids) { successors(of: $0) }
    }

    func closure(of ids: some Sequence<String>, next: (String) -> [String]) -> Set<String> {
        var seen = Set<String>()
        var stack = Array(ids)
        while let id = stack.popLast() {
            if seen.insert(id).inserted { stack.append(contentsOf: next(id)) }
        }
        return seen
    }

    /// The heads of an applied set: applied revisions none of whose children or dependents is applied.
    public func heads(ofApplied applied: Set<String>) -> [String] {
        sorted(applied.filter { id in
            revisions[id] != nil && !successors(of: id).contains { applied.contains($0) }
        })
    }

    /// The graph heads at or above `id`: the heads of the branch that `id` starts.
    public func heads(above id: String) -> [String] {
        let below = closure(of: [id]) { children[$0] ?? [] }
        return heads.filter { below.contains($0) }
    }
}
