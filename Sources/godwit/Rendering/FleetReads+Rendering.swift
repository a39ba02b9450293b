import ArgumentParser
import Foundation
import Godwit
import GodwitCore

// The read commands on a fleet (SPEC §10): a line (or block) per target in the fleet's order, then
// a summary line; JSON is the one-environment object plus `targets`, one object per target with
// its `target` (and `error`, null when it was read). A target that cannot be read makes the
// command exit 1; else a finding exits 3.

/// `prod: 3 targets: 2 ok, 1 drifted (t_002)`: the count of each group, bad groups naming their
/// targets (at most ten); empty groups left out.
func renderFleetSummary(_ environment: String, count: Int, groups: [(label: String, names: [String], isBad: Bool)], console: Console) {
    let parts = groups.filter { !$0.names.isEmpty }.map { group -> String in
        guard group.isBad else { return "\(group.names.count) \(group.label)" }
        let named = group.names.prefix(10).joined(separator: ", ") + (group.names.count > 10 ? ", and \(group.names.count - 10) more" : "")
        return "\(group.names.count) \(group.label) (\(named))"
    }
    let line = "\(environment): \(count) target\(count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    console.out(groups.contains { $0.isBad && !$0.names.isEmpty } ? console.red(line) : console.green(line))
}

/// Exits 1 when a target could not be read, else 3 when something was found.
func exitForFleet(unreadable: Bool, found: Bool) throws {
    if unreadable { throw ArgumentParser.ExitCode(ExitStatus.failed.rawValue) }
    try exitWhenFound(found)
}

/// `t_003: unreachable: …`: a target that could not be read.
func renderUnreachable<T>(_ read: FleetReads.Read<T>, console: Console) {
    console.out("\(read.target): \(console.red("unreachable")): \(read.error ?? "")")
}

/// The names of the reads that failed.
func unreadableNames<T>(_ reads: [FleetReads.Read<T>]) -> [String] {
    reads.filter { $0.error != nil }.map(\.target)
}

