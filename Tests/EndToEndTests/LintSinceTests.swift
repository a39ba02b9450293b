import Foundation
import Testing

/// `lint --since GIT_REF` in a git repository (SPEC §11): only what a pull request adds or changes.
@Suite struct LintSinceTests {
    /// Runs git in the sandbox as a user with a name, without the caller's GIT_* variables.
    @discardableResult
    func git(_ sandbox: Sandbox, _ args: [String]) throws -> String {
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/git"),
            ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"] + args,
            in: sandbox.root, environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") })
        guard result.status == 0 else { throw HarnessError("git \(args) failed\n\(result)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The revisions of the lint findings of `lint --since ref --json`.
    func lintedRevisions(_ sandbox: Sandbox, since ref: String) throws -> Set<String> {
        let result = try sandbox.godwit(["lint", "--since", ref, "--json"])
        #expect(result.status == 3, "\(result)")
        let problems = try #require(try result.jsonObject()["problems"] as? [[String: Any]], "\(result)")
        return Set(problems.compactMap { $0["revision"] as? String })
    }

    @Test func lintsOnlyTheRevisionsAddedOrChangedSinceTheMergeBase() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let old = try sandbox.newRevision("drop a", upgrade: "DROP TABLE a;\n", downgrade: nil)
        let changed = try sandbox.newRevision("drop b", upgrade: "DROP TABLE b;\n", downgrade: nil)
        let deleted = try sandbox.newRevision("drop e", upgrade: "DROP TABLE e;\n", downgrade: nil)
        try git(sandbox, ["init", "-q", "."])
        try git(sandbox, ["add", "-A"])
        try git(sandbox, ["commit", "-q", "-m", "base"])
        try git(sandbox, ["checkout", "-q", "-b", "feature"])

        // Committed on the branch: a changed revision, an added one, a deleted one.
        try sandbox.write(changed.path, try sandbox.read(changed.path) + "-- reviewed\n")
        try FileManager.default.removeItem(at: sandbox.url(deleted.path))
        let added = try sandbox.newRevision("drop c", upgrade: "DROP TABLE c;\n", downgrade: nil, extra: ["--head", changed.id])
        try git(sandbox, ["add", "-A"])
        try git(sandbox, ["commit", "-q", "-m", "feature"])
        // Not committed: a new file.
        let untracked = try sandbox.newRevision("drop d", upgrade: "DROP TABLE d;\n", downgrade: nil)

        #expect(try lintedRevisions(sandbox, since: "main") == [changed.id, added.id, untracked.id])
        #expect(!(try lintedRevisions(sandbox, since: "main")).contains(old.id))

        // Main moves on: the merge base, not main's tip, is the start.
        try git(sandbox, ["checkout", "-q", "main"])
        try sandbox.write(old.path, try sandbox.read(old.path) + "-- on main\n")
        try git(sandbox, ["commit", "-q", "-am", "main moves"])
        try git(sandbox, ["checkout", "-q", "feature"])
        try FileManager.default.removeItem(at: sandbox.url(untracked.path))
        #expect(try lintedRevisions(sandbox, since: "main") == [changed.id, added.id])

        // Nothing changed since HEAD: nothing linted, exit 0.
        let clean = try sandbox.godwit(["lint", "--since", "HEAD", "--json"])
        #expect(clean.status == 0, "\(clean)")
        #expect((try clean.jsonObject()["problems"] as? [Any])?.isEmpty == true, "\(clean)")
    }

    @Test func refusesOutsideACheckoutAndForAnUnknownRef() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let outside = try sandbox.godwit(["lint", "--since", "main"])
        #expect(outside.status == 2, "\(outside)")
        #expect(outside.stderr.contains("not in a git checkout"), "\(outside)")
        expectNoCrash(outside)

        try git(sandbox, ["init", "-q", "."])
        try git(sandbox, ["add", "-A"])
        try git(sandbox, ["commit", "-q", "-m", "base"])
        let unknown = try sandbox.godwit(["lint", "--since", "no-such-branch", "--json"])
        #expect(unknown.status == 2, "\(unknown)")
        let error = try #require(try unknown.jsonObject()["error"] as? [String: Any], "\(unknown)")
        #expect((error["message"] as? String)?.contains("'no-such-branch'") == true, "\(unknown)")

        let both = try sandbox.godwit(["lint", WorkflowTests.base, "--since", "HEAD"])
        #expect(both.status == 2, "\(both)")
    }

    @Test func saysSoWhenGitIsNotInstalled() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let result = try sandbox.godwit(["lint", "--since", "main"], env: ["PATH": sandbox.url("no-bin").path])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("git is not installed"), "\(result)")
    }
}
