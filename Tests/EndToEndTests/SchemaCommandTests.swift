import Foundation
import Testing

/// `revision --autogenerate`, `diff` and `status`'s fingerprint as a user runs them (SPEC §5, §9).
@Suite struct SchemaCommandTests {
    static let users = "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE\n);\n"
    static let orders = "CREATE TABLE orders (\n    id INTEGER PRIMARY KEY,\n    user_id INTEGER NOT NULL REFERENCES users(id),\n    total_cents INTEGER NOT NULL CHECK (total_cents >= 0)\n);\nCREATE INDEX orders_user_id ON orders (user_id);\n"

    /// An initialised project whose dev and test are upgraded, with `schema: schema.sql`.
    func project() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        let yaml = try sandbox.read("environments/environments.yaml")
        try sandbox.write("environments/environments.yaml", yaml.replacingOccurrences(of: "table_prefix: godwit_\n", with: "table_prefix: godwit_\nschema: schema.sql\n"))
        try sandbox.write("schema.sql", Self.users)
        return sandbox
    }

    func versions(_ sandbox: Sandbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sandbox.url("versions").path).sorted()
    }

    @Test func autogenerateFromAnEditedSchemaFileToAnAppliedRevision() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)

        let same = try sandbox.godwit(["revision", "--autogenerate", "-m", "nothing"])
        #expect(same.status == 0, "\(same)")
        #expect(same.stdout.contains("no changes"), "\(same)")
        #expect(try versions(sandbox).count == 1, "an empty difference writes no file")

        try sandbox.write("schema.sql", Self.users + Self.orders)
        let made = try sandbox.godwit(["revision", "--autogenerate", "-m", "add orders"])
        #expect(made.status == 0, "\(made)")
        let path = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasPrefix("versions/") && path.hasSuffix("_add_orders.sql"), "\(made)")
        #expect(made.stderr.contains("+ table orders"), "the changes are listed on stderr\n\(made)")
        let text = try sandbox.read(path)
        #expect(text.contains("-- down_revision: \(WorkflowTests.base)"), "\(text)")
        #expect(text.contains("CREATE TABLE \"orders\" ("), "\(text)")
        #expect(text.contains("CREATE INDEX \"orders_user_id\" ON \"orders\" (\"user_id\");"), "\(text)")
        #expect(text.contains("-- +downgrade\n-- WARNING: drops table \"orders\" and every row in it\nDROP TABLE \"orders\";"), "\(text)")

        let upgraded = try sandbox.godwit(["upgrade"])
        #expect(upgraded.status == 0, "\(upgraded)")
        #expect(userTables(sandbox.url("var/dev.sqlite3")).contains("orders"))
        let again = try sandbox.godwit(["revision", "--autogenerate", "-m", "again", "--json"])
        #expect(again.status == 0, "\(again)")
        let object = try again.jsonObject()
        #expect(object["path"] is NSNull && (object["changes"] as? [Any])?.isEmpty == true, "\(again)")
        #expect(try versions(sandbox).count == 2)
    }

    @Test func autogenerateFromAnotherEnvironment() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        // A hand-made table in test, taken as the desired schema of dev.
        _ = try sqlite(sandbox.url("var/test.sqlite3"), Self.users.replacingOccurrences(of: "\n", with: " ") + " CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")
        let made = try sandbox.godwit(["revision", "--autogenerate", "-m", "notes", "--from-env", "test", "--json"])
        #expect(made.status == 0, "\(made)")
        let object = try made.jsonObject()
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && changes[0]["object"] as? String == "table" && changes[0]["name"] as? String == "notes", "\(made)")
        #expect(try sandbox.read(try #require(object["path"] as? String)).contains("CREATE TABLE \"notes\""))

        let misuse = try sandbox.godwit(["revision", "-m", "x", "--from-env", "test"])
        #expect(misuse.status == 2, "\(misuse)")
        let unknown = try sandbox.godwit(["revision", "--autogenerate", "-m", "x", "--from-env", "tset"])
        #expect(unknown.status == 2 && unknown.stderr.contains("did you mean 'test'"), "\(unknown)")
    }

    @Test func diffFindsAHandMadeIndexAndExitsThree() throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        #expect(try sandbox.godwit(["promote", "test"]).status == 0)

        let same = try sandbox.godwit(["diff", "dev", "test"])
        #expect(same.status == 0, "\(same)")
        #expect(same.stdout.contains("ok: 'dev' and 'test' have the same schema"), "\(same)")
        let status = try sandbox.godwit(["status", "--json"]).jsonObject()
        let fingerprints = (status["environments"] as? [[String: Any]] ?? []).map { $0["schema_fingerprint"] as? String }
        #expect(fingerprints[0] == fingerprints[1] && fingerprints[0] != fingerprints[2], "dev and test equal, prod empty: \(fingerprints)")

        _ = try sqlite(sandbox.url("var/test.sqlite3"), "CREATE INDEX users_email_lower ON users (lower(email));")
        let found = try sandbox.godwit(["diff", "dev", "test"])
        #expect(found.status == 3, "\(found)")
        #expect(found.stdout.contains("+ index users.users_email_lower: INDEX ON users (lower(email))"), "\(found)")

        let json = try sandbox.godwit(["diff", "dev", "test", "--json"])
        #expect(json.status == 3, "\(json)")
        let object = try json.jsonObject()
        #expect(object["ok"] as? Bool == false)
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.count == 1, "\(json)")
        #expect(changes.first?["kind"] as? String == "added")
        #expect(changes.first?["object"] as? String == "index")
        #expect(changes.first?["name"] as? String == "users.users_email_lower")
        #expect(changes.first?["left"] is NSNull)
        #expect(changes.first?["right"] as? String == "INDEX ON users (lower(email))")

        let reversed = try sandbox.godwit(["diff", "test", "dev"])
        #expect(reversed.status == 3 && reversed.stdout.contains("- index users.users_email_lower"), "\(reversed)")

        let drift = try sandbox.godwit(["diff", "test", "--expected"])
        #expect(drift.status == 3, "\(drift)")
        #expect(drift.stdout.contains("+ index users.users_email_lower"), "\(drift)")
        let clean = try sandbox.godwit(["diff", "dev", "--expected", "--json"])
        #expect(clean.status == 0, "\(clean)")
        #expect(try clean.jsonObject()["ok"] as? Bool == true)
    }

    @Test(arguments: [["diff"], ["diff", "dev"], ["diff", "dev", "test", "--expected"], ["diff", "dev", "nowhere"]])
    func diffUsageErrorsAreExitTwo(_ args: [String]) throws {
        let sandbox = try project()
        defer { sandbox.remove() }
        let result = try sandbox.godwit(args)
        #expect(result.status == 2, "\(result)")
        expectNoCrash(result)
    }

    /// The demo project's schema.sql describes what its versions/ build, its repeatable view
    /// included (README "Autogenerate").
    @Test func theDemoSchemaFileMatchesTheDemoRevisions() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        for path in ["environments/environments.yaml", "schema.sql"] {
            try sandbox.write(path, try String(contentsOf: Paths.packageRoot.appendingPathComponent(path), encoding: .utf8))
        }
        // The revisions and the repeatables (the demo's view, with its variable).
        for folder in ["versions", "versions/repeatable"] {
            let url = Paths.packageRoot.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where name.hasSuffix(".sql") {
                try sandbox.write("\(folder)/\(name)", try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8))
            }
        }
        #expect(sandbox.exists("versions/repeatable/large_orders.sql"), "the demo keeps a repeatable")
        let result = try sandbox.godwit(["revision", "--autogenerate", "-m", "check"])
        #expect(result.status == 0 && result.stdout.contains("no changes"), "\(result)")
    }
}
