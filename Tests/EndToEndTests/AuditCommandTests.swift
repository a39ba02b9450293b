import Foundation
import GodwitTestSupport
import Testing

/// `godwit audit` and `godwit audit verify` (SPEC §4, §5, §9) on the built binary: SQLite in a temp
/// folder, PostgreSQL in schemas of the server `scripts/test` starts.
@Suite struct AuditCommandTests {
    static let base = WorkflowTests.base
    static let auditKeys = AuditHookAndLockTests.auditKeys

    /// What `threeActors` leaves: the git commit, and the two revisions it added.
    struct History {
        var commit: String?
        var orders: (id: String, path: String)
        var broken: (id: String, path: String)
    }

    /// A project with `audit_log:` (in a git checkout unless `git` is false), dev on SQLite or on
    /// `url` in `schema`, two more revisions (the second fails), then three actors: alice upgrades
    /// with --actor and --reason, bob downgrades as GODWIT_ACTOR, carol's upgrade fails.
    static func threeActors(_ sandbox: Sandbox, env: [String: String] = [:], dev: String? = nil, git: Bool = true) throws -> History {
        try sandbox.initProject()
        var yaml = try sandbox.read("environments/environments.yaml").replacingOccurrences(
            of: "table_prefix: godwit_\n", with: "table_prefix: godwit_\naudit_log: var/audit.jsonl\n")
        if let dev { yaml = yaml.replacingOccurrences(of: "    url: sqlite:var/dev.sqlite3\n", with: dev) }
        try sandbox.write("environments/environments.yaml", yaml)
        let orders = try sandbox.newRevision("orders", upgrade: "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n", downgrade: "DROP TABLE orders;\n")
        let broken = try sandbox.newRevision(
            "broken", upgrade: "CREATE TABLE t (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n", downgrade: "DROP TABLE t;\n")
        var commit: String?
        if git {
            let gitTool = URL(fileURLWithPath: "/usr/bin/git")
            let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
            for args in [["init", "-q", "."], ["add", "-A"], ["commit", "-q", "-m", "init"], ["rev-parse", "HEAD"]] {
                let result = try runProcess(
                    gitTool, ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "-c", "commit.gpgsign=false"] + args,
                    in: sandbox.root, environment: environment)
                guard result.status == 0 else { throw HarnessError("git \(args) failed\n\(result)") }
                commit = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        let first = try sandbox.godwit(["upgrade", orders.id, "--actor", "alice", "--reason", "release 1"], env: env)
        guard first.status == 0 else { throw HarnessError("alice's upgrade failed\n\(first)") }
        let second = try sandbox.godwit(["downgrade", base], env: env.merging(["GODWIT_ACTOR": "bob"]) { $1 })
        guard second.status == 0 else { throw HarnessError("bob's downgrade failed\n\(second)") }
        let third = try sandbox.godwit(["upgrade", "--actor", "carol"], env: env)
        guard third.status == 1 else { throw HarnessError("carol's upgrade should fail\n\(third)") }
        return History(commit: commit, orders: orders, broken: broken)
    }

    @Test func threeActorsThreeRecordsNewestFirst() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let history = try Self.threeActors(sandbox)
        let orders = history.orders

        let result = try sandbox.godwit(["audit", "--json"])
        #expect(result.status == 0, "\(result)")
        let records = try result.jsonArray()
        #expect(records.count == 3, "\(result)")
        for record in records { expectKeys(record, Self.auditKeys, "audit record") }
        #expect(records.map { $0["id"] as? Int } == [3, 2, 1])
        #expect(records.map { $0["actor"] as? String } == ["carol", "bob", "alice"])
        #expect(records.map { $0["operation"] as? String } == ["upgrade", "downgrade", "upgrade"])
        #expect(records.map { $0["outcome"] as? String } == ["failed", "succeeded", "succeeded"])
        #expect(records.map { strings($0["from_heads"]) } == [[Self.base], [orders.id], []])
        #expect(records.map { strings($0["to_heads"]) } == [[orders.id], [Self.base], [orders.id]])
        let steps = records.map { ($0["steps"] as? [[String: Any]]) ?? [] }
        #expect(steps.map { $0.map { $0["revision"] as? String } } == [[orders.id], [orders.id], [Self.base, orders.id]])
        #expect(steps.map { $0.map { $0["direction"] as? String } } == [["upgrade"], ["downgrade"], ["upgrade", "upgrade"]])
        let checksums = [Self.base: try sha256(sandbox.url("versions/\(Self.base)_create_users.sql")), orders.id: try sha256(sandbox.url(orders.path))]
        for step in steps.joined() {
            #expect(step["checksum"] as? String == checksums[step["revision"] as? String ?? ""], "\(step)")
            #expect(step["duration_ms"] is Int)
        }
        #expect(records.map { $0["reason"] as? String } == [nil, nil, "release 1"])
        #expect(records.allSatisfy { $0["git_commit"] as? String == history.commit && history.commit?.count == 40 })
        #expect(records.allSatisfy { $0["environment"] as? String == "dev" && ($0["hash"] as? String)?.count == 64 })
        let error = records[0]["error"] as? String ?? ""
        #expect(error.contains("nowhere") && error.contains(history.broken.path), "the error names the place: \(error)")
        #expect(records[1]["error"] is NSNull)
        #expect(records[0]["prev_hash"] as? String == records[1]["hash"] as? String)
        #expect(records[2]["prev_hash"] is NSNull)

        // For people: one row per record, newest first.
        let table = try sandbox.godwit(["audit"])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(table)")
        for column in ["ID", "WHEN", "ENVIRONMENT", "OPERATION", "OUTCOME", "ACTOR", "HEADS", "STEPS", "COMMIT", "REASON"] {
            #expect(lines.first?.contains(column) == true, "\(column)\n\(table)")
        }
        let short = String(history.commit?.prefix(8) ?? "?")
        #expect(lines[1].hasPrefix("3 ") && lines[1].contains("carol") && lines[1].contains("failed") && lines[1].contains("\(Self.base) → \(orders.id)"), "\(table)")
        #expect(lines[2].hasPrefix("2 ") && lines[2].contains("bob") && lines[2].contains("downgrade") && lines[2].contains("\(orders.id) → \(Self.base)"), "\(table)")
        #expect(lines[3].hasPrefix("1 ") && lines[3].contains("alice") && lines[3].contains("base → \(orders.id)") && lines[3].hasSuffix("release 1"), "\(table)")
        #expect(lines.dropFirst().allSatisfy { $0.contains(short) && $0.contains(" dev ") }, "\(table)")
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") }, "no trailing blanks")

        let verbose = try sandbox.godwit(["audit", "-v"])
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stdout.contains("upgrade \(orders.id)") && verbose.stdout.contains("downgrade \(orders.id)"), "\(verbose)")
        #expect(verbose.stdout.contains("error: ") && verbose.stdout.contains("nowhere"), "\(verbose)")
    }

    @Test func theJSONLinesLogHoldsTheSameRecordsAsTheTable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try Self.threeActors(sandbox, git: false)
        let table = try sandbox.godwit(["audit", "--json"]).jsonArray()
        let lines = try auditLogRecords(sandbox)
        let logged = try lines.map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(logged.count == 3)
        #expect(NSArray(array: logged).isEqual(to: Array(table.reversed())), "the log, oldest first, is the table")
        let dev = sandbox.url("var/dev.sqlite3")
        #expect(try sqlite(dev, "SELECT id, hash FROM godwit_audit ORDER BY id") == logged.map { ["\($0["id"] as? Int ?? 0)", $0["hash"] as? String ?? ""] })
    }

    @Test func filtersOfAudit() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try Self.threeActors(sandbox, git: false)
        func ids(_ args: [String]) throws -> [Int?] {
            let result = try sandbox.godwit(["audit", "--json"] + args)
            #expect(result.status == 0, "\(args)\n\(result)")
            return try result.jsonArray().map { $0["id"] as? Int }
        }
        #expect(try ids(["--limit", "1"]) == [3])
        #expect(try ids(["--operation", "downgrade"]) == [2])
        #expect(try ids(["--operation", "upgrade", "--limit", "5"]) == [3, 1])
        #expect(try ids(["--actor", "alice"]) == [1])
        #expect(try ids(["--actor", "nobody"]) == [])
        #expect(try ids(["--since", "2000-01-01"]) == [3, 2, 1])
        #expect(try ids(["--since", "2999-01-01T00:00:00Z"]) == [])
        #expect(try ids(["-e", "test"]) == [], "test was never changed")
        let hoisted = try sandbox.godwit(["--actor", "bob", "--json", "audit"])
        #expect(try hoisted.jsonArray().map { $0["id"] as? Int } == [2], "\(hoisted)")

        for args in [["audit", "verify", "--limit", "2"], ["audit", "--since", "2000-01-01", "verify"]] {
            let refused = try sandbox.godwit(args)
            #expect(refused.status == 2 && refused.stderr.contains("'audit verify' checks every record"), "the filters are not silently ignored\n\(refused)")
        }

        let none = try sandbox.godwit(["audit", "--since", "2999-01-01"])
        #expect(none.status == 0 && none.stdout.contains("no audit records in 'dev' match the filters"), "\(none)")
        for args in [["--since", "yesterday"], ["--limit", "0"], ["--operation", "upgarde"]] {
            let bad = try sandbox.godwit(["audit"] + args)
            #expect(bad.status == 2, "\(args)\n\(bad)")
            #expect(bad.stderr.contains(args[0]), "the error names the option\n\(bad)")
            expectNoCrash(bad)
            let json = try sandbox.godwit(["audit", "--json"] + args)
            let error = try json.jsonObject()["error"] as? [String: Any]
            #expect(json.status == 2 && error?["code"] as? Int == 2, "\(json)")
        }
    }

    /// SQL that tampers with the audit table, and the first record `audit verify` must name.
    static let tampers: [(name: String, sql: String, firstBad: Int)] = [
        ("edited field", "UPDATE godwit_audit SET actor = 'mallory' WHERE id = 2;", 2),
        ("deleted row", "DELETE FROM godwit_audit WHERE id = 2;", 2),
        ("swapped order", "UPDATE godwit_audit SET id = -1 WHERE id = 2; UPDATE godwit_audit SET id = 2 WHERE id = 3; UPDATE godwit_audit SET id = 3 WHERE id = -1;", 2),
        ("deleted newest row, seen through the log", "DELETE FROM godwit_audit WHERE id = 3;", 3),
    ]

    /// `audit verify` passes, then finds each tampering (undone after each through a copy of the table).
    static func expectVerifyFindsTampering(_ sandbox: Sandbox, env: [String: String] = [:], tamper: (String) throws -> Void) throws {
        for args in [["audit", "verify", "--json"], ["--json", "audit", "verify"], ["audit", "verify", "--json", "-e", "dev"], ["audit", "-e", "dev", "verify", "--json"]] {
            let clean = try sandbox.godwit(args, env: env)
            #expect(clean.status == 0, "\(args)\n\(clean)")
            let object = try clean.jsonObject()
            expectKeys(object, ["ok", "records", "first_bad_id"], "audit verify --json")
            #expect(object["ok"] as? Bool == true && object["records"] as? Int == 3 && object["first_bad_id"] is NSNull, "\(args)\n\(clean)")
        }
        let human = try sandbox.godwit(["audit", "verify"], env: env)
        #expect(human.status == 0 && human.stdout.hasPrefix("ok: 3 audit records of 'dev'") && human.stdout.contains("var/audit.jsonl"), "\(human)")

        try tamper("CREATE TABLE audit_copy AS SELECT * FROM godwit_audit;")
        for (name, sql, firstBad) in Self.tampers {
            try tamper(sql)
            let found = try sandbox.godwit(["audit", "verify", "--json"], env: env)
            #expect(found.status == 3, "\(name)\n\(found)")
            let object = try found.jsonObject()
            #expect(object["ok"] as? Bool == false && object["first_bad_id"] as? Int == firstBad, "\(name)\n\(found)")
            let said = try sandbox.godwit(["audit", "verify"], env: env)
            #expect(said.status == 3 && said.stdout.contains("record \(firstBad)") && said.stdout.contains("the first at record \(firstBad)"), "\(name)\n\(said)")
            expectNoCrash(said)
            try tamper("DELETE FROM godwit_audit; INSERT INTO godwit_audit SELECT * FROM audit_copy;")
            #expect(try sandbox.godwit(["audit", "verify"], env: env).status == 0, "restored after \(name)")
        }
    }

    @Test func auditVerifyFindsAnEditedDeletedOrReorderedRecordOnSQLite() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try Self.threeActors(sandbox, git: false)
        let dev = sandbox.url("var/dev.sqlite3")
        try Self.expectVerifyFindsTampering(sandbox) { sql in _ = try sqlite(dev, sql) }
    }

    @Test func anOfflineScriptsRecordIsUnsealedUntilTheNextRun() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let orders = try sandbox.newRevision("orders", upgrade: "CREATE TABLE orders (id INTEGER);\n", downgrade: "DROP TABLE orders;\n")
        let script = try sandbox.godwit(["upgrade", "--sql", "--from", Self.base])
        #expect(script.status == 0, "\(script)")
        #expect(try sqliteScript(sandbox.url("var/dev.sqlite3"), script.stdout).status == 0)

        let open = try sandbox.godwit(["audit", "verify"])
        #expect(open.status == 3, "\(open)")
        #expect(open.stdout.contains("record 2 is not sealed yet") && open.stdout.contains("godwit upgrade -e dev"), "\(open)")
        let listed = try sandbox.godwit(["audit", "-v"])
        #expect(listed.stdout.contains("not sealed yet") && listed.stdout.contains("offline script"), "\(listed)")

        #expect(try sandbox.godwit(["upgrade"]).status == 0, "nothing to apply, but it seals the record")
        let sealed = try sandbox.godwit(["audit", "verify", "--json"])
        let count = try sealed.jsonObject()["records"] as? Int
        #expect(sealed.status == 0 && count == 2, "\(sealed)")
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == [Self.base, orders.id])
    }
}

