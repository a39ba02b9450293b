import GodwitCore

/// Runs the SQL of one revision by the strategy its revision and the dialect call for, together
/// with Godwit's bookkeeping statements, and names the file and line of a failing statement
/// (SPEC §8). `Migrator` runs plan steps with it; the scratch database replays revisions with it.
/// A revision may change its session (SPEC §6): after its SQL, and before the bookkeeping, the
/// session is restored (`restoreSessionScript`), inside the revision's transaction so that the
/// restore commits with it; the bookkeeping names its tables with their schema.
struct StepRunner {
    /// The connection the SQL runs on.
    let connection: any DatabaseConnection

    /// A step without SQL (a stamp, a resolve): its bookkeeping only.
    /// - Throws: `DatabaseError`.
    func recordOnly(_ bookkeeping: String, inTransaction: Bool) throws {
        if inTransaction {
            try connection.execute(bookkeeping)
        } else {
            try connection.withTransaction { try connection.execute(bookkeeping) }
        }
    }

    /// A transactional revision sent as one script: two round trips instead of four. BEGIN goes
    /// with the revision's SQL, and its state row with COMMIT, sent only once the SQL has run, so
    /// that a run killed meanwhile leaves nothing of the revision. Inside a plan-wide transaction
    /// (`--atomic`) the state row goes with the SQL: the plan's one COMMIT comes at its end.
    /// - Throws: `DatabaseError` naming the revision's file and line.
    func runAsOneScript(_ section: SQLSection, of revision: Revision, bookkeeping: String, inTransaction: Bool) throws {
        let timeouts = connection.dialect.localTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout)
        let restore = connection.restoreSessionScript
        if inTransaction {
            let opening = timeouts.map { $0 + ";\n" }.joined()
            try runSection(section, of: revision, opening: opening, closing: "\n;\n" + restore + bookkeeping)
            return
        }
        let opening = ([connection.beginWriteScript] + timeouts).map { $0 + ";\n" }.joined()
        do {
            try runSection(section, of: revision, opening: opening)
            try connection.execute(restore + bookkeeping + "COMMIT;\n")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// A transactional revision statement by statement in its own transaction (or the plan's):
    /// timeouts, the SQL, the session restored, then the bookkeeping.
    /// - Throws: `DatabaseError` naming the revision's file and line.
    func runInTransaction(_ section: SQLSection, of revision: Revision, bookkeeping: String, inTransaction: Bool) throws {
        func body() throws {
            for statement in connection.dialect.localTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout) {
                try connection.execute(statement)
            }
            try runSection(section, of: revision)
            let closing = connection.restoreSessionScript + bookkeeping
            if !closing.isEmpty { try connection.execute(closing) }
        }
        if inTransaction { try body() } else { try connection.withTransaction(body) }
    }

