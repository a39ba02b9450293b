import Foundation
import Testing

/// What each command's help offers and accepts (issue 13): no flag a command ignores, `-m`
/// optional for `revision` and `merge`, `status -e` (issue 11 item 15).
@Suite struct CommandOptionTests {
    static let base = WorkflowTests.base

    @Test func helpShowsOnlyHonouredFlags() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let downgrade = try sandbox.godwit(["downgrade", "--help"])
        #expect(downgrade.status == 0 && downgrade.stdout.contains("--rehearse"), "\(downgrade)")
        #expect(!downgrade.stdout.contains("--skip-promotion-check"), "\(downgrade)")
        let stamp = try sandbox.godwit(["stamp", "--help"])
        #expect(stamp.status == 0 && stamp.stdout.contains("--skip-promotion-check"), "\(stamp)")
        #expect(!stamp.stdout.contains("--rehearse"), "\(stamp)")
        for command in ["upgrade", "promote"] {
            let help = try sandbox.godwit([command, "--help"])
            #expect(help.stdout.contains("--rehearse") && help.stdout.contains("--skip-promotion-check"), "\(help)")
        }
        try sandbox.initProject()
        #expect(try sandbox.godwit(["stamp", Self.base, "--rehearse"]).status == 2)
        #expect(try sandbox.godwit(["downgrade", "base", "--skip-promotion-check", "--reason", "x"]).status == 2)
    }

    @Test func messageIsOptional() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let revision = try sandbox.godwit(["revision", "--json"])
        #expect(revision.status == 0, "\(revision)")
        let object = try revision.jsonObject()
        let id = try #require(object["revision"] as? String)
        #expect(object["path"] as? String == "versions/\(id).sql", "\(revision)")
        let other = try sandbox.godwit(["revision", "--head", Self.base, "--splice", "--json"])
        #expect(other.status == 0, "\(other)")
        let merge = try sandbox.godwit(["merge"])
        #expect(merge.status == 0 && merge.stdout.hasPrefix("versions/"), "\(merge)")
        let history = try sandbox.godwit(["history", "--json"])
        let count = try history.jsonArray().count
        #expect(history.status == 0 && count == 4, "\(history)")
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
    }

    @Test func statusWithAnEnvironmentShowsThatOneAlone() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let json = try sandbox.godwit(["status", "-e", "test", "--json"]).jsonObject()
        let names = (json["environments"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["test"])
        let text = try sandbox.godwit(["status", "-e", "test"])
        #expect(text.status == 0 && text.stdout.contains("\ntest ") && !text.stdout.contains("\ndev ") && !text.stdout.contains("prod"), "\(text)")
        let hoisted = try sandbox.godwit(["--json", "-e", "test", "status"]).jsonObject()
        #expect((hoisted["environments"] as? [Any])?.count == 1)
        #expect(try sandbox.godwit(["status", "-e", "nope"]).status == 2)
        let all = try sandbox.godwit(["status", "--json"]).jsonObject()
        #expect((all["environments"] as? [Any])?.count == 3)
    }
}
