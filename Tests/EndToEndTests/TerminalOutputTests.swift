import Foundation
import Testing

/// What an operator at a terminal sees (issue 11, items 15 and 17): aligned colour tables, the
/// plan before the protected-environment prompt, and no terminal escape from anyone's input.
@Suite struct TerminalOutputTests {
    static let base = WorkflowTests.base
    static let clear = "\u{1B}[2J"
    static let retitle = "\u{1B}]0;pwned\u{07}"

    @Test func statusColumnsAlignOnAColourTerminal() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        #expect(try sandbox.godwit(["upgrade"]).status == 0)
        let result = try runInTerminal(["status"], in: sandbox.root)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\u{1B}[32mup to date\u{1B}[0m"), "colours are on at a terminal\n\(result)")
        let lines = withoutColors(result.stdout).split(separator: "\n").map(String.init)
        guard let header = lines.first(where: { $0.hasPrefix("ENVIRONMENT") }), let dev = lines.first(where: { $0.hasPrefix("dev ") }) else {
            Issue.record("no header or dev row\n\(result)")
            return
        }
        let headsColumn = try #require(header.range(of: "HEADS")).lowerBound.utf16Offset(in: header)
        let devHeads = try #require(dev.range(of: Self.base)).lowerBound.utf16Offset(in: dev)
        #expect(headsColumn == devHeads, "HEADS starts at \(headsColumn), the dev row's heads at \(devHeads)\n\(header)\n\(dev)")
    }

    @Test func protectedPromptComesAfterThePlan() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write("environments/environments.yaml", """
            versions: versions
            default_environment: dev
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              prod:
                url: sqlite:var/prod.sqlite3
                protected: true

            """)
        let result = try runInTerminal(["upgrade", "-e", "prod"], in: sandbox.root, stdin: "prod\n")
        #expect(result.status == 0, "\(result)")
        let text = withoutColors(result.stdout)
        let plan = try #require(text.range(of: "dry-run: upgrade of 'prod'"), "the plan is shown\n\(result)")
        let prompt = try #require(text.range(of: "type its name to continue"), "the prompt is shown\n\(result)")
        #expect(plan.lowerBound < prompt.lowerBound, "the plan comes before the prompt\n\(result)")
        #expect(text.contains("applied 1 revision"), "\(result)")
        #expect(try appliedIDs(sandbox.url("var/prod.sqlite3")) == [Self.base])
    }

    @Test func escapesInInputArePrintedVisibly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        // A revision file cannot hold an escape (it is refused at path:line:column), so what
        // reaches the screen from outside is a reason, an environment name, a target. An actor
        // with a control character is refused before anything runs (exit 2), without echoing it.
        let revision = try sandbox.newRevision("plain message", upgrade: "SELECT 1;\n", downgrade: "SELECT 1;\n")
        let refused = try sandbox.godwit(["upgrade", "--actor", "mallory\(Self.retitle)", "--reason", "evil\(Self.clear)reason"])
        #expect(refused.status == 2 && refused.stderr.contains("--actor"), "\(refused)")
        #expect(try appliedIDs(sandbox.url("var/dev.sqlite3")).isEmpty, "nothing ran")
        let upgrade = try sandbox.godwit(["upgrade", "--actor", "mallory", "--reason", "evil\(Self.clear)reason"])
        #expect(upgrade.status == 0, "\(upgrade)")
        var outputs: [(String, RunResult)] = [("refused", refused), ("upgrade", upgrade)]
        for args in [["audit"], ["audit", "-v"], ["status"], ["heads"], ["history"], ["show", revision.id], ["current"]] {
            outputs.append((args.joined(separator: " "), try sandbox.godwit(args)))
        }
        outputs.append(("error", try sandbox.godwit(["current", "-e", "prod\(Self.retitle)"])))
        outputs.append(("target", try sandbox.godwit(["upgrade", "evil\(Self.clear)target"])))
        outputs.append(("dry-run", try sandbox.godwit(["downgrade", "base", "--dry-run"])))
        for (what, result) in outputs {
            #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{07}"),
                "\(what) prints a raw escape\n\(result)")
        }
        #expect(try sandbox.godwit(["audit"]).stdout.contains("evil\\u{1B}[2Jreason"))
        #expect(outputs.last(where: { $0.0 == "error" })?.1.stderr.contains("prod\\u{1B}]0;pwned\\u{7}") == true, "\(outputs)")
        #expect(outputs.last(where: { $0.0 == "target" })?.1.stderr.contains("evil\\u{1B}[2Jtarget") == true, "\(outputs)")

        // On a colour terminal, Godwit's own colours stay, the input's do not.
        let history = try runInTerminal(["history"], in: sandbox.root)
        #expect(history.stdout.contains("\u{1B}[1m\(revision.id)\u{1B}[0m"), "\(history)")
        let audit = try runInTerminal(["audit"], in: sandbox.root)
        #expect(!audit.stdout.contains(Self.clear) && audit.stdout.contains("evil\\u{1B}[2Jreason"), "\(audit)")
    }
}