    /// A non-transactional revision: `mark` records it failed first, so that a failure or a kill
    /// part-way leaves a record that refuses later upgrades until `resolve`; its statements run one
    /// by one under the revision's session timeouts; the session is restored after (also when a
    /// statement fails: what it changed committed); `done` records it finished.
    /// - Throws: `DatabaseError` naming the file and line, and saying how to resolve.
    func runOutsideTransaction(_ section: SQLSection, of revision: Revision, mark: String, done: String, environment: Environment) throws {
        try connection.withTransaction { try connection.execute(mark) }
        let dialect = connection.dialect
        var opening = ""
        if connection.session.isPooled {
            // Behind a pooler each statement may land on another server session: it carries its settings.
            opening = ([connection.beginWriteScript] + dialect.localTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout))
                .map { $0 + ";\n" }.joined()
        } else {
            for statement in dialect.sessionTimeouts(lock: revision.lockTimeout, statement: revision.statementTimeout) {
                try connection.execute(statement)
            }
        }
        do {
            try runStatements(section, of: revision, opening: opening) { error in
                error.message += "; revision '\(revision.id)' ran outside a transaction and is now recorded as failed: finish or undo it by hand, then run 'godwit resolve \(revision.id) -e \(environment.name) --applied' or '--rolled-back'"
            }
        } catch {
            restoreSession()
            throw error
        }
        let restore = connection.restoreSessionScript
        try connection.withTransaction { try connection.execute(restore + done) }
    }

    /// Restores the session outside a transaction (after a statement of a non-transactional
    /// revision failed). Never throws: the failure is what the caller reports.
    func restoreSession() {
        let restore = connection.restoreSessionScript
        if !restore.isEmpty { try? connection.execute(restore) }
    }

    /// Runs a revision's SQL for a scratch replay: transactional in its own transaction, the others
    /// statement by statement; the session restored after each, as an online run does.
    /// - Throws: `DatabaseError` naming the revision's file and line.
    func replay(_ section: SQLSection, of revision: Revision) throws {
        if revision.isTransactional {
            try runInTransaction(section, of: revision, bookkeeping: "", inTransaction: false)
        } else {
            try runStatements(section, of: revision)
            let restore = connection.restoreSessionScript
            if !restore.isEmpty { try connection.execute(restore) }
        }
    }

    /// Splits a section into statements and runs them one by one, outside any transaction; with an
    /// `opening` (behind a pooler: `BEGIN` and `SET LOCAL`s) each in a transaction of its own that
    /// starts with it, unless the server refuses the statement in a transaction (SQLSTATE 25001:
    /// `CREATE INDEX CONCURRENTLY`), which then runs bare. `amend` adds to the error of a statement
    /// that fails (not to that of a script that cannot be split).
    /// - Throws: `DatabaseError` naming the file and line.
    func runStatements(
        _ section: SQLSection, of revision: Revision, opening: String = "", amend: (inout DatabaseError) -> Void = { _ in }
    ) throws {
        let statements: [(sql: String, offset: Int)]
        do {
            statements = try connection.splitStatements(section.sql)
        } catch var error as DatabaseError {
            error.revision = revision.id
            Self.locate(&error, in: section, path: revision.path)
            throw error
        }
        for statement in statements {
            var start = 0
            do {
                if opening.isEmpty {
                    try connection.execute(statement.sql)
                } else {
                    start = opening.utf8.count
                    do {
                        try connection.execute(opening + statement.sql + "\n;\nCOMMIT")
                    } catch let error as DatabaseError where error.sqlstate == "25001" && (error.position ?? 0) >= start {
                        // Best effort: a pooler usually hands the server session it just released to the
                        // next statement; a revision behind a pooler must still qualify its names.
                        start = 0
                        if let use = connection.session.schema.flatMap(connection.dialect.useSchema) { try connection.execute(use) }
                        try connection.execute(statement.sql)
                    }
                }
            } catch var error as DatabaseError {
                error.revision = revision.id
                Self.locate(&error, in: section, path: revision.path, offset: statement.offset - start)
                amend(&error)
                throw error
            }
        }
    }

    /// Runs one section's SQL, between `opening` and `closing` (Godwit's own statements, sent in the
    /// same script), naming the file and line of a failing statement of the section.
    /// - Throws: `DatabaseError`.
    func runSection(_ section: SQLSection, of revision: Revision, opening: String = "", closing: String = "") throws {
        do {
            try connection.execute(opening.isEmpty && closing.isEmpty ? section.sql : opening + section.sql + closing)
        } catch var error as DatabaseError {
            error.revision = revision.id
            let start = opening.utf8.count
            if let position = error.position, position < start || position >= start + section.sql.utf8.count {
                throw error  // in Godwit's own statements: no line of the file to name
            }
            Self.locate(&error, in: section, path: revision.path, offset: -start)
            throw error
        }
    }

    /// Names the line where the failing statement starts (SPEC §8), and the error's own line
    /// when the database points further into the statement.
    static func locate(_ error: inout DatabaseError, in section: SQLSection, path: String, offset: Int = 0) {
        let line = section.line(atUTF8Offset: offset + (error.position ?? 0))
        error.location = SourceLocation(file: path, line: line)
        if let exact = error.errorPosition {
            let exactLine = section.line(atUTF8Offset: offset + exact)
            if exactLine != line { error.message += " (at line \(exactLine))" }
        }
    }
}
