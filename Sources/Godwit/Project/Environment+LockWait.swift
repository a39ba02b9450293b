import GodwitCore

extension Environment {
    /// This environment with the wait for its migration lock set to `timeout` for one run
    /// (`--lock-timeout`); itself when `timeout` is nil. PostgreSQL's per-statement `lock_timeout`
    /// (`effectiveLockTimeout`, a revision's `lock_timeout` header) is left as it is.
    public func waitingForLock(_ timeout: TimeoutValue?) -> Environment {
        guard let timeout else { return self }
        var copy = self
        copy.migrationLockTimeout = timeout
        return copy
    }
}
