import Foundation

/// ISO 8601 UTC timestamps as Godwit writes them (`2026-11-25T20:12:19.392Z`), formatted by hand:
/// `ISO8601DateFormatter` goes through ICU, whose calendar and formatting data cost a command
/// more time and resident memory than everything else it writes.
public enum Timestamp {
    /// `date` as ISO 8601 UTC: with milliseconds, rounded as `ISO8601DateFormatter` rounds them
    /// (`.withFractionalSeconds`), or to the second, truncated, as its default options write it.
    public static func iso8601(_ date: Date, fractionalSeconds: Bool = true) -> String {
        let milliseconds = fractionalSeconds
            ? (date.timeIntervalSince1970 * 1000).rounded() : (date.timeIntervalSince1970).rounded(.down) * 1000
        var seconds = time_t((milliseconds / 1000).rounded(.down))
        let fraction = Int(milliseconds - Double(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ count: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        let text = digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T" + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2)
        return fractionalSeconds ? text + "." + digits(Int32(fraction), 3) + "Z" : text + "Z"
    }
}
