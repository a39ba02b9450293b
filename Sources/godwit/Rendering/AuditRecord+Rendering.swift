import Foundation
import Godwit
import GodwitCore

/// The audit table for people: one row per record, and with -v its steps, error, host and hash.
func renderAudit(_ records: [AuditRecord], environment: String, filtered: Bool, console: Console) {
    guard !records.isEmpty else {
        return console.out("no audit records in '\(environment)'\(filtered ? " match the filters" : " yet")")
    }
    func heads(_ list: [String]?) -> String {
        guard let list else { return "?" }
        return list.isEmpty ? "base" : list.map { String($0.prefix(12)) }.joined(separator: ",")
    }
    let rows = records.map { record -> [StyledText] in
        let commit = record.gitCommit.map { commit in
            commit.hasSuffix("+dirty") ? String(commit.prefix(8)) + "+dirty" : String(commit.prefix(8))
        } ?? "—"
        return [
            String(record.id), shortTime(record.startedAt), record.target.map { "\(record.environment)/\($0)" } ?? record.environment, record.operation,
            record.outcome ?? "running", record.actor, "\(heads(record.fromHeads)) → \(heads(record.toHeads))",
            String(record.steps.count), commit, record.reason ?? "",
        ].map { StyledText($0) }
    }
    let lines = console.table(
        ["ID", "WHEN (UTC)", "ENVIRONMENT", "OPERATION", "OUTCOME", "ACTOR", "HEADS", "STEPS", "COMMIT", "REASON"], rows)
    console.out(lines[0].trimmingTrailingSpaces)
    for (record, line) in zip(records, lines.dropFirst()) {
        console.out(line.trimmingTrailingSpaces)
        guard console.isVerbose else { continue }
        for step in record.steps {
            console.out(console.dim("    \(step.directionName) \(step.revision)  checksum " + (step.oldChecksum.map { "\($0.prefix(12)) -> " } ?? "") + "\(step.checksum.prefix(12))  \(step.durationMS) ms"))
        }
        if let error = record.error { console.out("    \(console.red("error: "))\(error)") }
        var facts = ["\(record.actor)@\(record.host)", "godwit \(record.toolVersion)"]
        if let duration = record.durationMS { facts.append("\(duration) ms") }
        if let commit = record.gitCommit { facts.append("commit \(commit)") }
        if !record.variables.isEmpty { facts.append("vars " + record.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
        facts.append(record.hash.map { "hash \($0.prefix(16))" } ?? "not sealed yet")
        console.out(console.dim("    " + facts.joined(separator: " · ")))
    }
}

extension StyledText {
    /// The text without the spaces a table pads an empty last cell with.
    var trimmingTrailingSpaces: StyledText {
        var runs = self.runs
        while let last = runs.last, last.text.last == " " {
            var text = last.text
            while text.last == " " { text.removeLast() }
            runs[runs.count - 1].text = text
            if text.isEmpty { runs.removeLast() } else { break }
        }
        return StyledText(runs: runs)
    }
}

/// `2026-11-25T20:12:19.392Z` as `2026-11-25 20:12:19`.
func shortTime(_ timestamp: String) -> String {
    guard timestamp.count >= 19 else { return timestamp }
    return String(timestamp.prefix(19)).replacingOccurrences(of: "T", with: " ")
}

/// The outcome of `audit verify` for people.
func renderVerification(_ verification: AuditVerification, console: Console) {
    let count = "\(verification.records) audit record\(verification.records == 1 ? "" : "s") of '\(verification.environment)'"
    for note in verification.notes { console.out("note: \(note)") }
    if verification.isOK {
        let log = verification.notes.isEmpty ? verification.logPath.map { ", and \($0) holds the same records" } ?? "" : ""
        return console.out("\(console.green("ok: "))\(count): every hash matches and the chain is unbroken\(log)")
    }
    for problem in verification.problems {
        let place = problem.location.map { "\($0): " } ?? ""
        console.out("\(place)\(console.yellow(problem.kind.rawValue)): \(problem.message)")
    }
    let first = verification.firstBadID.map { ", the first at record \($0)" } ?? ""
    let found = verification.problems.count
    console.out("\(count) checked: \(found) problem\(found == 1 ? "" : "s")\(first)")
}
