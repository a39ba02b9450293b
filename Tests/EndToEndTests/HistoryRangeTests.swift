import Foundation
import Testing

/// `history -r A:B` (SPEC §5; issue 11 item 11, issue 13): open, `current`, relative ends, and
/// ends on two branches refused with exit 2 as Alembic refuses them.
@Suite struct HistoryRangeTests {
    static let base = WorkflowTests.base

    /// base → left, base → right.
    func branchedProject() throws -> (Sandbox, left: String, right: String) {
        let sandbox = try Sandbox()
        try sandbox.initProject()
        let left = try sandbox.newRevision("left", upgrade: "SELECT 1;\n", downgrade: "SELECT 1;\n", extra: ["--head", Self.base, "--splice"]).id
        let right = try sandbox.newRevision("right", upgrade: "SELECT 2;\n", downgrade: "SELECT 2;\n", extra: ["--head", Self.base, "--splice"]).id
        return (sandbox, left, right)
    }

    func ids(_ result: RunResult) throws -> [String] {
        try result.jsonArray().compactMap { $0["revision"] as? String }
    }

    @Test func endsOnTwoBranchesAreRefused() throws {
        let (sandbox, left, right) = try branchedProject()
        defer { sandbox.remove() }
        let result = try sandbox.godwit(["history", "-r", "\(left):\(right)"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains(left) && result.stderr.contains(right) && result.stderr.contains("not on one line of descent"), "\(result)")
        expectNoCrash(result)
        let json = try sandbox.godwit(["history", "-r", "\(left):\(right)", "--json"])
        let error = try json.jsonObject()["error"]
        #expect(json.status == 2 && error != nil, "\(json)")

        #expect(try ids(sandbox.godwit(["history", "-r", "\(Self.base):\(left)", "--json"])) == [left, Self.base])
        #expect(Set(try ids(sandbox.godwit(["history", "-r", "\(Self.base):", "--json"]))) == [Self.base, left, right])
        #expect(try ids(sandbox.godwit(["history", "-r", ":\(right)", "--json"])) == [right, Self.base])
    }

    @Test func relativeAndCurrentEnds() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let second = try sandbox.newRevision("second", upgrade: "SELECT 1;\n", downgrade: "SELECT 1;\n").id
        let third = try sandbox.newRevision("third", upgrade: "SELECT 2;\n", downgrade: "SELECT 2;\n").id
        #expect(try ids(sandbox.godwit(["history", "-r", "-1:", "--json"])) == [third, second])
        #expect(try ids(sandbox.godwit(["history", "-r", "-2:", "--json"])) == [third, second, Self.base])
        #expect(try ids(sandbox.godwit(["history", "-r", "\(Self.base)+1:", "--json"])) == [third, second])
        #expect(try ids(sandbox.godwit(["history", "-r", ":-1", "--json"])) == [second, Self.base])
        let below = try sandbox.godwit(["history", "-r", "-3:"])
        #expect(below.status == 2, "walking below base is refused\n\(below)")

        #expect(try sandbox.godwit(["upgrade", second]).status == 0)
        #expect(try ids(sandbox.godwit(["history", "-r", "current:", "-e", "dev", "--json"])) == [third, second])
        #expect(try ids(sandbox.godwit(["history", "-r", ":current", "--json"])) == [second, Self.base])
        let text = try sandbox.godwit(["history", "-r", "current:"])
        #expect(text.status == 0 && text.stdout.contains("-> \(third) (head), third"), "\(text)")
        let empty = try sandbox.godwit(["history", "-r", ":current", "-e", "test"])
        #expect(empty.status == 0 && empty.stdout == "no revisions in that range\n", "\(empty)")
    }
}
