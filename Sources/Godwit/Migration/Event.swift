import GodwitCore

/// What the orchestration layer reports while it works; the CLI renders it to stderr.
public enum Event: Sendable {
    /// The lock is busy; `holder` says who has it, when known.
    case waitingForLock(environment: String, holder: String?)
    /// A step begins; `runsSQL` is false for a stamp, which only records.
    case stepStarted(index: Int, count: Int, revision: String, direction: Direction, message: String, runsSQL: Bool)
    /// A step is done.
    case stepFinished(index: Int, count: Int, revision: String, direction: Direction, durationMS: Int)
    /// The environment's after_upgrade.sql runs.
    case hookStarted(environment: String, path: String)
    /// Something worth a warning that does not stop the operation.
    case warning(String)
    /// The server sent a notice (`RAISE NOTICE`, `RAISE WARNING`): its severity as the server names
    /// it (`NOTICE`, `WARNING`, `INFO`, …) and its message.
    case notice(environment: String, severity: String, text: String)
}
