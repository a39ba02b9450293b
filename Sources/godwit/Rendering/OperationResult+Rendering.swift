import Foundation
import Godwit
import GodwitCore

/// Asks the operator to type the environment's name.
func confirm(_ environment: Environment, console: Console) -> Bool {
    guard let answer = console.ask("environment '\(environment.name)' is protected; type its name to continue: ") else { return false }
    return answer.trimmingCharacters(in: .whitespaces) == environment.name
}

/// The result of upgrade, downgrade, stamp, promote or resolve: the JSON of SPEC §9, or for
/// people the plan (dry-run), the timings (rehearsal) or one summary line.
func renderResult(_ result: OperationResult, console: Console) {
    if console.isJSON { return console.json(result.json) }
    let from = result.fromHeads.isEmpty ? "base" : result.fromHeads.joined(separator: ", ")
    let to = result.toHeads.isEmpty ? "base" : result.toHeads.joined(separator: ", ")
    if result.isRehearsal {
        console.out("\(console.bold("rehearsal: \(result.operation.rawValue) of '\(result.environment)' from \(from) to \(to)")) (run in one transaction and rolled back)")
        for step in result.steps {
            console.out("  \(step.direction.rawValue) \(step.revision) \(step.message): \(step.durationMS ?? 0) ms")
        }
        if !result.notRehearsed.isEmpty {
            console.out(console.yellow("not rehearsed:"))
            for step in result.notRehearsed { console.out(console.yellow("  \(step.direction.rawValue) \(step.revision): \(step.reason)")) }
        }
        if result.steps.isEmpty { return console.out(result.notRehearsed.isEmpty ? "nothing to do" : "nothing was rehearsed") }
        return console.out(result.notRehearsed.isEmpty ? "every step succeeded; nothing was kept" : "every rehearsed step succeeded; nothing was kept")
    }
    if result.isDryRun { return renderPlan(result, from: from, to: to, console: console) }
    if result.steps.isEmpty && result.purged.isEmpty {
        return console.out("'\(result.environment)' is already at \(to); nothing to do")
    }
    let audit = result.auditID.map { console.dim(" (audit #\($0))") } ?? ""
    if result.operation == .resolve, let step = result.steps.first {
        let outcome = step.direction == .upgrade ? "applied" : "rolled back"
        return console.out("\(console.green("resolved '\(step.revision)' in '\(result.environment)' as \(outcome)"))\(audit)")
    }
    let verb: String
    switch result.operation {
    case .upgrade, .promote: verb = "applied"
    case .downgrade: verb = "reverted"
    case .stamp, .adopt: verb = "stamped"
    case .resolve: verb = "resolved"
    }
    func revisions(_ count: Int) -> String { "\(count) revision\(count == 1 ? "" : "s")" }
    var done: [String] = []
    let repeated = result.steps.filter { $0.direction == .repeat }.count
    if result.steps.count > repeated { done.append("\(verb) \(revisions(result.steps.count - repeated))") }
    if repeated > 0 { done.append("ran \(repeated) repeatable\(repeated == 1 ? "" : "s")") }
    if !result.purged.isEmpty { done.append("forgot \(revisions(result.purged.count)) (--purge)") }
    console.out("\(console.green("\(result.operation.rawValue) of '\(result.environment)': \(done.joined(separator: " and ")), \(from) -> \(to)"))\(audit)")
}

/// A dry-run: the lock, the transactions, and each step with its SQL and warnings.
func renderPlan(_ result: OperationResult, from: String, to: String, console: Console) {
    console.out("\(console.bold("dry-run: \(result.operation.rawValue) of '\(result.environment)' from \(from) to \(to)")) (nothing was changed)")
    if result.steps.isEmpty && result.purged.isEmpty { return console.out("nothing to do") }
    console.out("lock: \(result.lockDescription)")
    console.out("transactions: \(result.isAtomic ? "one for the whole plan (--atomic)" : "one per revision")")
    if !result.purged.isEmpty { console.out("forgets first (--purge): \(result.purged.joined(separator: ", "))") }
    for (index, step) in result.steps.enumerated() {
        var notes: [String] = []
        if !step.isTransactional { notes.append("outside a transaction") }
        if !step.isReversible && step.direction != .repeat { notes.append("irreversible") }
        if let lock = step.lockTimeout { notes.append("lock_timeout \(lock)") }
        if let statement = step.statementTimeout { notes.append("statement_timeout \(statement)") }
        console.out("")
        let header = console.bold("[\(index + 1)/\(result.steps.count)] \(step.direction.rawValue) \(step.revision)")
        console.out("\(header) \(step.message)\(notes.isEmpty ? "" : console.dim(" (\(notes.joined(separator: ", ")))"))")
        for warning in step.warnings { console.out(console.yellow("  " + warning)) }
        if let sql = step.sql {
            for line in sql.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false) {
                console.out("    \(line)")
            }
        } else {
            console.out(console.dim("    (stamp: no SQL)"))
        }
    }
    if let hook = result.hook { console.out("\nthen: \(hook)") }
}
