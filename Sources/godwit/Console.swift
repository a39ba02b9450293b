import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes results to stdout and progress, warnings and errors to stderr; colour only on a TTY.
/// Every human line goes through `write(_:to:)`, which shows control characters as escapes.
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

    /// The one way human text reaches the terminal: escaped, then coloured.
    func render(_ text: StyledText) -> String { text.rendered(usesColor: usesColor) }

    /// Writes a human line (or lines) and a newline.
    func write(_ text: StyledText, to handle: FileHandle) {
        handle.write(Data((render(text) + "\n").utf8))
    }

    /// A line of the result on stdout (human mode only).
    func out(_ text: StyledText) {
        guard !isJSON else { return }
        write(text, to: .standardOutput)
    }

    /// The JSON document on stdout.
    func json(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((value.pretty + "\n").utf8))
    }

    /// Text meant for another program (the `--sql` script), written as it is.
    func raw(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Progress on stderr, unless quiet.
    func progress(_ text: StyledText) {
        guard !isQuiet else { return }
        write(text, to: .standardError)
    }

    /// A warning on stderr, even when quiet.
    func warn(_ text: StyledText) {
        write("\(yellow("warning:")) \(text)", to: .standardError)
    }

    /// A question on stderr, without a newline; nil when stdin has ended.
    func ask(_ question: StyledText) -> String? {
        FileHandle.standardError.write(Data(render(question).utf8))
        return readLine()
    }

    func paint(_ text: String, _ code: Int) -> StyledText { StyledText(text, code: code) }
    func bold(_ text: String) -> StyledText { paint(text, 1) }
    func dim(_ text: String) -> StyledText { paint(text, 2) }
    func green(_ text: String) -> StyledText { paint(text, 32) }
    func red(_ text: String) -> StyledText { paint(text, 31) }
    func yellow(_ text: String) -> StyledText { paint(text, 33) }

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
        var context: [String] = []
        if let environment = error.environment, !error.message.contains("'\(environment)'") { context.append("environment '\(environment)'") }
        if let revision = error.revision, !error.message.contains("'\(revision)'") { context.append("revision '\(revision)'") }
        if let sqlstate = error.sqlstate { context.append("SQLSTATE \(sqlstate)") }
        let place = error.location.map { "\($0): " } ?? ""
        let suffix = context.isEmpty ? "" : " [" + context.joined(separator: ", ") + "]"
        write("\(place)\(paint("error:", 31)) \(message)\(suffix)", to: .standardError)
    }

    /// Pads columns of a table for people; widths count what the terminal shows, not colour codes.
    func table(_ header: [String], _ rows: [[StyledText]]) -> [StyledText] {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.width) } }
        func line(_ cells: [StyledText]) -> StyledText {
            var text = StyledText("")
            for (index, cell) in cells.enumerated() {
                if index > 0 { text = text + "  " }
                text = text + (index == cells.count - 1 ? cell : cell.padded(to: widths[index]))
            }
            return text
        }
        return [bold(line(header.map { StyledText($0) }).plain)] + rows.map(line)
    }
}
