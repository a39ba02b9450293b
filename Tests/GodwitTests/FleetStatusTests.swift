import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

@testable import Godwit

/// `status`, `check` and the promotion gate on fleets of real SQLite files (SPEC §6, §10).
@Suite struct FleetStatusTests {
    /// A 10-tenant fleet `prod` after `dev`: t_001…t_005 upgraded, the rest at base.
    static func halfUpgraded() throws -> TestProject {
        let project = try FleetTests.project(count: 10, prod: "    rollout: {parallel: 3}")
        _ = try FleetTests.run(project, Rollout(patterns: ["t_00[1-5]"]))
        return project
    }

    @Test func statusCountsTargetsPerStateAndPerHeadAndListsEachTarget() throws {
        let project = try Self.halfUpgraded()
        defer { project.remove() }
        // One tenant is not a database at all: unreachable, and the others are still read.
        try Data("not a database, just text that is long enough to be read as a header".utf8)
            .write(to: project.root.appendingPathComponent("var/tenants/t_010.sqlite3"))
        let workspace = try project.workspace()
        let status = StatusReader(workspace: workspace).status(of: try workspace.project.environment("prod"), graph: try workspace.graph())
        #expect(status.isReachable)
        let targets = try #require(status.targets)
        #expect(targets.map(\.name) == (1...10).map(FleetTests.name), "one status per target, named for it, in the fleet's order")
        #expect(status.targetStateCounts.map { "\($0.count) \($0.state.rawValue)" } == ["5 up to date", "4 pending", "1 unreachable"])
        #expect(status.targetHeadCounts.map { "\($0.heads) \($0.count)" } == ["ccc333 5", "base 4"])
        #expect(targets[9].error != nil && !targets[9].isReachable)
        #expect(targets[5].pending == ["aaa111", "bbb222", "ccc333"])
        guard case .object(let json) = status.json, case .array(let items)? = json["targets"], case .object(let first)? = items.first else {
            Issue.record("status JSON of a fleet has no targets: \(status.json)")
            return
        }
        #expect(items.count == 10)
        #expect(first["name"] == .string("t_001") && first["heads"] == .array([.string("ccc333")]))
        // Every environment at once: the fleet's row is among them, with its targets.
        let all = try StatusReader(workspace: workspace).status()
        #expect(all.map(\.name) == ["dev", "prod"])
        #expect(all[1].targets?.count == 10 && all[0].targets == nil)
    }

    @Test func checkOfAFleetNamesEachTargetBehindOrDrifted() throws {
        let project = try Self.halfUpgraded()
        defer { project.remove() }
        let workspace = try project.workspace()
        let prod = try workspace.project.environment("prod")
        let behind = try EnvironmentChecks(workspace: workspace).check(prod)
        #expect(!behind.isOK)
        #expect(behind.problems.count == 15, "three pending revisions in each of five targets")
        #expect(behind.problems.allSatisfy { $0.kind == "pending" })
        #expect(behind.problems.first?.message.hasPrefix("target 't_006': revision 'aaa111'") == true, "\(behind.problems.first?.message ?? "")")

        _ = try FleetTests.run(project)
        #expect(try EnvironmentChecks(workspace: workspace).check(prod).isOK)

        _ = try FleetTests.tenant(project, "t_007", "UPDATE godwit_revisions SET checksum = 'edited' WHERE revision = 'bbb222'")
        let drifted = try EnvironmentChecks(workspace: workspace).check(prod)
        #expect(drifted.problems.map(\.kind) == ["checksum_mismatch"])
        #expect(drifted.problems.first?.message.hasPrefix("target 't_007': revision 'bbb222' was changed") == true)
    }

    /// `staging` and `prod` both fleets of SQLite files, `staging` first in promotion.
    static func twoFleets(prodTargets: String = "targets: {glob: var/tenants/*.sqlite3}") throws -> TestProject {
        let project = try TestProject(
            yaml: """
                promotion: [staging, prod]
                default_environment: staging
                environments:
                  staging:
                    targets: {glob: var/staging/*.sqlite3}
                  prod:
                    \(prodTargets)
                """, revisions: shopRevisions)
        for folder in ["var/staging", "var/tenants"] {
            try FileManager.default.createDirectory(at: project.root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for path in ["var/staging/s_1", "var/staging/s_2", "var/tenants/t_001", "var/tenants/t_002", "var/single"] {
            FileManager.default.createFile(atPath: project.root.appendingPathComponent(path + ".sqlite3").path, contents: nil)
        }
        return project
    }

    static func upgrade(_ project: TestProject, _ environment: String, to target: Target = .heads, targets: [String] = []) throws -> FleetResult {
        let workspace = try project.workspace()
        return try FleetRunner(workspace: workspace).run(
            ChangeRequest(.upgrade(target)), on: workspace.project.environment(environment), rollout: Rollout(patterns: targets))
    }

    @Test func aFleetAfterAFleetNeedsEveryRevisionInEveryTargetBeforeAnyTargetStarts() throws {
        let project = try Self.twoFleets()
        defer { project.remove() }
        #expect(try Self.upgrade(project, "staging", targets: ["s_1"]).count(.succeeded) == 1)
        #expect(try Self.upgrade(project, "staging", to: .revision("aaa111"), targets: ["s_2"]).count(.succeeded) == 1)
        #expect(throws: PlanRefusal.promotionGate(missing: ["bbb222", "ccc333"], predecessor: "staging", environment: "prod")) {
            try Self.upgrade(project, "prod")
        }
        #expect(try FleetTests.tenant(project, "t_001", "SELECT count(*) FROM sqlite_master WHERE name LIKE 'godwit%'") == [["0"]], "no target started")
        // What every staging target has may go.
        #expect(try Self.upgrade(project, "prod", to: .revision("aaa111")).count(.succeeded) == 2)

        #expect(try Self.upgrade(project, "staging").count(.succeeded) == 1)
        _ = try FleetTests.tenant(project, "../staging/s_2", "UPDATE godwit_revisions SET checksum = 'edited' WHERE revision = 'ccc333'")
        #expect {
            try Self.upgrade(project, "prod")
        } throws: { error in
            guard case .promotionGateChecksum(let revision, let predecessor, _, let recorded, _, _)? = error as? PlanRefusal else { return false }
            return revision == "ccc333" && predecessor == "staging" && recorded == "edited"
        }
        _ = try FleetTests.tenant(project, "../staging/s_2", "DELETE FROM godwit_revisions WHERE revision = 'ccc333'")
        _ = try FleetTests.tenant(project, "../staging/s_2", "DROP INDEX orders_user")
        #expect(try Self.upgrade(project, "staging").count(.succeeded) == 1)
        let result = try Self.upgrade(project, "prod")
        #expect(result.count(.succeeded) == 2, "\(result.targets.map { $0.error ?? "" })")
    }

    @Test func aSingleDatabaseAfterAFleetIsGatedByEveryTarget() throws {
        let project = try Self.twoFleets(prodTargets: "url: sqlite:var/single.sqlite3")
        defer { project.remove() }
        #expect(try Self.upgrade(project, "staging", targets: ["s_1"]).count(.succeeded) == 1)
        #expect(throws: PlanRefusal.promotionGate(missing: ["aaa111", "bbb222", "ccc333"], predecessor: "staging", environment: "prod")) {
            try project.migrator("prod").run(ChangeRequest(.upgrade(.heads)))
        }
        #expect(try Self.upgrade(project, "staging").count(.succeeded) == 1)
        #expect(try project.migrator("prod").run(ChangeRequest(.upgrade(.heads))).steps.count == 3)
    }
}
