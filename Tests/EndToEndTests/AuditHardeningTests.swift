import Foundation
import GodwitTestSupport
import Testing

/// The record lines of an `audit_log:` file: its opening lines (`"hash":null`) left out.
func auditLogRecords(_ sandbox: Sandbox, _ path: String = "var/audit.jsonl") throws -> [Substring] {
    try sandbox.read(path).split(separator: "\n").filter { !$0.contains("\"hash\":null") }
}

/// The audit trail cannot be laundered, and nothing from outside reaches a script (issue 11:
/// defects 9, 22, 23, 24, 25).
struct AuditHardeningTests {
    static let injection = "x\nCREATE TABLE pwned(x int);\n--"

    /// A SQLite project with dev (and `audit_log:` when given), one revision applied.
    static func project(auditLog: String? = nil) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            \(auditLog.map { "audit_log: \($0)\n" } ?? "")environments:
              dev:
                url: sqlite:var/dev.sqlite3
            """)
        return sandbox
    }

    // Defect 9.
    @Test func aLogFileAbsentOnThisMachineIsANoteNotAFinding() throws {
        let sandbox = try Self.project(auditLog: "var/ignored/audit.jsonl")
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        try FileManager.default.removeItem(at: sandbox.url("var/ignored/audit.jsonl"))
        let verify = try sandbox.godwit(["audit", "verify"])
        #expect(verify.status == 0, "a fresh clone has no ignored log file: \(verify)")
        #expect(verify.stdout.contains("note: var/ignored/audit.jsonl does not exist on this machine"), "\(verify)")
        let json = try sandbox.godwit(["audit", "verify", "--json"]).jsonObject()
        #expect(json["ok"] as? Bool == true && (json["notes"] as? [String])?.count == 1, "\(json)")
    }

    // Defect 22, SQLite: a reason and a revision file name with a newline stay inside literals and comments; an actor with one is refused.
    @Test func nothingFromOutsideBecomesAStatementOfASQLiteScript() throws {
        let sandbox = try Self.project()
        defer { sandbox.remove() }
        let users = try sandbox.newRevision("widgets", upgrade: "CREATE TABLE widgets (id INTEGER);\n", downgrade: "DROP TABLE widgets;\n")
        // An actor with a control character is refused before anything is written (exit 2)...
        let refused = try sandbox.godwit(["upgrade", "--sql", "--actor", Self.injection])
        #expect(refused.status == 2 && refused.stdout.isEmpty, "\(refused)")
        // ...and a reason, which may hold line breaks, reaches the script only as a literal.
        let script = try sandbox.godwit(["upgrade", "--sql", "--reason", Self.injection])
        #expect(script.status == 0, "\(script)")
        try FileManager.default.createDirectory(at: sandbox.url("var"), withIntermediateDirectories: true)
        #expect(try sqliteScript(sandbox.url("var/dev.sqlite3"), script.stdout).status == 0)
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT count(*) FROM sqlite_master WHERE name = 'pwned'") == [["0"]])
        let kept = "SELECT reason = 'x' || char(10) || 'CREATE TABLE pwned(x int);' || char(10) || '--' FROM godwit_audit"
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), kept) == [["1"]], "the reason is kept, as a literal")

        // A revision file whose name holds the statement.
        let renamed = users.path.replacingOccurrences(of: ".sql", with: "\nCREATE TABLE pwned(x int);\n--.sql")
        try FileManager.default.moveItem(at: sandbox.url(users.path), to: sandbox.url(renamed))
        let named = try sandbox.godwit(["downgrade", "base", "--sql", "--from", users.id])
        if named.status == 0 {
            #expect(!named.stdout.contains("\nCREATE TABLE pwned(x int);\n--.sql"), "\(named.stdout)")
            #expect(try sqliteScript(sandbox.url("var/dev.sqlite3"), named.stdout).status == 0)
        }
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT count(*) FROM sqlite_master WHERE name = 'pwned'") == [["0"]])
    }

    // Defect 23: a record written by hand is never sealed, nor copied to the log.
    @Test(arguments: [true, false])
    func aForgedOpenRecordIsNeverSealed(withLog: Bool) throws {
        let sandbox = try Self.project(auditLog: withLog ? "var/audit.jsonl" : nil)
        defer { sandbox.remove() }
        let db = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        _ = try sqlite(db, """
            INSERT INTO godwit_audit (id, environment, operation, started_at, from_heads, steps, actor, host, tool_version)
            VALUES (2, 'dev', 'upgrade', '2026-01-01T00:00:00.000Z', '[]', '[]', 'mallory', 'h', '0')
            """)
        let found = try sandbox.godwit(["audit", "verify"])
        #expect(found.status == 3 && found.stdout.contains("unattributed"), "\(found)")
        _ = try sandbox.newRevision("widgets", upgrade: "CREATE TABLE widgets (id INTEGER);\n", downgrade: "DROP TABLE widgets;\n")
        let later = try sandbox.godwit(["upgrade"])
        #expect(later.status == 0, "\(later)")
        #expect(later.stderr.contains("audit record 2 of 'dev' is open, but no run of Godwit opened it"), "\(later)")
        #expect(try sqlite(db, "SELECT id, hash IS NULL FROM godwit_audit ORDER BY id") == [["1", "0"], ["2", "1"], ["3", "0"]])
        let still = try sandbox.godwit(["audit", "verify"])
        #expect(still.status == 3 && still.stdout.contains("unattributed"), "\(still)")
        if withLog { #expect(try !sandbox.read("var/audit.jsonl").contains("mallory")) }
    }

    // Defect 23: a chain-valid record added by hand is never copied to the log.
    @Test func aForgedSealedRecordIsNotCopiedToTheLog() throws {
        let sandbox = try Self.project(auditLog: "var/audit.jsonl")
        defer { sandbox.remove() }
        let db = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let row = try #require(try sqlite(db, "SELECT started_at, from_heads, to_heads, steps, actor, host, tool_version, hash FROM godwit_audit").first)
        // A copy of record 1 as record 2, chained and hashed the way the README shows.
        let script = """
            import json, hashlib, sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.row_factory = sqlite3.Row
            r = dict(c.execute("SELECT * FROM godwit_audit WHERE id = 1").fetchone())
            r.update(id=2, actor="mallory", prev_hash=r["hash"]); r.pop("hash")
            body = {k: (json.loads(v) if k in ("from_heads", "to_heads", "steps") and v is not None else v) for k, v in r.items()}
            r["hash"] = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
            c.execute("INSERT INTO godwit_audit (%s) VALUES (%s)" % (", ".join(r), ", ".join("?" * len(r))), tuple(r.values())); c.commit()
            """
        try sandbox.write("forge.py", script)
        let forged = try runProcess(
            URL(fileURLWithPath: "/usr/bin/python3"), [sandbox.url("forge.py").path, db.path], in: sandbox.root,
            environment: ProcessInfo.processInfo.environment)
        #expect(forged.status == 0 && !row.isEmpty, "\(forged)")
        #expect(try sandbox.godwit(["audit", "verify"]).status == 3)
        let later = try sandbox.godwit(["upgrade"])
        #expect(later.stderr.contains("audit record 2 of 'dev' is in the audit table, but Godwit did not open it"), "\(later)")
        #expect(try !sandbox.read("var/audit.jsonl").contains("mallory"))
        let still = try sandbox.godwit(["audit", "verify"])
        #expect(still.status == 3 && still.stdout.contains("not_in_log"), "\(still)")
    }

    // Defect 24: a wiped audit table, and a chain that starts again, are findings.
    @Test func aWipedAuditTableIsFoundBeforeAndAfterTheNextRun() throws {
        let sandbox = try Self.project()
        defer { sandbox.remove() }
        let db = sandbox.url("var/dev.sqlite3")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        _ = try sqlite(db, "DELETE FROM godwit_audit")
        let found = try sandbox.godwit(["audit", "verify"])
        #expect(found.status == 3 && found.stdout.contains("orphaned_state"), "\(found)")
        _ = try sandbox.newRevision("widgets", upgrade: "CREATE TABLE widgets (id INTEGER);\n", downgrade: "DROP TABLE widgets;\n")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let still = try sandbox.godwit(["audit", "verify"])
        #expect(still.status == 3 && still.stdout.contains("orphaned_state"), "the chain started again at 1: \(still)")
    }

    // Defect 23/24 with a key: the chain is an HMAC chain, anchored, and the key is never shown.
    @Test func aKeyedChainIsCheckedOnlyWithItsKey() throws {
        let sandbox = try Self.project()
        defer { sandbox.remove() }
        let secret = "s3cret-key-for-this-test"
        let keyed = ["GODWIT_AUDIT_KEY": secret]
        #expect(try sandbox.godwit(["upgrade"], env: keyed).status == 0)
        let ok = try sandbox.godwit(["audit", "verify"], env: keyed)
        #expect(ok.status == 0, "\(ok)")
        let without = try sandbox.godwit(["audit", "verify"])
        #expect(without.status == 3 && without.stdout.contains("keyed") && without.stdout.contains("GODWIT_AUDIT_KEY"), "\(without)")
        try sandbox.write("key.txt", secret + "\n")
        #expect(try sandbox.godwit(["audit", "verify"], env: ["GODWIT_AUDIT_KEY_FILE": "key.txt"]).status == 0)
        let listed = try sandbox.godwit(["audit", "-v", "--json"], env: keyed)
        #expect(!(listed.stdout + listed.stderr + ok.stdout + ok.stderr).contains(secret))
        #expect(try !sandbox.read("environments/environments.yaml").contains(secret))
        // Deleting the newest record is found by the anchor, also after the next run.
        _ = try sqlite(sandbox.url("var/dev.sqlite3"), "DELETE FROM godwit_audit WHERE id = 1")
        #expect(try sandbox.godwit(["audit", "verify"], env: keyed).status == 3)
        _ = try sandbox.newRevision("widgets", upgrade: "CREATE TABLE widgets (id INTEGER);\n", downgrade: "DROP TABLE widgets;\n")
        #expect(try sandbox.godwit(["upgrade"], env: keyed).status == 0)
        #expect(try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT id FROM godwit_audit") == [["2"]], "id 1 is not reused")
        #expect(try sandbox.godwit(["audit", "verify"], env: keyed).status == 3)
    }

    // Defect 25.
    @Test func twoEnvironmentsOnOneDatabaseAreRefused() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              test:
                url: ${TEST_URL:-sqlite:var/../var/dev.sqlite3}
            """)
        let status = try sandbox.godwit(["status", "-e", "dev"])
        #expect(status.status == 2, "\(status)")
        #expect(status.stderr.contains("environments/environments.yaml:5") && status.stderr.contains("same database"), "\(status)")
        #expect(try sandbox.godwit(["status", "-e", "dev"], env: ["TEST_URL": "sqlite:var/test.sqlite3"]).status == 0)
    }
}

/// Defect 22 on PostgreSQL: the script runs through psql and creates no table of the actor's.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct AuditHardeningPostgresTests {
    @Test func nothingFromOutsideBecomesAStatementOfAPostgreSQLScript() throws {
        let database = try PostgresDatabase()
        defer { database.drop() }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            environments:
              db:
                url: ${PG_URL}
            """)
        let env = ["PG_URL": database.url]
        let refused = try sandbox.godwit(["upgrade", "--sql", "--actor", AuditHardeningTests.injection], env: env)
        #expect(refused.status == 2 && refused.stdout.isEmpty, "an actor with a line break is refused: \(refused)")
        let script = try sandbox.godwit(["upgrade", "--sql", "--reason", AuditHardeningTests.injection], env: env)
        #expect(script.status == 0, "\(script)")
        let ran = try database.runScript(script.stdout)
        #expect(ran.status == 0, "\(ran)")
        #expect(try database.value("SELECT count(*) FROM pg_class WHERE relname = 'pwned'") == "0")
        #expect(try database.value("SELECT count(*) FROM godwit_audit WHERE reason = \(literal(AuditHardeningTests.injection))") == "1")
    }

    func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
