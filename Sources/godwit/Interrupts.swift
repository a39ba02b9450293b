import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM (SPEC §11). Both are blocked in every thread from the start and one watcher
/// thread waits for them (`sigwait`), so no work happens in a signal handler.
///
/// On the first signal the watcher records it and cancels what runs (`Interruption`): a change
/// holding its migration lock then unwinds — its statement fails, the revision rolls back, the
/// audit record is sealed as failed with the error `interrupted`, the lock is released — and
/// `main` exits 130 (SIGINT) or 143 (SIGTERM). Anything else (status, heads, a dry-run, a wait)
/// has its statements cancelled and exits at once with that status. A second signal while a
/// change cleans up exits at once, as psql does.
enum Interrupts {
    /// Blocks SIGINT and SIGTERM and starts the watcher. Call first thing in `main`, before any
    /// other thread exists, so that every thread inherits the mask.
    static func install() {
        var signals = watchedSignals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let watcher = Thread { watch() }
        watcher.name = "godwit signal watcher"
        watcher.start()
    }

    /// The exit status after an error: 128 + the signal when one interrupted the process, else the error's.
    static func exitStatus(for error: any GodwitError) -> Int32 {
        if let signal = Interruption.shared.signal { return 128 + signal }
        return error.exitCode.rawValue
    }

    static var watchedSignals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }

    static func watch() {
        var signals = watchedSignals
        var isCleaningUp = false
        while true {
            var signal: Int32 = 0
            guard sigwait(&signals, &signal) == 0 else { continue }
            if isCleaningUp {
                write("interrupted again by \(Interruption.name(of: signal)): exiting at once; the server rolls back what had not committed, and the next run seals the audit record")
                _exit(128 + signal)
            }
            isCleaningUp = true
            let first = signal
            if Interruption.shared.isProtected {
                // A change holds its lock: cancel its statement and let it roll back, seal and release.
                Thread.detachNewThread { Interruption.shared.interrupt(signal: first) }
            } else {
                // Nothing to clean up: cancel what runs on a server, and go.
                Interruption.shared.interrupt(signal: first, repeating: false)
                _exit(128 + first)
            }
        }
    }

    /// One line on stderr, written directly (the main thread may be writing too).
    static func write(_ text: String) {
        let line = "\n" + text + "\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}

/// Renders a server notice: a `WARNING` always, as a warning; the others (`NOTICE`, `INFO`, `LOG`,
/// `DEBUG`) with `-v` only.
func renderNotice(environment: String, severity: String, text: String, _ console: Console) {
    if severity == "WARNING" {
        console.warn("\(text) [environment '\(environment)']")
    } else if console.isVerbose {
        console.progress("\(severity.lowercased()): \(text) [environment '\(environment)']")
    }
}
