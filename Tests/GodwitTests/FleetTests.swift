import Foundation
import GodwitCore
import GodwitSQLite
import GodwitTestSupport
import Testing

@testable import Godwit

#if canImport(Glibc)
import Glibc
#endif

/// Fleets on real SQLite files (SPEC §10): a glob of 100 tenants upgraded on a bounded pool,
/// reruns, failures under both error policies, `--target`, shards and the canary.
@Suite struct FleetTests {
    /// A project whose `prod` is a glob of `count` tenant files `t_001…`, after `dev` (upgraded).
    static func project(count: Int = 100, prod: String = "", revisions: [TestRevision] = shopRevisions) throws -> TestProject {
        let project = try TestProject(
            yaml: """
                promotion: [dev, prod]
                default_environment: dev
                environments:
                  dev:
                    url: sqlite:var/dev.sqlite3
                  prod:
                    targets:
                      glob: var/tenants/*.sqlite3
                \(prod)
                """, revisions: revisions)
        try FileManager.default.createDirectory(at: project.root.appendingPathComponent("var/tenants"), withIntermediateDirectories: true)
        for index in 1...count {
            FileManager.default.createFile(atPath: project.root.appendingPathComponent("var/tenants/\(name(index)).sqlite3").path, contents: nil)
        }
        _ = try project.migrator("dev").run(ChangeRequest(.upgrade(.heads)))
        return project
    }

    /// A project whose one environment `prod` has these `targets:` lines (indented under it).
    static func project(targets: [String]) throws -> TestProject {
        try TestProject(
            yaml: (["environments:", "  prod:", "    targets:"] + targets.map { "      " + $0 }).joined(separator: "\n"), revisions: shopRevisions)
    }

    static func name(_ index: Int) -> String { "t_" + String(format: "%03d", index) }

    static func run(_ project: TestProject, _ rollout: Rollout = Rollout(), dryRun: Bool = false) throws -> FleetResult {
        let workspace = try project.workspace()
        var request = ChangeRequest(.upgrade(.heads))
        request.isDryRun = dryRun
        return try FleetRunner(workspace: workspace).run(request, on: workspace.project.environment("prod"), rollout: rollout)
    }

    static func tenant(_ project: TestProject, _ name: String, _ sql: String) throws -> [[String?]] {
        let connection = try SQLiteConnection(path: project.root.appendingPathComponent("var/tenants/\(name).sqlite3").path)
        defer { connection.close() }
        return try connection.query(sql)
    }

    @Test func aHundredTenantsUpgradeThenARerunFindsThemUnchanged() throws {
        let project = try Self.project(prod: "    rollout: {parallel: 8}")
        defer { project.remove() }
        let dry = try Self.run(project, dryRun: true)
        #expect(dry.count(.succeeded) == 100)
        #expect(try Self.tenant(project, "t_042", "SELECT count(*) FROM sqlite_master WHERE name = 'users'") == [["0"]], "a dry-run changes nothing")

        let first = try Self.run(project)
        #expect(first.targets.count == 100)
        #expect(first.count(.succeeded) == 100, "\(first.targets.filter { $0.outcome != .succeeded }.map { "\($0.name): \($0.error ?? "")" })")
        #expect(first.exitStatus == nil)
        #expect(first.targets.map(\.name) == (1...100).map(Self.name), "the result keeps the fleet's order")
        #expect(first.targets.allSatisfy { $0.toHeads == ["ccc333"] && $0.fromHeads == [] && $0.auditID == 1 && $0.stepCount == 3 })
        // Each tenant has its own tables and audit chain.
        for name in ["t_001", "t_050", "t_100"] {
            #expect(try Self.tenant(project, name, "SELECT revision FROM godwit_revisions ORDER BY seq") == [["aaa111"], ["bbb222"], ["ccc333"]])
            #expect(try Self.tenant(project, name, "SELECT environment, outcome FROM godwit_audit") == [["prod", "succeeded"]])
        }
        let again = try Self.run(project)
        #expect(again.count(.unchanged) == 100)
        #expect(again.targets.allSatisfy { $0.auditID == nil })
        #expect(try Self.tenant(project, "t_007", "SELECT count(*) FROM godwit_audit") == [["1"]], "a rerun writes nothing")
    }

    @Test(arguments: [RolloutPolicy.ErrorPolicy.stop, .continue])
    func aFailingTenantStopsOrNotByTheErrorPolicy(policy: RolloutPolicy.ErrorPolicy) throws {
        let project = try Self.project(prod: "    rollout: {parallel: 2, on_error: \(policy.rawValue)}")
        defer { project.remove() }
        _ = try Self.tenant(project, "t_020", "CREATE TABLE orders (x INTEGER)")
        let result = try Self.run(project)
        #expect(result.failedNames == ["t_020"])
        #expect(result.exitStatus == .failed)
        let failed = try #require(result.targets.first { $0.name == "t_020" })
        #expect(failed.error?.contains("versions/bbb222_test.sql") == true, "\(failed.error ?? "")")
        switch policy {
        case .stop:
            #expect(result.count(.skipped) >= 75, "no new target starts after the failure")
            #expect(result.count(.succeeded) + result.count(.skipped) == 99)
        case .continue:
            #expect(result.count(.succeeded) == 99)
            #expect(result.count(.skipped) == 0)
        }
        // The failing tenant kept what committed before its failure, and its own failed record.
        #expect(try Self.tenant(project, "t_020", "SELECT revision FROM godwit_revisions") == [["aaa111"]])
        #expect(try Self.tenant(project, "t_020", "SELECT outcome FROM godwit_audit") == [["failed"]])
    }

