/// The first byte that keeps a file from being text: a byte that is not valid UTF-8, a NUL, or a
/// control character (C0 or DEL) other than tab, line feed and carriage return; with its line and byte column.
public struct TextFault: Sendable, Hashable {
    /// What the byte is.
    public enum Kind: Sendable, Hashable {
        /// A byte that does not begin or continue a UTF-8 character here.
        case invalidUTF8(UInt8)
        /// A NUL byte: C APIs stop reading there, so whatever follows would be lost.
        case nul
        /// A C0 control character other than tab, LF and CR, or DEL (its byte).
        case controlCharacter(UInt8)
    }

    /// What the byte is.
    public var kind: Kind
    /// The 1-based line; LF, CRLF and a lone CR each end a line.
    public var line: Int
    /// The 1-based column, counted in bytes.
    public var column: Int

    /// Creates a fault.
    public init(_ kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    /// The first fault of `bytes`, or nil when they are text.
    public init?(firstIn bytes: some Collection<UInt8>) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        var lineStart = 0
        var previous: UInt8 = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .emptyInput:
                return nil
            case .error:
                let byte = bytes.dropFirst(offset).first ?? 0
                self.init(.invalidUTF8(byte), line: line, column: offset - lineStart + 1)
                return
            case .valid(let encoded):
                if encoded.count == 1, let byte = encoded.first, byte < 0x20 || byte == 0x7F {
                    switch byte {
                    case 0x0A:
                        // The LF of a CRLF ends the line the CR began.
                        if previous != 0x0D { line += 1 }
                        lineStart = offset + 1
                    case 0x0D:
                        line += 1
                        lineStart = offset + 1
                    case 0x09:
                        break
                    case 0x00:
                        self.init(.nul, line: line, column: offset - lineStart + 1)
                        return
                    default:
                        self.init(.controlCharacter(byte), line: line, column: offset - lineStart + 1)
                        return
                    }
                }
                previous = encoded.count == 1 ? encoded.first ?? 0 : 0
                offset += encoded.count
            }
        }
    }

    /// True when `bytes` hold a NUL or a control character (C0 or DEL) other than tab, LF and CR: the quick
    /// test before `init(firstIn:)` finds where, for text already known to be valid UTF-8.
    public static func hasControlCharacter(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { ($0 < 0x20 || $0 == 0x7F) && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    /// What is wrong, lowercase, with the next step; the location is the caller's to add.
    public var message: String {
        switch kind {
        case .invalidUTF8(let byte):
            return "the file is not valid UTF-8 (byte \(Self.hex(byte))); save it as UTF-8"
        case .nul:
            return "a NUL byte; remove it: a text file holds none, and what follows it would be silently lost"
        case .controlCharacter(let byte):
            return "control character \(Self.hex(byte)); remove it: tabs and line breaks are the only control characters allowed"
        }
    }

    /// `0x1B`.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }
}
