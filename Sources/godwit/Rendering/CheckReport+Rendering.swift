import Godwit
import GodwitCore

/// Prints a check report and exits 3 when it found something.
func report(_ report: CheckReport, console: Console, okText: String) throws {
    if console.isJSON {
        console.json(report.json)
    } else if report.isOK {
        console.out("\(console.green("ok: "))\(okText)")
    } else {
        for problem in report.problems {
            let place = problem.file.map { "\($0)\(problem.line.map { ":\($0)" } ?? ""): " } ?? ""
            console.out("\(place)\(console.yellow(problem.kind)): \(problem.message)")
        }
    }
    try exitWhenFound(!report.isOK)
}

/// Prints lint findings the way a compiler prints warnings (or the JSON of SPEC §9), and exits 3
/// when there is one.
func renderLint(_ findings: [LintFinding], console: Console) throws {
    if console.isJSON {
        console.json(CheckReport(findings: findings).json)
    } else if findings.isEmpty {
        console.out("\(console.green("ok: "))no lint findings")
    } else {
        for finding in findings {
            console.out("\(finding.location): \(console.yellow("warning:")) [\(finding.rule.id)] \(finding.message)")
        }
        let revisions = Set(findings.map(\.revision)).count
        console.progress(
            "\(findings.count) finding\(findings.count == 1 ? "" : "s") in \(revisions) revision\(revisions == 1 ? "" : "s"); silence one with '-- godwit:ignore RULE' on its statement's line once it is safe")
    }
    try exitWhenFound(!findings.isEmpty)
}
