import Foundation
import GodwitCore

/// The checks of `audit verify`, on records already read.
enum AuditChain {
    /// Where records come from, for the messages.
    enum Source {
        case table(String)
        case log(String)

        var name: String {
            switch self {
            case .table(let environment): return "the audit table of '\(environment)'"
            case .log(let path): return path
            }
        }
    }

    /// A record and the log line it was read from.
    struct Located {
        var record: AuditRecord
        var line: Int?
    }

    /// The problems of the table's chain.
    static func problems(in records: [AuditRecord], source: Source) -> [AuditProblem] {
        problems(in: records.map { Located(record: $0, line: nil) }, source: source)
    }

    /// The problems of one chain, records in stored order (the table's by id, the log's by line):
    /// it starts at id 1 with no `prev_hash`; every next record has the next id and the previous
    /// record's hash as `prev_hash`; each `hash` matches its record's canonical JSON. Records
    /// without a hash are reported once: at the tail, as waiting for the next run to seal them;
    /// before sealed records, as stripped of their hash. With `reportsGaps` false, missing ids are
    /// left to the caller (the log's last chain is compared with the table instead).
    static func problems(
        in chain: [Located], source: Source, reportsGaps: Bool = true, hashOf: (AuditRecord) -> String = \.computedHash,
        isAttributed: (AuditRecord) -> Bool = { _ in true }
    ) -> [AuditProblem] {
        var problems: [AuditProblem] = []
        func add(_ kind: AuditProblem.Kind, _ id: Int, _ item: Located, _ message: String) {
            var location: SourceLocation?
            if case .log(let path) = source, let line = item.line { location = SourceLocation(file: path, line: line) }
            problems.append(AuditProblem(kind: kind, id: id, location: location, message: message))
        }
        var idsByHash: [String: Int] = [:]
        for item in chain { if let hash = item.record.hash, idsByHash[hash] == nil { idsByHash[hash] = item.record.id } }
        let sealedCount = chain.lastIndex { $0.record.hash != nil }.map { $0 + 1 } ?? 0
        var previous: AuditRecord?
        for item in chain[..<sealedCount] {
            let record = item.record
            defer { previous = record }
            guard let hash = record.hash else {
                if isAttributed(record) {
                    add(.unsealed, record.id, item, "record \(record.id) in \(source.name) has no hash, but records after it are sealed: its hash was removed")
                } else {
                    add(.unattributed, record.id, item, Self.unattributedMessage(record, source: source))
                }
                continue
            }
            let expectedID = (previous?.id ?? 0) + 1
            var checksLink = previous?.hash != nil || previous == nil
            if record.id > expectedID {
                // A gap: the link is broken by the deletion itself, so only the hash is checked.
                checksLink = false
                if reportsGaps {
                    let one = expectedID == record.id - 1
                    add(
                        .missing, expectedID, item,
                        "\(one ? "record \(expectedID) is" : "records \(expectedID)–\(record.id - 1) are") missing from \(source.name): record \(record.id) follows \(previous.map { "record \($0.id)" } ?? "nothing"); \(one ? "it was" : "they were") deleted")
                }
            } else if record.id < expectedID {
                let twice = record.id == previous?.id
                add(.reordered, record.id, item, "record \(record.id) comes after record \(previous?.id ?? 0) in \(source.name): \(twice ? "it appears twice" : "records are out of order")")
                continue
            }
            if checksLink && record.prevHash != previous?.hash {
                if let named = record.prevHash.flatMap({ idsByHash[$0] }), named != previous?.id {
                    add(
                        .reordered, record.id, item,
                        "record \(record.id) in \(source.name) was chained after record \(named) (its prev_hash is record \(named)'s hash), but stands \(previous.map { "after record \($0.id)" } ?? "first"): records were reordered (ids swapped)")
                } else if let previous {
                    add(
                        .brokenLink, record.id, item,
                        "record \(record.id) in \(source.name) does not link to record \(previous.id): its prev_hash is not record \(previous.id)'s hash (a record between them was deleted, or one of the two was edited)")
                } else {
                    add(
                        .missing, record.id, item,
                        "record \(record.id) is the first in \(source.name), but its prev_hash names a record that is not there: the records before it were deleted")
                }
                continue
            }
            if hash != hashOf(record) {
                add(.edited, record.id, item, "record \(record.id) in \(source.name) does not match its hash: a field was changed after it was sealed")
            }
        }
        for item in chain[sealedCount...] where !isAttributed(item.record) {
            add(.unattributed, item.record.id, item, Self.unattributedMessage(item.record, source: source))
        }
        let open = chain[sealedCount...].filter { isAttributed($0.record) }
        if let first = open.first, let last = open.last {
            let one = open.count == 1
            let environment = first.record.environment
            add(
                .unsealed, first.record.id, first,
                "\(one ? "record \(first.record.id) is" : "records \(first.record.id)–\(last.record.id) are") not sealed yet (no hash) in \(source.name): a run is under way, was killed, or an offline script wrote \(one ? "it" : "them"); the next change of '\(environment)' seals \(one ? "it" : "them"), even one with nothing to apply ('godwit upgrade -e \(environment)')")
        }
        return problems
    }

