import Foundation
import Testing

/// Protected environments and the promotion gate (SPEC §2, §5, §6).
@Suite struct PromotionTests {
    static let base = WorkflowTests.base

    @Test func aProtectedEnvironmentRefusesToChangeWithoutYes() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let prod = sandbox.url("var/prod.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["upgrade", "-e", "test"]).status == 0)

        let refusedFirst = try sandbox.godwit(["upgrade", "-e", "prod"])
        #expect(refusedFirst.status == 5, "\(refusedFirst)")
        #expect(refusedFirst.stderr.contains("--yes") && refusedFirst.stderr.contains("prod"), "\(refusedFirst)")
        expectNoCrash(refusedFirst)
        #expect(try appliedIDs(prod) == [], "prod got nothing")

        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--yes"]).status == 0)
        #expect(try appliedIDs(prod) == [Self.base])

        // A new revision, promoted through dev and test; prod still needs --yes.
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["upgrade", "-e", "test"]).status == 0)
        let hash = try sha256(prod)
        let content = try dump(prod)

        for args in [["upgrade", "-e", "prod"], ["downgrade", "base", "-e", "prod"], ["stamp", "heads", "-e", "prod"], ["upgrade", "-e", "prod", "--json"]] {
            // Typing the name on stdin does not count when stdin is not a terminal.
            let refused = try sandbox.godwit(args, stdin: "prod\n")
            #expect(refused.status == 5, "\(args)\n\(refused)")
            #expect(try sha256(prod) == hash, "\(args) changed prod")
        }
        let json = try sandbox.godwit(["upgrade", "-e", "prod", "--json"])
        #expect((try json.jsonObject()["error"] as? [String: Any])?["code"] as? Int == 5, "\(json)")
        #expect(try dump(prod) == content)

        let confirmed = try sandbox.godwit(["upgrade", "-e", "prod", "--yes"])
        #expect(confirmed.status == 0, "\(confirmed)")
        #expect(try appliedIDs(prod) == [Self.base, posts.id])

        // A dry-run of a protected environment changes nothing, so it needs no --yes.
        let dry = try sandbox.godwit(["downgrade", "-1", "-e", "prod", "--dry-run"])
        #expect(dry.status == 0, "\(dry)")
        #expect(try appliedIDs(prod) == [Self.base, posts.id])
    }

    @Test func thePromotionGateRefusesRevisionsThePredecessorLacks() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let test = sandbox.url("var/test.sqlite3")

        let gated = try sandbox.godwit(["upgrade", "-e", "test"])
        #expect(gated.status == 5, "\(gated)")
        #expect(gated.stderr.contains(Self.base), "names the revision\n\(gated)")
        #expect(gated.stderr.contains("'dev'"), "names the environment that lacks it\n\(gated)")
        expectNoCrash(gated)
        #expect(try appliedIDs(test) == [], "nothing ran in test")

        let noReason = try sandbox.godwit(["upgrade", "-e", "test", "--skip-promotion-check"])
        #expect(noReason.status == 2, "\(noReason)")
        #expect(noReason.stderr.contains("--reason"), "\(noReason)")
        expectNoCrash(noReason)
        let blankReason = try sandbox.godwit(["upgrade", "-e", "test", "--skip-promotion-check", "--reason", "  "])
        #expect(blankReason.status == 2, "\(blankReason)")
        #expect(try appliedIDs(test) == [])

        let skipped = try sandbox.godwit(["upgrade", "-e", "test", "--skip-promotion-check", "--reason", "hotfix 42"])
        #expect(skipped.status == 0, "\(skipped)")
        #expect(try appliedIDs(test) == [Self.base])
        #expect(try sqlite(test, "SELECT operation, outcome, reason FROM godwit_audit") == [["upgrade", "succeeded", "promotion check skipped: hotfix 42"]])

        // The gate counts what the plan brings: only revisions dev already has may go to test.
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let a = try sandbox.newRevision("a", upgrade: "CREATE TABLE a (id INTEGER);\n", downgrade: "DROP TABLE a;\n")
        let b = try sandbox.newRevision("b", upgrade: "CREATE TABLE b (id INTEGER);\n", downgrade: "DROP TABLE b;\n")
        #expect(try sandbox.godwit(["upgrade", a.id]).status == 0)
        let partly = try sandbox.godwit(["upgrade", "-e", "test"])
        #expect(partly.status == 5, "\(partly)")
        #expect(partly.stderr.contains(b.id) && !partly.stderr.contains("'\(a.id)'"), "names only what dev lacks\n\(partly)")
        #expect(try appliedIDs(test) == [Self.base], "refused before anything ran: not even a")
        let upToA = try sandbox.godwit(["upgrade", a.id, "-e", "test"])
        #expect(upToA.status == 0, "\(upToA)")
        #expect(try appliedIDs(test) == [Self.base, a.id])

        // prod's predecessor is test.
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let prodGated = try sandbox.godwit(["upgrade", "-e", "prod", "--yes"])
        #expect(prodGated.status == 5, "\(prodGated)")
        #expect(prodGated.stderr.contains(b.id) && prodGated.stderr.contains("'test'"), "\(prodGated)")

        // A downgrade is not gated.
        let down = try sandbox.godwit(["downgrade", "base", "-e", "test"])
        #expect(down.status == 0, "\(down)")
        #expect(try appliedIDs(test) == [])
    }

    @Test func anEnvironmentOutsidePromotionIsNeverGated() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write(
            "environments/environments.yaml",
            try sandbox.read("environments/environments.yaml") + "  scratch:\n    url: sqlite:var/scratch.sqlite3\n")
        let result = try sandbox.godwit(["upgrade", "-e", "scratch"])
        #expect(result.status == 0, "\(result)")
        #expect(try appliedIDs(sandbox.url("var/scratch.sqlite3")) == [Self.base])
        #expect(!sandbox.exists("var/dev.sqlite3"))
    }
}
