import Foundation
import GodwitCore

/// The SQL of a plan as one script for a DBA to run by hand (`--sql`): Godwit's tables, each
/// step with its bookkeeping in its own transaction (or one for `--atomic`), and the audit record.
/// The record is written unsealed (no hash); the next Godwit run against the database seals it.
public struct OfflineScript {
    /// The dialect of the target database.
    public let dialect: SQLDialect
    /// Godwit's tables.
    public let store: StateStore

    /// Creates a script writer.
    public init(dialect: SQLDialect, prefix: String) {
        self.dialect = dialect
        self.store = StateStore(dialect: dialect, prefix: prefix)
    }

    /// Renders the script of `plan` for `environment`.
    public func render(_ plan: Plan, environment: Environment, identity: Identity, isAtomic: Bool, reason: String?, hook: (path: String, sql: String)?) -> String {
        let now = AuditRecord.timestamp()
        var out = "-- Godwit \(identity.toolVersion): offline \(plan.operation.rawValue) of environment '\(environment.name)'\n"
        out += "-- from \(plan.fromHeads.isEmpty ? "base" : plan.fromHeads.joined(separator: ", ")) to \(plan.toHeads.isEmpty ? "base" : plan.toHeads.joined(separator: ", ")), generated \(now) by \(identity.holder)\n"
        if dialect == .postgresql { out += "-- run with: psql -v ON_ERROR_STOP=1 -f THIS_FILE\n" }
        out += "\n" + store.createTablesSQL + "\n"
        let auditID = "(SELECT COALESCE(MAX(id), 0) + 1 FROM \(dialect.quote(store.auditTable)))"
        if isAtomic { out += "\(dialect.beginWrite);\n" }
        var steps: [AuditRecord.Step] = []
        for step in plan.steps {
            let revision = step.revision
            out += "\n-- \(step.direction == .upgrade ? "upgrade" : "downgrade") \(revision.id): \(revision.message) (\(revision.path))\n"
            let transactional = revision.isTransactional || step.sql == nil
            if !isAtomic && transactional { out += "\(dialect.beginWrite);\n" }
            for statement in dialect.localTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout) where transactional {
                out += statement + ";\n"
            }
            if let sql = step.sql?.sql, !step.sql!.isEmpty {
                out += sql
                if !sql.hasSuffix("\n") { out += "\n" }
                if !sql.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";") { out += ";\n" }
            }
            switch step.direction {
            case .upgrade:
                out += store.insertRevisionSQL(revision.id, checksum: revision.checksum, state: "applied", at: now, by: identity.actor, auditID: nil)
            case .downgrade:
                out += store.deleteRevisionSQL(revision.id)
            }
            if !isAtomic && transactional { out += "COMMIT;\n" }
            steps.append(AuditRecord.Step(revision: revision.id, direction: step.direction, checksum: revision.checksum, durationMS: 0))
        }
        if let hook {
            out += "\n-- \(hook.path)\n\(dialect.beginWrite);\n\(hook.sql)"
            if !hook.sql.hasSuffix("\n") { out += "\n" }
            out += "COMMIT;\n"
        }
        let record = AuditRecord(
            id: 0, environment: environment.name, operation: plan.operation.rawValue, startedAt: now, finishedAt: now,
            durationMS: 0, outcome: "succeeded", error: nil, fromHeads: plan.fromHeads, toHeads: plan.toHeads, steps: steps,
            actor: identity.actor, host: identity.host, toolVersion: identity.toolVersion, gitCommit: identity.gitCommit,
            reason: reason ?? "offline script (--sql)")
        let insert = store.insertAuditSQL(record).replacingOccurrences(of: "VALUES (0, ", with: "VALUES (\(auditID), ")
        out += "\n-- the audit record; the next godwit run seals it into the hash chain\n"
        if !isAtomic { out += "\(dialect.beginWrite);\n" }
        out += insert
        out += "COMMIT;\n"
        return out
    }
}
