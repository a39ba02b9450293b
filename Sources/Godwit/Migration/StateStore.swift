import Foundation
import GodwitCore

/// A row of `<prefix>revisions`: one applied (or failed) revision.
public struct AppliedRevision: Sendable, Equatable {
    public var revision: String
    public var checksum: String
    /// `applied`, or `failed` for a non-transactional revision that did not finish.
    public var state: String
    public var appliedAt: String
    public var appliedBy: String
    public var auditID: Int?

    /// True when the row records a failed non-transactional revision.
    public var isFailed: Bool { state == "failed" }
}

/// Godwit's own tables in one database (SPEC §4), and the SQL that writes them. The same SQL
/// runs online and is printed by `--sql`, so an offline script leaves what `upgrade` would.
public struct StateStore {
    /// The database's dialect.
    public let dialect: any DatabaseDialect
    /// The table prefix.
    public let prefix: String
    /// The schema that holds the tables, named in every statement (SPEC §6: a revision may change
    /// the search_path); nil where the database has no schemas.
    public let schema: String?

    /// Creates a store for a dialect, prefix and schema.
    public init(dialect: any DatabaseDialect, prefix: String, schema: String? = nil) {
        self.dialect = dialect
        self.prefix = prefix
        self.schema = schema
    }

    /// Creates the store of a project's tables on a connection, in the connection's schema.
    public init(for connection: any DatabaseConnection, project: Project) {
        self.init(dialect: connection.dialect, prefix: project.tablePrefix, schema: connection.session.schema)
    }

    /// `<prefix>revisions`.
    public var revisionsTable: String { prefix + "revisions" }
    /// `<prefix>audit`.
    public var auditTable: String { prefix + "audit" }

    /// `<prefix>revisions`, quoted and schema-qualified.
    public var revisions: String { dialect.qualified(revisionsTable, schema: schema) }
    /// `<prefix>audit`, quoted and schema-qualified.
    public var audit: String { dialect.qualified(auditTable, schema: schema) }
    /// `<prefix>repeatables`: the checksum each repeatable last ran with (SPEC §11).
    public var repeatablesTable: String { prefix + "repeatables" }
    /// `<prefix>repeatables`, quoted and schema-qualified.
    public var repeatables: String { dialect.qualified(repeatablesTable, schema: schema) }
    /// `<prefix>audit_head`: the anchor of a keyed chain (SPEC §6, README "Auditing").
    public var auditHeadTable: String { prefix + "audit_head" }
    /// `<prefix>audit_head`, quoted and schema-qualified.
    public var auditHead: String { dialect.qualified(auditHeadTable, schema: schema) }

    /// Creates the tables when they do not exist.
    public var createTablesSQL: String {
        let bigint = dialect.integerType
        return """
            CREATE TABLE IF NOT EXISTS \(revisions) (
                revision TEXT PRIMARY KEY,
                checksum TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('applied', 'failed')),
                applied_at TEXT NOT NULL,
                applied_by TEXT NOT NULL,
                audit_id \(bigint),
                seq \(bigint) NOT NULL
            );
            CREATE TABLE IF NOT EXISTS \(audit) (
                id \(bigint) PRIMARY KEY,
                environment TEXT NOT NULL,
                operation TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                duration_ms \(bigint),
                outcome TEXT,
                error TEXT,
                from_heads TEXT NOT NULL,
                to_heads TEXT,
                steps TEXT NOT NULL,
                actor TEXT NOT NULL,
                host TEXT NOT NULL,
                tool_version TEXT NOT NULL,
                git_commit TEXT,
                reason TEXT,
                prev_hash TEXT,
                hash TEXT,
                opened TEXT,
                variables TEXT
            );
            \(createRepeatablesSQL)
            """
    }

    /// Creates `<prefix>repeatables` when it does not exist.
    public var createRepeatablesSQL: String {
        """
        CREATE TABLE IF NOT EXISTS \(repeatables) (
            name TEXT PRIMARY KEY,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            applied_by TEXT NOT NULL,
            audit_id \(dialect.integerType)
        );

        """
    }

