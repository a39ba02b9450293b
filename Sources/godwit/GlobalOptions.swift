import ArgumentParser
import Foundation
import Godwit
import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The project folder (default: the first folder upward with environments/environments.yaml; or GODWIT_PROJECT).")
    var project: String?

    @Option(name: [.short, .customLong("env")], help: "The environment (default: default_environment).")
    var env: String?

    @Flag(name: .long, help: "Machine output: one JSON document on stdout.")
    var json = false

    @Flag(name: [.short, .long], help: "Print only results and errors.")
    var quiet = false

    @Flag(name: [.short, .long], help: "Print more detail.")
    var verbose = false

    @Flag(name: .customLong("no-color"), help: "No colour (also NO_COLOR).")
    var noColor = false

    @Option(name: .long, help: "Who is acting, for the audit (default: GODWIT_ACTOR, the CI's user, the OS user).")
    var actor: String?

    var console: Console { Console(json: json, quiet: quiet, verbose: verbose, noColor: noColor) }

    /// The project's root folder.
    func projectRoot() throws -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return try Project.locate(explicit: project ?? ProcessInfo.processInfo.environment["GODWIT_PROJECT"], from: cwd)
    }

    /// Loads the project and hands it the drivers.
    func workspace(_ console: Console) throws -> Workspace {
        let project = try Project(root: projectRoot())
        let identity = Identity.current(actor: actor, project: project, readsGitCommit: false)
        return Workspace(
            project: project, drivers: [SQLiteDriver(), PostgresDriver()], identity: identity, readsGitCommitLazily: true,
            linters: [.postgresql: PostgresLinter(), .sqlite: PostgresLinter(dialect: .sqlite)]
        ) { event in
            render(event, console)
        }
    }
}

/// Renders progress events to stderr. On a terminal, the running step's line is redrawn every
/// second with its elapsed time; elsewhere each step is one line when it starts.
func render(_ event: Event, _ console: Console) {
    switch event {
    case .waitingForLock(let environment, let holder):
        console.progress("waiting for the migration lock of '\(environment)'\(holder.map { ", held by \($0)" } ?? "")…")
    case .stepStarted(let index, let count, let revision, let direction, let message, let runsSQL):
        let verb = runsSQL ? (direction == .upgrade ? "applying" : "reverting") : (direction == .upgrade ? "recording" : "forgetting")
        let text = "\(console.dim("[\(index + 1)/\(count)]")) \(verb) \(revision) \(message)"
        if console.isProgressLive && !console.isQuiet {
            StepTicker.shared.start(text)
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
        console.warn(text)
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

/// A command that works on a project: loads it, runs, and lets `main` map errors to exit codes.
protocol ProjectCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func run(in workspace: Workspace, console: Console) throws
}

extension ProjectCommand {
    func run() throws {
        let console = global.console
        try run(in: global.workspace(console), console: console)
    }
}
