import Foundation
import GodwitTestSupport
import Testing

/// Fleets on PostgreSQL through the built binary (SPEC §10): a `list` of databases, a `query`
/// catalog with an inactive tenant, a `schemas` fleet with Godwit's tables in each schema, and a
/// password that never shows.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct FleetPostgresTests {
    static func writeRevision(_ project: PostgresProject) throws {
        try project.revision("f1_users", upgrade: "CREATE TABLE users (id int);", downgrade: "DROP TABLE users;")
    }

    static func environments(_ project: PostgresProject, _ prod: [String]) throws {
        try project.sandbox.write(
            "environments/environments.yaml", (["environments:", "  prod:"] + prod.map { "    " + $0 }).joined(separator: "\n") + "\n")
    }

    @Test func aListOfDatabasesWithAnUnreachableOneAndNoPasswordShown() throws {
        var project = try PostgresProject()
        let other = try PostgresDatabase()
        defer {
            project.remove()
            other.drop()
        }
        try Self.writeRevision(project)
        let base = try PostgresTestServer.passwordURLText ?? PostgresTestServer.admin()
        let password = URLComponents(string: base)?.password
        project.variables["B_URL"] = try other.url(from: base)
        project.variables["GONE_URL"] = try other.url(from: base, port: 1) + "?connect_timeout=2"
        try Self.environments(project, [
            "targets:", "  list:", "    eu-1: ${PG_URL}", "    us-1: ${B_URL}", "    gone: ${GONE_URL}",
            "rollout: {on_error: continue}",
        ])
        let result = try project.godwit(["upgrade", "-e", "prod"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout == "prod: 3 targets: 2 upgraded, 0 unchanged, 1 failed (gone)\n", "\(result)")
        #expect(result.stderr.contains("gone: failed:") && result.stderr.contains("127.0.0.1"), "\(result)")
        let json = try project.godwit(["upgrade", "-e", "prod", "--json"])
        #expect(json.status == 1, "\(json)")
        if let password {
            for output in [result.stdout, result.stderr, json.stdout, json.stderr] {
                #expect(!output.contains(password), "a password shows\n\(output)")
            }
            #expect(json.stdout.contains(":***@"), "\(json)")
        }
        #expect(try project.database.revisionRows() == ["f1_users|applied"])
        #expect(try other.revisionRows() == ["f1_users|applied"])
    }

    @Test func aQueryCatalogLeavesAnInactiveTenantAlone() throws {
        var project = try PostgresProject()
        let active = try PostgresDatabase()
        let inactive = try PostgresDatabase()
        defer {
            project.remove()
            active.drop()
            inactive.drop()
        }
        try Self.writeRevision(project)
        _ = try project.database.value("""
            CREATE TABLE tenants (name text, url text, active boolean);
            INSERT INTO tenants VALUES ('acme', '\(active.url)', true), ('gone', '\(inactive.url)', false);
            """)
        project.variables["CATALOG_URL"] = project.database.url
        try Self.environments(project, [
            "targets:", "  query: SELECT name, url FROM tenants WHERE active ORDER BY name", "  catalog_url: ${CATALOG_URL}",
        ])
        let result = try project.godwit(["upgrade", "-e", "prod"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "prod: 1 target: 1 upgraded, 0 unchanged\n", "\(result)")
        #expect(try active.revisionRows() == ["f1_users|applied"])
        #expect(try inactive.tables() == [], "the inactive tenant is left alone")
        #expect(try project.database.tables() == ["tenants"], "the catalog is only read")

        project.variables["CATALOG_URL"] = try project.database.url(from: project.database.url, port: 1) + "?connect_timeout=2"
        let unreadable = try project.godwit(["upgrade", "-e", "prod"])
        #expect(unreadable.status == 1, "\(unreadable)")
        #expect(unreadable.stderr.contains("cannot read the targets of fleet 'prod' from its catalog"), "\(unreadable)")
    }

    @Test func aSchemaPerTenantKeepsGodwitsTablesInEachSchema() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try Self.writeRevision(project)
        _ = try project.database.value("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c; CREATE SCHEMA other")
        try Self.environments(project, [
            "targets:", "  schemas: SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1", "  url: ${PG_URL}",
            "rollout: {parallel: 2, canary: [tenant_b]}",
        ])
        let result = try project.godwit(["upgrade", "-e", "prod"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "prod: 3 targets: 3 upgraded, 0 unchanged\n", "\(result)")
        for schema in ["tenant_a", "tenant_b", "tenant_c"] {
            #expect(try project.database.tables(in: schema) == ["godwit_audit", "godwit_repeatables", "godwit_revisions", "users"], "\(schema)")
            #expect(try project.database.revisionRows(schema: schema) == ["f1_users|applied"])
        }
        #expect(try project.database.tables(in: "other") == [])
        #expect(try project.database.tables() == [], "nothing in public")
        let again = try project.godwit(["upgrade", "-e", "prod", "--shard", "1/2", "--json"])
        #expect(again.status == 0, "\(again)")
        let outcomes = (try again.jsonObject()["targets"] as? [[String: Any]] ?? []).compactMap { $0["outcome"] as? String }
        #expect(outcomes.allSatisfy { $0 == "unchanged" }, "\(again)")
    }
}

/// The promotion gate into a PostgreSQL fleet, a password in its targets' URLs that never shows
/// (text, JSON, errors, audit records), and a signal during a fleet run.
@Suite(.enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct FleetPostgresGateAndSignalTests {
    @Test func theGateIntoAFleetAndAPasswordThatNeverShows() throws {
        var project = try PostgresProject()
        let first = try PostgresDatabase()
        let second = try PostgresDatabase()
        defer {
            project.remove()
            first.drop()
            second.drop()
        }
        try FleetPostgresTests.writeRevision(project)
        let base = try PostgresTestServer.passwordURLText ?? PostgresTestServer.admin()
        let password = URLComponents(string: base)?.password
        project.variables["P1_URL"] = try first.url(from: base)
        project.variables["P2_URL"] = try second.url(from: base)
        try project.sandbox.write("environments/environments.yaml", """
            promotion: [dev, prod]
            environments:
              dev:
                url: ${PG_URL}
              prod:
                targets:
                  list:
                    p1: ${P1_URL}
                    p2: ${P2_URL}

            """)
        let gated = try project.godwit(["upgrade", "-e", "prod"])
        #expect(gated.status == 5, "\(gated)")
        #expect(gated.stderr.contains("dev"), "the gate names the predecessor\n\(gated)")
        #expect(try first.tables() == [] && second.tables() == [], "no target was touched")
        #expect(try project.godwit(["upgrade", "-e", "dev"]).status == 0)
        let promoted = try project.godwit(["promote", "dev", "prod", "--json"])
        #expect(promoted.status == 0, "\(promoted)")
        #expect(try first.revisionRows() == ["f1_users|applied"] && second.revisionRows() == ["f1_users|applied"])

        var outputs = [gated.stdout, gated.stderr, promoted.stdout, promoted.stderr]
        for args in [["audit", "-e", "prod", "--json"], ["audit", "-e", "prod", "-v"], ["audit", "verify", "-e", "prod", "--json"], ["current", "-e", "prod", "--json"]] {
            let result = try project.godwit(args)
            #expect(result.status == 0, "\(args)\n\(result)")
            outputs += [result.stdout, result.stderr]
        }
        let records = try project.godwit(["audit", "-e", "prod", "--json"]).jsonArray()
        #expect(Set(records.compactMap { $0["target"] as? String }) == ["p1", "p2"])
        project.variables["P2_URL"] = try second.url(from: base, port: 1) + "?connect_timeout=2"
        let unreachable = try project.godwit(["current", "-e", "prod"])
        #expect(unreachable.status == 1, "\(unreachable)")
        #expect(unreachable.stdout.contains("p2: unreachable"), "\(unreachable)")
        outputs += [unreachable.stdout, unreachable.stderr]
        if let password {
            for output in outputs { #expect(!output.contains(password), "a password shows\n\(output)") }
            for row in try first.rows("SELECT actor || host || coalesce(error, '') || coalesce(reason, '') FROM godwit_audit") {
                #expect(!row.contains(password), "a password in an audit record")
            }
        }
    }

    @Test func aSignalStopsNewTargetsRollsBackTheRunningOneAndPrintsTheSummary() throws {
        let project = try PostgresProject()
        defer { project.remove() }
        try project.revision("s1_slow", upgrade: "CREATE TABLE s1 (id int);\nSELECT pg_sleep(30);", downgrade: "DROP TABLE s1;")
        _ = try project.database.value("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA tenant_c")
        try FleetPostgresTests.environments(project, [
            "targets:", "  schemas: SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1", "  url: ${PG_URL}",
            "rollout: {parallel: 1}",
        ])
        let run = try project.start(["upgrade", "-e", "prod"])
        try project.database.waitForActiveQuery(containing: "pg_sleep(30)")
        let started = Date()
        run.send(SIGINT)
        let result = try run.wait(within: 10)
        #expect(Date().timeIntervalSince(started) < 5, "exits within a few seconds\n\(result)")
        #expect(result.status == 130, "\(result)")
        #expect(result.stdout == "prod: 3 targets: 0 upgraded, 0 unchanged, 1 failed (tenant_a), 2 skipped\n", "\(result)")
        #expect(result.stderr.contains("interrupted by SIGINT: 2 target(s) not started"), "\(result)")
        #expect(try project.database.tables(in: "tenant_a") == ["godwit_audit", "godwit_repeatables", "godwit_revisions"], "rolled back")
        #expect(try project.database.rows("SELECT outcome, error, hash IS NOT NULL FROM tenant_a.godwit_audit") == ["failed|interrupted|t"])
        #expect(try project.database.tables(in: "tenant_b") == [], "not started")
        #expect(try project.database.tables(in: "tenant_c") == [], "not started")
    }
}
