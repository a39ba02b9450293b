import Foundation
import GodwitTestSupport
import Testing

/// `--sql` on PostgreSQL (SPEC §5): the script takes the migration lock an online run takes, and
/// stops before changing anything when the database is not where the script starts.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct OfflineScriptStartTests {
    @Test func theScriptStartsFromTheRecordedHeadsAndStopsWhenTheyMoved() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        let db = project.database
        try project.revision("s1_users", upgrade: "CREATE TABLE users (id int);", downgrade: "DROP TABLE users;")
        #expect(try project.godwit(["upgrade"]).status == 0)
        try project.revision("s2_posts", parent: "s1_users", upgrade: "CREATE TABLE posts (id int);", downgrade: "DROP TABLE posts;")

        let written = try project.godwit(["upgrade", "--sql"])
        #expect(written.status == 0, "\(written)")
        #expect(!written.stdout.contains("CREATE TABLE users"), "starts from s1_users\n\(written.stdout)")
        #expect(written.stderr.contains("heads recorded in 'dev': s1_users"), "\(written)")

        // Someone else moves the database on: the script refuses and changes nothing.
        #expect(try project.godwit(["downgrade", "base"]).status == 0)
        let stale = try db.runScript(written.stdout)
        #expect(stale.status != 0, "\(stale)")
        #expect(stale.stderr.contains("not the ones this script starts from"), "\(stale)")
        #expect(try db.revisionRows() == [])
        #expect(try db.tables().contains("posts") == false)

        #expect(try project.godwit(["upgrade", "s1_users"]).status == 0)
        let fresh = try db.runScript(written.stdout)
        #expect(fresh.status == 0, "\(fresh)")
        #expect(try db.revisionRows() == ["s1_users|applied", "s2_posts|applied"])
    }

    @Test func theScriptWaitsForTheMigrationLockOfAnOnlineRun() throws {
        let project = try PostgresProject(dev: ["lock_timeout: 1s"])
        defer { project.remove() }
        let db = project.database
        try project.revision("w1_slow", upgrade: "SELECT pg_sleep(4);\nCREATE TABLE w1 (id int);")
        let script = try project.godwit(["upgrade", "--sql", "--from", "base"])
        #expect(script.status == 0, "\(script)")

        let holder = try project.start(["upgrade"])
        try db.waitForActiveQuery(containing: "pg_sleep(4)")
        let blocked = try db.runScript(script.stdout)
        #expect(blocked.status != 0, "\(blocked)")
        #expect(blocked.stderr.contains("migration lock") && blocked.stderr.contains("held by another run"), "\(blocked)")
        #expect(try holder.wait().status == 0)
        #expect(try db.revisionRows() == ["w1_slow|applied"], "the script changed nothing")
    }
}
