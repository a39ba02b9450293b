import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// What a user asks of one environment: an upgrade, downgrade, stamp or resolve, and how.
public struct ChangeRequest: Sendable {
    /// The operation and its target.
    public enum Kind: Sendable {
        case upgrade(Target)
        case downgrade(Target)
        case stamp(Target, purge: Bool)
        case resolve(revision: String, applied: Bool)
    }

    public var kind: Kind
    /// Connect read-only, plan, change nothing.
    public var isDryRun: Bool = false
    /// The whole plan in one transaction.
    public var isAtomic: Bool = false
    /// `--yes` (or a typed confirmation) for a protected environment.
    public var isConfirmed: Bool = false
    /// `--skip-promotion-check`.
    public var skipsPromotionCheck: Bool = false
    /// `--reason`, stored in the audit record.
    public var reason: String?
    /// Run the plan in one transaction and roll it back (`--rehearse`).
    public var isRehearsal: Bool = false
    /// The operation name to record (`promote` for a promotion).
    public var operationName: Plan.Operation?
    /// Fill each step's `warnings` with the lint findings of its SQL. A caller that does not show
    /// them (a change rendered as text) turns this off: linting parses every revision's SQL,
    /// which cost an upgrade of 1,000 revisions as much as running them.
    public var includesLintWarnings: Bool = true

    /// Creates a request.
    public init(_ kind: Kind) { self.kind = kind }

    var operation: Plan.Operation {
        if let operationName { return operationName }
        switch kind {
        case .upgrade: return .upgrade
        case .downgrade: return .downgrade
        case .stamp: return .stamp
        case .resolve: return .resolve
        }
    }
}

/// Changes one environment: plans against its state, takes its lock, re-reads the state, runs
/// the steps with their bookkeeping, and seals the audit record (SPEC §4-§6).
public struct Migrator {
    /// The workspace.
    public let workspace: Workspace
    /// The environment to change.
    public let environment: Environment

    /// Creates a migrator.
    public init(workspace: Workspace, environment: Environment) {
        self.workspace = workspace
        self.environment = environment
    }

    var project: Project { workspace.project }

    /// Carries out (or, with `isDryRun`, only plans) a request.
    /// - Throws: `PlanRefusal` (exit 5) for a protected environment without confirmation, the
    ///   promotion gate, an irreversible downgrade or a failed revision; `GraphError` for a bad
    ///   target; `DatabaseError` with environment, revision, file and line when SQL fails, or
    ///   reason `.lockTimeout` when the lock is not had in time.
    public func run(_ request: ChangeRequest) throws -> OperationResult {
        let graph = try workspace.graph()
        if case .resolve = request.kind {} else if request.isDryRun == false && environment.isProtected && !request.isConfirmed {
            throw PlanRefusal(
                "environment '\(environment.name)' is protected; pass --yes to confirm the \(request.operation.rawValue) (nothing was changed)")
        }
        let url = try workspace.url(of: environment)
        if request.isDryRun {
            let connection = try workspace.connect(environment, readOnly: true)
            defer { connection.close() }
            return try workspace.withReadTransaction(connection, environment: environment) {
                let rows = try workspace.store(for: connection).readRevisions(on: connection)
                let plan = try makePlan(request, graph: graph, rows: rows)
                try checkGate(plan, request: request)
                return result(plan, request: request, durations: [:], auditID: nil, dryRun: true)
            }
        }
        // Plan once read-only first, so that a refusal (gate, irreversible step, failed revision,
        // bad target) leaves the database untouched — not even Godwit's tables are created.
        // The plan is made again under the lock, from the state read there.
        let (rows, hasOpenRecords) = try previewState()
        let preview = try makePlan(request, graph: graph, rows: rows)
        try checkGate(preview, request: request)
        try checkLint(preview)
        if preview.isEmpty && !isResolve(request) && !request.isRehearsal && !hasOpenRecords {
            return result(preview, request: request, durations: [:], auditID: nil, dryRun: false)
        }
        // A rehearsal leaves nothing behind: on PostgreSQL its session creates no schema at connect
        // (a read-only session there differs only in that); the schema is made inside the
        // rolled-back transaction. A lease (`lock: table`) is the exception: it lives outside that
        // transaction, and so do its table and the schema that holds it.
        let createsNothingAtConnect = request.isRehearsal && url.isPostgreSQL && environment.lockMode == .advisory
        let connection = try workspace.connect(environment, readOnly: createsNothingAtConnect)
        defer { connection.close() }
        let store = workspace.store(for: connection)
        if request.isRehearsal {
            do {
                return try rehearse(request, graph: graph, connection: connection, store: store)
            } catch let error as DatabaseError {
                throw workspace.contextualize(error, environment: environment, url: url)
            }
        }
        do {
            return try connection.withLock(workspace.lockRequest(for: environment), waiting: { holder in
                workspace.events(.waitingForLock(environment: environment.name, holder: holder))
            }) {
                try store.createTables(on: connection)
                try sealInterrupted(store: store, connection: connection)
                try catchUpAuditLog(store: store, connection: connection)
                let rows = try store.readRevisions(on: connection)
                let plan = try makePlan(request, graph: graph, rows: rows)
                try checkGate(plan, request: request)
                if plan.isEmpty && !isResolve(request) {
                    return result(plan, request: request, durations: [:], auditID: nil, dryRun: false)
                }
                return try apply(plan, request: request, graph: graph, rows: rows, connection: connection, store: store, url: url)
            }
        } catch let error as DatabaseError {
            throw workspace.contextualize(error, environment: environment, url: url)
        }
    }

