import Foundation
import Testing

/// Shell completion: the scripts argument-parser generates, and the custom completions they ask
/// the binary for (`godwit ---completion SUBCOMMAND -- ARGUMENT INDEX CURSOR WORDS…`).
@Suite struct CompletionTests {
    /// The completions the binary gives for `argument` of `command`, as the generated scripts ask.
    func complete(_ sandbox: Sandbox, _ command: [String], _ argument: String, dir: String? = nil) throws -> RunResult {
        try sandbox.godwit(["---completion"] + command + ["--", argument, "0", "0"], dir: dir)
    }

    func lines(_ result: RunResult) -> [String] { result.stdout.split(separator: "\n").map(String.init) }

    @Test(arguments: ["bash", "zsh", "fish"])
    func theScriptsAskTheBinaryForCustomCompletions(_ shell: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let script = try sandbox.godwit(["--generate-completion-script", shell])
        #expect(script.status == 0, "\(script)")
        #expect(script.stdout.contains("---completion"), "\(script.stdout.prefix(500))")
        #expect(script.stdout.contains("upgrade") && script.stdout.contains("--env"))
    }

    @Test func environmentsAndRevisionsComeFromTheProject() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        let posts = try sandbox.newRevision("posts", upgrade: "CREATE TABLE posts (id INTEGER);\n", downgrade: "DROP TABLE posts;\n")

        for command in [["upgrade"], ["status"], ["schema", "dump"]] {
            let result = try complete(sandbox, command, "--env")
            #expect(result.status == 0 && lines(result) == ["dev", "test", "prod"], "\(command)\n\(result)")
        }
        #expect(lines(try complete(sandbox, ["current"], "-e", dir: "versions")) == ["dev", "test", "prod"], "from a subfolder")
        #expect(lines(try complete(sandbox, ["promote"], "positional@0")) == ["dev", "test", "prod"])

        let revisions = ["head", "heads", "base", posts.id, WorkflowTests.base]
        for (command, argument) in [
            (["upgrade"], "positional@0"), (["downgrade"], "positional@0"), (["stamp"], "positional@0"), (["show"], "positional@0"),
            (["merge"], "positional@0"), (["resolve"], "positional@0"), (["revision"], "--head"), (["revision"], "--depends-on"),
        ] {
            let result = try complete(sandbox, command, argument)
            #expect(result.status == 0 && lines(result) == revisions, "\(command) \(argument)\n\(result)")
        }
    }

    @Test func aBrokenProjectCompletesNothingAndSaysNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let nowhere = try complete(sandbox, ["upgrade"], "--env")
        #expect(nowhere.status == 0 && lines(nowhere).isEmpty && nowhere.stderr.isEmpty, "outside a project\n\(nowhere)")

        try sandbox.initProject()
        try sandbox.write("versions/zzz_broken.sql", "-- revision: zzz\n-- down_revision: nothing-here\n\n-- +upgrade\nSELECT 1;\n")
        let graph = try complete(sandbox, ["upgrade"], "positional@0")
        #expect(graph.status == 0 && lines(graph) == ["head", "heads", "base"] && graph.stderr.isEmpty, "a broken graph\n\(graph)")

        try sandbox.write("environments/environments.yaml", "environments: [unclosed\n")
        for (command, argument) in [(["upgrade"], "--env"), (["upgrade"], "positional@0")] {
            let result = try complete(sandbox, command, argument)
            #expect(result.status == 0 && result.stderr.isEmpty, "bad YAML\n\(result)")
            #expect(lines(result).allSatisfy { ["head", "heads", "base"].contains($0) }, "\(result)")
        }
    }
}