    @Test func targetGlobsPickTargetsAndAGlobMatchingNothingIsAnError() throws {
        let project = try Self.project(count: 30)
        defer { project.remove() }
        let some = try Self.run(project, Rollout(patterns: ["t_00*", "t_017"]))
        #expect(some.targets.map(\.name) == (1...9).map(Self.name) + ["t_017"])
        #expect(some.count(.succeeded) == 10)
        #expect(try Self.tenant(project, "t_010", "SELECT count(*) FROM sqlite_master WHERE name = 'users'") == [["0"]])
        let error = try #require(throws: FleetError.self) { try Self.run(project, Rollout(patterns: ["nope*"])) }
        #expect(error.code == .noTargetMatches(pattern: "nope*", environment: "prod"))
        #expect(error.exitCode == .usage)
    }

    @Test func threeShardsCoverEveryTargetExactlyOnce() throws {
        let project = try Self.project()
        defer { project.remove() }
        var seen: [String] = []
        for index in 1...3 {
            let result = try Self.run(project, Rollout(shard: try Shard(parsing: "\(index)/3")))
            #expect(result.count(.succeeded) == result.targets.count)
            #expect(result.targets.count > 10, "a slice of 100 by hash is never nearly empty")
            seen += result.targets.map(\.name)
        }
        #expect(seen.sorted() == (1...100).map(Self.name))
        #expect(try Self.run(project).count(.unchanged) == 100)
    }

