import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Audit: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "List the environment's audit records, newest first: who applied what, when, from which commit.",
            usage: """
                godwit audit [--since <date>] [--limit <n>] [--operation <op>] [--actor <actor>] [-e <env>] [--json] [-v]
                godwit audit verify [-e <env>] [--json]
                """,
            discussion: """
                --actor A lists only the records of actor A (for this command it filters; it names no one). \
                -v adds each record's steps, error, host and hash. 'godwit audit verify' checks the hash chain.
                """,
            subcommands: [Verify.self])
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("Only records that started at or after DATE: YYYY-MM-DD (UTC) or an ISO 8601 time.", valueName: "date"))
        var since: String?
        @Option(name: .long, help: ArgumentHelp("At most N records, the newest.", valueName: "n"))
        var limit: Int?
        @Option(name: .long, help: ArgumentHelp("Only this operation: upgrade, downgrade, promote, stamp or resolve.", valueName: "op"))
        var operation: String?

        func run(in workspace: Workspace, console: Console) throws {
            let filter = try AuditFilter(parsingSince: since, limit: limit, operation: operation, actor: global.actor)
            let environment = try workspace.project.environment(global.env)
            let records = try AuditReader(workspace: workspace).records(of: environment, filter: filter)
            if console.isJSON { return console.json(.array(records.map(\.json))) }
            renderAudit(records, environment: environment.name, filtered: !filter.isEmpty, console: console)
        }
    }
}

extension GodwitCommand.Audit {
    struct Verify: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the environment's audit hash chain (and the audit_log file); exit 3 naming the first bad record.",
            discussion: """
                Detects an edited, deleted or reordered record, a record not sealed yet, and a difference between \
                the audit table and the audit_log file. Deleting the newest records of the table is seen only \
                through the audit_log file.
                """)
        @OptionGroup var global: GlobalOptions
        // ArgumentParser hands the listing's filters to `audit` even when they follow `verify`:
        // refuse them rather than ignore them.
        @ParentCommand var audit: GodwitCommand.Audit

        func validate() throws {
            if audit.since != nil || audit.limit != nil || audit.operation != nil {
                throw ValidationError("'audit verify' checks every record; --since, --limit and --operation go with 'godwit audit'")
            }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            let verification = try AuditReader(workspace: workspace).verify(environment)
            if console.isJSON {
                console.json(verification.json)
            } else {
                renderVerification(verification, console: console)
            }
            if !verification.isOK { throw ArgumentParser.ExitCode(GodwitCore.ExitStatus.found.rawValue) }
        }
    }
}

/// The audit table for people: one row per record, and with -v its steps, error, host and hash.
func renderAudit(_ records: [AuditRecord], environment: String, filtered: Bool, console: Console) {
    guard !records.isEmpty else {
        return console.out("no audit records in '\(environment)'\(filtered ? " match the filters" : " yet")")
    }
    func heads(_ list: [String]?) -> String {
        guard let list else { return "?" }
        return list.isEmpty ? "base" : list.map { String($0.prefix(12)) }.joined(separator: ",")
    }
    let rows = records.map { record -> [String] in
        let commit = record.gitCommit.map { commit in
            commit.hasSuffix("+dirty") ? String(commit.prefix(8)) + "+dirty" : String(commit.prefix(8))
        } ?? "—"
        return [
            String(record.id), shortTime(record.startedAt), record.environment, record.operation,
            record.outcome ?? "running", record.actor, "\(heads(record.fromHeads)) → \(heads(record.toHeads))",
            String(record.steps.count), commit, record.reason ?? "",
        ]
    }
    let lines = console.table(
        ["ID", "WHEN (UTC)", "ENVIRONMENT", "OPERATION", "OUTCOME", "ACTOR", "HEADS", "STEPS", "COMMIT", "REASON"], rows)
    console.out(lines[0].trimmingTrailingSpaces)
    for (record, line) in zip(records, lines.dropFirst()) {
        console.out(line.trimmingTrailingSpaces)
        guard console.isVerbose else { continue }
        for step in record.steps {
            console.out(console.dim("    \(step.direction.rawValue) \(step.revision)  checksum \(step.checksum.prefix(12))  \(step.durationMS) ms"))
        }
        if let error = record.error { console.out("    " + console.red("error: ") + error) }
        var facts = ["\(record.actor)@\(record.host)", "godwit \(record.toolVersion)"]
        if let duration = record.durationMS { facts.append("\(duration) ms") }
        if let commit = record.gitCommit { facts.append("commit \(commit)") }
        facts.append(record.hash.map { "hash \($0.prefix(16))" } ?? "not sealed yet")
        console.out(console.dim("    " + facts.joined(separator: " · ")))
    }
}

extension String {
    /// The text without the spaces a table pads an empty last cell with.
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
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
    if verification.isOK {
        let log = verification.logPath.map { ", and \($0) holds the same records" } ?? ""
        return console.out(console.green("ok: ") + "\(count): every hash matches and the chain is unbroken\(log)")
    }
    for problem in verification.problems {
        let place = problem.location.map { "\($0): " } ?? ""
        console.out("\(place)\(console.yellow(problem.kind.rawValue)): \(problem.message)")
    }
    let first = verification.firstBadID.map { ", the first at record \($0)" } ?? ""
    let found = verification.problems.count
    console.out("\(count) checked: \(found) problem\(found == 1 ? "" : "s")\(first)")
}
