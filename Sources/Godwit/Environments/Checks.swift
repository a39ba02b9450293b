import Foundation
import GodwitCore

/// One thing `check`, `verify` or `lint` found (SPEC §9).
public struct Problem: Sendable, Equatable {
    /// What kind: `multiple_heads`, `pending`, `failed`, `checksum_mismatch`, `unknown_revision`, or a lint rule id.
    public var kind: String
    public var revision: String?
    public var file: String?
    public var line: Int?
    public var message: String

    /// Creates a problem.
    public init(kind: String, revision: String? = nil, file: String? = nil, line: Int? = nil, message: String) {
        self.kind = kind
        self.revision = revision
        self.file = file
        self.line = line
        self.message = message
    }

    /// The JSON of SPEC §9.
    public var json: JSONValue {
        .object([
            "kind": .string(kind), "revision": .optional(revision), "file": .optional(file), "line": .optional(line),
            "message": .string(message),
        ])
    }
}

/// The outcome of `check`, `verify` or `lint`: ok, or the problems found (exit 3).
public struct CheckReport: Sendable {
    public var problems: [Problem]
    /// True when nothing was found.
    public var isOK: Bool { problems.isEmpty }

    /// The JSON of SPEC §9.
    public var json: JSONValue { .object(["ok": .bool(isOK), "problems": .array(problems.map(\.json))]) }
}

extension Workspace {
    /// `verify`: the checksums of an environment's applied revisions against their files.
    /// - Throws: `DatabaseError` when the environment cannot be read; graph errors.
    public func verify(_ environment: Environment) throws -> CheckReport {
        let graph = try graph()
        let state = StateReport(graph: graph, rows: try readState(of: environment))
        return CheckReport(problems: checksumProblems(state, graph: graph, environment: environment))
    }

    func checksumProblems(_ state: StateReport, graph: RevisionGraph, environment: Environment) -> [Problem] {
        state.checksumMismatches.map { id in
            Problem(
                kind: "checksum_mismatch", revision: id, file: graph[id]?.path, line: 1,
                message: "revision '\(id)' was changed after it was applied to '\(environment.name)': its file's checksum differs from the one recorded; revert the edit and write a new revision instead")
        }
            + state.unknown.map { id in
                Problem(
                    kind: "unknown_revision", revision: id,
                    message: "revision '\(id)' is applied in '\(environment.name)' but has no file in \(project.versionsPath)/")
            }
    }

    /// `check`: the CI gate. Several graph heads, pending or failed revisions, checksum mismatches.
    /// - Throws: `DatabaseError` when the environment cannot be read; graph errors.
    public func check(_ environment: Environment) throws -> CheckReport {
        let graph = try graph()
        var problems: [Problem] = []
        if graph.heads.count > 1 {
            problems.append(Problem(
                kind: "multiple_heads",
                message: "the graph has \(graph.heads.count) heads (\(graph.heads.joined(separator: ", "))); join them with 'godwit merge -m MESSAGE heads'"))
        }
        let state = StateReport(graph: graph, rows: try readState(of: environment))
        for revision in graph.revisions(state.pending) {
            let id = revision.id
            problems.append(Problem(
                kind: "pending", revision: id, file: revision.path, line: 1,
                message: "revision '\(id)' (\(revision.message)) is not applied to '\(environment.name)'; run 'godwit upgrade -e \(environment.name)'"))
        }
        for id in state.failed {
            problems.append(Problem(
                kind: "failed", revision: id, file: graph.revisions[id]?.path, line: graph.revisions[id] == nil ? nil : 1,
                message: "revision '\(id)' failed part-way in '\(environment.name)'; finish or undo it by hand, then 'godwit resolve \(id) -e \(environment.name) --applied' or '--rolled-back'"))
        }
        problems += checksumProblems(state, graph: graph, environment: environment)
        if environment.lint == .error, linters[lintingDialect(of: environment)] != nil {
            problems += try lint(state.pending, dialect: lintingDialect(of: environment)).map(Problem.init)
        }
        return CheckReport(problems: problems)
    }

    /// `promote [FROM] TO`: the request that brings TO to exactly FROM's heads.
    /// - Throws: `ConfigurationError` when FROM is not given and TO has no predecessor; `PlanRefusal`
    ///   (exit 5) when TO has revisions FROM lacks, or a revision's checksum recorded in FROM
    ///   differs from its file; `DatabaseError` when FROM cannot be read.
    public func promotion(from source: String?, to targetName: String) throws -> (from: Environment, to: Environment, target: Target) {
        let target = try project.environment(targetName)
        guard let sourceName = source ?? project.predecessor(of: target.name) else {
            throw ConfigurationError(
                "'\(target.name)' has no predecessor in promotion; name the environment to promote from: 'godwit promote FROM \(target.name)'",
                environment: target.name)
        }
        let from = try project.environment(sourceName)
        guard from.name != target.name else {
            throw ConfigurationError("cannot promote '\(target.name)' to itself", environment: target.name)
        }
        let graph = try graph()
        let fromRows = try readState(of: from)
        let toRows = try readState(of: target)
        if let failed = fromRows.first(where: \.isFailed) {
            throw PlanRefusal(
                "revision '\(failed.revision)' failed part-way in '\(from.name)'; resolve it there before promoting", revision: failed.revision)
        }
        let edited = StateReport(graph: graph, rows: fromRows).checksumMismatches
        if let id = edited.first {
            throw PlanRefusal(
                "revision '\(id)' as applied in '\(from.name)' differs from its file (checksum); what '\(target.name)' would get is not what '\(from.name)' was tested with — revert the file or write a new revision",
                revision: id, location: graph.revisions[id].map { SourceLocation(file: $0.path) })
        }
        let fromApplied = Set(fromRows.map(\.revision))
        let extra = toRows.map(\.revision).filter { !fromApplied.contains($0) }
        if !extra.isEmpty {
            throw PlanRefusal(
                "'\(target.name)' has \(extra.map { "'\($0)'" }.joined(separator: ", ")), which '\(from.name)' lacks: the two have diverged; apply them to '\(from.name)' first, or downgrade '\(target.name)'",
                revision: extra.first)
        }
        let heads = graph.heads(ofApplied: fromApplied)
        return (from, target, .revisions(heads))
    }

    /// `wait`: blocks until the environment has reached `target`, reading it every `interval`
    /// seconds; an unreachable database is waited for too.
    /// - Throws: `ContextualError` with exit 4 on timeout, saying what is still missing or why the
    ///   database could not be read; graph errors at once.
    public func wait(for environment: Environment, target: Target, timeout: TimeoutValue, interval: Double = 1) throws -> [String] {
        let graph = try graph()
        let deadline = Date().addingTimeInterval(timeout.seconds)
        var last = "nothing read yet"
        while true {
            do {
                let rows = try readState(of: environment)
                let applied = Set(rows.filter { !$0.isFailed }.map(\.revision))
                let missing = try graph.upgradeSteps(applied: applied, to: target)
                if missing.isEmpty { return graph.heads(ofApplied: applied) }
                last = "\(missing.count) revision\(missing.count == 1 ? "" : "s") still missing (\(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : ""))"
            } catch let error as DatabaseError {
                last = "cannot read it: \(error.message)"
            } catch let error as ConfigurationError {
                throw error
            }
            if Date() >= deadline {
                throw ContextualError(
                    .lockTimeout, "'\(environment.name)' did not reach \(target) within \(timeout): \(last)", environment: environment.name)
            }
            Thread.sleep(forTimeInterval: min(interval, max(0.05, deadline.timeIntervalSinceNow)))
        }
    }
}
