import Foundation
import Testing

/// A command line on a fresh `godwit init` project, and how it must end (SPEC §8).
struct ExitCase: CustomTestStringConvertible, Sendable {
    var args: [String]
    var exit: Int32
    var stderrContains: [String]
    var testDescription: String { "godwit " + args.joined(separator: " ") }
}

@Suite struct ExitCodeTests {
    static let cases: [ExitCase] = [
        ExitCase(args: ["upgrade", "--nonsense"], exit: 2, stderrContains: ["--nonsense"]),
        ExitCase(args: ["frobnicate"], exit: 2, stderrContains: ["frobnicate"]),
        ExitCase(args: ["downgrade"], exit: 2, stderrContains: ["target"]),
        ExitCase(args: ["revision", "--message"], exit: 2, stderrContains: ["--message"]),  // -m is optional (SPEC §5); its value is not
        ExitCase(args: ["upgrade", "-e", "deev"], exit: 2, stderrContains: ["'deev'", "did you mean 'dev'"]),
        ExitCase(args: ["current", "--env", "prdo"], exit: 2, stderrContains: ["'prdo'", "did you mean 'prod'"]),
        ExitCase(args: ["upgrade", "-e", "staging_eu_west"], exit: 2, stderrContains: ["'staging_eu_west'", "dev", "test", "prod"]),
        ExitCase(args: ["upgrade", "ffffffffffff"], exit: 2, stderrContains: ["ffffffffffff"]),
        ExitCase(args: ["upgrade", "not a target!"], exit: 2, stderrContains: ["not a target!"]),
        ExitCase(args: ["upgrade", "nolabel@head"], exit: 2, stderrContains: ["nolabel"]),
        ExitCase(args: ["downgrade", "-1"], exit: 2, stderrContains: ["-1"]),
        ExitCase(args: ["upgrade", "--dry-run", "--sql"], exit: 2, stderrContains: ["--dry-run", "--sql"]),
        ExitCase(args: ["resolve", "3f2a9c1b7d4e"], exit: 2, stderrContains: ["--applied", "--rolled-back"]),
        ExitCase(args: ["resolve", "3f2a9c1b7d4e", "--applied"], exit: 5, stderrContains: ["3f2a9c1b7d4e", "not recorded as failed"]),
        ExitCase(args: ["history", "-r", "nonsense"], exit: 2, stderrContains: ["A:B"]),
        ExitCase(args: ["show", "zzz"], exit: 2, stderrContains: ["'zzz'"]),
        ExitCase(args: ["merge", "-m", "nothing to join"], exit: 2, stderrContains: ["only one head"]),
        ExitCase(args: ["--version"], exit: 0, stderrContains: []),
        ExitCase(args: ["upgrade", "--help"], exit: 0, stderrContains: []),
    ]

    @Test(arguments: cases)
    func aCommandLineEndsWithItsExitCode(_ testCase: ExitCase) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()

        let result = try sandbox.godwit(testCase.args)
        #expect(result.status == testCase.exit, "\(result)")
        for text in testCase.stderrContains {
            #expect(result.stderr.contains(text), "stderr lacks \"\(text)\"\n\(result)")
        }
        expectNoCrash(result)
        if testCase.exit != 0 {
            #expect(result.stdout.isEmpty, "an error prints nothing on stdout without --json\n\(result)")
        }
    }

    /// With --json, a usage error is the JSON error document on stdout, with code 2 (SPEC §9).
    @Test(arguments: [["upgrade", "--nonsense"], ["upgrade", "-e", "deev"], ["upgrade", "ffffffffffff"], ["--json", "frobnicate"]])
    func aUsageErrorWithJSONIsTheErrorDocument(_ args: [String]) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()

        let result = try sandbox.godwit(args + (args.contains("--json") ? [] : ["--json"]))
        #expect(result.status == 2, "\(result)")
        expectNoCrash(result)
        let document = try result.jsonObject()
        let error = try #require(document["error"] as? [String: Any], "\(result)")
        #expect(error["code"] as? Int == 2, "\(result)")
        #expect((error["message"] as? String)?.isEmpty == false, "\(result)")
    }

    @Test func versionAndHelpGoToStdout() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let version = try sandbox.godwit(["--version"])
        #expect(version.status == 0, "\(version)")
        #expect(version.stdout.first?.isNumber == true, "\(version)")
        let help = try sandbox.godwit(["--help"])
        #expect(help.status == 0, "\(help)")
        for command in ["init", "revision", "merge", "upgrade", "downgrade", "stamp", "current", "history", "heads", "branches", "show"] {
            #expect(help.stdout.contains(command), "--help lists '\(command)'\n\(help)")
        }
    }
}
