import ArgumentParser
import Foundation
import Godwit
import GodwitCore

// The read commands on a fleet (SPEC §10): a line (or block) per target in the fleet's order, then
// a summary line; JSON is the one-environment object plus `targets`, one object per target with
// its `target` (and `error`, null when it was read). A target that cannot be read makes the
// command exit 1; else a finding exits 3.

/// `json` (an object) with `target` and `error` added.
func targetJSON(_ json: JSONValue, target: String, error: String?) -> JSONValue {
    guard case .object(var members) = json else { return json }
    members["target"] = .string(target)
    members["error"] = .optional(error)
    return .object(members)
}

/// `json` (an object) with `key` set to `value`.
func adding(_ key: String, _ value: JSONValue, to json: JSONValue) -> JSONValue {
    guard case .object(var members) = json else { return json }
    members[key] = value
    return .object(members)
}

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

/// The names of the reads that failed.
func unreadableNames<T>(_ reads: [FleetReads.Read<T>]) -> [String] {
    reads.filter { $0.error != nil }.map(\.target)
}

/// The union of lists, each item once, in first-seen order.
func union(_ lists: [[String]]) -> [String] {
    var seen = Set<String>()
    return lists.joined().filter { seen.insert($0).inserted }
}

/// `current` of a fleet: `t_001: b2 (head), 1 pending` per target, then `prod: 3 targets: 2 at b2, 1 at base`.
func renderFleetCurrent(_ reads: [FleetReads.Read<CurrentState>], environment: String, console: Console) throws {
    let states = reads.compactMap { try? $0.value.get() }
    if console.isJSON {
        console.json(.object([
            "environment": .string(environment), "heads": .strings(union(states.map { $0.heads.map(\.id) })),
            "applied": .strings(union(states.map(\.applied))), "pending": .strings(union(states.map(\.pending))),
            "failed": .strings(union(states.map(\.failed))),
            "targets": .array(reads.map { read in
                let json = (try? read.value.get())?.json ?? .object(["heads": .array([]), "applied": .array([]), "pending": .array([]), "failed": .array([])])
                return targetJSON(adding("environment", .string(environment), to: json), target: read.target, error: read.error)
            }),
        ]))
    } else {
        var groups: [(label: String, names: [String], isBad: Bool)] = []
        for read in reads {
            guard case .success(let state) = read.value else {
                console.out("\(read.target): \(console.red("unreachable")): \(read.error ?? "")")
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
    let bad = reads.filter { (try? $0.value.get())?.isOK == false }.map(\.target)
    if console.isJSON {
        let problems = reads.flatMap { read in ((try? read.value.get())?.problems ?? []).map { targetJSON($0.json, target: read.target, error: nil) } }
        console.json(.object([
            "ok": .bool(bad.isEmpty && unreadableNames(reads).isEmpty), "problems": .array(problems),
            "targets": .array(reads.map { read in
                targetJSON((try? read.value.get())?.json ?? .object(["ok": .bool(false), "problems": .array([])]), target: read.target, error: read.error)
            }),
        ]))
    } else {
        for read in reads {
            switch read.value {
            case .success(let report) where report.isOK:
                console.out("\(read.target): \(console.green("ok"))")
            case .success(let report):
                for problem in report.problems { console.out("\(read.target): \(console.yellow(problem.kind)): \(problem.message)") }
            case .failure:
                console.out("\(read.target): \(console.red("unreachable")): \(read.error ?? "")")
            }
        }
        let ok = reads.filter { (try? $0.value.get())?.isOK == true }.map(\.target)
        renderFleetSummary(environment, count: reads.count, groups: [("ok", ok, false), ("differ from their files", bad, true), ("unreachable", unreadableNames(reads), true)], console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: !bad.isEmpty)
}

/// `wait` of a fleet that got there: a line per target, then `'prod' has reached heads on 3 targets (b2)`.
func renderFleetWait(_ reads: [FleetReads.Read<[String]>], environment: String, target: String, console: Console) {
    let heads = reads.map { (try? $0.value.get()) ?? [] }
    if console.isJSON {
        return console.json(.object([
            "environment": .string(environment), "reached": .bool(true), "heads": .strings(union(heads)),
            "targets": .array(zip(reads, heads).map { read, heads in targetJSON(.object(["heads": .strings(heads)]), target: read.target, error: nil) }),
        ]))
    }
    func text(_ heads: [String]) -> String { heads.isEmpty ? "base" : heads.joined(separator: ", ") }
    for (read, heads) in zip(reads, heads) { console.out("\(read.target): \(text(heads))") }
    let distinct = union(heads.map { [text($0)] })
    console.out("'\(environment)' has reached \(target) on \(reads.count) target\(reads.count == 1 ? "" : "s") (\(distinct.joined(separator: "; ")))")
}

/// `audit verify` of a fleet: each target's chain, then the summary.
func renderFleetAuditVerify(_ reads: [FleetReads.Read<AuditVerification>], environment: String, console: Console) throws {
    let verifications = reads.compactMap { try? $0.value.get() }
    let bad = reads.filter { (try? $0.value.get())?.isOK == false }.map(\.target)
    if console.isJSON {
        console.json(.object([
            "ok": .bool(bad.isEmpty && unreadableNames(reads).isEmpty), "records": .int(verifications.map(\.records).reduce(0, +)),
            "first_bad_id": .optional(verifications.lazy.compactMap(\.firstBadID).first),
            "targets": .array(reads.map { read in
                let verification = try? read.value.get()
                return .object([
                    "target": .string(read.target), "ok": .bool(verification?.isOK ?? false), "records": .optional(verification?.records),
                    "first_bad_id": .optional(verification?.firstBadID), "error": .optional(read.error),
                ])
            }),
        ]))
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
                console.out("\(read.target): \(console.red("unreachable")): \(read.error ?? "")")
            }
        }
        let ok = reads.filter { (try? $0.value.get())?.isOK == true }.map(\.target)
        renderFleetSummary(environment, count: reads.count, groups: [("verify", ok, false), ("bad", bad, true), ("unreachable", unreadableNames(reads), true)], console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: !bad.isEmpty)
}

/// `diff FLEET --expected`: each target's drift, then the summary.
func renderFleetDrift(_ reads: [FleetReads.Read<[SchemaDifference]>], environment: String, console: Console) throws {
    let drifted = reads.filter { (try? $0.value.get())?.isEmpty == false }.map(\.target)
    if console.isJSON {
        let changes = reads.flatMap { read in ((try? read.value.get()) ?? []).map { targetJSON($0.json, target: read.target, error: nil) } }
        console.json(.object([
            "ok": .bool(drifted.isEmpty && unreadableNames(reads).isEmpty), "changes": .array(changes),
            "targets": .array(reads.map { read in
                targetJSON(CommandJSON.diff((try? read.value.get()) ?? []), target: read.target, error: read.error)
            }),
        ]))
    } else {
        for read in reads {
            switch read.value {
            case .success(let differences) where differences.isEmpty:
                console.out("\(read.target): \(console.green("ok")): matches what its applied revisions produce")
            case .success(let differences):
                console.out("\(read.target): differs from what its applied revisions produce in \(differences.count) object\(differences.count == 1 ? "" : "s") (- only expected, + only live, ~ changed):")
                for difference in differences { console.out("  \(differenceLine(difference, console: console))") }
            case .failure:
                console.out("\(read.target): \(console.red("unreachable")): \(read.error ?? "")")
            }
        }
        let ok = reads.filter { (try? $0.value.get())?.isEmpty == true }.map(\.target)
        renderFleetSummary(environment, count: reads.count, groups: [("match", ok, false), ("drifted", drifted, true), ("unreachable", unreadableNames(reads), true)], console: console)
    }
    try exitForFleet(unreadable: !unreadableNames(reads).isEmpty, found: !drifted.isEmpty)
}

/// `audit` of a fleet: the records of every target, each marked with its target, newest first;
/// a target that cannot be read is named on stderr and makes the command exit 1.
func fleetAuditRecords(_ reads: [FleetReads.Read<[AuditRecord]>], limit: Int?, console: Console) -> (records: [AuditRecord], unreadable: Bool) {
    var records: [AuditRecord] = []
    for read in reads {
        switch read.value {
        case .success(let found):
            records += found.map { record in
                var record = record
                record.target = read.target
                return record
            }
        case .failure:
            console.warn("\(read.target): cannot be read: \(read.error ?? "")")
        }
    }
    records.sort { ($0.startedAt, $0.id, $0.target ?? "") > ($1.startedAt, $1.id, $1.target ?? "") }
    if let limit { records = Array(records.prefix(limit)) }
    return (records, !unreadableNames(reads).isEmpty)
}
