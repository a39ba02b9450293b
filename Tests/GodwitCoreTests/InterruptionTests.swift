import Foundation
import GodwitCore
import Testing

/// A flag set on one thread and read on another.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func raise() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var raised: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

@Suite("Interruption")
struct InterruptionTests {
    @Test func aSignalCancelsTheRunningStatementAndNotTheOnesAfter() throws {
        let interruption = Interruption()
        let cancelled = Flag()
        #expect(!interruption.isInterrupted)
        try interruption.check()
        interruption.whileCancellable({ cancelled.raise() }) {
            Thread.detachNewThread { interruption.interrupt(signal: SIGINT) }
            let deadline = Date().addingTimeInterval(5)
            while cancelled.raised == 0 && Date() < deadline { usleep(1000) }
        }
        #expect(cancelled.raised >= 1, "the statement running when the signal came is cancelled")
        #expect(interruption.signal == SIGINT)
        let after = Flag()
        interruption.whileCancellable({ after.raise() }) { usleep(500_000) }
        #expect(after.raised == 0, "a statement started after the signal (the rollback, the seal) runs on")
        let error = try #require(throws: DatabaseError.self) { try interruption.check() }
        #expect(error.isInterruption)
        #expect(error.exitCode == .interrupted)
        #expect(error.exitCode.rawValue == 130)
    }

    @Test func sigtermExits143AndTheFirstSignalWins() {
        let interruption = Interruption()
        interruption.interrupt(signal: SIGTERM)
        interruption.interrupt(signal: SIGINT)
        #expect(interruption.signal == SIGTERM)
        #expect(DatabaseError.interrupted(by: SIGTERM).exitCode.rawValue == 143)
    }

    @Test func aCancelledStatementIsReportedAsTheInterruptionOnlyAfterASignal() {
        let interruption = Interruption()
        let timeout = DatabaseError(.statement, "canceling statement due to statement timeout", sqlstate: "57014")
        #expect(!interruption.explaining(timeout).isInterruption, "statement_timeout stays an SQL error")
        interruption.interrupt(signal: SIGINT)
        #expect(interruption.explaining(timeout).isInterruption)
        #expect(interruption.explaining(DatabaseError(.statement, "x", sqlstate: "SQLITE_INTERRUPT")).isInterruption)
        #expect(!interruption.explaining(DatabaseError(.statement, "x", sqlstate: "23505")).isInterruption)
    }

    @Test func protectedSectionsNest() {
        let interruption = Interruption()
        #expect(!interruption.isProtected)
        interruption.enterProtectedSection()
        interruption.enterProtectedSection()
        interruption.leaveProtectedSection()
        #expect(interruption.isProtected)
        interruption.leaveProtectedSection()
        #expect(!interruption.isProtected)
    }
}
