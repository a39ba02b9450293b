import Foundation
import GodwitCore

/// The SQL of a plan as one script for a DBA to run by hand (`--sql`): Godwit's tables, each
/// step with its bookkeeping in its own transaction (or one for `--atomic`), and the audit record.
/// Where the dialect can hash (PostgreSQL) the script seals the record itself: the server takes the
/// next id and the chain's last hash and computes SHA-256 over the same canonical JSON Godwit
/// would. Elsewhere (SQLite), and for a keyed chain (`GODWIT_AUDIT_KEY`, which never goes into a
/// script), the record is written unsealed and the next Godwit run seals it. Its state rows name
/// the record's id, so that the next run can tell it from a record written by hand.
///
/// Nothing from outside (actor, host, reason, file names, messages) reaches the script but as a
/// quoted literal or inside a comment with its control characters replaced (`comment(_:)`).
public struct OfflineScript {
    /// The dialect of the target database.
    public let dialect: any DatabaseDialect
    /// Godwit's tables.
    public let store: StateStore
    /// True when the environment's chain is keyed: the server cannot seal the record.
    public let isKeyed: Bool

    /// Creates a script writer.
    public init(dialect: any DatabaseDialect, prefix: String, isKeyed: Bool = false) {
        self.dialect = dialect
        self.store = StateStore(dialect: dialect, prefix: prefix)
        self.isKeyed = isKeyed
    }