    /// Runs the whole plan in one transaction under the lock and rolls it back: each step's time
    /// and the first error, with nothing left behind — not even Godwit's tables.
    func rehearse(_ request: ChangeRequest, graph: RevisionGraph, connection: any DatabaseConnection, store: StateStore) throws -> OperationResult {
        try connection.withLock(workspace.lockRequest(for: environment), waiting: { holder in
            workspace.events(.waitingForLock(environment: environment.name, holder: holder))
        }) {
            let rows = try store.readRevisions(on: connection)
            let plan = try makePlan(request, graph: graph, rows: rows)
            try checkGate(plan, request: request)
            if let step = plan.steps.first(where: { !$0.revision.isTransactional && $0.sql != nil }) {
                throw PlanRefusal(
                    "revision '\(step.revision.id)' is 'transactional: false', so it cannot be rehearsed inside a transaction; use --dry-run",
                    revision: step.revision.id)
            }
            var record = AuditRecord(
                id: 0, environment: environment.name, operation: plan.operation.rawValue, startedAt: AuditRecord.timestamp(),
                fromHeads: plan.fromHeads, actor: workspace.identity.actor, host: workspace.identity.host,
                toolVersion: workspace.identity.toolVersion, gitCommit: workspace.identity.gitCommit, reason: request.reason)
            var durations: [String: Int] = [:]
            try connection.execute(connection.dialect.beginWrite)
            defer { try? connection.execute("ROLLBACK") }
            if let schema = environment.schema, let create = connection.dialect.createSchemaIfMissing(schema) {
                try connection.execute(create)
            }
            try connection.execute(store.createTablesSQL)
            record.id = try store.nextAuditID(on: connection)
            try connection.execute(store.insertAuditSQL(record))
            for (index, step) in plan.steps.enumerated() {
                try runStep(step, index: index, count: plan.steps.count, plan: plan, connection: connection, store: store, record: &record, durations: &durations, inTransaction: true)
            }
            var result = result(plan, request: request, durations: durations, auditID: nil, dryRun: true)
            result.isRehearsal = true
            return result
        }
    }

