import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// `--sql` on PostgreSQL: the script seals its own audit record into the hash chain.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct OfflinePostgresTests {
    @Test func theOfflineScriptSealsItsAuditRecordIntoTheChain() throws {
        let url = try PostgresTestServer.admin()
        let schema = "e2e_offline_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        defer { _ = try? psqlValue(url, "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            environments:
              db:
                url: ${PG_URL}
                schema: \(schema)
            """)
        let env = ["PG_URL": url]
        // One record written online, then an offline script (with a reason that needs escaping).
        #expect(try sandbox.godwit(["upgrade", "--reason", "online, \"first\""], env: env).status == 0)
        let second = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id int);\n", downgrade: "DROP TABLE posts;\n")
        let script = try sandbox.godwit(["upgrade", "--sql", "--from", WorkflowTests.base, "--reason", "it's \"offline\"\nsecond line"], env: env)
        #expect(script.status == 0, "\(script)")
        try sandbox.write("offline.sql", "SET search_path TO \(schema);\n" + script.stdout)
        let ran = try runProcess(
            URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-q", "-f", sandbox.url("offline.sql").path],
            in: sandbox.root, environment: ProcessInfo.processInfo.environment)
        #expect(ran.status == 0, "\(ran)")
        #expect(try psqlValue(url, "SELECT string_agg(revision, ',' ORDER BY seq) FROM \(schema).godwit_revisions") == "\(WorkflowTests.base),\(second.id)")

        let rows = try psqlValue(url, "SELECT json_agg(a ORDER BY id) FROM \(schema).godwit_audit a")
        let records = try #require(try JSONValue(parsing: rows).arrayValue)
        #expect(records.count == 2)
        var previous: String?
        for record in records {
            guard case .object(var fields) = record else { Issue.record("not an object"); continue }
            for key in ["from_heads", "to_heads", "steps", "variables"] {
                if let text = fields[key]?.stringValue { fields[key] = try JSONValue(parsing: text) }
            }
            if fields["variables"] == .null { fields["variables"] = nil }  // NULL when the SQL used none: not hashed (README "Godwit's tables")
            let hash = fields.removeValue(forKey: "hash")?.stringValue
            fields["opened"] = nil  // the opening's attestation, outside the hash (README "Godwit's tables")
            #expect(hash == Checksum.sha256(JSONValue.object(fields).canonical), "record \(fields["id"] ?? .null) is sealed with the canonical hash")
            #expect(fields["prev_hash"]?.stringValue == previous, "record \(fields["id"] ?? .null) links to the one before")
            previous = hash
        }
        #expect(records.last?["reason"]?.stringValue == "it's \"offline\"\nsecond line")
    }
}

/// One value from `psql -Atc`.
private func psqlValue(_ url: String, _ sql: String) throws -> String {
    let result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment, stdin: nil)
    guard result.status == 0 else { throw HarnessError("psql failed: \(result)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct OfflineAuditLogTests {
    @Test func theNextRunCopiesAnOfflineRecordToTheAuditLogFile() throws {
        let url = try PostgresTestServer.admin()
        let schema = "e2e_offlog_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        defer { _ = try? psqlValue(url, "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            audit_log: var/audit.jsonl
            environments:
              db:
                url: ${PG_URL}
                schema: \(schema)
            """)
        let env = ["PG_URL": url]
        #expect(try sandbox.godwit(["upgrade"], env: env).status == 0)
        _ = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id int);\n", downgrade: "DROP TABLE posts;\n")
        let script = try sandbox.godwit(["upgrade", "--sql", "--from", WorkflowTests.base], env: env)
        try sandbox.write("offline.sql", "SET search_path TO \(schema);\n" + script.stdout)
        let ran = try runProcess(
            URL(fileURLWithPath: "/usr/bin/psql"), [url, "-v", "ON_ERROR_STOP=1", "-q", "-f", sandbox.url("offline.sql").path],
            in: sandbox.root, environment: ProcessInfo.processInfo.environment)
        #expect(ran.status == 0, "\(ran)")
        #expect(try auditLogRecords(sandbox).count == 1, "psql cannot write the file")
        let stale = try sandbox.godwit(["audit", "verify"], env: env)
        #expect(stale.status == 3, "the file lacks the offline record\n\(stale)")
        let nothing = try sandbox.godwit(["upgrade"], env: env)
        #expect(nothing.status == 0 && nothing.stdout.contains("nothing to do"), "\(nothing)")
        #expect(try auditLogRecords(sandbox).count == 2, "the next run copied the record")
        let verified = try sandbox.godwit(["audit", "verify"], env: env)
        #expect(verified.status == 0, "\(verified)")
    }
}
