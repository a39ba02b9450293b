import Foundation

/// Runs the built `godwit` binary on a pseudo-terminal (util-linux `script`), as an operator at a
/// colour terminal runs it: stdout and stderr arrive merged, lines end in `\r\n`, and `stdin` is
/// typed into the terminal. NO_COLOR is not set.
func runInTerminal(_ args: [String], in dir: URL, stdin: String? = nil) throws -> RunResult {
    let binary = try Paths.requireBinary()
    var environment = ProcessInfo.processInfo.environment
    for name in ["NO_COLOR", "GODWIT_PROJECT", "TEST_DATABASE_URL", "PROD_DATABASE_URL"] { environment[name] = nil }
    environment["TERM"] = "xterm-256color"
    environment["GODWIT_ACTOR"] = "e2e-tester"
    let quoted = ([binary.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    var result = try runProcess(
        URL(fileURLWithPath: "/usr/bin/script"), ["-qec", quoted, "/dev/null"], in: dir, environment: environment, stdin: stdin)
    result.stdout = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
    return result
}

/// The text without SGR colour codes (`ESC[…m`), as the reader sees it.
func withoutColors(_ text: String) -> String {
    text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
}