    /// The recorded state through a read-only connection, and whether audit records wait to be
    /// sealed (left by a killed run or an offline script) or to be copied to the `audit_log:`
    /// file: then even a no-op run takes the lock to do that.
    func previewState() throws -> ([AppliedRevision], Bool) {
        let connection = try workspace.connect(environment, readOnly: true)
        defer { connection.close() }
        return try workspace.withReadTransaction(connection, environment: environment) {
            let store = workspace.store(for: connection)
            let rows = try store.readRevisions(on: connection)
            guard try connection.tableExists(store.auditTable) else { return (rows, false) }
            let table = connection.dialect.quote(store.auditTable)
            let open = !(try connection.query("SELECT 1 FROM \(table) WHERE hash IS NULL LIMIT 1")).isEmpty
            var lagging = false
            if let file = project.auditLog, let newest = try connection.query("SELECT hash FROM \(table) ORDER BY id DESC LIMIT 1").first?.first ?? nil {
                lagging = !((try? AuditLogFile.read(file)) ?? []).contains { $0.hash == newest }
            }
            return (rows, open || lagging)
        }
    }

    /// The reason stored in the audit; a skipped promotion gate is always said there.
    func auditReason(_ request: ChangeRequest) -> String? {
        guard request.skipsPromotionCheck, project.predecessor(of: environment.name) != nil else { return request.reason }
        return "promotion check skipped: " + (request.reason ?? "")
    }

    func isResolve(_ request: ChangeRequest) -> Bool {
        if case .resolve = request.kind { return true }
        return false
    }

    /// The plan for a request against the environment's recorded rows.
    func makePlan(_ request: ChangeRequest, graph: RevisionGraph, rows: [AppliedRevision]) throws -> Plan {
        let applied = Set(rows.map(\.revision))
        if case .resolve(let name, let markApplied) = request.kind {
            let id = rows.first(where: { $0.revision == name })?.revision ?? (try? graph.resolve(name)) ?? name
            guard let row = rows.first(where: { $0.revision == id }), row.isFailed else {
                throw PlanRefusal(
                    "revision '\(id)' is not recorded as failed in environment '\(environment.name)'; only a failed non-transactional revision needs resolving",
                    revision: id)
            }
            let state = markApplied ? applied : applied.subtracting([id])
            let step = graph.revisions[id].map { Plan.Step(revision: $0, direction: markApplied ? .upgrade : .downgrade, sql: nil) }
            return Plan(
                operation: .resolve, steps: step.map { [$0] } ?? [], fromHeads: graph.heads(ofApplied: applied),
                toHeads: graph.heads(ofApplied: state), resultingState: state)
        }
        if let failed = rows.first(where: \.isFailed) {
            throw PlanRefusal(
                "revision '\(failed.revision)' failed part-way in environment '\(environment.name)' (it runs outside a transaction); finish or undo it by hand, then run 'godwit resolve \(failed.revision) -e \(environment.name) --applied' or '--rolled-back'",
                revision: failed.revision)
        }
        let unknown = rows.map(\.revision).filter { graph.revisions[$0] == nil }
        var purge = false
        if case .stamp(_, let p) = request.kind { purge = p }
        if !unknown.isEmpty && !purge {
            throw GraphError(
                .appliedWithoutFile(environment: environment.name, versionsPath: project.versionsPath, revisions: unknown),
                revision: unknown.first)
        }
        var plan: Plan
        switch request.kind {
        case .upgrade(let target): plan = try graph.upgradePlan(applied: applied, to: target)
        case .downgrade(let target): plan = try graph.downgradePlan(applied: applied, to: target)
        case .stamp(let target, let purge): plan = try graph.stampPlan(applied: applied, to: target, purge: purge)
        case .resolve: fatalError("handled above")
        }
        plan.operation = request.operation
        if request.isAtomic, let step = plan.steps.first(where: { !$0.revision.isTransactional && $0.sql != nil }) {
            throw PlanRefusal(
                "revision '\(step.revision.id)' is 'transactional: false', so the plan cannot run in one transaction; drop --atomic",
                revision: step.revision.id, location: SourceLocation(file: step.revision.path, line: step.revision.headerLines["transactional"]))
        }
        return plan
    }

