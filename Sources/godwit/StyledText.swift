/// Text for the terminal: runs of plain text, some with a colour. The text of a run is never
/// trusted (a revision's message, an actor, an environment's name may hold escape sequences);
/// `Console` shows its control characters as visible escapes and adds Godwit's own colour
/// codes only around the escaped runs, so that no input can move the cursor or retitle the
/// window of whoever reads the output.
struct StyledText: ExpressibleByStringInterpolation, Sendable {
    /// One run: its text and its SGR code (nil: plain).
    struct Run: Sendable {
        var text: String
        var code: Int?
    }

    var runs: [Run]

    init(_ text: String, code: Int? = nil) { runs = text.isEmpty ? [] : [Run(text: text, code: code)] }
    init(runs: [Run]) { self.runs = runs }
    init(stringLiteral value: String) { self.init(value) }
    init(stringInterpolation: Interpolation) { runs = stringInterpolation.runs }

    /// Builds a text from a literal: interpolated `StyledText` keeps its colours, anything else is plain.
    struct Interpolation: StringInterpolationProtocol {
        var runs: [Run] = []
        init(literalCapacity: Int, interpolationCount: Int) {}
        mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { runs.append(Run(text: literal)) } }
        mutating func appendInterpolation(_ text: StyledText) { runs += text.runs }
        mutating func appendInterpolation(_ value: some CustomStringConvertible) { appendLiteral(value.description) }
    }

    /// The text without colours, as the reader sees it (escapes not applied): for widths.
    var plain: String { runs.map(\.text).joined() }

    /// How many characters a terminal shows for it, control characters counted as their escapes.
    var width: Int { runs.reduce(0) { $0 + StyledText.escaped($1.text).count } }

    static func + (lhs: StyledText, rhs: StyledText) -> StyledText { StyledText(runs: lhs.runs + rhs.runs) }

    /// The text with `count` spaces added at the end.
    func padded(to width: Int) -> StyledText { self + StyledText(String(repeating: " ", count: max(0, width - self.width))) }

    /// Lines joined by `separator`.
    static func joined(_ lines: [StyledText], separator: String = "\n") -> StyledText {
        var runs: [Run] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { runs.append(Run(text: separator)) }
            runs += line.runs
        }
        return StyledText(runs: runs)
    }

    /// The text with control characters shown as visible escapes: C0 except tab and newline,
    /// DEL and C1 become `\u{1B}`-style escapes, so `ESC[2J` prints as `\u{1B}[2J`.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return false
        }
    }

    /// The bytes for the terminal: every run escaped, then coloured when `usesColor`.
    func rendered(usesColor: Bool) -> String {
        runs.map { run in
            let text = StyledText.escaped(run.text)
            guard usesColor, let code = run.code else { return text }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }.joined()
    }
}
