import Godwit
import GodwitCore

/// `(head) (base) (branchpoint) (mergepoint) (labels)` as Alembic marks a revision.
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
func line(_ revision: GodwitCore.Revision, graph: RevisionGraph, console: Console) -> StyledText {
    let parents = revision.downRevisions.isEmpty ? "<base>" : revision.downRevisions.joined(separator: ", ")
    return "\(parents) -> \(console.bold(revision.id))\(flags(revision, graph: graph)), \(revision.message)"
}

/// `history` for people: one line per revision, and with -v its path, date and flags.
func renderHistory(_ ids: [String], graph: RevisionGraph, isVerbose: Bool, console: Console) {
    if ids.isEmpty { return console.out(graph.order.isEmpty ? "no revisions yet" : "no revisions in that range") }
    var lines: [StyledText] = []
    lines.reserveCapacity(ids.count)
    for revision in graph.revisions(ids) {
        lines.append(line(revision, graph: graph, console: console))
        guard isVerbose else { continue }
        lines.append("    path: \(revision.path)")
        if let date = revision.createDate { lines.append("    created: \(date)") }
        if !revision.dependsOn.isEmpty { lines.append("    depends on: \(revision.dependsOn.joined(separator: ", "))") }
        if !revision.isTransactional { lines.append("    transactional: false") }
        if !revision.isReversible { lines.append("    irreversible (no downgrade section)") }
    }
    // One write for the whole history, not one per line.
    console.out(StyledText.joined(lines))
}

/// `show` for people: the header, the message and both SQL sections.
func renderRevision(_ r: GodwitCore.Revision, graph: RevisionGraph, console: Console) {
    console.out("\(console.bold("Rev: \(r.id)"))\(flags(r, graph: graph))")
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
    console.out(StyledText(r.upgrade.sql.trimmingCharacters(in: .newlines)))
    console.out(console.dim(r.downgrade == nil ? "-- (no downgrade: irreversible)" : "-- +downgrade"))
    if let down = r.downgrade { console.out(StyledText(down.sql.trimmingCharacters(in: .newlines))) }
}

/// `heads` and `branches` for people; `children` adds each revision's children below it.
func renderRevisionList(_ ids: [String], graph: RevisionGraph, empty: String, showsChildren: Bool, console: Console) {
    if console.isJSON { return console.json(.array(ids.map(graph.summaryJSON))) }
    if ids.isEmpty { console.out(StyledText(empty)) }
    for revision in graph.revisions(ids) {
        console.out(line(revision, graph: graph, console: console))
        guard showsChildren else { continue }
        for child in graph.revisions(graph.children[revision.id] ?? []) { console.out("    -> \(child.id) \(child.message)") }
    }
}