/// `current` of a fleet: `t_001: b2 (head), 1 pending` per target, then `prod: 3 targets: 2 at b2, 1 at base`.
func renderFleetCurrent(_ reads: [FleetReads.Read<CurrentState>], environment: String, console: Console) throws {
    if console.isJSON {
        console.json(FleetReads.currentJSON(reads, environment: environment))
    } else {
        var groups: [(label: String, names: [String], isBad: Bool)] = []
        for read in reads {
            guard case .success(let state) = read.value else {
                renderUnreachable(read, console: console)
                continue
            }
            var line = state.heads.isEmpty ? "base" : state.heads.map { $0.isGraphHead ? "\($0.id) (head)" : "\($0.id) (not a head of the graph)" }.joined(separator: ", ")
            if !state.failed.isEmpty { line += ", failed: \(state.failed.joined(separator: ", "))" }
            if !state.pending.isEmpty { line += ", \(state.pending.count) pending" }
            console.out("\(read.target): \(line)")
            let label = "at " + (state.heads.isEmpty ? "base" : state.heads.map(\.id).joined(separator: "+"))
            if let index = groups.firstIndex(where: { $0.label == label }) { groups[index].names.append(read.target) } else { groups.append((label, [read.target], false)) }
        }
        groups.append(("unreachable", unreadableNames(reads), true))
        renderFleetSummary(environment, count: reads.count, groups: groups, console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: false)
}

/// `verify` of a fleet: each target's checksum problems, led by its name, then the summary.
func renderFleetVerify(_ reads: [FleetReads.Read<CheckReport>], environment: String, console: Console) throws {
    let bad = reads.filter { $0.found?.isOK == false }.map(\.target)
    if console.isJSON {
        console.json(FleetReads.verifyJSON(reads))
    } else {
        for read in reads {
            switch read.value {
            case .success(let report) where report.isOK:
                console.out("\(read.target): \(console.green("ok"))")
            case .success(let report):
                for problem in report.problems { console.out("\(read.target): \(console.yellow(problem.kind)): \(problem.message)") }
            case .failure:
                renderUnreachable(read, console: console)
            }
        }
        let ok = reads.filter { $0.found?.isOK == true }.map(\.target)
        renderFleetSummary(environment, count: reads.count, groups: [("ok", ok, false), ("differ from their files", bad, true), ("unreachable", unreadableNames(reads), true)], console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: !bad.isEmpty)
}

/// `wait` of a fleet that got there: a line per target, then `'prod' has reached heads on 3 targets (b2)`.
func renderFleetWait(_ reads: [FleetReads.Read<[String]>], environment: String, target: String, console: Console) {
    let heads = reads.map { $0.found ?? [] }
    if console.isJSON { return console.json(FleetReads.waitJSON(reads, environment: environment)) }
    func text(_ heads: [String]) -> String { heads.isEmpty ? "base" : heads.joined(separator: ", ") }
    for (read, heads) in zip(reads, heads) { console.out("\(read.target): \(text(heads))") }
    var seen = Set<String>()
    let distinct = heads.map(text).filter { seen.insert($0).inserted }
    console.out("'\(environment)' has reached \(target) on \(reads.count) target\(reads.count == 1 ? "" : "s") (\(distinct.joined(separator: "; ")))")
}

/// `audit verify` of a fleet: each target's chain, then the summary.
func renderFleetAuditVerify(_ reads: [FleetReads.Read<AuditVerification>], environment: String, console: Console) throws {
    let bad = reads.filter { $0.found?.isOK == false }.map(\.target)
    if console.isJSON {
        console.json(FleetReads.auditVerifyJSON(reads))
    } else {
        for read in reads {
            switch read.value {
            case .success(let verification) where verification.isOK:
                console.out("\(read.target): \(console.green("ok")): \(verification.records) audit record\(verification.records == 1 ? "" : "s")")
            case .success(let verification):
                for problem in verification.problems {
                    let place = problem.location.map { "\($0): " } ?? ""
                    console.out("\(read.target): \(place)\(console.yellow(problem.kind.rawValue)): \(problem.message)")
                }
            case .failure:
                renderUnreachable(read, console: console)
            }
        }
        let ok = reads.filter { $0.found?.isOK == true }.map(\.target)
        renderFleetSummary(environment, count: reads.count, groups: [("verified", ok, false), ("bad", bad, true), ("unreachable", unreadableNames(reads), true)], console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: !bad.isEmpty)
}

/// `diff FLEET --expected`: each target's drift, then the summary.
func renderFleetDrift(_ reads: [FleetReads.Read<[SchemaDifference]>], environment: String, console: Console) throws {
    let drifted = reads.filter { $0.found?.isEmpty == false }.map(\.target)
    if console.isJSON {
        console.json(FleetReads.driftJSON(reads))
    } else {
        for read in reads {
            switch read.value {
            case .success(let differences) where differences.isEmpty:
                console.out("\(read.target): \(console.green("ok")): matches what its applied revisions produce")
            case .success(let differences):
                console.out("\(read.target): differs from what its applied revisions produce in \(differences.count) object\(differences.count == 1 ? "" : "s") (- only expected, + only live, ~ changed):")
                for difference in differences { console.out("  \(differenceLine(difference, console: console))") }
            case .failure:
                renderUnreachable(read, console: console)
            }
        }
        let ok = reads.filter { $0.found?.isEmpty == true }.map(\.target)
        renderFleetSummary(environment, count: reads.count, groups: [("match", ok, false), ("drifted", drifted, true), ("unreachable", unreadableNames(reads), true)], console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: !drifted.isEmpty)
}

/// `audit` of a fleet: the records of every target (`FleetReads.records`); a target that cannot
/// be read is named on stderr and makes the command exit 1.
func fleetAuditRecords(_ reads: [FleetReads.Read<[AuditRecord]>], limit: Int?, console: Console) -> (records: [AuditRecord], unreadable: Bool) {
    for read in reads where read.error != nil { console.warn("\(read.target): cannot be read: \(read.error ?? "")") }
    return (FleetReads.records(reads, limit: limit), !unreadableNames(reads).isEmpty)
}

/// `repair` of a fleet: a line per target (`t_003: re-recorded 1 checksum (audit #4)`), then
/// `prod: 3 targets: 1 repaired, 2 unchanged`; exit 1 when a target failed. JSON: the objects of
/// each target with a `"target"` key, under `"targets"`.
func renderFleetRepair(
    _ reads: [FleetReads.Read<RepairResult>], environment: String, isDryRun: Bool, graph: RevisionGraph?, console: Console
) throws {
    let failed = unreadableNames(reads)
    let repaired = reads.filter { $0.found.map { !$0.steps.isEmpty } == true }.map(\.target)
    let unchanged = reads.filter { $0.found?.steps.isEmpty == true }.map(\.target)
    if console.isJSON {
        console.json(FleetReads.repairJSON(reads, environment: environment, isDryRun: isDryRun, graph: graph))
    } else {
        for read in reads {
            switch read.value {
            case .success(let result) where result.steps.isEmpty:
                console.out("\(read.target): nothing to repair")
            case .success(let result):
                let count = "\(result.steps.count) checksum\(result.steps.count == 1 ? "" : "s")"
                let audit = result.auditID.map { " (audit #\($0))" } ?? ""
                console.out("\(read.target): \(isDryRun ? "would re-record" : "re-recorded") \(count)\(audit)")
            case .failure:
                console.out("\(read.target): \(console.red("failed")): \(read.error ?? "")")
            }
        }
        renderFleetSummary(
            environment, count: reads.count,
            groups: [(isDryRun ? "to repair" : "repaired", repaired, false), ("unchanged", unchanged, false), ("failed", failed, true)],
            console: console)
    }
    if !failed.isEmpty { throw ArgumentParser.ExitCode(ExitStatus.failed.rawValue) }
}