/// The same on PostgreSQL, and the password of the URL in no record. Fails, not skips, when
/// `GODWIT_REQUIRE_POSTGRES=1` and no server is given.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct AuditCommandPostgresTests {
    /// A server URL with a password: `GODWIT_TEST_POSTGRES_PASSWORD_URL` (password authentication),
    /// else the server's URL with one added, which trust authentication ignores.
    static func urlWithPassword() throws -> (url: String, password: String) {
        let variables = ProcessInfo.processInfo.environment
        if let url = variables["GODWIT_TEST_POSTGRES_PASSWORD_URL"], !url.isEmpty,
            let start = url.range(of: "://"), let at = url.range(of: "@", range: start.upperBound..<url.endIndex),
            let colon = url.range(of: ":", range: start.upperBound..<at.lowerBound)
        {
            return (url, String(url[colon.upperBound..<at.lowerBound]))
        }
        let base = try PostgresTestServer.admin()
        let password = "Th3-s3cret-pw"
        guard let start = base.range(of: "://") else { throw HarnessError("not a URL: \(base)") }
        if let at = base.range(of: "@", range: start.upperBound..<(base[start.upperBound...].firstIndex(of: "/") ?? base.endIndex)) {
            let user = base[start.upperBound..<at.lowerBound].split(separator: ":").first.map(String.init) ?? "postgres"
            return (base.replacingCharacters(in: start.upperBound..<at.lowerBound, with: "\(user):\(password)"), password)
        }
        return (base.replacingCharacters(in: start.upperBound..<start.upperBound, with: "postgres:\(password)@"), password)
    }

    static func schemaName() -> String { "e2e_audit_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased() }

    @Test func auditVerifyFindsAnEditedDeletedOrReorderedRecordOnPostgreSQL() throws {
        let url = try PostgresTestServer.admin()
        let schema = Self.schemaName()
        defer { _ = try? auditPSQL(url, "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let env = ["PG_URL": url]
        _ = try AuditCommandTests.threeActors(sandbox, env: env, dev: "    url: ${PG_URL}\n    schema: \(schema)\n", git: false)
        let records = try sandbox.godwit(["audit", "--json"], env: env).jsonArray()
        #expect(records.map { $0["actor"] as? String } == ["carol", "bob", "alice"])
        #expect(records.map { $0["outcome"] as? String } == ["failed", "succeeded", "succeeded"])
        try AuditCommandTests.expectVerifyFindsTampering(sandbox, env: env) { sql in
            _ = try auditPSQL(url, "SET search_path TO \(schema); " + sql)
        }
    }

    @Test func thePasswordIsInNoRecordEvenWhenTheServersErrorQuotesIt() throws {
        let (url, password) = try Self.urlWithPassword()
        let schema = Self.schemaName()
        defer { _ = try? auditPSQL(url, "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            promotion: [dev]
            default_environment: dev
            audit_log: var/audit.jsonl
            environments:
              dev:
                url: ${PG_URL}
                schema: \(schema)
            """)
        let env = ["PG_URL": url]
        // The server's error quotes the literal: invalid input syntax for type integer: "<password>".
        _ = try sandbox.newRevision("leak", upgrade: "SELECT '\(password)'::int;\n", downgrade: "SELECT 1;\n")
        let failed = try sandbox.godwit(["upgrade", "--reason", "deploy"], env: env)
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("22P02") && failed.stderr.contains("invalid input syntax"), "the error came from the server\n\(failed)")
        #expect(!failed.stdout.contains(password) && !failed.stderr.contains(password), "\(failed)")

        let listed = try sandbox.godwit(["audit", "--json", "-v"], env: env)
        #expect(listed.status == 0, "\(listed)")
        let records = try listed.jsonArray()
        #expect(records.count == 1 && records.first?["outcome"] as? String == "failed", "\(listed)")
        #expect((records.first?["error"] as? String)?.contains("***") == true, "the quoted password is redacted\n\(listed)")
        let human = try sandbox.godwit(["audit", "-v"], env: env)
        for output in [listed.stdout, human.stdout, try sandbox.read("var/audit.jsonl"), try auditPSQL(url, "SELECT t::text FROM \(schema).godwit_audit t")] {
            #expect(!output.isEmpty && !output.contains(password), "the password shows:\n\(output)")
        }
        #expect(try sandbox.godwit(["audit", "verify"], env: env).status == 0)
    }
}

/// The output of `psql -Atc`.
private func auditPSQL(_ url: String, _ sql: String) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment, stdin: nil)
    guard result.status == 0 else { throw HarnessError("psql failed: \(result)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
