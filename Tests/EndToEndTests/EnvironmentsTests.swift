import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// status, promote, check, verify and wait across environments (SPEC §5, §6; issue 4), on SQLite.
@Suite struct EnvironmentsTests {
    static let base = WorkflowTests.base

    /// A project with dev, test, prod (protected) and `scratch` outside promotion.
    func project(extra: String = "") throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            promotion: [dev, test, prod]
            default_environment: dev
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              test:
                url: sqlite:var/test.sqlite3
              prod:
                url: sqlite:var/prod.sqlite3
                protected: true
              scratch:
                url: sqlite:var/scratch.sqlite3
            \(extra)
            """)
        return sandbox
    }

    @Test func statusReportsEveryEnvironmentAndSurvivesAnUnreachableOne() throws {
        let sandbox = try project(extra: "  broken:\n    url: sqlite:///proc/self/status/impossible/db.sqlite3\n")
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let human = try sandbox.godwit(["status"])
        #expect(human.status == 0, "\(human)")
        #expect(human.stdout.contains("unreachable"), "\(human)")
        #expect(human.stdout.contains("up to date"), "\(human)")
        let result = try sandbox.godwit(["status", "--json"])
        #expect(result.status == 0, "\(result)")
        let environments = try #require(try result.jsonObject()["environments"] as? [[String: Any]])
        #expect(environments.map { $0["name"] as? String } == ["dev", "test", "prod", "broken", "scratch"], "promotion order, then the others by name")
        for environment in environments {
            for key in ["name", "url", "reachable", "error", "heads", "pending", "failed", "checksum_mismatches", "lock_holder", "last_audit", "schema_fingerprint"] {
                #expect(environment.keys.contains(key), "\(key) missing in \(environment)")
            }
        }
        let dev = environments[0]
        #expect(dev["reachable"] as? Bool == true)
        #expect(dev["heads"] as? [String] == [Self.base])
        #expect((dev["last_audit"] as? [String: Any])?["actor"] as? String == "e2e-tester")
        #expect((dev["schema_fingerprint"] as? String)?.count == 12)
        #expect(environments[1]["pending"] as? [String] == [Self.base])
        #expect(environments[1]["schema_fingerprint"] as? String != dev["schema_fingerprint"] as? String, "different schemas, different fingerprints")
        let broken = environments[3]
        #expect(broken["reachable"] as? Bool == false)
        #expect((broken["error"] as? String)?.contains("impossible") == true, "\(broken)")
    }

    @Test func statusShowsChecksumMismatchesAndTheLockHolder() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let path = "versions/3f2a9c1b7d4e_create_users.sql"
        try sandbox.write(path, try sandbox.read(path) + "-- edited after it was applied\n")
        // Hold dev's lock as Godwit does: an exclusive flock on the sidecar file.
        let lockPath = sandbox.url("var/dev.sqlite3.godwit.lock").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        _ = "ops@bastion pid 1 since now\n".withCString { pwrite(descriptor, $0, strlen($0), 0) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let result = try sandbox.godwit(["status", "--json"])
        let dev = try #require((try result.jsonObject()["environments"] as? [[String: Any]])?.first)
        #expect(dev["checksum_mismatches"] as? [String] == [Self.base])
        #expect((dev["lock_holder"] as? String)?.contains("ops@bastion") == true, "\(dev)")
    }

    @Test func promoteWithDryRunFirstThenForReal() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        let second = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        _ = try sandbox.newRevision("tags", upgrade: "CREATE TABLE tags (id INTEGER);\n", downgrade: "DROP TABLE tags;\n")
        #expect(try sandbox.godwit(["upgrade", second.id]).status == 0, "dev gets two of three")
        try sandbox.write("var/.keep", "")
        let dry = try sandbox.godwit(["promote", "test", "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry)")
        let plan = try dry.jsonObject()
        #expect(plan["operation"] as? String == "promote")
        #expect(plan["dry_run"] as? Bool == true)
        #expect((plan["steps"] as? [[String: Any]])?.map { $0["revision"] as? String } == [Self.base, second.id])
        #expect(!sandbox.exists("var/test.sqlite3"), "a dry-run creates no database")

        let promoted = try sandbox.godwit(["promote", "dev", "test"])
        #expect(promoted.status == 0, "\(promoted)")
        #expect(try appliedIDs(sandbox.url("var/test.sqlite3")) == [Self.base, second.id], "exactly dev's heads, not the graph's")
        #expect(try sqlite(sandbox.url("var/test.sqlite3"), "SELECT operation FROM godwit_audit") == [["promote"]])

        let refused = try sandbox.godwit(["promote", "prod"])
        #expect(refused.status == 5, "\(refused)")
        if sandbox.exists("var/prod.sqlite3") {
            #expect(try appliedIDs(sandbox.url("var/prod.sqlite3")).isEmpty)
        }
        #expect(try sandbox.godwit(["promote", "prod", "--yes"]).status == 0)
        #expect(try appliedIDs(sandbox.url("var/prod.sqlite3")) == [Self.base, second.id])
        let again = try sandbox.godwit(["promote", "prod", "--yes"])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again)")
    }

    @Test func promoteRefusesDivergedEnvironmentsAndEditedRevisions() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["promote", "test"]).status == 0)
        #expect(try sandbox.godwit(["downgrade", "-1"]).status == 0)
        let diverged = try sandbox.godwit(["promote", "dev", "test"])
        #expect(diverged.status == 5, "\(diverged)")
        #expect(diverged.stderr.contains(posts.id) && diverged.stderr.contains("diverged"), "\(diverged)")

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        try sandbox.write(posts.path, try sandbox.read(posts.path).replacingOccurrences(of: "posts (id INTEGER)", with: "posts (id BIGINT)"))
        let edited = try sandbox.godwit(["promote", "prod", "--yes"])
        #expect(edited.status == 5, "\(edited)")
        #expect(edited.stderr.contains(posts.id) && edited.stderr.contains("checksum"), "\(edited)")
    }

    @Test func checkAndVerifyExitCodes() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        let pending = try sandbox.godwit(["check", "--json"])
        #expect(pending.status == 3, "\(pending)")
        let problems = try #require(try pending.jsonObject()["problems"] as? [[String: Any]])
        #expect(problems.map { $0["kind"] as? String } == ["pending"])
        #expect(problems.first?["revision"] as? String == Self.base)
        #expect(problems.first?["file"] as? String == "versions/3f2a9c1b7d4e_create_users.sql")
        #expect(try sandbox.godwit(["verify"]).status == 0, "nothing applied, nothing to verify")

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let ok = try sandbox.godwit(["check", "--json"])
        #expect(ok.status == 0, "\(ok)")
        #expect(try ok.jsonObject()["ok"] as? Bool == true)

        // Several heads.
        _ = try sandbox.newRevision("a", upgrade: "SELECT 1;\n", downgrade: "")
        _ = try sandbox.newRevision("b", upgrade: "SELECT 2;\n", downgrade: "", extra: ["--head", Self.base, "--splice"])
        #expect(try sandbox.godwit(["upgrade", "heads"]).status == 0)
        let heads = try sandbox.godwit(["check", "--json"])
        #expect(heads.status == 3, "\(heads)")
        #expect((try heads.jsonObject()["problems"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["multiple_heads"])
        #expect(try sandbox.godwit(["merge", "-m", "join"]).status == 0)
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["check"]).status == 0)

        // An applied file edited afterwards.
        let path = "versions/3f2a9c1b7d4e_create_users.sql"
        try sandbox.write(path, try sandbox.read(path).replacingOccurrences(of: "email TEXT", with: "mail TEXT"))
        let verify = try sandbox.godwit(["verify", "--json"])
        #expect(verify.status == 3, "\(verify)")
        let mismatch = try #require((try verify.jsonObject()["problems"] as? [[String: Any]])?.first)
        #expect(mismatch["kind"] as? String == "checksum_mismatch")
        #expect(mismatch["revision"] as? String == Self.base)
        #expect(try sandbox.godwit(["check"]).status == 3)
        let human = try sandbox.godwit(["verify"])
        #expect(human.stdout.contains("versions/3f2a9c1b7d4e_create_users.sql:1"), "\(human)")
    }

    @Test func waitReturnsWhenReachedAndTimesOutWithFour() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        let timedOut = try sandbox.godwit(["wait", "--timeout", "300ms", "--interval", "0.05"])
        #expect(timedOut.status == 4, "\(timedOut)")
        #expect(timedOut.stderr.contains(Self.base), "\(timedOut)")

        // Another process upgrades while wait waits.
        let binary = try Paths.requireBinary()
        let waiter = Process()
        waiter.executableURL = binary
        waiter.arguments = ["wait", "--timeout", "20s", "--interval", "0.05", "--json"]
        waiter.currentDirectoryURL = sandbox.root
        let output = Pipe()
        waiter.standardOutput = output
        waiter.standardError = FileHandle.nullDevice
        try waiter.run()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(waiter.isRunning, "wait returned before anything was applied")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        waiter.waitUntilExit()
        #expect(waiter.terminationStatus == 0)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(json?["heads"] as? [String] == [Self.base])
        #expect(try sandbox.godwit(["wait", Self.base, "--timeout", "1s"]).status == 0)
    }

    @Test func statusReadsEnvironmentsInParallel() throws {
        // A TCP server that accepts and never answers: each PostgreSQL connect waits for its
        // connect timeout. Read one after another, the accepts would be a timeout apart.
        let server = try SilentServer()
        defer { server.stop() }
        let sandbox = try project(extra: (1...3).map { "  slow\($0):\n    url: postgresql://u@127.0.0.1:\(server.port)/db\($0)?sslmode=disable&gssencmode=disable\n" }.joined())
        defer { sandbox.remove() }
        let result = try sandbox.godwit(["status", "--json", "--connect-timeout", "2"])
        #expect(result.status == 0, "\(result)")
        let slow = try #require(try result.jsonObject()["environments"] as? [[String: Any]]).filter { ($0["name"] as? String)?.hasPrefix("slow") == true }
        #expect(slow.count == 3)
        #expect(slow.allSatisfy { $0["reachable"] as? Bool == false })
        let accepts = server.acceptTimes
        #expect(accepts.count == 3, "one connect per environment: \(accepts)")
        if let first = accepts.min(), let last = accepts.max() {
            #expect(last.timeIntervalSince(first) < 1.5, "the three connects overlapped: \(accepts)")
        }
    }
}

/// Accepts TCP connections on a loopback port and never says a word.
final class SilentServer: @unchecked Sendable {
    let port: Int
    private let socketDescriptor: Int32
    private let lock = NSLock()
    private var times: [Date] = []
    private var clients: [Int32] = []
    private var isStopped = false

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        socketDescriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw HarnessError("cannot listen on loopback") }
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(socketDescriptor, nil, nil)
                lock.lock()
                if isStopped || client < 0 {
                    lock.unlock()
                    if client >= 0 { close(client) }
                    return
                }
                times.append(Date())
                clients.append(client)
                lock.unlock()
            }
        }
    }

    var acceptTimes: [Date] {
        lock.lock()
        defer { lock.unlock() }
        return times
    }

    func stop() {
        lock.lock()
        isStopped = true
        for client in clients { close(client) }
        lock.unlock()
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }
}