    /// Creates the tables when they do not exist.
    /// - Throws: `DatabaseError`.
    public func createTables(on connection: any DriverConnection) throws {
        if try connection.tableExists(revisionsTable), try connection.tableExists(auditTable) {
            if try !connection.tableExists(repeatablesTable) {
                // A database Godwit set up before repeatables existed.
                try connection.withTransaction { try connection.execute(createRepeatablesSQL) }
            }
            return try addOpenedColumnIfMissing(on: connection)
        }
        try connection.withTransaction { try connection.execute(createTablesSQL) }
    }

    /// Adds `opened` to an audit table created before it existed (outside any transaction).
    /// - Throws: `DatabaseError`.
    func addOpenedColumnIfMissing(on connection: any DriverConnection) throws {
        // `variables` came after `opened`: added in this order, they end every audit table.
        for column in ["opened", "variables"] where (try? connection.query("SELECT \(column) FROM \(audit) WHERE 1 = 0")) == nil {
            try connection.withTransaction { try connection.execute("ALTER TABLE \(audit) ADD COLUMN \(column) TEXT;\n") }
        }
    }

    /// The `opened` attestation of each open record that has one, by id; empty when the column
    /// does not exist yet.
    /// - Throws: `DatabaseError`.
    public func openedAttestations(on connection: any DriverConnection) throws -> [Int: String] {
        guard try connection.tableExists(auditTable),
            let rows = try? connection.query("SELECT id, opened FROM \(audit) WHERE hash IS NULL AND opened IS NOT NULL")
        else { return [:] }
        var attestations: [Int: String] = [:]
        for row in rows { if let id = row[0].flatMap({ Int($0) }), let opened = row[1] { attestations[id] = opened } }
        return attestations
    }

    /// Writes a record's `opened` attestation.
    public func openedSQL(id: Int, attestation: String) -> String {
        "UPDATE \(audit) SET opened = \(dialect.literal(attestation)) WHERE id = \(id);\n"
    }

    /// The applied and failed revisions, in the order they were applied; empty when the table does not exist.
    /// - Throws: `DatabaseError`.
    public func readRevisions(on connection: any DriverConnection) throws -> [AppliedRevision] {
        guard try connection.tableExists(revisionsTable) else { return [] }
        return try connection.query(
            "SELECT revision, checksum, state, applied_at, applied_by, audit_id FROM \(revisions) ORDER BY seq, revision"
        ).map { row in
            AppliedRevision(
                revision: row[0] ?? "", checksum: row[1] ?? "", state: row[2] ?? "", appliedAt: row[3] ?? "",
                appliedBy: row[4] ?? "", auditID: row[5].flatMap { Int($0) })
        }
    }

    /// The checksum each repeatable last ran with, by id (`repeatable/<name>`); empty when the
    /// table does not exist.
    /// - Throws: `DatabaseError`.
    public func readRepeatables(on connection: any DriverConnection) throws -> [String: String] {
        guard try connection.tableExists(repeatablesTable) else { return [:] }
        var recorded: [String: String] = [:]
        for row in try connection.query("SELECT name, checksum FROM \(repeatables)") {
            if let name = row[0], let checksum = row[1] { recorded[Repeatable.idPrefix + name] = checksum }
        }
        return recorded
    }

    /// Every audit record in id order (oldest first); empty when the table does not exist.
    /// - Throws: `DatabaseError`, or `ContextualError` when a stored JSON field is corrupt.
    public func auditRecords(on connection: any DriverConnection) throws -> [AuditRecord] {
        try readAudit(on: connection, filter: nil)
    }

    /// The records not yet sealed into the hash chain (left by a killed run or an offline script).
    /// - Throws: `DatabaseError`.
    public func openAuditRecords(on connection: any DriverConnection) throws -> [AuditRecord] {
        try readAudit(on: connection, filter: "hash IS NULL")
    }

