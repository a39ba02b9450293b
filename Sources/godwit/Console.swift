import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes results to stdout and progress, warnings and errors to stderr; colour only on a TTY.
struct Console {
    let isJSON: Bool
    let isQuiet: Bool
    let isVerbose: Bool
    let usesColor: Bool
    let isInteractive: Bool
    /// True when stderr is a terminal: progress lines are redrawn in place.
    let isProgressLive: Bool

    init(json: Bool, quiet: Bool, verbose: Bool, noColor: Bool) {
        isJSON = json
        isQuiet = quiet
        isVerbose = verbose
        let environment = ProcessInfo.processInfo.environment
        usesColor = !noColor && environment["NO_COLOR"] == nil && isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
        isInteractive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        isProgressLive = isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
    }

    /// A line of the result on stdout (human mode only).
    func out(_ text: String) {
        guard !isJSON else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// The JSON document on stdout.
    func json(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((value.pretty + "\n").utf8))
    }

    /// Progress on stderr, unless quiet.
    func progress(_ text: String) {
        guard !isQuiet else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A warning on stderr, even when quiet.
    func warn(_ text: String) {
        FileHandle.standardError.write(Data((paint("warning:", 33) + " " + text + "\n").utf8))
    }

    func paint(_ text: String, _ code: Int) -> String {
        usesColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { paint(text, 1) }
    func dim(_ text: String) -> String { paint(text, 2) }
    func green(_ text: String) -> String { paint(text, 32) }
    func red(_ text: String) -> String { paint(text, 31) }
    func yellow(_ text: String) -> String { paint(text, 33) }

    /// Renders an error: `path:line: error: message` on stderr, or the JSON error document on stdout.
    func error(_ error: any GodwitError) {
        // A database error says the server's detail and hint too.
        let message = (error as? DatabaseError)?.fullMessage ?? error.message
        if isJSON {
            var members: [String: JSONValue] = ["code": .int(Int(error.exitCode.rawValue)), "message": .string(message)]
            if let location = error.location {
                members["file"] = .string(location.file)
                if let line = location.line { members["line"] = .int(line) }
            }
            if let environment = error.environment { members["environment"] = .string(environment) }
            if let revision = error.revision { members["revision"] = .string(revision) }
            if let sqlstate = error.sqlstate { members["sqlstate"] = .string(sqlstate) }
            json(.object(["error": .object(members)]))
            return
        }
        var text = ""
        if let location = error.location { text += "\(location): " }
        text += paint("error:", 31) + " " + message
        var context: [String] = []
        if let environment = error.environment, !error.message.contains("'\(environment)'") { context.append("environment '\(environment)'") }
        if let revision = error.revision, !error.message.contains("'\(revision)'") { context.append("revision '\(revision)'") }
        if let sqlstate = error.sqlstate { context.append("SQLSTATE \(sqlstate)") }
        if !context.isEmpty { text += " [" + context.joined(separator: ", ") + "]" }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Pads columns of a table for people.
    func table(_ header: [String], _ rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return [bold(line(header))] + rows.map(line)
    }
}
