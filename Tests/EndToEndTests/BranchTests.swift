import Foundation
import Testing

/// Branches, merges and stamps (SPEC §5, Alembic's semantics).
@Suite struct BranchTests {
    static let base = WorkflowTests.base

    @Test func twoHeadsAreUpgradedTogetherThenMerged() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)

        let left = try sandbox.newRevision(
            "left", upgrade: "CREATE TABLE lefts (id INTEGER);\n", downgrade: "DROP TABLE lefts;\n", extra: ["--head", Self.base, "--splice"])
        let right = try sandbox.newRevision(
            "right", upgrade: "CREATE TABLE rights (id INTEGER);\n", downgrade: "DROP TABLE rights;\n", extra: ["--head", Self.base, "--splice"])
        #expect(try sandbox.read(right.path).contains("-- down_revision: \(Self.base)\n"))

        let heads = try sandbox.godwit(["heads"])
        #expect(heads.status == 0, "\(heads)")
        #expect(heads.stdout.contains(left.id) && heads.stdout.contains(right.id), "\(heads)")
        #expect(!heads.stdout.contains("-> \(Self.base)"), "the base is not a head\n\(heads)")
        let headsJSON = try sandbox.godwit(["heads", "--json"]).jsonArray()
        #expect(Set(headsJSON.compactMap { $0["revision"] as? String }) == [left.id, right.id])
        for head in headsJSON { expectKeys(head, ["revision", "message", "branch_labels"], "heads --json item") }

        // A new revision without --head is refused when there are several heads.
        let ambiguousRevision = try sandbox.godwit(["revision", "-m", "third"])
        #expect(ambiguousRevision.status == 2, "\(ambiguousRevision)")
        #expect(ambiguousRevision.stderr.contains(left.id) && ambiguousRevision.stderr.contains(right.id), "\(ambiguousRevision)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).count == 3, "no file written")

        // `head` with several heads: exit 2, both heads listed, `heads` suggested, nothing run.
        let head = try sandbox.godwit(["upgrade", "head"])
        #expect(head.status == 2, "\(head)")
        #expect(head.stderr.contains(left.id) && head.stderr.contains(right.id), "the message lists the heads\n\(head)")
        #expect(head.stderr.contains("heads"), "the message suggests 'heads'\n\(head)")
        expectNoCrash(head)
        #expect(try appliedIDs(dev) == [Self.base], "nothing ran")

        let both = try sandbox.godwit(["upgrade", "heads"])
        #expect(both.status == 0, "\(both)")
        #expect(Set(try appliedIDs(dev)) == [Self.base, left.id, right.id])
        #expect(userTables(dev) == ["lefts", "rights", "users"])
        let current = try sandbox.godwit(["current", "--json"]).jsonObject()
        #expect(Set(strings(current["heads"]) ?? []) == [left.id, right.id])

        let branches = try sandbox.godwit(["branches"])
        #expect(branches.status == 0, "\(branches)")
        #expect(branches.stdout.contains(Self.base), "\(branches)")
        #expect(branches.stdout.contains(left.id) && branches.stdout.contains(right.id), "the branch point's children are shown\n\(branches)")
        let branchesJSON = try sandbox.godwit(["branches", "--json"]).jsonArray()
        #expect(branchesJSON.count == 1)
        #expect(branchesJSON.first?["revision"] as? String == Self.base)
        #expect(branchesJSON.first?["message"] as? String == "create users")
        #expect(branchesJSON.first?["branch_labels"] as? [String] == [])

        let merged = try sandbox.godwit(["merge", "-m", "m", "heads", "--json"])
        #expect(merged.status == 0, "\(merged)")
        let merge = try #require(merged.jsonObject()["revision"] as? String)
        let mergeHeads = try sandbox.godwit(["heads", "--json"]).jsonArray()
        #expect(mergeHeads.compactMap { $0["revision"] as? String } == [merge], "one head after the merge")
        let shown = try sandbox.godwit(["show", merge, "--json"]).jsonObject()
        #expect(Set(strings(shown["down_revisions"]) ?? []) == [left.id, right.id])
        #expect(shown["is_merge"] as? Bool == true)

        let upgraded = try sandbox.godwit(["upgrade"])
        #expect(upgraded.status == 0, "\(upgraded)")
        #expect(try appliedIDs(dev).last == merge)
        #expect(try sandbox.godwit(["current", "--json"]).jsonObject()["heads"] as? [String] == [merge])

        let history = try sandbox.godwit(["history", "--json"]).jsonArray()
        #expect(history.first?["revision"] as? String == merge, "newest first")
        #expect(history.last?["revision"] as? String == Self.base)
        #expect(history.first { $0["revision"] as? String == Self.base }?["is_branch_point"] as? Bool == true)
    }

    @Test func stampSetsTheStateWithoutRunningSQL() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let a = try sandbox.newRevision("a", upgrade: "CREATE TABLE a (id INTEGER);\n", downgrade: "DROP TABLE a;\n")
        let b1 = try sandbox.newRevision(
            "b1", upgrade: "CREATE TABLE b1 (id INTEGER);\n", downgrade: "DROP TABLE b1;\n", extra: ["--head", a.id, "--splice"])
        let b2 = try sandbox.newRevision(
            "b2", upgrade: "CREATE TABLE b2 (id INTEGER);\n", downgrade: "DROP TABLE b2;\n", extra: ["--head", a.id, "--splice"])
        #expect(try sandbox.godwit(["upgrade", "heads"]).status == 0)
        #expect(userTables(dev) == ["a", "b1", "b2", "users"])

        let toBase = try sandbox.godwit(["stamp", "base"])
        #expect(toBase.status == 0, "\(toBase)")
        #expect(try revisionRows(dev) == [], "stamp base forgets every revision")
        #expect(userTables(dev) == ["a", "b1", "b2", "users"], "stamp runs no SQL")

        let toHeads = try sandbox.godwit(["stamp", "heads"])
        #expect(toHeads.status == 0, "\(toHeads)")
        #expect(Set(try revisionRows(dev)) == ["\(Self.base)|applied", "\(a.id)|applied", "\(b1.id)|applied", "\(b2.id)|applied"])
        #expect(try appliedIDs(dev).first == Self.base, "parents are recorded first")
        let checksums = try sqlite(dev, "SELECT checksum FROM godwit_revisions WHERE revision = '\(a.id)'")
        #expect(checksums.first?.first == (try sha256(sandbox.url(a.path))), "a stamp records the file's checksum")
        #expect(userTables(dev) == ["a", "b1", "b2", "users"])

        let purge = try sandbox.godwit(["stamp", "--purge", b1.id])
        #expect(purge.status == 0, "\(purge)")
        #expect(Set(try appliedIDs(dev)) == [Self.base, a.id, b1.id], "--purge forgets everything, then records REV and its ancestors")
        #expect(userTables(dev) == ["a", "b1", "b2", "users"])

        // A row of a revision that is not in versions/ blocks an upgrade until --purge adopts the state.
        _ = try sqlite(dev, "INSERT INTO godwit_revisions (revision, checksum, state, applied_at, applied_by, audit_id, seq) VALUES ('0123456789ab', 'x', 'applied', '2026-01-01T00:00:00Z', 'someone', NULL, 99)")
        let unknown = try sandbox.godwit(["upgrade"])
        #expect([2, 5].contains(unknown.status), "refused, as a bad graph or by rule\n\(unknown)")
        #expect(unknown.stderr.contains("0123456789ab") && unknown.stderr.contains("--purge"), "\(unknown)")
        let adopt = try sandbox.godwit(["stamp", "--purge", "heads"])
        #expect(adopt.status == 0, "\(adopt)")
        #expect(Set(try appliedIDs(dev)) == [Self.base, a.id, b1.id, b2.id])

        let audit = try sqlite(dev, "SELECT operation, outcome FROM godwit_audit ORDER BY id")
        #expect(audit.map { $0[0] } == ["upgrade", "stamp", "stamp", "stamp", "stamp"], "\(audit)")
        #expect(audit.allSatisfy { $0[1] == "succeeded" }, "\(audit)")
    }

    @Test func aBranchLabelNamesItsHead() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let billing = try sandbox.newRevision(
            "billing", upgrade: "CREATE TABLE invoices (id INTEGER);\n", downgrade: "DROP TABLE invoices;\n",
            extra: ["--head", Self.base, "--splice", "--branch-label", "billing"])
        let main = try sandbox.newRevision(
            "main", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n", extra: ["--head", Self.base, "--splice"])
        #expect(try sandbox.read(billing.path).contains("-- branch_labels: billing\n"))

        let labelled = try sandbox.godwit(["upgrade", "billing@head"])
        #expect(labelled.status == 0, "\(labelled)")
        #expect(try appliedIDs(dev) == [Self.base, billing.id], "only the labelled branch")
        #expect(!(try appliedIDs(dev)).contains(main.id))

        let heads = try sandbox.godwit(["heads", "--json"]).jsonArray()
        #expect(heads.first { $0["revision"] as? String == billing.id }?["branch_labels"] as? [String] == ["billing"])
    }
}