    /// With `lint: error`, a plan whose SQL has lint findings is refused before anything runs;
    /// with `lint: warn` the findings are warnings of the steps.
    /// - Throws: `PlanRefusal` (exit 5) naming the first finding; what the linter throws.
    func checkLint(_ plan: Plan) throws {
        guard environment.lint == .error else { return }
        let findings = try workspace.lintFindings(of: plan, in: environment)
        guard let first = plan.steps.lazy.compactMap({ findings[$0.revision.id]?.first }).first else { return }
        let count = findings.values.reduce(0) { $0 + $1.count }
        throw PlanRefusal(
            "environment '\(environment.name)' has 'lint: error' and the plan has \(count) lint finding\(count == 1 ? "" : "s"); the first: [\(first.rule.id)] \(first.message); make the change safely, or silence it on its line with '-- godwit:ignore \(first.rule.id)'",
            revision: first.revision, location: SourceLocation(file: first.file, line: first.line))
    }

    /// The promotion gate (SPEC §6): what the plan brings must already be applied in the predecessor.
    func checkGate(_ plan: Plan, request: ChangeRequest) throws {
        let added = plan.steps.filter { $0.direction == .upgrade }.map(\.revision.id)
        guard !added.isEmpty, !request.skipsPromotionCheck, !isResolve(request),
            let predecessorName = project.predecessor(of: environment.name),
            let predecessor = project.environments[predecessorName]
        else { return }
        let rows: [AppliedRevision]
        do {
            rows = try workspace.readState(of: predecessor)
        } catch let error as GodwitError {
            throw ContextualError(
                .failed,
                "cannot check the promotion gate of '\(environment.name)': its predecessor '\(predecessorName)' cannot be read: \(error.message)",
                environment: predecessorName)
        }
        let there = Set(rows.filter { !$0.isFailed }.map(\.revision))
        let missing = added.filter { !there.contains($0) }
        if !missing.isEmpty {
            throw PlanRefusal(
                "promotion gate: \(missing.count == 1 ? "revision" : "revisions") \(missing.map { "'\($0)'" }.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not applied in '\(predecessorName)', which comes before '\(environment.name)' in promotion; apply them to '\(predecessorName)' first (then 'godwit promote \(predecessorName) \(environment.name)'), or override with --skip-promotion-check --reason TEXT",
                revision: missing.first)
        }
    }

    func result(_ plan: Plan, request: ChangeRequest, durations: [String: Int], auditID: Int?, dryRun: Bool) -> OperationResult {
        let findings = dryRun || request.includesLintWarnings ? (try? workspace.lintFindings(of: plan, in: environment)) ?? [:] : [:]
        let isPostgres = (try? workspace.url(of: environment).isPostgreSQL) ?? false
        let hook = (plan.operation == .upgrade || plan.operation == .promote) && plan.steps.contains { $0.direction == .upgrade && $0.sql != nil }
            ? project.afterUpgradeHook(for: environment.name).map { RevisionGraph.relativePath(of: $0, to: project.root) } : nil
        return OperationResult(
            environment: environment.name, operation: plan.operation, isDryRun: dryRun, fromHeads: plan.fromHeads,
            toHeads: plan.toHeads,
            steps: plan.steps.map { step in
                OperationResult.Step(
                    revision: step.revision.id, direction: step.direction, message: step.revision.message,
                    sql: step.sql?.sql, warnings: (findings[step.revision.id] ?? []).map(\.description),
                    durationMS: durations[step.revision.id],
                    isReversible: step.revision.isReversible, isTransactional: step.revision.isTransactional,
                    lockTimeout: isPostgres ? (step.revision.lockTimeout ?? environment.effectiveLockTimeout) : nil,
                    statementTimeout: isPostgres ? (step.revision.statementTimeout ?? environment.statementTimeout) : nil)
            },
            auditID: auditID, lockDescription: lockDescription(isPostgres: isPostgres), isAtomic: request.isAtomic, hook: hook)
    }

