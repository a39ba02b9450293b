import CPgQuery
import GodwitCore

/// The comments of a script, as libpg_query's scanner (PostgreSQL's own lexer) finds them.
enum PostgresScanner {
    /// `SQL_COMMENT` and `C_COMMENT` in libpg_query's `Token` enum (pg_query.proto).
    static let commentTokens: Set<UInt64> = [275, 276]

    /// The UTF-8 byte ranges of the `--` and `/* */` comments of `script`, in order; empty when
    /// the scanner rejects the script.
    static func comments(in script: String) -> [Range<Int>] {
        let result = script.withCString { pg_query_scan($0) }
        defer { pg_query_free_scan_result(result) }
        guard result.error == nil, let data = result.pbuf.data else { return [] }
        let message = Array(UnsafeRawBufferPointer(start: data, count: Int(result.pbuf.len)))
        var ranges: [Range<Int>] = []
        // ScanResult { int32 version = 1; repeated ScanToken tokens = 2; }
        for field in ProtobufFields(message) where field.number == 2 {
            guard case .bytes(let token) = field.value else { continue }
            // ScanToken { int32 start = 1; int32 end = 2; Token token = 4; KeywordKind keyword_kind = 5; }
            var start = 0
            var end = 0
            var kind: UInt64 = 0
            for part in ProtobufFields(token) {
                guard case .varint(let value) = part.value else { continue }
                switch part.number {
                case 1: start = Int(truncatingIfNeeded: value)
                case 2: end = Int(truncatingIfNeeded: value)
                case 4: kind = value
                default: break
                }
            }
            if commentTokens.contains(kind), start >= 0, start < end, end <= script.utf8.count {
                ranges.append(start..<end)
            }
        }
        return ranges
    }
}

/// The fields of one protocol-buffers message, in wire order: the little of the wire format that
/// reading libpg_query's scan result needs. Iteration stops at the first malformed byte.
struct ProtobufFields: Sequence, IteratorProtocol {
    /// A field's value: a varint, or the bytes of a length-delimited field.
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case other
    }

    private let bytes: [UInt8]
    private var index = 0

    /// Reads the fields of `bytes`.
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next field's number and value; nil at the end or at malformed data.
    mutating func next() -> (number: UInt64, value: Value)? {
        guard index < bytes.count, let key = varint() else { return nil }
        let number = key >> 3
        switch key & 7 {
        case 0:
            guard let value = varint() else { return nil }
            return (number, .varint(value))
        case 1, 5:
            let width = key & 7 == 1 ? 8 : 4
            guard index + width <= bytes.count else { return nil }
            index += width
            return (number, .other)
        case 2:
            guard let length = varint(), length <= UInt64(bytes.count - index) else { return nil }
            let end = index + Int(length)
            defer { index = end }
            return (number, .bytes(Array(bytes[index..<end])))
        default:
            return nil
        }
    }

    private mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
