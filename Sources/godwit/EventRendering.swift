import Foundation
import Godwit

/// Renders progress events to stderr. On a terminal, the running step's line is redrawn every
/// second with its elapsed time; elsewhere each step is one line when it starts.
func render(_ event: Event, _ console: Console) {
    switch event {
    case .waitingForLock(let environment, let holder):
        let heldBy = holder.map { ", held by \($0)" } ?? ""
        console.progress("waiting for the migration lock of '\(environment)'\(heldBy)…")
    case .stepStarted(let index, let count, let revision, let direction, let message, let runsSQL):
        let verb = direction == .repeat ? "running" : runsSQL ? (direction == .upgrade ? "applying" : "reverting") : (direction == .upgrade ? "recording" : "forgetting")
        let text: StyledText = "\(console.dim("[\(index + 1)/\(count)]")) \(verb) \(revision) \(message)"
        if console.isProgressLive && !console.isQuiet {
            StepTicker.shared.start(console.render(text))
        } else {
            console.progress(text)
        }
    case .stepFinished(_, _, _, _, let duration):
        if console.isProgressLive && !console.isQuiet {
            StepTicker.shared.finish(durationMS: duration)
        } else if console.isVerbose {
            console.progress("   done in \(duration) ms")
        }
    case .hookStarted(_, let path):
        console.progress("running \(path)")
    case .warning(let text):
        console.warn(StyledText(text))
    case .notice(let environment, let severity, let text):
        renderNotice(environment: environment, severity: severity, text: text, console)
    }
}

/// Redraws the running step's line on a terminal with its elapsed time.
final class StepTicker: @unchecked Sendable {
    static let shared = StepTicker()
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?
    private var text = ""
    private var started = Date()

    /// Draws the line of a step that starts; `text` is rendered (escaped) by `Console`.
    func start(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        self.text = text
        started = Date()
        draw(suffix: "")
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            self.draw(suffix: " … \(Int(Date().timeIntervalSince(self.started)))s")
            self.lock.unlock()
        }
        timer.resume()
        self.timer = timer
    }

    func finish(durationMS: Int) {
        lock.lock()
        defer { lock.unlock() }
        timer?.cancel()
        timer = nil
        draw(suffix: " (\(durationMS) ms)\n")
    }

    /// Ends a running step's line, when one is drawn (before an error is printed).
    func interrupt() {
        lock.lock()
        defer { lock.unlock() }
        guard let timer else { return }
        timer.cancel()
        self.timer = nil
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(suffix: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + suffix).utf8))
    }
}