    func lockDescription(isPostgres: Bool) -> String {
        let wait = environment.migrationLockTimeout
        if !isPostgres { return "exclusive flock on the database's .godwit.lock file (wait up to \(wait))" }
        switch environment.lockMode {
        case .advisory: return "PostgreSQL session advisory lock (wait up to \(wait))"
        case .table: return "lease row in \(project.tablePrefix)lock (wait up to \(wait))"
        }
    }

    // MARK: - Applying

    func apply(
        _ plan: Plan, request: ChangeRequest, graph: RevisionGraph, rows: [AppliedRevision],
        connection: any DatabaseConnection, store: StateStore, url: DatabaseURL
    ) throws -> OperationResult {
        let identity = workspace.identity
        let started = Date()
        var record = AuditRecord(
            id: try store.nextAuditID(on: connection), environment: environment.name, operation: plan.operation.rawValue,
            startedAt: AuditRecord.timestamp(started), fromHeads: plan.fromHeads, actor: identity.actor, host: identity.host,
            toolVersion: identity.toolVersion, gitCommit: identity.gitCommit, reason: auditReason(request))
        try connection.withTransaction { try connection.execute(store.insertAuditSQL(record)) }

        var durations: [String: Int] = [:]
        do {
            if case .resolve(_, let markApplied) = request.kind, let step = plan.steps.first {
                let sql = markApplied ? store.updateRevisionSQL(step.revision.id, state: "applied") : store.deleteRevisionSQL(step.revision.id)
                record.steps.append(.init(revision: step.revision.id, direction: step.direction, checksum: step.revision.checksum, durationMS: 0))
                try connection.withTransaction { try connection.execute(sql + store.updateAuditStepsSQL(record)) }
            } else if case .stamp(_, true) = request.kind {
                try connection.withTransaction {
                    try connection.execute(store.purgeSQL)
                    for (index, step) in plan.steps.enumerated() where step.direction == .upgrade {
                        try runStep(step, index: index, count: plan.steps.count, plan: plan, connection: connection, store: store, record: &record, durations: &durations, inTransaction: true)
                    }
                }
            } else if request.isAtomic {
                try connection.withTransaction {
                    for (index, step) in plan.steps.enumerated() {
                        try runStep(step, index: index, count: plan.steps.count, plan: plan, connection: connection, store: store, record: &record, durations: &durations, inTransaction: true)
                    }
                }
            } else {
                for (index, step) in plan.steps.enumerated() {
                    try runStep(step, index: index, count: plan.steps.count, plan: plan, connection: connection, store: store, record: &record, durations: &durations, inTransaction: false)
                }
            }
            if let hook = project.afterUpgradeHook(for: environment.name),
                plan.operation == .upgrade || plan.operation == .promote,
                plan.steps.contains(where: { $0.direction == .upgrade })
            {
                try runHook(hook, connection: connection)
            }
        } catch {
            let failure = error
            let committed = try? store.readRevisions(on: connection)
            if request.isAtomic { record.steps = [] }
            let message: String
            if let error = failure as? DatabaseError {
                message = workspace.contextualize(error, environment: environment, url: url).description
            } else {
                message = url.redact(String(describing: failure))
            }
            try? finish(&record, outcome: "failed", error: message, heads: graph.heads(ofApplied: Set((committed ?? rows).map(\.revision))), started: started, connection: connection, store: store)
            if let error = failure as? DatabaseError {
                throw workspace.contextualize(error, environment: environment, url: url)
            }
            throw failure
        }
        try finish(&record, outcome: "succeeded", error: nil, heads: plan.toHeads, started: started, connection: connection, store: store)
        return result(plan, request: request, durations: durations, auditID: record.id, dryRun: false)
    }