    /// The records sealed into the hash chain, oldest first.
    /// - Throws: `DatabaseError`.
    public func sealedAuditRecords(on connection: any DriverConnection) throws -> [AuditRecord] {
        try readAudit(on: connection, filter: "hash IS NOT NULL")
    }

    /// The newest record, or nil when there is none.
    /// - Throws: `DatabaseError`.
    public func newestAuditRecord(on connection: any DriverConnection) throws -> AuditRecord? {
        try readAudit(on: connection, filter: "id = (SELECT MAX(id) FROM \(audit))").last
    }

    /// True when a record waits to be sealed.
    /// - Throws: `DatabaseError`.
    public func hasOpenAuditRecords(on connection: any DriverConnection) throws -> Bool {
        guard try connection.tableExists(auditTable) else { return false }
        return !(try connection.query("SELECT 1 FROM \(audit) WHERE hash IS NULL LIMIT 1")).isEmpty
    }

    /// The hash of the newest record (nil when it is open, or there is none).
    /// - Throws: `DatabaseError`.
    public func newestAuditHash(on connection: any DriverConnection) throws -> String? {
        guard try connection.tableExists(auditTable) else { return nil }
        return try connection.query("SELECT hash FROM \(audit) ORDER BY id DESC LIMIT 1").first?.first ?? nil
    }

    /// Audit records matching `filter` (one of the fixed conditions above) in id order.
    func readAudit(on connection: any DriverConnection, filter: String?) throws -> [AuditRecord] {
        guard try connection.tableExists(auditTable) else { return [] }
        let sql = """
            SELECT id, environment, operation, started_at, finished_at, duration_ms, outcome, error, from_heads,
                   to_heads, steps, actor, host, tool_version, git_commit, reason, prev_hash, hash, *
            FROM \(audit) \(filter.map { "WHERE \($0)" } ?? "") ORDER BY id
            """
        return try connection.query(sql).map(Self.auditRecord(row:))
    }

    /// A record from a row of the columns `readAudit` selects.
    static func auditRecord(row: [String?]) -> AuditRecord {
        func list(_ text: String?) -> [String]? {
            guard let text, let value = try? JSONValue(parsing: text), let items = value.arrayValue else { return nil }
            return items.compactMap(\.stringValue)
        }
        let steps = row[10].flatMap { try? JSONValue(parsing: $0) }?.arrayValue?.compactMap(AuditRecord.Step.init(json:)) ?? []
        return AuditRecord(
            id: Int(row[0] ?? "") ?? 0, environment: row[1] ?? "", operation: row[2] ?? "", startedAt: row[3] ?? "",
            finishedAt: row[4], durationMS: row[5].flatMap { Int($0) }, outcome: row[6], error: row[7],
            fromHeads: list(row[8]) ?? [], toHeads: list(row[9]), steps: steps, actor: row[11] ?? "",
            host: row[12] ?? "", toolVersion: row[13] ?? "", gitCommit: row[14], reason: row[15], prevHash: row[16],
            hash: row[17], variables: variables(row: row))
    }

    /// The `variables` of a row of `readAudit`: after the 18 named columns comes `*`, every column of
    /// the table in its order, which ends with `opened` and `variables` once `createTables` added them
    /// (a table no run of this version wrote has no `variables`, and its records none).
    static func variables(row: [String?]) -> [String: String] {
        let index = 18 + 19  // the 18 named columns, then `*`: those 18, `opened`, `variables`
        guard row.count > index, let text = row[index] else { return [:] }
        return AuditRecord.variables(from: try? JSONValue(parsing: text))
    }

    /// The next audit id.
    /// - Throws: `DatabaseError`.
    public func nextAuditID(on connection: any DriverConnection) throws -> Int {
        let rows = try connection.query("SELECT COALESCE(MAX(id), 0) + 1 FROM \(audit)")
        return Int(rows.first?.first.flatMap { $0 } ?? "1") ?? 1
    }

