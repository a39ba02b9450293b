import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Heads: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "heads", abstract: "Show the heads of the revision graph.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            let revisions = graph.revisions(graph.heads)
            if console.isJSON { return console.json(.array(revisions.map(summary))) }
            if revisions.isEmpty { console.out("no revisions yet") }
            for revision in revisions { console.out(line(revision, graph: graph, console: console)) }
        }
    }

    struct Branches: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "branches", abstract: "Show the branch points of the revision graph.")
        @OptionGroup var global: GlobalOptions

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            let revisions = graph.revisions(graph.branchPoints)
            if console.isJSON { return console.json(.array(revisions.map(summary))) }
            if revisions.isEmpty { console.out("no branch points") }
            for revision in revisions {
                console.out(line(revision, graph: graph, console: console))
                for child in graph.revisions(graph.children[revision.id] ?? []) {
                    console.out("    -> \(child.id) \(child.message)")
                }
            }
        }
    }

    struct History: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the revision graph, newest first, with branch points and merges marked.")
        @OptionGroup var global: GlobalOptions
        @Option(name: [.customShort("r"), .long], help: "A range A:B (either side may be empty): descendants of A up to B.")
        var rev: String?

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            var ids = Array(graph.order.reversed())
            if let rev {
                guard let colon = rev.firstIndex(of: ":") else {
                    throw ValidationError("-r takes a range 'A:B', e.g. 'base:head' or 'abc:'")
                }
                let lower = String(rev[..<colon]), upper = String(rev[rev.index(after: colon)...])
                if !lower.isEmpty && lower != "base" {
                    let below = graph.descendants(of: [try graph.resolveSingle(lower)])
                    ids = ids.filter { below.contains($0) }
                }
                if !upper.isEmpty && upper != "heads" {
                    let above = graph.ancestry(of: [try graph.resolveSingle(upper)])
                    ids = ids.filter { above.contains($0) }
                }
            }
            if console.isJSON {
                return console.json(.array(graph.revisions(ids).map { revision in
                    let id = revision.id
                    return .object([
                        "revision": .string(id), "down_revisions": .strings(revision.downRevisions),
                        "message": .string(revision.message), "create_date": .optional(revision.createDate),
                        "is_head": .bool(graph.children[id] == nil), "is_base": .bool(revision.isBase),
                        "is_merge": .bool(revision.isMerge), "is_branch_point": .bool(graph.isBranchPoint(id)),
                    ])
                }))
            }
            if ids.isEmpty { console.out("no revisions yet") }
            // One write for the whole history, not one per line.
            var lines: [String] = []
            lines.reserveCapacity(ids.count)
            for revision in graph.revisions(ids) {
                lines.append(line(revision, graph: graph, console: console))
                if global.verbose {
                    lines.append("    path: \(revision.path)")
                    if let date = revision.createDate { lines.append("    created: \(date)") }
                    if !revision.dependsOn.isEmpty { lines.append("    depends on: \(revision.dependsOn.joined(separator: ", "))") }
                    if !revision.isTransactional { lines.append("    transactional: false") }
                    if !revision.isReversible { lines.append("    irreversible (no downgrade section)") }
                }
            }
            if !lines.isEmpty { console.out(lines.joined(separator: "\n")) }
        }
    }

    struct Show: ProjectCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one revision: header, checksum and SQL.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A revision id, unique prefix, branch label, 'head' or 'LABEL@head'.") var revision: String

        func run(in workspace: Workspace, console: Console) throws {
            let graph = try workspace.graph()
            guard let r = graph[try graph.resolveSingle(revision)] else { return }
            if console.isJSON {
                guard case .object(var members) = summary(r) else { return }
                let extra: [String: JSONValue] = [
                    "down_revisions": .strings(r.downRevisions), "create_date": .optional(r.createDate),
                    "is_head": .bool(graph.children[r.id] == nil), "is_base": .bool(r.isBase), "is_merge": .bool(r.isMerge),
                    "is_branch_point": .bool(graph.isBranchPoint(r.id)), "path": .string(r.path),
                    "checksum": .string(r.checksum), "transactional": .bool(r.isTransactional),
                    "upgrade_sql": .string(r.upgrade.sql), "downgrade_sql": .optional(r.downgrade?.sql),
                    "depends_on": .strings(r.dependsOn),
                ]
                members.merge(extra) { $1 }
                return console.json(.object(members))
            }
            console.out(console.bold("Rev: \(r.id)") + flags(r, graph: graph))
            console.out("Parent: \(r.downRevisions.isEmpty ? "<base>" : r.downRevisions.joined(separator: ", "))")
            if let children = graph.children[r.id] { console.out("Children: \(children.joined(separator: ", "))") }
            if !r.dependsOn.isEmpty { console.out("Depends on: \(r.dependsOn.joined(separator: ", "))") }
            if !r.branchLabels.isEmpty { console.out("Branch labels: \(r.branchLabels.joined(separator: ", "))") }
            console.out("Path: \(r.path)")
            console.out("Checksum: \(r.checksum)")
            console.out("Transactional: \(r.isTransactional)")
            if let date = r.createDate { console.out("Created: \(date)") }
            console.out("\n    \(r.message)\n")
            console.out(console.dim("-- +upgrade"))
            console.out(r.upgrade.sql.trimmingCharacters(in: .newlines))
            console.out(console.dim(r.downgrade == nil ? "-- (no downgrade: irreversible)" : "-- +downgrade"))
            if let down = r.downgrade { console.out(down.sql.trimmingCharacters(in: .newlines)) }
        }
    }
}

func summary(_ revision: GodwitCore.Revision) -> JSONValue {
    .object(["revision": .string(revision.id), "message": .string(revision.message), "branch_labels": .strings(revision.branchLabels)])
}

func flags(_ revision: GodwitCore.Revision, graph: RevisionGraph) -> String {
    var text = ""
    if graph.children[revision.id] == nil { text += " (head)" }
    if revision.isBase { text += " (base)" }
    if graph.isBranchPoint(revision.id) { text += " (branchpoint)" }
    if revision.isMerge { text += " (mergepoint)" }
    if !revision.branchLabels.isEmpty { text += " (\(revision.branchLabels.joined(separator: ", ")))" }
    return text
}

/// One line per revision, as Alembic prints it: `parent -> rev (head), message`.
func line(_ revision: GodwitCore.Revision, graph: RevisionGraph, console: Console) -> String {
    let parents = revision.downRevisions.isEmpty ? "<base>" : revision.downRevisions.joined(separator: ", ")
    return "\(parents) -> \(console.bold(revision.id))\(flags(revision, graph: graph)), \(revision.message)"
}
