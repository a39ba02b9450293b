import Foundation

/// The process's interruption (SPEC §11): which signal asked it to stop, and the statements and
/// lock waits that must stop when one does.
///
/// A connection registers a way to cancel its statement while the statement runs
/// (`whileCancellable`); the executable's signal watcher calls `interrupt(signal:)`, which cancels
/// every statement registered then (PostgreSQL: a cancel request as psql sends; SQLite:
/// `sqlite3_interrupt`) and keeps cancelling them until they end, for a cancel that reaches the
/// server before its statement does is lost. Statements that start afterwards — the rollback, the
/// audit seal, the lock's release — are not cancelled. Drivers know nothing of signals; the
/// executable knows nothing of libpq.
public final class Interruption: @unchecked Sendable {
    /// The one interruption of the process.
    public static let shared = Interruption()

    /// How often the statements running when the signal came are cancelled again until they end.
    static let repeatInterval: TimeInterval = 0.2
    /// How long they are cancelled again at most.
    static let repeatLimit: TimeInterval = 10

    /// Guards every field below; cancel functions run while it is held, so that a connection
    /// cannot close (and free what its cancel function uses) meanwhile.
    private let lock = NSLock()
    private var signalNumber: Int32?
    private var cancellers: [Int: @Sendable () -> Void] = [:]
    private var nextID = 0
    /// Registrations below this id were running when the signal came.
    private var firstAfterSignal = Int.max
    private var protectedSections = 0

    /// Creates an interruption; the process uses `shared`.
    public init() {}

    /// The signal that interrupted the process (SIGINT, SIGTERM), or nil.
    public var signal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return signalNumber
    }

    /// True once a signal has asked the process to stop.
    public var isInterrupted: Bool { signal != nil }

    /// True while something runs that must clean up before the process exits (a held migration lock).
    public var isProtected: Bool {
        lock.lock()
        defer { lock.unlock() }
        return protectedSections > 0
    }

    /// Marks the start of a section that must clean up before the process exits: while one is open,
    /// a first signal cancels and lets the work unwind instead of exiting at once.
    public func enterProtectedSection() {
        lock.lock()
        protectedSections += 1
        lock.unlock()
    }

    /// Marks the end of a section opened by `enterProtectedSection()`.
    public func leaveProtectedSection() {
        lock.lock()
        protectedSections = max(protectedSections - 1, 0)
        lock.unlock()
    }

    /// Runs `body` (a blocking statement) with `cancel` registered as the way to stop it.
    /// `cancel` may run on another thread while `body` runs, never after `body` returns.
    /// - Throws: what `body` throws.
    public func whileCancellable<T>(_ cancel: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
        lock.lock()
        let id = nextID
        nextID += 1
        cancellers[id] = cancel
        lock.unlock()
        defer {
            lock.lock()
            cancellers[id] = nil
            lock.unlock()
        }
        return try body()
    }

    /// Records the signal (the first one wins) and cancels the statements running now; with
    /// `repeating`, again every 200 ms until they end (at most 10 s). Returns at once when already
    /// interrupted. Blocks while it repeats: call it from a thread of its own.
    public func interrupt(signal: Int32, repeating: Bool = true) {
        lock.lock()
        guard signalNumber == nil else {
            lock.unlock()
            return
        }
        signalNumber = signal
        firstAfterSignal = nextID
        lock.unlock()
        let deadline = Date().addingTimeInterval(Self.repeatLimit)
        while cancelRunning() && repeating && Date() < deadline {
            Thread.sleep(forTimeInterval: Self.repeatInterval)
        }
    }

    /// Cancels the statements that were running when the signal came and still run; false when none does.
    private func cancelRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let running = cancellers.filter { $0.key < firstAfterSignal }
        running.values.forEach { $0() }
        return !running.isEmpty
    }

    /// Throws when the process was interrupted: a point between two steps where work stops.
    /// - Throws: `DatabaseError` with reason `.interrupted`.
    public func check() throws {
        if let signal { throw DatabaseError.interrupted(by: signal) }
    }

    /// The error a statement failed with, as an interruption when the process was interrupted and
    /// the database reports a cancelled statement (PostgreSQL 57014, SQLite SQLITE_INTERRUPT).
    public func explaining(_ error: DatabaseError) -> DatabaseError {
        guard let signal, let code = error.sqlstate, code == "57014" || code.hasPrefix("SQLITE_INTERRUPT") else { return error }
        var interrupted = DatabaseError.interrupted(by: signal)
        interrupted.sqlstate = error.sqlstate
        interrupted.position = error.position
        return interrupted
    }

    /// The usual name of a signal: `SIGINT`, `SIGTERM`, else `signal N`.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}

extension DatabaseError {
    /// The error of work stopped by a signal; its exit status is 128 + the signal (130, 143).
    public static func interrupted(by signal: Int32) -> DatabaseError {
        DatabaseError(.interrupted(signal: signal), "interrupted by \(Interruption.name(of: signal))")
    }

    /// True when a signal stopped the work.
    public var isInterruption: Bool {
        if case .interrupted = reason { return true }
        return false
    }
}
