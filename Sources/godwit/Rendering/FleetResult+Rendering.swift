import Foundation
import Godwit
import GodwitCore

/// The line of one finished target, on stderr as it finishes (not with `-q`).
func renderFleetTarget(_ target: FleetResult.Target, isDryRun: Bool, verb: String = "upgraded", console: Console) {
    func heads(_ ids: [String]?) -> String { (ids ?? []).isEmpty ? "base" : (ids ?? []).joined(separator: ", ") }
    let time = target.durationMS.map { console.dim(" (\($0) ms)") } ?? ""
    switch target.outcome {
    case .succeeded:
        let count = "\(target.stepCount) revision\(target.stepCount == 1 ? "" : "s")"
        let done = isDryRun ? "would apply \(count)" : "\(verb), \(count)"
        // A dry-run of `adopt` shows what each target's tool table maps to, under its line.
        let mapping = isDryRun ? (target.mapping ?? []).map { "\n  \($0.version) -> \($0.revision)" }.joined() : ""
        console.progress("\(target.name): \(console.green(done)), \(heads(target.fromHeads)) -> \(heads(target.toHeads))\(time)\(mapping)")
    case .unchanged:
        console.progress("\(target.name): unchanged at \(heads(target.toHeads))\(time)")
    case .failed:
        console.progress("\(target.name): \(console.red("failed")): \(target.error ?? "")")
    case .skipped:
        console.progress("\(target.name): skipped")
    }
}

/// A fleet's change: its JSON (SPEC §10), or for people the summary line
/// `prod: 1000 targets: 997 upgraded, 1 unchanged, 2 failed (t_17, t_503)` (at most ten failed
/// targets named), and on stderr what a signal left unstarted.
func renderFleetResult(_ result: FleetResult, console: Console) {
    if console.isJSON { return console.json(result.json) }
    let upgraded = result.count(.succeeded)
    var parts = ["\(upgraded) \(result.isDryRun ? "to \(result.operation.rawValue)" : result.verb)", "\(result.count(.unchanged)) unchanged"]
    let failed = result.failedNames
    if !failed.isEmpty {
        let named = failed.prefix(10).joined(separator: ", ") + (failed.count > 10 ? ", and \(failed.count - 10) more" : "")
        parts.append("\(failed.count) failed (\(named))")
    }
    if result.count(.skipped) > 0 { parts.append("\(result.count(.skipped)) skipped") }
    let count = result.targets.count
    let line = "\(result.environment): \(count) target\(count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    let suffix = result.isDryRun ? " (dry-run: nothing was changed)" : result.isRehearsal ? " (rehearsal: every target rolled back)" : ""
    let styled = failed.isEmpty ? console.green(line) : console.red(line)
    console.out("\(styled)\(suffix)")
    if let signal = result.interruption {
        console.warn("interrupted by \(Interruption.name(of: signal)): \(result.count(.skipped)) target(s) not started")
    }
}
