import Foundation
import Testing

/// Targets and graph semantics as the user sees them (SPEC §3, §5).
@Suite struct GraphTargetTests {
    static let base = WorkflowTests.base

    @Test func upgradingARevisionAppliesItsDependenciesAndDowngradingADependencyRemovesItsDependents() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let a = try sandbox.newRevision("a", upgrade: "CREATE TABLE a (id INTEGER);\n", downgrade: "DROP TABLE a;\n")
        let b = try sandbox.newRevision("b", upgrade: "CREATE TABLE b (id INTEGER);\n", downgrade: "DROP TABLE b;\n", extra: ["--head", Self.base, "--splice"])
        let c = try sandbox.newRevision(
            "c", upgrade: "CREATE TABLE c (id INTEGER);\n", downgrade: "DROP TABLE c;\n", extra: ["--head", a.id, "--splice", "--depends-on", b.id])
        #expect(try sandbox.read(c.path).contains("-- depends_on: \(b.id)\n"))

        let up = try sandbox.godwit(["upgrade", c.id])
        #expect(up.status == 0, "\(up)")
        let applied = try appliedIDs(dev)
        #expect(Set(applied) == [Self.base, a.id, b.id, c.id], "the dependency b comes along")
        #expect(applied.firstIndex(of: b.id)! < applied.firstIndex(of: c.id)!, "dependencies first")
        #expect(applied.first == Self.base)

        let down = try sandbox.godwit(["downgrade", Self.base])
        #expect(down.status == 0, "\(down)")
        #expect(try appliedIDs(dev) == [Self.base])
        #expect(userTables(dev) == ["users"])
    }

    @Test func relativeTargetsAreRefusedWhereTheWalkIsAmbiguous() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let dev = sandbox.url("var/dev.sqlite3")
        let a = try sandbox.newRevision("a", upgrade: "CREATE TABLE a (id INTEGER);\n", downgrade: "DROP TABLE a;\n")
        let b = try sandbox.newRevision("b", upgrade: "CREATE TABLE b (id INTEGER);\n", downgrade: "DROP TABLE b;\n", extra: ["--head", Self.base, "--splice"])
        #expect(try sandbox.godwit(["upgrade", Self.base]).status == 0)

        let up = try sandbox.godwit(["upgrade", "+1"])
        #expect(up.status == 2, "the graph branches above the base\n\(up)")
        #expect(up.stderr.contains(a.id) && up.stderr.contains(b.id), "the candidates are listed\n\(up)")
        #expect(try appliedIDs(dev) == [Self.base])

        let a2 = try sandbox.newRevision("a2", upgrade: "CREATE TABLE a2 (id INTEGER);\n", downgrade: "DROP TABLE a2;\n", extra: ["--head", a.id, "--splice"])
        #expect(try sandbox.godwit(["upgrade", "heads"]).status == 0)
        let down = try sandbox.godwit(["downgrade", "-1"])
        #expect(down.status == 2, "two current heads\n\(down)")
        #expect(down.stderr.contains(a2.id) && down.stderr.contains(b.id), "the candidates are listed\n\(down)")
        expectNoCrash(down)
        #expect(Set(try appliedIDs(dev)) == [Self.base, a.id, a2.id, b.id])

        let fromA2 = try sandbox.godwit(["downgrade", "\(a2.id)-1"])
        #expect(fromA2.status == 0, "\(fromA2)")
        #expect(Set(try appliedIDs(dev)) == [Self.base, a.id, b.id], "REV-N leaves the other branch alone")
        #expect(userTables(dev) == ["a", "b", "users"])
    }

    @Test func anAmbiguousPrefixIsRefusedWithTheMatchesListed() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        for id in ["abc111", "abc222"] {
            try sandbox.write(
                "versions/\(id)_x.sql",
                "-- revision: \(id)\n-- down_revision: \(Self.base)\n-- message: \(id)\n\n-- +upgrade\nCREATE TABLE t\(id) (id INTEGER);\n\n-- +downgrade\nDROP TABLE t\(id);\n")
        }
        let result = try sandbox.godwit(["upgrade", "abc"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("abc111") && result.stderr.contains("abc222"), "\(result)")
        expectNoCrash(result)
        #expect(try sandbox.godwit(["upgrade", "abc2"]).status == 0, "a unique prefix works")
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")) == [Self.base, "abc222"])
    }

    @Test func theChecksumIgnoresLineEndings() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let path = "versions/\(Self.base)_create_users.sql"
        let lf = try sandbox.read(path)
        try sandbox.write("lf.sql", lf)
        try sandbox.write(path, lf.replacingOccurrences(of: "\n", with: "\r\n"))

        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let stored = try sqlite(sandbox.url("var/dev.sqlite3"), "SELECT checksum FROM godwit_revisions")
        #expect(stored == [[try sha256(sandbox.url("lf.sql"))]], "SHA-256 of the file with line endings normalised")
        let shown = try sandbox.godwit(["show", Self.base, "--json"]).jsonObject()
        #expect(shown["checksum"] as? String == (try sha256(sandbox.url("lf.sql"))))
    }
}
