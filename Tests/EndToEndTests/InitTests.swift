import Foundation
import Testing

/// `init [DIR] [--force]` (SPEC §1): a fresh random id for the example revision, an empty folder
/// or `--force`, and never an overwritten file.
@Suite struct InitTests {
    @Test func twoProjectsGetDifferentRevisionIDs() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["init", "one"]).status == 0)
        #expect(try sandbox.godwit(["init", "two"]).status == 0)
        let ids = try ["one", "two"].map { try sandbox.exampleRevisionID(in: $0) }
        #expect(ids[0] != ids[1], "\(ids)")
        for id in ids { #expect(id.count == 12 && id.allSatisfy { "0123456789abcdef".contains($0) }, "\(id)") }
        let heads = try sandbox.godwit(["heads", "--json"], dir: "one")
        #expect((try heads.jsonArray().first?["revision"] as? String) == ids[0], "\(heads)")
    }

    @Test func aFolderThatIsNotEmptyIsRefusedUnlessForced() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write("app/README.md", "mine\n")
        try sandbox.write("app/environments/environments.yaml", "# mine\n")
        let refused = try sandbox.godwit(["init", "app"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("'\(sandbox.url("app").standardizedFileURL.path)' is not empty") && refused.stderr.contains("--force"), "\(refused)")
        expectNoCrash(refused)
        #expect(!sandbox.exists("app/versions"), "nothing written")

        let forced = try sandbox.godwit(["init", "app", "--force", "--json"])
        #expect(forced.status == 0, "\(forced)")
        let object = try forced.jsonObject()
        #expect(object["skipped"] as? [String] == ["environments/environments.yaml"], "\(forced)")
        #expect((object["files"] as? [String])?.contains(".gitignore") == true, "\(forced)")
        #expect(try sandbox.read("app/environments/environments.yaml") == "# mine\n", "never overwritten")
        #expect(try sandbox.read("app/README.md") == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("app/versions").path).count == 1)

        // Forced again: every file exists, and versions/ holds a revision, so nothing is added.
        let again = try sandbox.godwit(["init", "app", "--force"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("skipped"), "\(again)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.url("app/versions").path).count == 1, "no second example revision")
    }

    @Test func aGitCloneWithNothingElseCountsAsEmpty() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.write(".git/HEAD", "ref: refs/heads/main\n")
        let result = try sandbox.godwit(["init"])
        #expect(result.status == 0, "\(result)")
        #expect(sandbox.exists("environments/environments.yaml"))
    }
}
