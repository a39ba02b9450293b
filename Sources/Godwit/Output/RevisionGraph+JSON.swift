import GodwitCore

/// The JSON of SPEC §9 for the graph commands: `heads`, `branches`, `history`, `show`.
extension RevisionGraph {
    /// `{"revision", "message", "branch_labels"}`: an item of `heads` and `branches`.
    public func summaryJSON(_ id: String) -> JSONValue {
        guard let revision = self[id] else { return .null }
        return .object(["revision": .string(id), "message": .string(revision.message), "branch_labels": .strings(revision.branchLabels)])
    }

    /// An item of `history`: the revision, its parents, message, date and place in the graph.
    public func historyJSON(_ id: String) -> JSONValue {
        guard let revision = self[id] else { return .null }
        return .object([
            "revision": .string(id), "down_revisions": .strings(revision.downRevisions),
            "message": .string(revision.message), "create_date": .optional(revision.createDate),
            "is_head": .bool(children[id] == nil), "is_base": .bool(revision.isBase),
            "is_merge": .bool(revision.isMerge), "is_branch_point": .bool(isBranchPoint(id)),
        ])
    }

    /// The document of `show`: a `history` item with labels, path, checksum and both SQL sections.
    public func showJSON(_ id: String) -> JSONValue {
        guard let revision = self[id], case .object(var members) = historyJSON(id), case .object(let summary) = summaryJSON(id) else { return .null }
        members.merge(summary) { $1 }
        members.merge([
            "path": .string(revision.path), "checksum": .string(revision.checksum), "transactional": .bool(revision.isTransactional),
            "upgrade_sql": .string(revision.upgrade.sql), "downgrade_sql": .optional(revision.downgrade?.sql),
            "depends_on": .strings(revision.dependsOn),
        ]) { $1 }
        return .object(members)
    }
}