    /// The hash of the newest sealed record before `id`.
    /// - Throws: `DatabaseError`.
    public func previousHash(before id: Int, on connection: any DriverConnection) throws -> String? {
        let rows = try connection.query("SELECT hash FROM \(audit) WHERE id < \(id) AND hash IS NOT NULL ORDER BY id DESC LIMIT 1")
        return rows.first?.first ?? nil
    }

    /// Creates `<prefix>audit_head` when it does not exist (a keyed run's first).
    public var createAuditHeadSQL: String {
        let bigint = dialect.integerType
        return """
            CREATE TABLE IF NOT EXISTS \(auditHead) (
                newest_id \(bigint) NOT NULL,
                newest_hash TEXT,
                keyed_since \(bigint) NOT NULL,
                mac TEXT NOT NULL,
                open_id \(bigint),
                open_mac TEXT
            );

            """
    }

    /// The anchor of a keyed chain; nil when there is none (or no table).
    /// - Throws: `DatabaseError`.
    public func readAuditAnchor(on connection: any DriverConnection) throws -> AuditAnchor? {
        guard try connection.tableExists(auditHeadTable) else { return nil }
        let rows = try connection.query(
            "SELECT newest_id, newest_hash, keyed_since, mac, open_id, open_mac FROM \(auditHead) ORDER BY newest_id DESC")
        guard let row = rows.first, let id = row[0].flatMap({ Int($0) }), let since = row[2].flatMap({ Int($0) }), let mac = row[3] else { return nil }
        return AuditAnchor(newestID: id, newestHash: row[1], keyedSince: since, mac: mac, openID: row[4].flatMap { Int($0) }, openMAC: row[5])
    }

    /// Replaces the anchor.
    public func writeAuditAnchorSQL(_ anchor: AuditAnchor) -> String {
        let table = auditHead
        let values = [
            dialect.literal(anchor.newestID), dialect.literal(anchor.newestHash), dialect.literal(anchor.keyedSince),
            dialect.literal(anchor.mac), dialect.literal(anchor.openID), dialect.literal(anchor.openMAC),
        ]
        return "DELETE FROM \(table);\nINSERT INTO \(table) (newest_id, newest_hash, keyed_since, mac, open_id, open_mac) VALUES (\(values.joined(separator: ", ")));\n"
    }

    // MARK: - SQL that writes

    /// Records a revision as applied (or failed).
    public func insertRevisionSQL(_ revision: String, checksum: String, state: String, at time: String, by actor: String, auditID: Int?) -> String {
        insertRevisionSQL(revision, checksum: checksum, state: state, at: time, by: actor, auditIDSQL: dialect.literal(auditID))
    }

    /// Records a revision as applied (or failed), its audit id an SQL expression (an offline
    /// script's: the id its record will take).
    public func insertRevisionSQL(_ revision: String, checksum: String, state: String, at time: String, by actor: String, auditIDSQL: String) -> String {
        "INSERT INTO \(revisions) (revision, checksum, state, applied_at, applied_by, audit_id, seq) VALUES ("
            + [revision, checksum, state, time, actor].map { dialect.literal($0) }.joined(separator: ", ")
            + ", \(auditIDSQL), (SELECT COALESCE(MAX(seq), 0) + 1 FROM \(revisions)));\n"
    }

    /// Records that a repeatable ran with `checksum` (replacing what it last ran with), its audit
    /// id an SQL expression.
    public func upsertRepeatableSQL(_ repeatable: Revision, at time: String, by actor: String, auditIDSQL: String) -> String {
        let name = String(repeatable.id.dropFirst(Repeatable.isRepeatableID(repeatable.id) ? Repeatable.idPrefix.count : 0))
        return "DELETE FROM \(repeatables) WHERE name = \(dialect.literal(name));\n"
            + "INSERT INTO \(repeatables) (name, checksum, applied_at, applied_by, audit_id) VALUES ("
            + [name, repeatable.checksum, time, actor].map { dialect.literal($0) }.joined(separator: ", ") + ", \(auditIDSQL));\n"
    }