    func runStep(
        _ step: Plan.Step, index: Int, count: Int, plan: Plan, connection: any DatabaseConnection, store: StateStore,
        record: inout AuditRecord, durations: inout [String: Int], inTransaction: Bool
    ) throws {
        let revision = step.revision
        workspace.events(.stepStarted(index: index, count: count, revision: revision.id, direction: step.direction, message: revision.message, runsSQL: step.sql != nil))
        let begin = DispatchTime.now().uptimeNanoseconds
        let dialect = connection.dialect
        let now = AuditRecord.timestamp()
        let bookkeeping: String
        switch step.direction {
        case .upgrade:
            bookkeeping = store.insertRevisionSQL(revision.id, checksum: revision.checksum, state: "applied", at: now, by: workspace.identity.actor, auditID: record.id)
        case .downgrade:
            bookkeeping = store.deleteRevisionSQL(revision.id)
        }
        func elapsed() -> Int { Int((DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000) }
        func stepRecord() -> AuditRecord.Step {
            AuditRecord.Step(revision: revision.id, direction: step.direction, checksum: revision.checksum, durationMS: elapsed())
        }
        let timeouts = dialect.localTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout)

        guard let section = step.sql else {
            // A stamp: bookkeeping only.
            var next = record
            next.steps.append(stepRecord())
            if inTransaction { try connection.execute(bookkeeping) } else { try connection.withTransaction { try connection.execute(bookkeeping) } }
            record = next
            workspace.events(.stepFinished(index: index, count: count, revision: revision.id, direction: step.direction, durationMS: next.steps.last?.durationMS ?? 0))
            return
        }
        if revision.isTransactional && dialect == .postgresql {
            // Two round trips instead of four: BEGIN goes with the revision's SQL as one script,
            // and its state row with COMMIT, sent only once the SQL has run, so that a run killed
            // meanwhile leaves nothing of the revision. With --atomic the state row goes with the
            // SQL: the plan's one COMMIT comes at its end.
            if inTransaction {
                let opening = timeouts.map { $0 + ";\n" }.joined()
                try runSection(section, revision: revision, connection: connection, opening: opening, closing: "\n;\n" + bookkeeping)
            } else {
                let opening = ([dialect.beginWrite] + timeouts).map { $0 + ";\n" }.joined()
                do {
                    try runSection(section, revision: revision, connection: connection, opening: opening)
                    try connection.execute(bookkeeping + "COMMIT;\n")
                } catch {
                    try? connection.execute("ROLLBACK")
                    throw error
                }
            }
            record.steps.append(stepRecord())
        } else if revision.isTransactional {
            var next = record
            func body() throws {
                for statement in timeouts { try connection.execute(statement) }
                try runSection(section, revision: revision, connection: connection)
                next.steps.append(stepRecord())
                try connection.execute(bookkeeping)
            }
            if inTransaction { try body() } else { try connection.withTransaction(body) }
            record = next
        } else {
            // Outside a transaction: mark the revision failed first, so that a failure or a kill
            // part-way leaves a record that refuses later upgrades until `resolve`.
            let mark = step.direction == .upgrade
                ? store.insertRevisionSQL(revision.id, checksum: revision.checksum, state: "failed", at: now, by: workspace.identity.actor, auditID: record.id)
                : store.updateRevisionSQL(revision.id, state: "failed")
            try connection.withTransaction { try connection.execute(mark) }
            let sessionTimeouts = dialect.sessionTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout)
            for statement in sessionTimeouts { try connection.execute(statement) }
            defer {
                if !sessionTimeouts.isEmpty {
                    try? connection.execute(dialect.sessionTimeouts(lock: environment.effectiveLockTimeout, statement: environment.statementTimeout ?? TimeoutValue(milliseconds: 0)).joined(separator: ";\n"))
                }
            }
            let statements: [(sql: String, offset: Int)]
            do {
                statements = try connection.splitStatements(section.sql)
            } catch var error as DatabaseError {
                error.revision = revision.id
                locate(&error, in: section, path: revision.path)
                throw error
            }
            for statement in statements {
                do {
                    try connection.execute(statement.sql)
                } catch var error as DatabaseError {
                    error.revision = revision.id
                    locate(&error, in: section, path: revision.path, offset: statement.offset)
                    error.message += "; revision '\(revision.id)' ran outside a transaction and is now recorded as failed: finish or undo it by hand, then run 'godwit resolve \(revision.id) -e \(environment.name) --applied' or '--rolled-back'"
                    throw error
                }
            }
            var next = record
            next.steps.append(stepRecord())
            let done = step.direction == .upgrade ? store.updateRevisionSQL(revision.id, state: "applied") : store.deleteRevisionSQL(revision.id)
            try connection.withTransaction { try connection.execute(done) }
            record = next
        }
        durations[revision.id] = record.steps.last?.durationMS
        workspace.events(.stepFinished(index: index, count: count, revision: revision.id, direction: step.direction, durationMS: record.steps.last?.durationMS ?? 0))
    }

    /// Runs one section's SQL, between `opening` and `closing` (Godwit's own statements, sent in the
    /// same script), naming the file and line of a failing statement of the section.
    func runSection(
        _ section: SQLSection, revision: Revision, connection: any DatabaseConnection, opening: String = "", closing: String = ""
    ) throws {
        do {
            try connection.execute(opening.isEmpty && closing.isEmpty ? section.sql : opening + section.sql + closing)
        } catch var error as DatabaseError {
            error.revision = revision.id
            let start = opening.utf8.count
            if let position = error.position, position < start || position >= start + section.sql.utf8.count {
                throw error  // in Godwit's own statements: no line of the file to name
            }
            locate(&error, in: section, path: revision.path, offset: -start)
            throw error
        }
    }

    /// Names the line where the failing statement starts (SPEC §8), and the error's own line
    /// when the database points further into the statement.
    func locate(_ error: inout DatabaseError, in section: SQLSection, path: String, offset: Int = 0) {
        let line = section.line(atUTF8Offset: offset + (error.position ?? 0))
        error.location = SourceLocation(file: path, line: line)
        if let exact = error.errorPosition {
            let exactLine = section.line(atUTF8Offset: offset + exact)
            if exactLine != line { error.message += " (at line \(exactLine))" }
        }
    }

    func runHook(_ hook: URL, connection: any DatabaseConnection) throws {
        let path = RevisionGraph.relativePath(of: hook, to: project.root)
        workspace.events(.hookStarted(environment: environment.name, path: path))
        guard let text = try? String(contentsOf: hook, encoding: .utf8) else {
            throw ConfigurationError("cannot read \(path)", location: SourceLocation(file: path), environment: environment.name)
        }
        let section = SQLSection(sql: Checksum.normalizingLineEndings(text), line: 1)
        do {
            try connection.withTransaction { try connection.execute(section.sql) }
        } catch var error as DatabaseError {
            locate(&error, in: section, path: path)
            error.message = "after_upgrade.sql failed: " + error.message
            throw error
        }
    }

    func finish(
        _ record: inout AuditRecord, outcome: String, error: String?, heads: [String], started: Date,
        connection: any DatabaseConnection, store: StateStore
    ) throws {
        let finished = Date()
        record.finishedAt = AuditRecord.timestamp(finished)
        record.durationMS = Int((finished.timeIntervalSince(started) * 1000).rounded())
        record.outcome = outcome
        record.error = error
        record.toHeads = heads
        record.prevHash = try store.previousHash(before: record.id, on: connection)
        record.hash = record.computedHash
        let sealed = record
        try connection.withTransaction { try connection.execute(store.finishAuditSQL(sealed)) }
        try AuditLogFile.append(sealed, to: project.auditLog)
    }

    /// Appends to the `audit_log:` file the sealed records of this environment it lacks — those an
    /// offline script wrote on PostgreSQL — so that the file keeps holding every record.
    func catchUpAuditLog(store: StateStore, connection: any DatabaseConnection) throws {
        guard let file = project.auditLog, let lines = try? AuditLogFile.read(file) else { return }
        let logged = Set(lines.filter { $0.environment == environment.name }.compactMap(\.hash))
        let sealed = try store.readAudit(on: connection, where: "hash IS NOT NULL")
        // Only the tail after the newest logged record: records from before the file was set
        // stay out, so that the file's order stays the chain's order.
        guard let last = sealed.last(where: { logged.contains($0.hash!) }) else { return }
        for record in sealed where record.id > last.id && !logged.contains(record.hash!) {
            try AuditLogFile.append(record, to: file)
        }
    }

    /// Seals records a killed run left open: they are marked failed, with the steps they committed.
    func sealInterrupted(store: StateStore, connection: any DatabaseConnection) throws {
        let open = try store.readAudit(on: connection, where: "hash IS NULL")
        guard !open.isEmpty else { return }
        let graph = try? workspace.graph()
        let rows = try store.readRevisions(on: connection)
        let applied = Set(rows.map(\.revision))
        for var record in open {
            if record.outcome == nil {
                record.outcome = "failed"
                record.error = "interrupted: the run ended before it finished (killed, or the connection was lost); the steps listed were committed"
                record.finishedAt = AuditRecord.timestamp()
                if record.steps.isEmpty, let graph {
                    record.steps = Self.committedSteps(of: record, rows: rows, graph: graph)
                }
            }
            record.toHeads = record.toHeads ?? graph?.heads(ofApplied: applied) ?? []
            record.prevHash = try store.previousHash(before: record.id, on: connection)
            record.hash = record.computedHash
            let sealed = record
            try connection.withTransaction { try connection.execute(store.finishAuditSQL(sealed)) }
            try AuditLogFile.append(sealed, to: project.auditLog)
        }
    }
}