    @Test func theShardHashIsFNV1aOfTheName() throws {
        // Known FNV-1a 64 values: the empty string and "a".
        #expect(Shard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        let shard = try Shard(parsing: "2/3")
        #expect(shard.contains("a") == ((0xaf63_dc4c_8601_ec8c as UInt64) % 3 == 1))
        for text in ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3"] {
            #expect(throws: FleetError.self) { try Shard(parsing: text) }
        }
    }

    @Test func theCanaryGoesFirstAndShardsWaitForIt() throws {
        let project = try Self.project(count: 12, prod: "    rollout: {canary: 2, parallel: 3}")
        defer { project.remove() }
        let refused = try #require(throws: FleetError.self) { try Self.run(project, Rollout(shard: try Shard(parsing: "1/3"))) }
        #expect(refused.exitCode == .refused)
        #expect(refused.message.contains("t_001") && refused.message.contains("t_002"), "\(refused.message)")
        #expect(try Self.tenant(project, "t_005", "SELECT count(*) FROM sqlite_master").first?.first == "0", "the refusal changed nothing")
        #expect(throws: FleetError.self) { try Self.run(project, Rollout(patterns: ["t_01*"])) }

        let canary = try Self.run(project, Rollout(isCanaryOnly: true))
        #expect(canary.targets.map(\.name) == ["t_001", "t_002"])
        #expect(canary.count(.succeeded) == 2)
        var seen: [String] = []
        for index in 1...3 {
            let shard = try Self.run(project, Rollout(shard: try Shard(parsing: "\(index)/3")))
            #expect(shard.exitStatus == nil)
            seen += shard.targets.map(\.name)
            #expect(shard.targets.allSatisfy { ($0.outcome == .unchanged) == ["t_001", "t_002"].contains($0.name) })
        }
        #expect(seen.sorted() == (1...12).map(Self.name))
    }

    @Test func aFailingCanaryEndsTheRun() throws {
        let project = try Self.project(count: 10, prod: "    rollout: {canary: [t_003], on_error: continue}")
        defer { project.remove() }
        _ = try Self.tenant(project, "t_003", "CREATE TABLE users (x INTEGER)")
        let result = try Self.run(project)
        #expect(result.targets.first?.name == "t_003")
        #expect(result.failedNames == ["t_003"])
        #expect(result.count(.skipped) == 9)
        #expect(try Self.tenant(project, "t_001", "SELECT count(*) FROM sqlite_master").first?.first == "0")
    }

    @Test func aLockTimeoutOnOneTargetIsThatTargetsAndExitsFour() throws {
        let project = try Self.project(count: 5, prod: "    lock_timeout: 300ms")
        defer { project.remove() }
        // The SQLite lock is a flock on `<database>.godwit.lock`; another open file description conflicts.
        let lockPath = project.root.appendingPathComponent("var/tenants/t_004.sqlite3").path + ".godwit.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(flock(descriptor, LOCK_EX) == 0)
        defer { close(descriptor) }
        let result = try Self.run(project)
        #expect(result.failedNames == ["t_004"])
        #expect(result.targets.first { $0.name == "t_004" }?.isLockTimeout == true)
        #expect(result.count(.succeeded) == 4)
        #expect(result.exitStatus == .lockTimeout)
    }

    @Test func aProtectedFleetNeedsConfirmationBeforeAnythingRuns() throws {
        let project = try Self.project(count: 3, prod: "    protected: true")
        defer { project.remove() }
        #expect(throws: PlanRefusal.self) { try Self.run(project) }
        #expect(try Self.run(project, dryRun: true).count(.succeeded) == 3)
    }

    @Test func aFleetHasNoOneURL() throws {
        let project = try Self.project(count: 1)
        defer { project.remove() }
        let workspace = try project.workspace()
        let error = try #require(throws: FleetError.self) { try workspace.url(of: workspace.project.environment("prod")) }
        #expect(error.message == "'prod' is a fleet; this command does not support fleets yet")
        #expect(error.exitCode == .usage)
    }

    @Test func twoTargetsOfOneNameAreAConfigurationError() throws {
        let project = try Self.project(targets: ["glob: var/*/t.sqlite3"])
        defer { project.remove() }
        try project.write("var/a/t.sqlite3", "")
        try project.write("var/b/t.sqlite3", "")
        let workspace = try project.workspace()
        let error = try #require(throws: FleetError.self) { try FleetResolver(workspace: workspace).resolve(workspace.project.environment("prod")) }
        #expect(error.code == .duplicateTarget(name: "t", environment: "prod"))
        #expect(error.exitCode == .usage)
    }

    @Test func aListKeepsItsOrderAndExpandsVariablesPerTarget() throws {
        let project = try Self.project(targets: ["list:", "  zeta: sqlite:var/z.sqlite3", "  alpha: ${ALPHA_URL}"])
        defer { project.remove() }
        let workspace = try project.workspace()
        let fleet = try FleetResolver(workspace: workspace).resolve(workspace.project.environment("prod"))
        #expect(fleet.members.map(\.name) == ["zeta", "alpha"])
        #expect(fleet.members[1].environment.urlLocation == SourceLocation(file: Project.configPath, line: 6))
        let error = try #require(throws: ConfigurationError.self) { try workspace.url(of: fleet.members[1].environment) }
        #expect(error.code == .unsetVariable("ALPHA_URL", environment: "prod"))
    }

    @Test func aQueryCatalogOnSQLiteNamesEachTargetAndAnUnreadableOneIsNamed() throws {
        let project = try Self.project(targets: [
            "query: SELECT name, url FROM tenants WHERE active ORDER BY name", "catalog_url: sqlite:var/catalog.sqlite3",
        ])
        defer { project.remove() }
        let workspace = try project.workspace()
        let environment = try workspace.project.environment("prod")
        let missing = try #require(throws: FleetError.self) { try FleetResolver(workspace: workspace).resolve(environment) }
        #expect(missing.exitCode == .failed)
        #expect(missing.message.contains("catalog") && missing.message.contains("var/catalog.sqlite3"), "\(missing.message)")
        let catalog = try SQLiteConnection(path: project.root.appendingPathComponent("var/catalog.sqlite3").path)
        try catalog.execute("""
            CREATE TABLE tenants (name TEXT, url TEXT, active INTEGER);
            INSERT INTO tenants VALUES ('b', 'sqlite:var/b.sqlite3', 1), ('a', 'sqlite:var/a.sqlite3', 1), ('old', 'sqlite:var/old.sqlite3', 0);
            """)
        catalog.close()
        let fleet = try FleetResolver(workspace: workspace).resolve(environment)
        #expect(fleet.members.map(\.name) == ["a", "b"])
        let result = try FleetRunner(workspace: workspace).run(ChangeRequest(.upgrade(.heads)), on: environment, rollout: Rollout())
        #expect(result.count(.succeeded) == 2)
        #expect(!FileManager.default.fileExists(atPath: project.root.appendingPathComponent("var/old.sqlite3").path), "the inactive tenant is left alone")
    }
}

/// The `target` a fleet's reader marks an audit record with (SPEC §10): in its JSON, never in
/// what its hash covers, so a record reads and verifies the same with or without it.
@Suite struct FleetAuditRecordTests {
    @Test func theTargetIsInTheJSONAndNotInTheHashedFields() throws {
        var record = AuditRecord(
            id: 1, environment: "prod", operation: "upgrade", startedAt: "2026-12-01T00:00:00.000Z", fromHeads: [],
            actor: "a", host: "h", toolVersion: "0", gitCommit: nil, reason: nil)
        let hash = record.computedHash
        #expect(record.json["target"] == nil)
        record.target = "t_017"
        #expect(record.json["target"]?.stringValue == "t_017")
        #expect(record.computedHash == hash)
        #expect(!record.canonicalJSON.contains("t_017"))
        #expect(AuditRecord(json: record.json)?.target == "t_017")
    }
}
