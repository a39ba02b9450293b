import Foundation
import Testing

/// The everyday path: init, write a revision, upgrade, look, downgrade (SPEC §1, §3-§5).
@Suite struct WorkflowTests {
    static let base = "3f2a9c1b7d4e"

    @Test func initCreatesAProjectThatUpgradesAtOnce() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }

        let created = try sandbox.godwit(["init", "shop"])
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout.contains("environments/environments.yaml"), "\(created)")
        #expect(sandbox.exists("shop/environments/environments.yaml"))
        let id = try sandbox.exampleRevisionID(in: "shop")
        #expect(sandbox.exists("shop/versions/\(id)_create_users.sql"))

        let upgraded = try sandbox.godwit(["upgrade"], dir: "shop")
        #expect(upgraded.status == 0, "\(upgraded)")
        let dev = sandbox.url("shop/var/dev.sqlite3")
        #expect(userTables(dev) == ["users"])
        #expect(try revisionRows(dev) == ["\(id)|applied"])
    }

    @Test func initRefusesToOverwriteAnExistingProject() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", try sandbox.read("environments/environments.yaml") + "# mine\n")
        let before = try sandbox.read("environments/environments.yaml")

        let again = try sandbox.godwit(["init"])
        #expect(again.status == 2, "\(again)")
        #expect(again.stderr.contains("is not empty"), "\(again)")
        expectNoCrash(again)
        #expect(try sandbox.read("environments/environments.yaml") == before, "init changed an existing file")
    }

    @Test func revisionUpgradeAndDowngradeRoundTrip() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")

        let first = try sandbox.godwit(["upgrade"])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("applied 1 revision"), "\(first)")
        #expect(first.stderr.contains("applying \(Self.base)"), "progress goes to stderr\n\(first)")
        #expect(userTables(dev) == ["users"])
        #expect(try revisionRows(dev) == ["\(Self.base)|applied"])

        // `revision -m` prints the path of a new file whose parent is the current head.
        let written = try sandbox.godwit(["revision", "-m", "add posts"])
        #expect(written.status == 0, "\(written)")
        let path = written.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasPrefix("versions/") && path.hasSuffix("_add_posts.sql"), "\(written)")
        let text = try sandbox.read(path)
        #expect(text.contains("-- down_revision: \(Self.base)\n"), "\(text)")
        #expect(text.contains("-- message: add posts\n"), "\(text)")
        let id = String(path.dropFirst("versions/".count).prefix(12))
        #expect(text.hasPrefix("-- revision: \(id)\n"), "\(text)")
        #expect(id.count == 12 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "generated ids are 12 lowercase hex characters: \(id)")
        try sandbox.fill(
            path,
            upgrade: "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL);\nCREATE INDEX posts_user ON posts (user_id);\n",
            downgrade: "DROP INDEX posts_user;\nDROP TABLE posts;\n")

        let second = try sandbox.godwit(["upgrade"])
        #expect(second.status == 0, "\(second)")
        #expect(userTables(dev) == ["posts", "users"])
        #expect(try revisionRows(dev) == ["\(Self.base)|applied", "\(id)|applied"])
        // The stored checksum is the SHA-256 of the file, and who applied it is the actor.
        let stored = try sqlite(dev, "SELECT checksum, applied_by, audit_id FROM godwit_revisions WHERE revision = '\(id)'")
        #expect(stored.first?[0] == (try sha256(sandbox.url(path))))
        #expect(stored.first?[1] == "e2e-tester", "applied_by is GODWIT_ACTOR")
        let auditID = try #require(stored.first?[2])
        #expect(try sqlite(dev, "SELECT operation, outcome FROM godwit_audit WHERE id = \(auditID)") == [["upgrade", "succeeded"]])

        // Data survives a no-op upgrade.
        _ = try sqlite(dev, "INSERT INTO users (id, email) VALUES (1, 'a@example.com')")
        let noop = try sandbox.godwit(["upgrade"])
        #expect(noop.status == 0, "\(noop)")
        #expect(noop.stdout.contains("nothing to do"), "\(noop)")
        #expect(try revisionRows(dev).count == 2)

        let current = try sandbox.godwit(["current"])
        #expect(current.status == 0, "\(current)")
        #expect(current.stdout.contains("dev: \(id) (head)"), "\(current)")

        let back = try sandbox.godwit(["downgrade", "-1"])
        #expect(back.status == 0, "\(back)")
        #expect(back.stderr.contains("reverting \(id)"), "\(back)")
        #expect(userTables(dev) == ["users"])
        #expect(try revisionRows(dev) == ["\(Self.base)|applied"])
        #expect(try sqlite(dev, "SELECT email FROM users") == [["a@example.com"]], "downgrade -1 touched only the last revision")

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(userTables(dev) == ["posts", "users"])

        let toBase = try sandbox.godwit(["downgrade", "base"])
        #expect(toBase.status == 0, "\(toBase)")
        #expect(userTables(dev) == [], "downgrade base removes every user table")
        #expect(try revisionRows(dev) == [])

        // One audit row per change, each sealed and chained to the one before (SPEC §4).
        let audit = try sqlite(dev, "SELECT operation, outcome, actor, prev_hash, hash FROM godwit_audit ORDER BY id")
        #expect(audit.map { $0[0] } == ["upgrade", "upgrade", "downgrade", "upgrade", "downgrade"], "\(audit)")
        #expect(audit.allSatisfy { $0[1] == "succeeded" && $0[2] == "e2e-tester" && $0[4].count == 64 }, "\(audit)")
        for index in audit.indices.dropFirst() {
            #expect(audit[index][3] == audit[index - 1][4], "prev_hash of record \(index + 1) is the hash of the one before")
        }
    }

    @Test func downgradeToARevisionByPrefixAndUpgradeByRelativeTarget() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let a = try sandbox.newRevision("a", upgrade: "CREATE TABLE a (id INTEGER);\n", downgrade: "DROP TABLE a;\n")
        let b = try sandbox.newRevision("b", upgrade: "CREATE TABLE b (id INTEGER);\n", downgrade: "DROP TABLE b;\n")

        let plusTwo = try sandbox.godwit(["upgrade", "+2"])
        #expect(plusTwo.status == 0, "\(plusTwo)")
        #expect(try appliedIDs(dev) == [Self.base, a.id])

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try appliedIDs(dev) == [Self.base, a.id, b.id])

        let toA = try sandbox.godwit(["downgrade", String(a.id.prefix(6))])
        #expect(toA.status == 0, "\(toA)")
        #expect(try appliedIDs(dev) == [Self.base, a.id])
        #expect(userTables(dev) == ["a", "users"])

        let pastBase = try sandbox.godwit(["downgrade", "-5"])
        #expect(pastBase.status == 2, "going below base is refused\n\(pastBase)")
        expectNoCrash(pastBase)
        #expect(try appliedIDs(dev) == [Self.base, a.id], "a refused downgrade changes nothing")
    }

    @Test func theProjectIsFoundFromASubfolderByFlagAndByVariable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(at: sandbox.url("elsewhere"), withIntermediateDirectories: true)
        #expect(try sandbox.godwit(["init", "project"]).status == 0)
        try sandbox.pinExampleRevision(in: "project")

        let fromSubfolder = try sandbox.godwit(["heads"], dir: "project/versions")
        #expect(fromSubfolder.status == 0, "\(fromSubfolder)")
        #expect(fromSubfolder.stdout.contains(Self.base), "\(fromSubfolder)")

        let nowhere = try sandbox.godwit(["heads"], dir: "elsewhere")
        #expect(nowhere.status == 2, "\(nowhere)")
        #expect(nowhere.stderr.contains("godwit init"), "the error says what to do\n\(nowhere)")
        expectNoCrash(nowhere)

        let byFlag = try sandbox.godwit(["heads", "--project", sandbox.url("project").path], dir: "elsewhere")
        #expect(byFlag.status == 0, "\(byFlag)")
        #expect(byFlag.stdout.contains(Self.base), "\(byFlag)")

        let byVariable = try sandbox.godwit(["heads"], dir: "elsewhere", env: ["GODWIT_PROJECT": sandbox.url("project").path])
        #expect(byVariable.status == 0, "\(byVariable)")
        #expect(byVariable.stdout.contains(Self.base), "\(byVariable)")

        // A relative SQLite path is relative to the project root, not to the working directory.
        let upgraded = try sandbox.godwit(["upgrade", "--project", "../project"], dir: "elsewhere")
        #expect(upgraded.status == 0, "\(upgraded)")
        #expect(sandbox.exists("project/var/dev.sqlite3"))
        #expect(!sandbox.exists("elsewhere/var"))
    }

    @Test func anUnsetVariableOnlyMattersForTheEnvironmentThatUsesIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let yaml = try sandbox.read("environments/environments.yaml")
            .replacingOccurrences(of: "${PROD_DATABASE_URL:-sqlite:var/prod.sqlite3}", with: "${GODWIT_E2E_PROD_URL}")
        try sandbox.write("environments/environments.yaml", yaml)

        let dev = try sandbox.godwit(["upgrade"])
        #expect(dev.status == 0, "dev does not need the prod variable\n\(dev)")

        let prod = try sandbox.godwit(["upgrade", "-e", "prod", "--yes"])
        #expect(prod.status == 2, "\(prod)")
        #expect(prod.stderr.contains("GODWIT_E2E_PROD_URL") && prod.stderr.contains("'prod'"), "\(prod)")
        expectNoCrash(prod)

        let given = try sandbox.godwit(
            ["upgrade", "-e", "test", "--skip-promotion-check", "--reason", "variable test"],
            env: ["TEST_DATABASE_URL": "sqlite:var/elsewhere.sqlite3"])
        #expect(given.status == 0, "\(given)")
        #expect(try appliedIDs(sandbox.url("var/elsewhere.sqlite3")) == [Self.base], "${VAR:-default} takes the variable when set")
        #expect(!sandbox.exists("var/test.sqlite3"))
    }
}