extension Migrator {
    /// The steps a killed run committed, read back from the state it left, for its audit record
    /// holds its steps only once the run ends (a record rewritten at every step made a run of N
    /// revisions write O(N²) bytes). Each committed step left its trace in the state table, in the
    /// step's own transaction: the revisions it applied are recorded with its audit id, and the
    /// revisions it removed are those of its starting heads' ancestry that are no longer recorded.
    /// Removals come first and each group in the order a plan runs them; durations are unknown (0).
    static func committedSteps(of record: AuditRecord, rows: [AppliedRevision], graph: RevisionGraph) -> [AuditRecord.Step] {
        let recorded = Set(rows.map(\.revision))
        let removed = graph.ancestry(of: record.fromHeads.filter { graph.revisions[$0] != nil }).subtracting(recorded)
        let downgrades = graph.revisions(graph.order.reversed().filter { removed.contains($0) }).map {
            AuditRecord.Step(revision: $0.id, direction: .downgrade, checksum: $0.checksum, durationMS: 0)
        }
        let upgrades = rows.filter { $0.auditID == record.id && !$0.isFailed }.map {
            AuditRecord.Step(revision: $0.revision, direction: .upgrade, checksum: $0.checksum, durationMS: 0)
        }
        return downgrades + upgrades
    }
}

/// The JSON Lines audit sink of `audit_log:`.
public enum AuditLogFile {
    /// Appends a record as one canonical JSON line, flushed and fsynced.
    /// - Throws: `ContextualError` when the file cannot be written.
    public static func append(_ record: AuditRecord, to url: URL?) throws {
        guard let url else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ContextualError(.failed, "cannot write the audit log '\(url.path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let line = record.json.canonical + "\n"
        let written = line.withCString { write(descriptor, $0, strlen($0)) }
        guard written == line.utf8.count, fsync(descriptor) == 0 else {
            throw ContextualError(.failed, "cannot write the audit log '\(url.path)': \(String(cString: strerror(errno)))")
        }
    }

    /// Reads every record of a JSON Lines audit log.
    /// - Throws: `ContextualError` naming the line of a corrupt record.
    public static func read(_ url: URL) throws -> [AuditRecord] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var records: [AuditRecord] = []
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            guard let value = try? JSONValue(parsing: String(line)), let record = AuditRecord(json: value) else {
                throw ContextualError(.usage, "not an audit record", location: SourceLocation(file: url.path, line: index + 1))
            }
            records.append(record)
        }
        return records
    }
}