    /// An open record that no run of Godwit opened.
    static func unattributedMessage(_ record: AuditRecord, source: Source) -> String {
        "record \(record.id) in \(source.name) (actor '\(record.actor)') has no hash, and no run of Godwit opened it — no state row names it and nothing attests its opening: it was written by hand (forged), or its hash was removed; Godwit never seals it"
    }

    /// The state rows whose `audit_id` names no record, or a succeeded record that does not list
    /// their revision: the audit table was wiped, or its records deleted (one finding per id).
    static func orphanedState(rows: [AppliedRevision], records: [AuditRecord], environment: String) -> [AuditProblem] {
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [AuditProblem] = []
        var reported: Set<Int> = []
        for row in rows {
            guard let id = row.auditID, !reported.contains(id) else { continue }
            if let record = byID[id] {
                guard record.outcome == "succeeded", !record.steps.contains(where: { $0.revision == row.revision }) else { continue }
                problems.append(AuditProblem(
                    kind: .orphanedState, id: id,
                    message: "the state row of revision '\(row.revision)' names audit record \(id), but record \(id) of '\(environment)' does not list it: the audit table was wiped and its chain started again"))
            } else {
                problems.append(AuditProblem(
                    kind: .orphanedState, id: id,
                    message: "the state row of revision '\(row.revision)' names audit record \(id), which is not in the audit table of '\(environment)': audit records were deleted"))
            }
            reported.insert(id)
        }
        return problems
    }

    /// The problems of a keyed chain's anchor: its MAC, and that it names the newest sealed record.
    static func anchorProblems(_ anchor: AuditAnchor?, records: [AuditRecord], key: AuditKey, environment: String) -> [AuditProblem] {
        let sealed = records.filter { $0.hash != nil }
        guard let anchor else {
            guard let newest = sealed.last else { return [] }
            return [AuditProblem(
                kind: .anchor, id: newest.id,
                message: "the audit key is set, but the audit table of '\(environment)' has no anchor (audit_head): it was removed, or no run has written a record with the key yet (then the next change anchors the chain)")]
        }
        guard anchor.isValid(under: key, environment: environment) else {
            return [AuditProblem(kind: .anchor, id: anchor.newestID, message: "the anchor of the audit table of '\(environment)' does not match its MAC: it was edited, or the key differs from the one it was written with")]
        }
        var problems: [AuditProblem] = []
        if anchor.newestID > 0 {
            let named = sealed.first { $0.id == anchor.newestID }
            if named == nil {
                problems.append(AuditProblem(
                    kind: .anchor, id: anchor.newestID,
                    message: "the anchor names record \(anchor.newestID) as the newest of '\(environment)', but it is not in the audit table: the newest records were deleted"))
            } else if named?.hash != anchor.newestHash {
                problems.append(AuditProblem(
                    kind: .anchor, id: anchor.newestID, message: "record \(anchor.newestID) of '\(environment)' is not the one the anchor names (its hash differs): it was rewritten"))
            }
        }
        if let after = sealed.first(where: { $0.id > anchor.newestID }) {
            problems.append(AuditProblem(
                kind: .anchor, id: after.id,
                message: "record \(after.id) of '\(environment)' is sealed after the anchor's newest record \(anchor.newestID): no keyed run sealed it"))
        }
        return problems
    }

