import Foundation
import Testing

/// The gate and the plans tell the truth (issue 11): checksums at the gate, `stamp --purge`,
/// partial rehearsals, `--sql` from the recorded heads, `wait` on a failed revision, `--splice`,
/// the heads a failed run leaves, and control characters in `revision -m`.
@Suite struct GateHonestyTests {
    static let base = WorkflowTests.base

    /// Marks a generated revision `transactional: false`.
    static func makeNonTransactional(_ sandbox: Sandbox, _ path: String) throws {
        let text = try sandbox.read(path)
        guard let range = text.range(of: "-- create_date:") else { throw HarnessError("no create_date in \(path)") }
        try sandbox.write(path, text.replacingCharacters(in: range, with: "-- transactional: false\n-- create_date:"))
    }

    @Test func aFileEditedAfterThePredecessorRanItIsRefusedByUpgradePromoteAndStamp() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let prod = sandbox.url("var/prod.sqlite3")
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["upgrade", "-e", "test"]).status == 0)
        let tested = try sqlite(sandbox.url("var/test.sqlite3"), "SELECT checksum FROM godwit_revisions WHERE revision = '\(posts.id)'")
        let recorded = try #require(tested.first?.first)

        try sandbox.write(posts.path, try sandbox.read(posts.path).replacingOccurrences(of: "CREATE TABLE posts (id INTEGER);", with: "CREATE TABLE posts (id INTEGER, body TEXT);"))
        let show = try sandbox.godwit(["show", posts.id, "--json"]).jsonObject()
        let current = try #require(show["checksum"] as? String)
        #expect(current != recorded)

        for args in [["upgrade", "-e", "prod", "--yes"], ["stamp", "heads", "-e", "prod", "--yes"], ["upgrade", "-e", "prod", "--yes", "--json"]] {
            let refused = try sandbox.godwit(args)
            #expect(refused.status == 5, "\(args)\n\(refused)")
            let text = refused.stderr + refused.stdout
            #expect(text.contains(posts.id) && text.contains("'test'") && text.contains(recorded) && text.contains(current), "\(args)\n\(refused)")
            expectNoCrash(refused)
        }
        let promoted = try sandbox.godwit(["promote", "prod", "--yes"])
        #expect(promoted.status == 5, "\(promoted)")
        #expect(try appliedIDs(prod) == [], "prod got nothing")

        let overridden = try sandbox.godwit(["upgrade", "-e", "prod", "--yes", "--skip-promotion-check", "--reason", "hotfix reviewed"])
        #expect(overridden.status == 0, "\(overridden)")
        #expect(try appliedIDs(prod) == [Self.base, posts.id])
        #expect(try sqlite(prod, "SELECT reason FROM godwit_audit ORDER BY id DESC LIMIT 1") == [["promotion check skipped: hotfix reviewed"]])
    }

    @Test func stampBasePurgeForgetsWhatIsRecorded() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let gone = try sandbox.newRevision("gone", upgrade: "CREATE TABLE gone (id INTEGER);\n", downgrade: "DROP TABLE gone;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        try FileManager.default.removeItem(at: sandbox.url(gone.path))

        let dry = try sandbox.godwit(["stamp", "base", "--purge", "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains(gone.id) && dry.stdout.contains(Self.base), "\(dry)")
        let purged = try sandbox.godwit(["stamp", "base", "--purge"])
        #expect(purged.status == 0, "\(purged)")
        #expect(purged.stdout.contains("forgot 2 revisions"), "\(purged)")
        #expect(try revisionRows(dev) == [])
        let record = try #require(try sandbox.godwit(["audit", "--json"]).jsonArray().first)
        #expect(record["operation"] as? String == "stamp" && strings(record["to_heads"]) == [])
        let steps = (record["steps"] as? [[String: Any]] ?? []).map { "\($0["revision"] ?? "") \($0["direction"] ?? "")" }
        #expect(steps == ["\(Self.base) downgrade", "\(gone.id) downgrade"], "\(steps)")

        let again = try sandbox.godwit(["stamp", "base", "--purge"])
        #expect(again.status == 0 && again.stdout.contains("already at base"), "\(again)")
    }

    @Test func aRehearsalRunsUpToTheFirstNonTransactionalRevision() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let first = try sandbox.newRevision("first", upgrade: "CREATE TABLE first (id INTEGER);\n", downgrade: "DROP TABLE first;\n")
        let outside = try sandbox.newRevision("outside", upgrade: "CREATE TABLE outside (id INTEGER);\n", downgrade: "DROP TABLE outside;\n")
        try Self.makeNonTransactional(sandbox, outside.path)
        let last = try sandbox.newRevision("last", upgrade: "CREATE TABLE last (id INTEGER);\n", downgrade: "DROP TABLE last;\n")

        let json = try sandbox.godwit(["upgrade", "--rehearse", "--json"])
        #expect(json.status == 0, "\(json)")
        let object = try json.jsonObject()
        #expect((object["steps"] as? [[String: Any]])?.compactMap { $0["revision"] as? String } == [Self.base, first.id])
        #expect(strings(object["to_heads"]) == [first.id], "the heads the rehearsed part reached")
        let skipped = try #require(object["not_rehearsed"] as? [[String: Any]])
        #expect(skipped.compactMap { $0["revision"] as? String } == [outside.id, last.id])
        #expect((skipped.first?["reason"] as? String)?.contains("transactional: false") == true, "\(skipped)")
        #expect((skipped.last?["reason"] as? String)?.contains(outside.id) == true, "\(skipped)")

        let text = try sandbox.godwit(["upgrade", "--rehearse"])
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("not rehearsed") && text.stdout.contains(outside.id) && text.stdout.contains(last.id), "\(text)")
        #expect(try revisionRows(dev) == [] && userTables(dev).isEmpty, "a rehearsal keeps nothing")
    }

    @Test func aFailedRevisionEndsWaitAtOnceAndItsAuditNamesTheHeadsLeft() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let bad = try sandbox.newRevision("outside", upgrade: FailureTests.failingUpgrade, downgrade: "DROP TABLE t2;\nDROP TABLE t1;\n")
        try Self.makeNonTransactional(sandbox, bad.path)
        #expect(try sandbox.godwit(["upgrade"]).status == 1)

        let record = try #require(try sandbox.godwit(["audit", "--json"]).jsonArray().first)
        #expect(record["outcome"] as? String == "failed")
        #expect(strings(record["to_heads"]) == [Self.base], "the failed revision is not a head left\n\(record)")

        let started = Date()
        let waited = try sandbox.godwit(["wait", "--timeout", "1m"])
        #expect(waited.status == 5, "\(waited)")
        #expect(Date().timeIntervalSince(started) < 20, "exits at once")
        #expect(waited.stderr.contains(bad.id) && waited.stderr.contains("resolve"), "\(waited)")

        let resolved = try sandbox.godwit(["resolve", bad.id, "--applied"])
        #expect(resolved.status == 0, "\(resolved)")
        #expect(resolved.stdout.contains("resolved '\(bad.id)' in 'dev' as applied"), "\(resolved)")
        let sealed = try #require(try sandbox.godwit(["audit", "--json"]).jsonArray().first)
        #expect(strings(sealed["from_heads"]) == [Self.base] && strings(sealed["to_heads"]) == [bad.id], "\(sealed)")
        #expect(try sandbox.godwit(["wait", "--timeout", "5s"]).status == 0)
    }

    @Test func aHeadThatIsNotAHeadNeedsSplice() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.newRevision("child", upgrade: "SELECT 1;\n", downgrade: "SELECT 1;\n")
        let files = try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).count

        let refused = try sandbox.godwit(["revision", "-m", "sibling", "--head", Self.base])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("--splice") && refused.stderr.contains(Self.base), "\(refused)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).count == files)

        let spliced = try sandbox.godwit(["revision", "-m", "sibling", "--head", Self.base, "--splice"])
        #expect(spliced.status == 0, "\(spliced)")
        #expect(try sandbox.godwit(["heads", "--json"]).jsonArray().count == 2)
    }

    @Test(arguments: [["-m", "two\rlines"], ["-m", "tab\there"], ["-m", "ok", "--branch-label", "lab\rel"]])
    func aControlCharacterInRevisionOptionsIsRefused(args: [String]) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let refused = try sandbox.godwit(["revision"] + args)
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains(args.count == 2 ? "--message" : "--branch-label"), "\(refused)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).count == 1, "nothing written")
        #expect(try sandbox.godwit(["merge", "-m", "a\rb"]).status == 2)
    }

    @Test func anOfflineScriptStartsFromTheRecordedHeads() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        for env in ["dev", "test"] { #expect(try sandbox.godwit(["upgrade", "-e", env]).status == 0) }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--yes"]).status == 0)
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        for env in ["dev", "test"] { #expect(try sandbox.godwit(["upgrade", "-e", env]).status == 0) }

        let script = try sandbox.godwit(["promote", "prod", "--sql"])
        #expect(script.status == 0, "\(script)")
        #expect(!script.stdout.contains("CREATE TABLE users"), "prod has the base revision already\n\(script)")
        #expect(script.stdout.contains("CREATE TABLE posts"), "\(script)")
        #expect(script.stderr.contains("heads recorded in 'prod'") && script.stderr.contains(Self.base), "\(script)")

        let fromBase = try sandbox.godwit(["upgrade", "-e", "prod", "--sql", "--from", "base"])
        #expect(fromBase.stdout.contains("CREATE TABLE users"), "--from still gives the start\n\(fromBase)")

        let unreadable = try sandbox.godwit(["upgrade", "-e", "test", "--sql"], env: ["TEST_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"])
        #expect(unreadable.stdout.contains("CREATE TABLE users"), "unreadable: from base\n\(unreadable)")
        #expect(unreadable.stderr.contains("starts from base"), "\(unreadable)")
        _ = posts
    }
}
