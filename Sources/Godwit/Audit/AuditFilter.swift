import Foundation
import GodwitCore

/// Which audit records `godwit audit` lists (SPEC §5); every filter is optional.
public struct AuditFilter: Sendable, Equatable {
    /// Only records that started at or after this moment (compared on `started_at`).
    public var since: Date?
    /// At most this many records: the newest that pass the other filters.
    public var limit: Int?
    /// Only this operation: `upgrade`, `downgrade`, `promote`, `stamp`, `resolve`, `adopt` or `repair`.
    public var operation: String?
    /// Only the records of this actor (exact match).
    public var actor: String?

    /// The operations an audit record can name (`repair` is no plan's: it runs no revision).
    public static let operations = [Plan.Operation.upgrade, .downgrade, .promote, .stamp, .resolve, .adopt].map(\.rawValue) + ["repair"]

    /// Creates a filter from values already checked.
    public init(since: Date? = nil, limit: Int? = nil, operation: String? = nil, actor: String? = nil) {
        self.since = since
        self.limit = limit
        self.operation = operation
        self.actor = actor
    }

    /// Creates a filter from the text of the command line: `--since`, `--limit`, `--operation`, `--actor`.
    /// - Throws: `AuditError` (exit 2) for a date that cannot be read, a limit below 1 or an
    ///   unknown operation (with the closest one suggested).
    public init(parsingSince since: String?, limit: Int?, operation: String?, actor: String?) throws {
        if let limit, limit < 1 {
            throw AuditError.limitTooSmall(limit)
        }
        if let operation, !Self.operations.contains(operation) {
            throw AuditError.unknownOperation(operation, suggestion: closestMatch(to: operation, in: Self.operations))
        }
        self.init(since: try since.map(Self.date(parsing:)), limit: limit, operation: operation, actor: actor)
    }

    /// Reads a `--since` value: `YYYY-MM-DD` (midnight UTC), or ISO 8601 date and time with an
    /// optional fraction of a second and an optional zone (`Z`, `+02:00`; none means UTC).
    /// - Throws: `AuditError.notADate` (exit 2) naming the forms it accepts.
    public static func date(parsing text: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        if let date = Self.instant(trimmed) { return date }
        for format in ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.isLenient = false
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw AuditError.notADate(text)
    }

    /// An ISO 8601 time with a zone, with or without a fraction of a second.
    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// True when `record` passes every filter but `limit`. A `started_at` that is not an ISO 8601
    /// time is compared as text with `since` written the way Godwit writes times.
    public func matches(_ record: AuditRecord) -> Bool {
        if let operation, record.operation != operation { return false }
        if let actor, record.actor != actor { return false }
        if let since {
            if let started = Self.instant(record.startedAt) {
                if started < since { return false }
            } else if record.startedAt < AuditRecord.timestamp(since) {
                return false
            }
        }
        return true
    }

    /// The records that pass, newest (highest id) first, at most `limit` of them.
    public func apply(to records: [AuditRecord]) -> [AuditRecord] {
        let passing = records.filter(matches).sorted { $0.id > $1.id }
        return limit.map { Array(passing.prefix($0)) } ?? passing
    }

    /// True when no filter is set.
    public var isEmpty: Bool { since == nil && limit == nil && operation == nil && actor == nil }
}
