import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--lock-timeout DURATION` on the commands that change an environment: the wait for Godwit's
/// migration lock for this run, instead of the environment's `lock_timeout` (default 60s).
@Suite struct LockTimeoutOptionTests {
    @Test func aHeldLockEndsTheWaitAfterTheGivenDurationWithExitFour() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")

        let dry = try sandbox.godwit(["upgrade", "--dry-run", "--lock-timeout", "1s"])
        #expect(dry.status == 0 && dry.stdout.contains("wait up to 1s"), "the plan names the wait\n\(dry)")

        // Hold dev's lock as Godwit does: an exclusive flock on the sidecar file.
        let descriptor = open(sandbox.url("var/dev.sqlite3.godwit.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)

        for args in [["upgrade", "--lock-timeout", "1s"], ["stamp", posts.id, "--lock-timeout", "1s"], ["downgrade", "base", "--lock-timeout", "1s"]] {
            let start = Date()
            let result = try sandbox.godwit(args)
            let elapsed = Date().timeIntervalSince(start)
            #expect(result.status == 4, "\(args)\n\(result)")
            #expect(elapsed >= 0.9 && elapsed < 15, "\(args) waited \(elapsed)s, not the environment's 60s")
            expectNoCrash(result)
        }
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == [WorkflowTests.base], "nothing ran")
    }

    @Test(arguments: [["upgrade", "--lock-timeout", "soon"], ["downgrade", "base", "--lock-timeout", "-1s"], ["resolve", "x", "--applied", "--lock-timeout", "1 week"]])
    func aBadDurationIsExitTwo(_ args: [String]) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let result = try sandbox.godwit(args)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--lock-timeout"), "\(result)")
        expectNoCrash(result)
    }
}
