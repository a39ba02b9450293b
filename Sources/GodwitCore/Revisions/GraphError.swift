/// An error in the revision graph or in resolving a target against it: a `code` that carries the
/// data, the file and line when the problem is in a file, and the revision it is about.
public struct GraphError: GodwitError, Hashable {
    /// What went wrong, with its data; `message` renders it.
    public enum Code: Sendable, Hashable {
        // Building the graph.
        /// A revision id defined by two files; `otherPath` is the first one.
        case duplicateRevision(String, otherPath: String)
        /// A `down_revision` naming no revision of the project.
        case unknownDownRevision(String, of: String)
        /// A `depends_on` naming no revision of the project.
        case unknownDependency(String, of: String)
        /// A branch label already carried by `owner`.
        case branchLabelTaken(String, owner: String)
        /// A branch label that is also a revision id.
        case branchLabelIsRevision(String)
        /// A branch label that is not `[A-Za-z0-9_]+`.
        case invalidBranchLabel(String)
        /// Revisions that descend from themselves, as the walk found them (the first id repeated last).
        case cycle([String])
        /// The versions folder (relative to the project root) does not exist.
        case missingVersionsFolder(String)

        // Names and targets.
        /// A name that is no id, id prefix or branch label.
        case unknownRevision(String)
        /// A name that is a prefix of several ids (sorted).
        case ambiguousPrefix(String, matches: [String])
        /// An empty target.
        case emptyTarget
        /// `LABEL@head` whose label is not a valid label.
        case invalidBranchHeadTarget(String, label: String)
        /// A relative target whose count is not a positive integer.
        case invalidRelativeTarget(String)
        /// `REV+N` or `REV-N` whose `REV` is not a valid name.
        case invalidRelativeBase(String, base: String)
        /// A target that is none of the forms a target may take.
        case invalidTarget(String)
        /// `head` asked of a graph without revisions.
        case noRevisions
        /// `head` asked of a graph with several heads.
        case multipleHeads([String])
        /// `LABEL@head` with an unknown label; `labels` are the known ones, sorted.
        case unknownBranchLabel(String, labels: [String])
        /// `LABEL@head` where the labelled branch has several heads.
        case multipleBranchHeads(label: String, heads: [String])
        /// A relative target from the current head when the environment has several heads.
        case ambiguousCurrentHead(target: String, heads: [String])
        /// A relative target that goes past the head after `possible` steps.
        case pastHead(target: String, possible: Int)
        /// A relative target that meets a branch point with these children.
        case ambiguousBranch(target: String, children: [String])
        /// A relative target that goes below base after `possible` steps.
        case belowBase(target: String, possible: Int)
        /// A relative target going down through the merge `revision` of `parents`.
        case ambiguousMerge(target: String, revision: String, parents: [String])
        /// A relative target that ends below every base.
        case namesNoRevision(target: String)
        /// A downward relative target when nothing is applied.
        case nothingApplied(target: String)
        /// An upgrade to a target below the current head.
        case upgradeBelowCurrentHead(target: String)
        /// An upgrade to a target below base.
        case upgradeBelowBase(target: String)
        /// A downgrade to a target above the current head.
        case downgradeAboveCurrentHead(target: String)
        /// A downgrade to a revision that is not applied.
        case notApplied(String)

        // The graph against an environment or a new revision.
        /// An environment with applied revisions that have no file in the versions folder.
        case appliedWithoutFile(environment: String, versionsPath: String, revisions: [String])
        /// An applied revision without a file, so the environment's expected schema cannot be replayed.
        case unreplayable(environment: String, versionsPath: String, revision: String)
        /// A new revision on a graph with several heads and no `--head`.
        case multipleHeadsForNewRevision([String])
        /// `revision --head REV` where REV is not a head (it has `children`) and `--splice` was not given.
        case headIsNotAHead(String, children: [String])
        /// A merge of the graph's only head.
        case nothingToMerge(head: String)
        /// A merge naming fewer than two different revisions.
        case mergeNeedsTwoRevisions
        /// A `history -r A:B` whose ends are not on one line of descent.
        case rangeNotOnOneLine(from: String, to: String)
    }

    /// What went wrong.
    public var code: Code
    /// The file and line the problem is at, when it is in a file.
    public var location: SourceLocation?
    /// The revision the problem is about.
    public var revision: String?
    public var exitCode: ExitStatus { .usage }

    /// Creates an error.
    public init(_ code: Code, location: SourceLocation? = nil, revision: String? = nil) {
        self.code = code
        self.location = location
        self.revision = revision
    }

