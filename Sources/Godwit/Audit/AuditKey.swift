import Crypto
import Foundation
import GodwitCore

/// The secret that keys an audit chain: `GODWIT_AUDIT_KEY` (the secret itself) or
/// `GODWIT_AUDIT_KEY_FILE` (a file holding it). With a key, a record's `hash` is HMAC-SHA256 of
/// its canonical JSON, so the chain cannot be recomputed without it. The secret is never printed.
public struct AuditKey: Sendable, CustomStringConvertible {
    /// The variable that holds the secret.
    public static let variable = "GODWIT_AUDIT_KEY"
    /// The variable that names a file holding the secret.
    public static let fileVariable = "GODWIT_AUDIT_KEY_FILE"

    let key: SymmetricKey

    /// Creates a key from the secret's bytes.
    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// The key the process environment gives, or nil when neither variable is set (or both are empty).
    /// A key file is read whole, without its trailing line break.
    /// - Throws: `AuditError.unreadableKeyFile` when `GODWIT_AUDIT_KEY_FILE` names a file that
    ///   cannot be read or is empty.
    public static func from(variables: [String: String], root: URL) throws -> AuditKey? {
        if let secret = variables[variable], !secret.isEmpty { return AuditKey(secret: secret) }
        guard let path = variables[fileVariable], !path.isEmpty else { return nil }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw AuditError.unreadableKeyFile(path: path)
        }
        let secret = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !secret.isEmpty else { throw AuditError.unreadableKeyFile(path: path) }
        return AuditKey(secret: secret)
    }

    /// The key of a workspace's process environment (`${VAR}`s as the workspace expands them).
    /// - Throws: `AuditError.unreadableKeyFile`.
    public static func of(_ workspace: Workspace) throws -> AuditKey? {
        try from(variables: workspace.variables, root: workspace.project.root)
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `text`, lowercase hex.
    public func mac(_ text: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Never the secret.
    public var description: String { "AuditKey(…)" }
}

/// The newest keyed record as a keyed run left it (`<prefix>audit_head`), so that deleting the
/// newest records is found, and the opening of the record a run holds open, so that a later run
/// can tell a record a killed run left from one written by hand.
public struct AuditAnchor: Sendable, Equatable {
    /// The newest sealed record's id.
    public var newestID: Int
    /// Its hash.
    public var newestHash: String?
    /// The first record sealed with the key (older ones have SHA-256 hashes).
    public var keyedSince: Int
    /// MAC over the three fields above.
    public var mac: String
    /// The id of the record a run opened and has not sealed yet.
    public var openID: Int?
    /// MAC over that record's opening fields.
    public var openMAC: String?

    /// The text the anchor's MAC covers.
    static func anchorText(environment: String, newestID: Int, newestHash: String?, keyedSince: Int) -> String {
        "godwit-audit-head\n\(environment)\n\(newestID)\n\(newestHash ?? "")\n\(keyedSince)"
    }

    /// True when the MAC matches under `key`.
    func isValid(under key: AuditKey, environment: String) -> Bool {
        mac == key.mac(Self.anchorText(environment: environment, newestID: newestID, newestHash: newestHash, keyedSince: keyedSince))
    }
}