    /// Text from outside made fit for a `--` comment: line breaks become spaces, other control
    /// characters `\xNN` (or `\u{NNNN}`), so that nothing ends the comment and starts a statement.
    public static func comment(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029: out += " "
            case 0x00...0x1F, 0x7F...0x9F: out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The audit record the script of `plan` writes, as of `now` (its id is the database's), with
    /// the `variables` its SQL uses (masked).
    public func auditRecord(
        _ plan: Plan, environment: Environment, identity: Identity, reason: String?, variables: [String: String] = [:], now: String
    ) -> AuditRecord {
        AuditRecord(
            id: 0, environment: environment.name, operation: plan.operation.rawValue, startedAt: now, finishedAt: now,
            durationMS: 0, outcome: "succeeded", error: nil, fromHeads: plan.fromHeads, toHeads: plan.toHeads,
            steps: plan.steps.map { AuditRecord.Step(revision: $0.revision.id, direction: $0.direction, checksum: $0.revision.checksum, durationMS: 0) },
            actor: identity.actor, host: identity.host, toolVersion: identity.toolVersion, gitCommit: identity.gitCommit,
            reason: reason ?? "offline script (--sql)", variables: variables)
    }

    /// Renders the script of `plan` for `environment`, its audit record started at `now`: Godwit's
    /// tables named in the environment's schema (else `public`), and the session restored after
    /// each revision, as an online run does. Where the dialect can, the script first takes the
    /// migration lock (`lock`) and stops unless the database records exactly `startingState`.
    public func render(
        _ plan: Plan, environment: Environment, identity: Identity, isAtomic: Bool, reason: String?, hook: (path: String, sql: String)?,
        variables: [String: String] = [:], lock: LockRequest, startingState: Set<String>, now: String = AuditRecord.timestamp()
    ) -> String {
        let session = Self.session(of: environment, dialect: dialect)
        let store = StateStore(dialect: dialect, prefix: self.store.prefix, schema: session.schema)
        let restore = dialect.restoreSession(session).map { $0 + ";\n" }.joined()
        var out = "-- Godwit \(Self.comment(identity.toolVersion)): offline \(plan.operation.rawValue) of environment '\(Self.comment(environment.name))'\n"
        out += "-- from \(plan.fromHeads.isEmpty ? "base" : plan.fromHeads.joined(separator: ", ")) to \(plan.toHeads.isEmpty ? "base" : plan.toHeads.joined(separator: ", ")), generated \(now) by \(Self.comment(identity.holder))\n"
        out += dialect.scriptPreamble.map { $0 + "\n" }.joined()
        if let schema = environment.schema, let create = dialect.createSchemaIfMissing(schema), let use = dialect.useSchema(schema) {
            // As an online run's session does: Godwit's tables and the revisions' objects go there.
            out += "\n\(create);\n\(use);\n"
        }
        // The session timeouts an online run sets, so the script fails as fast as `upgrade` would.
        let timeouts = dialect.sessionTimeouts(lock: environment.effectiveLockTimeout, statement: environment.statementTimeout)
        if !timeouts.isEmpty { out += "\n" + timeouts.map { $0 + ";\n" }.joined() }
        let lockStatements = dialect.scriptLock(lock)
        if !lockStatements.isEmpty {
            out += "\n-- the migration lock, held until this session ends\n" + lockStatements.map { $0 + ";\n" }.joined()
        }
        out += "\n" + store.createTablesSQL + "\n"
        let starts = plan.fromHeads.isEmpty ? "base" : plan.fromHeads.joined(separator: ", ")
        let stateMessage = "godwit: the revisions recorded in '\(environment.name)' are not the ones this script starts from (\(starts)); nothing was changed: write the script again"
        if let check = dialect.scriptStateCheck(
            table: store.revisions, applied: Array(startingState), message: stateMessage)
        {
            out += "\n-- stop unless the database is where this script starts\n" + check + ";\n"
        }
        let auditID = "(SELECT COALESCE(MAX(id), 0) + 1 FROM \(store.audit))"
        if isAtomic { out += "\(dialect.beginWrite);\n" }
        for step in plan.steps {
            let revision = step.revision
            out += "\n-- \(step.direction.rawValue) \(revision.id): \(Self.comment(revision.message)) (\(Self.comment(revision.path)))\n"
            let transactional = revision.isTransactional || step.sql == nil
            if !isAtomic && transactional { out += "\(dialect.beginWrite);\n" }
            for statement in dialect.localTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout) where transactional {
                out += statement + ";\n"
            }
            if let section = step.sql, !section.isEmpty {
                let sql = section.sql
                out += sql
                if !sql.hasSuffix("\n") { out += "\n" }
                if !sql.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";") { out += ";\n" }
                out += restore
            }
            switch step.direction {
            case .upgrade:
                out += store.insertRevisionSQL(revision.id, checksum: revision.checksum, state: "applied", at: now, by: identity.actor, auditIDSQL: auditID)
            case .downgrade:
                out += store.deleteRevisionSQL(revision.id)
            case .repeat:
                out += store.upsertRepeatableSQL(revision, at: now, by: identity.actor, auditIDSQL: auditID)
            }
            if !isAtomic && transactional { out += "COMMIT;\n" }
        }
        if let hook {
            out += "\n-- \(Self.comment(hook.path))\n\(dialect.beginWrite);\n\(hook.sql)"
            if !hook.sql.hasSuffix("\n") { out += "\n" }
            out += "COMMIT;\n"
        }
        let record = auditRecord(plan, environment: environment, identity: identity, reason: reason, variables: variables, now: now)
        if !isAtomic { out += "\(dialect.beginWrite);\n" }
        if !isKeyed, let sealed = sealedAuditInsertSQL(record, store: store) {
            out += "\n-- the audit record, sealed into the hash chain by the server (sha256 over its canonical JSON)\n"
            out += sealed
        } else {
            let why = isKeyed ? "the chain is keyed (\(AuditKey.variable)), which no script holds" : "\(dialect.displayName) has no SHA-256"
            out += "\n-- the audit record; \(why), so the next godwit run seals it into the hash chain\n"
            var values = store.auditValues(record)
            values[0] = auditID
            out += "INSERT INTO \(store.audit) (\(StateStore.auditColumns(of: record).joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")));\n"
        }
        out += "COMMIT;\n"
        return out
    }

    /// The session an online run of `environment` establishes, for a psql session: the schema of
    /// Godwit's tables is the environment's, else `public`.
    static func session(of environment: Environment, dialect: any DatabaseDialect) -> SessionSettings {
        let schema = environment.schema ?? "public"
        return SessionSettings(
            schema: dialect.useSchema(schema) == nil ? nil : schema, setsSearchPath: environment.schema != nil,
            lockTimeout: environment.effectiveLockTimeout, statementTimeout: environment.statementTimeout)
    }

    /// An INSERT … SELECT that gives the record the next id, links it to the newest record's hash
    /// and seals it with the dialect's SHA-256; nil when the dialect has none. The canonical JSON is rendered here
    /// with placeholders for the two values only the database knows; `"id":0` and
    /// `"prev_hash":null` cannot occur elsewhere in it, since quotes inside strings are escaped.
    func sealedAuditInsertSQL(_ record: AuditRecord, store: StateStore) -> String? {
        let canonical = record.canonicalJSON
        let idMarker = "\"id\":0"
        let prevMarker = "\"prev_hash\":null"
        guard let idRange = canonical.range(of: idMarker), let prevRange = canonical.range(of: prevMarker),
            idRange.upperBound <= prevRange.lowerBound
        else { return store.insertAuditSQL(record) }
        let head = String(canonical[..<idRange.lowerBound]) + "\"id\":"
        let middle = String(canonical[idRange.upperBound..<prevRange.lowerBound]) + "\"prev_hash\":"
        let tail = String(canonical[prevRange.upperBound...])
        let table = store.audit
        let json = "\(dialect.literal(head)) || CAST(next.id AS TEXT) || \(dialect.literal(middle)) || COALESCE('\"' || next.prev_hash || '\"', 'null') || \(dialect.literal(tail))"
        guard let hash = dialect.sha256Hex(ofText: json) else { return nil }
        var values = store.auditValues(record)
        values[0] = "next.id"
        values[values.count - 2] = "next.prev_hash"
        values[values.count - 1] = hash
        return """
            INSERT INTO \(table) (\(StateStore.auditColumns(of: record).joined(separator: ", ")))
            SELECT \(values.joined(separator: ", "))
            FROM (SELECT COALESCE(MAX(id), 0) + 1 AS id, (SELECT hash FROM \(table) ORDER BY id DESC LIMIT 1) AS prev_hash FROM \(table)) AS next;

            """
    }
}