    /// The problems of the JSON Lines log against the table. The log's records of this environment
    /// (and of any other name the table's records carry) form chains, a new one where a record 1
    /// without `prev_hash` starts (the database was created anew). Every chain is checked on its
    /// own, a record chained after one on a later line is out of order, and the last chain must
    /// hold exactly the table's sealed records, by id and hash.
    static func logProblems(
        log: URL, path: String, table: [AuditRecord], environment: String, hashOf: (AuditRecord) -> String = \.computedHash
    ) throws -> [AuditProblem] {
        var problems: [AuditProblem] = []
        var text = ""
        if FileManager.default.fileExists(atPath: log.path) {
            guard let read = try? String(contentsOf: log, encoding: .utf8) else {
                throw AuditError.unreadableLog(path: path, environment: environment)
            }
            text = read
        }
        let names = Set(table.map(\.environment)).union([environment])
        var all: [Located] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let value = try? JSONValue(parsing: String(line))
            if let value, AuditLogFile.isOpening(value) { continue }
            guard let value, let record = AuditRecord(json: value) else {
                if let named = value?["environment"]?.stringValue, !names.contains(named) { continue }
                problems.append(AuditProblem(
                    kind: .corrupt, id: value?["id"]?.intValue, location: SourceLocation(file: path, line: index + 1),
                    message: "line \(index + 1) of \(path) is not an audit record: it was edited or cut off"))
                continue
            }
            if names.contains(record.environment) { all.append(Located(record: record, line: index + 1)) }
        }

        var chains: [[Located]] = []
        for item in all {
            if chains.isEmpty || (item.record.id == 1 && item.record.prevHash == nil) { chains.append([]) }
            chains[chains.count - 1].append(item)
        }
        for (index, chain) in chains.enumerated() {
            problems += Self.problems(in: chain, source: .log(path), reportsGaps: index < chains.count - 1, hashOf: hashOf)
        }
        var lineOfHash: [String: Located] = [:]
        for item in all { if let hash = item.record.hash, lineOfHash[hash] == nil { lineOfHash[hash] = item } }
        for item in all {
            guard let previous = item.record.prevHash.flatMap({ lineOfHash[$0] }), let before = previous.line, let line = item.line,
                before > line
            else { continue }
            problems.append(AuditProblem(
                kind: .reordered, id: item.record.id, location: SourceLocation(file: path, line: line),
                message: "record \(item.record.id) on line \(line) of \(path) was chained after record \(previous.record.id), which stands later, on line \(before): lines were reordered"))
        }

        // The last chain against the table, by id and hash. Open records at the table's tail are
        // not logged until the next run seals them.
        let logged = chains.last ?? []
        var logByID: [Int: Located] = [:]
        for item in logged where logByID[item.record.id] == nil { logByID[item.record.id] = item }
        let sealedCount = table.lastIndex { $0.hash != nil }.map { $0 + 1 } ?? 0
        var absent: [Int] = []
        func reportAbsent() {
            guard let first = absent.first, let last = absent.last else { return }
            let one = first == last
            problems.append(AuditProblem(
                kind: .notInLog, id: first, location: SourceLocation(file: path),
                message: "\(one ? "record \(first) of '\(environment)' is" : "records \(first)–\(last) of '\(environment)' are") in the audit table but not in \(path): \(one ? "its line was" : "their lines were") removed from the log, or \(one ? "it was" : "they were") written before audit_log was set or by an offline script (--sql), which cannot append to the log"))
            absent = []
        }
        for record in table[..<sealedCount] {
            guard let item = logByID[record.id] else {
                if let last = absent.last, last != record.id - 1 { reportAbsent() }
                absent.append(record.id)
                continue
            }
            reportAbsent()
            if item.record.hash != record.hash {
                problems.append(AuditProblem(
                    kind: .differs, id: record.id, location: SourceLocation(file: path, line: item.line),
                    message: "record \(record.id) of '\(environment)' differs between the audit table and \(path) (hash \((record.hash ?? "none").prefix(12)) in the table, \((item.record.hash ?? "none").prefix(12)) in the log): one of them was rewritten"))
            }
        }
        reportAbsent()
        let tableIDs = Set(table.map(\.id))
        let extra = logged.filter { !tableIDs.contains($0.record.id) }
        if let first = extra.first {
            let one = extra.count == 1
            problems.append(AuditProblem(
                kind: .notInTable, id: first.record.id, location: SourceLocation(file: path, line: first.line),
                message: "\(one ? "record \(first.record.id) is" : "records \(extra.map { String($0.record.id) }.joined(separator: ", ")) are") in \(path) but not in the audit table of '\(environment)': \(one ? "it was" : "they were") deleted from the table"))
        }
        return problems
    }
}