    /// What is wrong and what to do, rendered from `code`.
    public var message: String {
        func steps(_ count: Int) -> String { "\(count) step\(count == 1 ? "" : "s")" }
        func quotedPath(_ ids: [String]) -> String { ids.map { "'\($0)'" }.joined(separator: " -> ") }
        switch code {
        case .duplicateRevision(let id, let otherPath):
            return "revision '\(id)' is defined twice, here and in \(otherPath)"
        case .unknownDownRevision(let parent, let id):
            return "down_revision '\(parent)' of revision '\(id)' is not a revision of this project"
        case .unknownDependency(let dependency, let id):
            return "depends_on '\(dependency)' of revision '\(id)' is not a revision of this project"
        case .branchLabelTaken(let label, let owner):
            return "branch label '\(label)' is already used by revision '\(owner)'"
        case .branchLabelIsRevision(let label):
            return "branch label '\(label)' is also a revision id; choose another label"
        case .invalidBranchLabel(let label):
            return "branch label '\(label)' may only hold letters, digits and '_'"
        case .cycle(let ids):
            return "the revisions form a cycle: \(quotedPath(ids)); a revision cannot descend from itself"
        case .missingVersionsFolder(let folder):
            return "the versions folder '\(folder)' does not exist; create it or set 'versions:' in environments/environments.yaml"
        case .unknownRevision(let name):
            return "no revision '\(name)': no id starts with it and no branch label has that name; 'godwit history' lists them"
        case .ambiguousPrefix(let name, let matches):
            return "'\(name)' is ambiguous: it is a prefix of \(matches.count) revisions (\(matches.joined(separator: ", "))); give more characters"
        case .emptyTarget:
            return "an empty target; give 'head', 'heads', 'base', a revision, 'LABEL@head', '+N' or '-N'"
        case .invalidBranchHeadTarget(let target, let label):
            return "'\(target)' is not a valid target: '\(label)' is not a branch label"
        case .invalidRelativeTarget(let target):
            return "'\(target)' is not a valid relative target; write '+N', '-N', 'REV+N' or 'REV-N' with N ≥ 1"
        case .invalidRelativeBase(let target, let base):
            return "'\(target)' is not a valid target: '\(base)' is not a revision"
        case .invalidTarget(let target):
            return "'\(target)' is not a valid target; give 'head', 'heads', 'base', a revision, 'LABEL@head', '+N' or '-N'"
        case .noRevisions:
            return "there are no revisions yet; create one with 'godwit revision -m MESSAGE'"
        case .multipleHeads(let heads):
            return "the graph has \(heads.count) heads (\(heads.joined(separator: ", "))); name one, use 'heads' for all of them or 'LABEL@head', or join them with 'godwit merge -m MESSAGE heads'"
        case .unknownBranchLabel(let label, let labels):
            return "no branch label '\(label)'\(labels.isEmpty ? "" : "; labels are \(labels.joined(separator: ", "))")"
        case .multipleBranchHeads(let label, let heads):
            return "branch '\(label)' has \(heads.count) heads (\(heads.joined(separator: ", "))); name one of them"
        case .ambiguousCurrentHead(let target, let heads):
            return "'\(target)' is ambiguous: the environment has \(heads.count) heads (\(heads.joined(separator: ", "))); write 'REV\(target)' with one of them"
        case .pastHead(let target, let possible):
            return "'\(target)' goes past the head: only \(steps(possible)) up are possible"
        case .ambiguousBranch(let target, let children):
            return "'\(target)' is ambiguous: the graph branches into \(children.joined(separator: ", ")); name the revision or write 'REV+N' from one of them"
        case .belowBase(let target, let possible):
            return "'\(target)' goes below base: only \(steps(possible)) down are possible"
        case .ambiguousMerge(let target, let revision, let parents):
            return "'\(target)' is ambiguous: '\(revision)' is a merge of \(parents.joined(separator: ", ")); name the revision or write 'REV-N' from one of them"
        case .namesNoRevision(let target):
            return "'\(target)' names no revision"
        case .nothingApplied(let target):
            return "'\(target)' goes below base: nothing is applied"
        case .upgradeBelowCurrentHead(let target):
            return "'\(target)' lies below the current head; use 'godwit downgrade \(target)'"
        case .upgradeBelowBase(let target):
            return "'\(target)' lies below base; use 'godwit downgrade \(target)'"
        case .downgradeAboveCurrentHead(let target):
            return "'\(target)' lies above the current head; use 'godwit upgrade \(target)'"
        case .notApplied(let id):
            return "revision '\(id)' is not applied, so there is nothing to go back to; 'godwit current' shows what is"
        case .appliedWithoutFile(let environment, let versionsPath, let revisions):
            return "environment '\(environment)' has revisions applied that are not in \(versionsPath)/: \(revisions.joined(separator: ", ")); restore their files (e.g. check out the branch that has them) or adopt the state with 'godwit stamp --purge'"
        case .unreplayable(let environment, let versionsPath, let revision):
            return "environment '\(environment)' has revision '\(revision)' applied, which has no file in \(versionsPath)/; its expected schema cannot be replayed"
        case .multipleHeadsForNewRevision(let heads):
            return "the graph has \(heads.count) heads (\(heads.joined(separator: ", "))); pass --head with the one to build on, or join them first with 'godwit merge -m MESSAGE heads'"
        case .headIsNotAHead(let id, let children):
            return "revision '\(id)' is not a head (\(children.map { "'\($0)'" }.joined(separator: ", ")) \(children.count == 1 ? "builds" : "build") on it); a new revision there starts a second head: pass --splice to mean it, or build on a head"
        case .nothingToMerge(let head):
            return "the graph has only one head ('\(head)'); there is nothing to merge"
        case .mergeNeedsTwoRevisions:
            return "a merge needs at least two different revisions"
        case .rangeNotOnOneLine(let from, let to):
            return "'\(from)' and '\(to)' are not on one line of descent: '\(to)' does not descend from '\(from)'; 'godwit history' shows the graph"
        }
    }
}