    /// Changes the state of a recorded revision.
    public func updateRevisionSQL(_ revision: String, state: String, checksum: String? = nil) -> String {
        var sets = "state = \(dialect.literal(state))"
        if let checksum { sets += ", checksum = \(dialect.literal(checksum))" }
        return "UPDATE \(revisions) SET \(sets) WHERE revision = \(dialect.literal(revision));\n"
    }

    /// Forgets a revision.
    public func deleteRevisionSQL(_ revision: String) -> String {
        "DELETE FROM \(revisions) WHERE revision = \(dialect.literal(revision));\n"
    }

    /// Forgets every revision (`stamp --purge`).
    public var purgeSQL: String { "DELETE FROM \(revisions);\n" }

    /// The columns of `<prefix>audit`, in the order `auditValues` gives them (`prev_hash` and
    /// `hash` last: an offline script puts the server's values there).
    public static let auditColumns = [
        "id", "environment", "operation", "started_at", "finished_at", "duration_ms", "outcome", "error", "from_heads",
        "to_heads", "steps", "actor", "host", "tool_version", "git_commit", "reason", "prev_hash", "hash",
    ]

    /// The columns a record's INSERT names: `auditColumns`, with `variables` after `reason` only when
    /// the record has some, so that a script for a table older than that column still runs.
    public static func auditColumns(of record: AuditRecord) -> [String] {
        record.variables.isEmpty ? auditColumns : auditColumns.flatMap { $0 == "reason" ? [$0, "variables"] : [$0] }
    }

    /// A record's values as SQL literals, in the order of `auditColumns(of:)`.
    public func auditValues(_ record: AuditRecord) -> [String] {
        [
            dialect.literal(record.id), dialect.literal(record.environment), dialect.literal(record.operation),
            dialect.literal(record.startedAt), dialect.literal(record.finishedAt), dialect.literal(record.durationMS),
            dialect.literal(record.outcome), dialect.literal(record.error),
            dialect.literal(JSONValue.strings(record.fromHeads).canonical),
            dialect.literal(record.toHeads.map { JSONValue.strings($0).canonical }),
            dialect.literal(JSONValue.array(record.steps.map(\.json)).canonical), dialect.literal(record.actor),
            dialect.literal(record.host), dialect.literal(record.toolVersion), dialect.literal(record.gitCommit),
            dialect.literal(record.reason),
        ]
            + (record.variables.isEmpty ? [] : [dialect.literal(JSONValue.object(record.variables.mapValues { .string($0) }).canonical)])
            + [dialect.literal(record.prevHash), dialect.literal(record.hash)]
    }

    /// Inserts an audit record as it stands.
    public func insertAuditSQL(_ record: AuditRecord) -> String {
        "INSERT INTO \(audit) (\(Self.auditColumns(of: record).joined(separator: ", "))) VALUES (\(auditValues(record).joined(separator: ", ")));\n"
    }

    /// Writes the record's steps so far.
    public func updateAuditStepsSQL(_ record: AuditRecord) -> String {
        "UPDATE \(audit) SET steps = \(dialect.literal(JSONValue.array(record.steps.map(\.json)).canonical)) WHERE id = \(record.id);\n"
    }

    /// Writes the record's final fields and seal.
    public func finishAuditSQL(_ record: AuditRecord) -> String {
        """
        UPDATE \(audit) SET finished_at = \(dialect.literal(record.finishedAt)), duration_ms = \(dialect.literal(record.durationMS)), \
        outcome = \(dialect.literal(record.outcome)), error = \(dialect.literal(record.error)), \
        to_heads = \(dialect.literal(record.toHeads.map { JSONValue.strings($0).canonical })), \
        steps = \(dialect.literal(JSONValue.array(record.steps.map(\.json)).canonical)), \
        prev_hash = \(dialect.literal(record.prevHash)), hash = \(dialect.literal(record.hash)) WHERE id = \(record.id);

        """
    }
}
