import Foundation
import GodwitCore

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
    func planner() throws -> Planner {
        Planner(environment: environment.name, versionsPath: project.versionsPath, variables: try workspace.sqlVariables(of: environment))
    }
    var gate: PromotionGate { PromotionGate(workspace: workspace, environment: environment) }
    var lockRequest: LockRequest { environment.lockRequest(tablePrefix: project.tablePrefix, holder: workspace.holder) }

    func auditTrail(_ connection: any DriverConnection, store: StateStore) throws -> AuditTrail {
        AuditTrail(
            environment: environment.name, store: store, connection: connection, logFile: project.auditLog, key: try AuditKey.of(workspace),
            warn: { [workspace] in workspace.events(.warning($0)) })
    }

    /// Carries out (or, with `isDryRun`, only plans) a request.
    /// - Throws: `PlanRefusal` (exit 5) for a protected environment without confirmation, the
    ///   promotion gate, an irreversible downgrade or a failed revision; `GraphError` for a bad
    ///   target; `DatabaseError` with environment, revision, file and line when SQL fails, or
    ///   reason `.lockTimeout` when the lock is not had in time.
    public func run(_ request: ChangeRequest) throws -> OperationResult {
        let graph = try workspace.graph()
        // A bad repeatable file is an error before anything connects, as a bad revision file is.
        _ = try workspace.repeatables()
        if !request.isResolve && !request.isDryRun && environment.isProtected && !request.isConfirmed {
            throw PlanRefusal.protectedEnvironment(environment: environment.name, operation: request.operation.rawValue)
        }
        let url = try workspace.url(of: environment)
        if request.isDryRun {
            let connection = try workspace.connect(environment, readOnly: true)
            defer { connection.close() }
            return try workspace.withReadTransaction(connection, environment: environment) {
                let store = StateStore(for: connection, project: project)
                let rows = try store.readRevisions(on: connection)
                let plan = try planner().plan(
                    request, graph: graph, rows: rows, repeatables: try workspace.repeatables(), recorded: try store.readRepeatables(on: connection))
                try gate.check(plan, request: request)
                return result(plan, request: request, durations: [:], auditID: nil, dryRun: true)
            }
        }
        // Plan once read-only first, so that a refusal (gate, irreversible step, failed revision,
        // bad target) leaves the database untouched — not even Godwit's tables are created.
        // The plan is made again under the lock, from the state read there.
        let previewConnection = try workspace.connect(environment, readOnly: true)
        var workConnection: (any DriverConnection)?
        defer {
            previewConnection.close()
            workConnection?.close()
        }
        let (rows, recorded, hasOpenRecords) = try previewState(on: previewConnection)
        let preview = try planner().plan(request, graph: graph, rows: rows, repeatables: try workspace.repeatables(), recorded: recorded)
        try gate.check(preview, request: request)
        try checkLint(preview)
        if preview.isEmpty && !request.isResolve && !request.isRehearsal && !hasOpenRecords {
            return result(preview, request: request, durations: [:], auditID: nil, dryRun: false)
        }
        // A rehearsal leaves nothing behind: on PostgreSQL its session creates no schema at connect
        // (a read-only session there differs only in that); the schema is made inside the
        // rolled-back transaction. A lease (`lock: table`) is the exception: it lives outside that
        // transaction, and so do its table and the schema that holds it.
        let dialect = try workspace.dialect(of: environment)
        let createsNothingAtConnect = request.isRehearsal && dialect.canWriteThroughReadOnlyConnection && dialect.locksWithoutWriting(environment.lockMode)
        // Where the work's session would differ from the preview's in nothing (PostgreSQL, with no
        // schema to create at connect), the preview's connection does the work: one connection, not two.
        let sharesPreview = dialect.canWriteThroughReadOnlyConnection && (createsNothingAtConnect || (environment.schema ?? "").isEmpty)
        if !sharesPreview {
            previewConnection.close()
            workConnection = try workspace.connect(environment, readOnly: createsNothingAtConnect)
        }
        let connection = workConnection ?? previewConnection
        let store = StateStore(for: connection, project: project)
        if request.isRehearsal {
            do {
                return try rehearse(request, graph: graph, connection: connection, store: store)
            } catch let error as DatabaseError {
                throw workspace.contextualize(error, environment: environment, url: url)
            }
        }
        return try withMigrationLock(on: connection, store: store, url: url, graph: graph) { _ in
            let rows = try store.readRevisions(on: connection)
            let plan = try planner().plan(
                request, graph: graph, rows: rows, repeatables: try workspace.repeatables(), recorded: try store.readRepeatables(on: connection))
            try gate.check(plan, request: request)
            if plan.isEmpty && !request.isResolve {
                return result(plan, request: request, durations: [:], auditID: nil, dryRun: false)
            }
            return try apply(plan, request: request, graph: graph, rows: rows, connection: connection, store: store, url: url)
        }
    }

    /// Holds the migration lock on `connection` for `body`, after making Godwit's tables and
    /// catching the audit trail up (a record an interrupted run left open sealed, the log file
    /// caught up); a database error names the environment and its redacted URL.
    /// - Throws: `DatabaseError` (reason `.lockTimeout` when the lock is not had in time); what
    ///   `body` throws.
    func withMigrationLock<T>(
        on connection: any DriverConnection, store: StateStore, url: DatabaseURL, graph: RevisionGraph?, _ body: (AuditTrail) throws -> T
    ) throws -> T {
        do {
            return try connection.withLock(lockRequest, waiting: { holder in
                workspace.events(.waitingForLock(environment: environment.name, holder: holder))
            }) {
                try store.createTables(on: connection)
                let trail = try auditTrail(connection, store: store)
                try trail.sealInterrupted(graph: graph)
                try trail.catchUpLogFile()
                return try body(trail)
            }
        } catch let error as DatabaseError {
            throw workspace.contextualize(error, environment: environment, url: url)
        }
    }

    /// Runs the plan in one transaction under the lock and rolls it back: each step's time and the
    /// first error, with nothing left behind — not even Godwit's tables. A non-transactional revision
    /// cannot run inside that transaction: the plan is rehearsed up to it, and the result names it
    /// and every step after it as not rehearsed.
    func rehearse(_ request: ChangeRequest, graph: RevisionGraph, connection: any DriverConnection, store: StateStore) throws -> OperationResult {
        try connection.withLock(lockRequest, waiting: { holder in
            workspace.events(.waitingForLock(environment: environment.name, holder: holder))
        }) {
            let rows = try store.readRevisions(on: connection)
            var plan = try planner().plan(
                request, graph: graph, rows: rows, repeatables: try workspace.repeatables(), recorded: try store.readRepeatables(on: connection))
            try gate.check(plan, request: request)
            var notRehearsed: [OperationResult.NotRehearsed] = []
            if let cut = plan.steps.firstIndex(where: { !$0.revision.isTransactional && $0.sql != nil }) {
                let blocker = plan.steps[cut].revision.id
                notRehearsed = plan.steps[cut...].map { step in
                    OperationResult.NotRehearsed(
                        revision: step.revision.id, direction: step.direction,
                        reason: step.revision.id == blocker
                            ? "it is 'transactional: false', so it cannot run inside the rehearsal's transaction"
                            : "it comes after '\(blocker)', which could not be rehearsed")
                }
                plan.steps = Array(plan.steps[..<cut])
                plan.toHeads = graph.heads(ofApplied: Self.state(after: plan.steps.map { ($0.revision.id, $0.direction) }, from: rows))
            }
            // Rolled back with the rest; without `variables` its INSERT fits an audit table older than that column.
            var record = AuditRecord(
                id: 0, environment: environment.name, operation: plan.operation.rawValue, startedAt: AuditRecord.timestamp(),
                fromHeads: plan.fromHeads, actor: workspace.identity.actor, host: workspace.identity.host,
                toolVersion: workspace.identity.toolVersion, gitCommit: workspace.identity.gitCommit, reason: request.reason)
            var durations: [String: Int] = [:]
            try connection.execute(connection.beginWriteScript)
            defer { try? connection.execute("ROLLBACK") }
            if let schema = environment.schema, let create = connection.dialect.createSchemaIfMissing(schema) {
                try connection.execute(create)
            }
            try connection.execute(store.createTablesSQL)
            record.id = try store.nextAuditID(on: connection)
            try connection.execute(store.insertAuditSQL(record))
            for (index, step) in plan.steps.enumerated() {
                try runStep(step, index: index, count: plan.steps.count, connection: connection, store: store, record: &record, durations: &durations, inTransaction: true)
            }
            var result = result(plan, request: request, durations: durations, auditID: nil, dryRun: true)
            result.isRehearsal = true
            result.notRehearsed = notRehearsed
            return result
        }
    }

    /// The recorded state (revisions, and repeatables' checksums) through a read-only connection
    /// (in a read-only transaction),
    /// and whether audit records wait to be
    /// sealed (left by a killed run or an offline script) or to be copied to the `audit_log:`
    /// file: then even a no-op run takes the lock to do that.
    func previewState(on connection: any DriverConnection) throws -> ([AppliedRevision], [String: String], Bool) {
        try workspace.withReadTransaction(connection, environment: environment) {
            let store = StateStore(for: connection, project: project)
            let rows = try store.readRevisions(on: connection)
            let isOpen = try store.hasOpenAuditRecords(on: connection)
            let lags = AuditTrail.logFileLags(project.auditLog, newestHash: try store.newestAuditHash(on: connection))
            return (rows, try store.readRepeatables(on: connection), isOpen || lags)
        }
    }

    /// With `lint: error`, a plan whose SQL has lint findings is refused before anything runs;
    /// with `lint: warn` the findings are warnings of the steps.
    /// - Throws: `PlanRefusal` (exit 5) naming the first finding; what the linter throws.
    func checkLint(_ plan: Plan) throws {
        guard environment.lint == .error else { return }
        let findings = try ProjectLinter(workspace: workspace).lintFindings(of: plan, in: environment)
        guard let first = plan.steps.lazy.compactMap({ findings[$0.revision.id]?.first }).first else { return }
        let count = findings.values.reduce(0) { $0 + $1.count }
        throw PlanRefusal.lintFindings(environment: environment.name, count: count, first: first)
    }

    func result(_ plan: Plan, request: ChangeRequest, durations: [String: Int], auditID: Int?, dryRun: Bool) -> OperationResult {
        let findings = dryRun || request.includesLintWarnings ? (try? ProjectLinter(workspace: workspace).lintFindings(of: plan, in: environment)) ?? [:] : [:]
        let dialect = try? workspace.dialect(of: environment)
        let hasTimeouts = dialect?.hasTimeouts ?? false
        let masked = maskedVariables
        let hook = (plan.operation == .upgrade || plan.operation == .promote) && plan.steps.contains { $0.direction != .downgrade && $0.sql != nil }
            ? project.afterUpgradeHook(for: environment.name).map { RevisionGraph.relativePath(of: $0, to: project.root) } : nil
        return OperationResult(
            environment: environment.name, operation: plan.operation, isDryRun: dryRun, fromHeads: plan.fromHeads,
            toHeads: plan.toHeads,
            steps: plan.steps.map { step in
                OperationResult.Step(
                    revision: step.revision.id, direction: step.direction, message: step.revision.message,
                    sql: shownSQL(step, masked: masked), warnings: (findings[step.revision.id] ?? []).map(\.description),
                    durationMS: durations[step.revision.id],
                    isReversible: step.revision.isReversible, isTransactional: step.revision.isTransactional,
                    lockTimeout: hasTimeouts ? (step.revision.lockTimeout ?? environment.effectiveLockTimeout) : nil,
                    statementTimeout: hasTimeouts ? (step.revision.statementTimeout ?? environment.statementTimeout) : nil)
            },
            auditID: auditID, lockDescription: dialect.map(lockDescription(_:)) ?? "", isAtomic: request.isAtomic, hook: hook,
            purged: plan.purged)
    }

    /// How the lock is held, and how long a run waits for it.
    func lockDescription(_ dialect: any DatabaseDialect) -> String {
        dialect.lockDescription(environment.lockMode, tablePrefix: project.tablePrefix) + " (wait up to \(environment.migrationLockTimeout))"
    }

    // MARK: - Applying

    func apply(
        _ plan: Plan, request: ChangeRequest, graph: RevisionGraph, rows: [AppliedRevision],
        connection: any DriverConnection, store: StateStore, url: DatabaseURL
    ) throws -> OperationResult {
        let identity = workspace.identity
        let started = Date()
        let trail = try auditTrail(connection, store: store)
        var record = AuditRecord(
            id: 0, environment: environment.name, operation: plan.operation.rawValue,
            startedAt: AuditRecord.timestamp(started), fromHeads: plan.fromHeads, actor: identity.actor, host: identity.host,
            toolVersion: identity.toolVersion, gitCommit: identity.gitCommit, reason: gate.auditReason(request),
            variables: auditVariables(plan))
        try trail.start(&record)

        var durations: [String: Int] = [:]
        do {
            func runSteps(inTransaction: Bool, upgradesOnly: Bool = false) throws {
                for (index, step) in plan.steps.enumerated() where !upgradesOnly || step.direction == .upgrade {
                    try runStep(step, index: index, count: plan.steps.count, connection: connection, store: store, record: &record, durations: &durations, inTransaction: inTransaction)
                }
            }
            if case .resolve(_, let markApplied) = request.kind, let step = plan.steps.first {
                let sql = markApplied ? store.updateRevisionSQL(step.revision.id, state: "applied") : store.deleteRevisionSQL(step.revision.id)
                record.steps.append(.init(revision: step.revision.id, direction: step.direction, checksum: step.revision.checksum, durationMS: 0))
                let resolved = record
                try connection.withTransaction { try connection.execute(sql + store.updateAuditStepsSQL(resolved)) }
            } else if case .stamp(_, true) = request.kind {
                // What the purge forgets for good goes into the record; what it records again are the steps.
                record.steps = plan.purged.map { id in
                    AuditRecord.Step(revision: id, direction: .downgrade, checksum: rows.first { $0.revision == id }?.checksum ?? "", durationMS: 0)
                }
                try connection.withTransaction {
                    try connection.execute(store.purgeSQL)
                    try runSteps(inTransaction: true, upgradesOnly: true)
                }
            } else if request.isAtomic {
                try connection.withTransaction { try runSteps(inTransaction: true) }
            } else {
                try runSteps(inTransaction: false)
            }
            if let hook = project.afterUpgradeHook(for: environment.name),
                plan.operation == .upgrade || plan.operation == .promote,
                plan.steps.contains(where: { $0.direction != .downgrade })
            {
                try runHook(hook, connection: connection)
            }
        } catch {
            let failure = error
            let committed = try? store.readRevisions(on: connection)
            if request.isAtomic || request.isPurge { record.steps = [] }
            let message: String
            if let error = failure as? DatabaseError {
                message = error.isInterruption ? "interrupted" : workspace.contextualize(error, environment: environment, url: url).description
            } else {
                message = url.redact(String(describing: failure))
            }
            // The heads left: what is recorded as applied now (a revision recorded as failed is not),
            // or, when the state cannot be read, the starting state with the steps that committed.
            let left = committed.map { Set($0.filter { !$0.isFailed }.map(\.revision)) }
                ?? Self.state(after: record.steps.map { ($0.revision, $0.direction) }, from: rows)
            let heads = graph.heads(ofApplied: left)
            try? trail.finish(&record, outcome: "failed", error: message, heads: heads, started: started)
            if var error = failure as? DatabaseError {
                if error.isInterruption { error.message += interruptionOutcome(error, request: request, graph: graph) }
                throw workspace.contextualize(error, environment: environment, url: url)
            }
            throw failure
        }
        try trail.finish(&record, outcome: "succeeded", error: nil, heads: plan.toHeads, started: started)
        return result(plan, request: request, durations: durations, auditID: record.id, dryRun: false)
    }

    /// The applied set after `steps` (revision, direction) from the applied revisions of `rows`.
    static func state(after steps: [(String, Direction)], from rows: [AppliedRevision]) -> Set<String> {
        var state = Set(rows.filter { !$0.isFailed }.map(\.revision))
        for (revision, direction) in steps {
            switch direction {
            case .upgrade: state.insert(revision)
            case .downgrade: state.remove(revision)
            case .repeat: break
            }
        }
        return state
    }

    /// Runs one step of a plan by its strategy (`StepRunner`), announcing it and adding it to the record.
    func runStep(
        _ step: Plan.Step, index: Int, count: Int, connection: any DriverConnection, store: StateStore,
        record: inout AuditRecord, durations: inout [String: Int], inTransaction: Bool
    ) throws {
        let revision = step.revision
        try Interruption.shared.check()
        workspace.events(.stepStarted(index: index, count: count, revision: revision.id, direction: step.direction, message: revision.message, runsSQL: step.sql != nil))
        let begin = DispatchTime.now().uptimeNanoseconds
        let actor = workspace.identity.actor
        let now = AuditRecord.timestamp()
        let runner = StepRunner(connection: connection)
        let isUpgrade = step.direction == .upgrade
        let bookkeeping: String
        switch step.direction {
        case .upgrade: bookkeeping = store.insertRevisionSQL(revision.id, checksum: revision.checksum, state: "applied", at: now, by: actor, auditID: record.id)
        case .downgrade: bookkeeping = store.deleteRevisionSQL(revision.id)
        case .repeat: bookkeeping = store.upsertRepeatableSQL(revision, at: now, by: actor, auditIDSQL: connection.dialect.literal(record.id))
        }
        if let section = step.sql {
            if revision.isTransactional && connection.dialect.sendsTransactionalRevisionAsOneScript {
                try runner.runAsOneScript(section, of: revision, bookkeeping: bookkeeping, inTransaction: inTransaction)
            } else if revision.isTransactional {
                try runner.runInTransaction(section, of: revision, bookkeeping: bookkeeping, inTransaction: inTransaction)
            } else {
                let mark = isUpgrade
                    ? store.insertRevisionSQL(revision.id, checksum: revision.checksum, state: "failed", at: now, by: actor, auditID: record.id)
                    : store.updateRevisionSQL(revision.id, state: "failed")
                let done = isUpgrade ? store.updateRevisionSQL(revision.id, state: "applied") : store.deleteRevisionSQL(revision.id)
                try runner.runOutsideTransaction(section, of: revision, mark: mark, done: done, environment: environment)
            }
        } else {
            try runner.recordOnly(bookkeeping, inTransaction: inTransaction)
        }
        let durationMS = Int((DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
        record.steps.append(AuditRecord.Step(revision: revision.id, direction: step.direction, checksum: revision.checksum, durationMS: durationMS))
        if step.sql != nil { durations[revision.id] = durationMS }
        workspace.events(.stepFinished(index: index, count: count, revision: revision.id, direction: step.direction, durationMS: durationMS))
    }

    /// What an interruption left, for its one-line message: the revision rolled back (or, outside
    /// a transaction, recorded failed: `StepRunner` says so), or the plan's one transaction.
    func interruptionOutcome(_ error: DatabaseError, request: ChangeRequest, graph: RevisionGraph) -> String {
        if request.isAtomic { return "; the plan's one transaction (--atomic) was rolled back: nothing was applied" }
        guard let revision = error.revision else { return "; the revisions before it are committed" }
        guard graph.revisions[revision]?.isTransactional ?? true else { return "" }
        return "; revision '\(revision)' rolled back"
    }

    func runHook(_ hook: URL, connection: any DriverConnection) throws {
        let path = RevisionGraph.relativePath(of: hook, to: project.root)
        workspace.events(.hookStarted(environment: environment.name, path: path))
        guard let text = try? String(contentsOf: hook, encoding: .utf8) else {
            throw ConfigurationError(.cannotRead(path), location: SourceLocation(file: path), environment: environment.name)
        }
        let section = SQLSection(sql: Checksum.normalizingLineEndings(text), line: 1)
        do {
            try connection.withTransaction { try connection.execute(section.sql) }
        } catch var error as DatabaseError {
            StepRunner.locate(&error, in: section, path: path)
            error.message = "after_upgrade.sql failed: " + error.message
            throw error
        }
    }
}
