import CLibPQ
import Foundation
import GodwitCore

/// A connection's libpq cancel object (`PQgetCancel`): sends the server a cancel request for the
/// statement the connection runs, as psql does on Ctrl-C.
///
/// `@unchecked Sendable`: `PQcancel` is documented thread-safe (and safe from a signal handler);
/// the cancel object is independent of the connection and freed only in `deinit`, once no
/// registered cancel function holds it.
final class PostgresCanceller: @unchecked Sendable {
    let cancelObject: OpaquePointer

    init(_ cancelObject: OpaquePointer) { self.cancelObject = cancelObject }

    deinit { PQfreeCancel(cancelObject) }

    /// Sends the cancel request; a failure to send is ignored (the statement then runs on).
    func cancel() {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelObject, &buffer, Int32(buffer.count))
    }
}

/// Hands the server's notices (`RAISE NOTICE`, `RAISE WARNING`, …) of one connection to a handler,
/// without the password. Installed as libpq's notice receiver, which calls it on the thread that
/// reads the result.
final class PostgresNoticeSink {
    let handler: @Sendable (_ severity: String, _ text: String) -> Void
    let url: DatabaseURL

    init(handler: @escaping @Sendable (_ severity: String, _ text: String) -> Void, url: DatabaseURL) {
        self.handler = handler
        self.url = url
    }

    /// Makes this sink the connection's notice receiver; the connection must not outlive it.
    func install(on connection: OpaquePointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        PQsetNoticeReceiver(
            connection,
            { context, result in
                guard let context, let result else { return }
                let sink = Unmanaged<PostgresNoticeSink>.fromOpaque(context).takeUnretainedValue()
                func field(_ code: Int32) -> String? {
                    guard let pointer = PQresultErrorField(result, code) else { return nil }
                    let text = String(cString: pointer)
                    return text.isEmpty ? nil : text
                }
                let severity = field(GODWIT_PG_DIAG_SEVERITY_NONLOCALIZED) ?? field(GODWIT_PG_DIAG_SEVERITY) ?? "NOTICE"
                var text = field(GODWIT_PG_DIAG_MESSAGE_PRIMARY) ?? DatabaseError.oneLine(String(cString: PQresultErrorMessage(result)))
                if let detail = field(GODWIT_PG_DIAG_MESSAGE_DETAIL) { text += " (detail: \(DatabaseError.oneLine(detail)))" }
                sink.handler(severity, sink.url.redact(text))
            }, context)
    }
}

extension PostgresConnection {
    /// The connection's parameters as libpq uses them (`PQconninfo`): keyword to value, the
    /// password left out.
    package var connectionParameters: [String: String] {
        guard let handle, let options = PQconninfo(handle) else { return [:] }
        defer { PQconninfoFree(options) }
        var parameters: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if name != "password", let value = option.pointee.val { parameters[name] = String(cString: value) }
            option += 1
        }
        return parameters
    }
}
