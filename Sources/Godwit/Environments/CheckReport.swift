import Foundation
import GodwitCore

/// One thing `check`, `verify` or `lint` found (SPEC §9).
public struct Problem: Sendable, Equatable {
    /// What kind: `multiple_heads`, `pending`, `failed`, `checksum_mismatch`, `unknown_revision`, or a lint rule id.
    public var kind: String
    public var revision: String?
    public var file: String?
    public var line: Int?
    public var message: String

    /// Creates a problem.
    public init(kind: String, revision: String? = nil, file: String? = nil, line: Int? = nil, message: String) {
        self.kind = kind
        self.revision = revision
        self.file = file
        self.line = line
        self.message = message
    }

    /// The JSON of SPEC §9.
    public var json: JSONValue {
        .object([
            "kind": .string(kind), "revision": .optional(revision), "file": .optional(file), "line": .optional(line),
            "message": .string(message),
        ])
    }
}

/// The outcome of `check`, `verify` or `lint`: ok, or the problems found (exit 3).
public struct CheckReport: Sendable {
    public var problems: [Problem]
    /// True when nothing was found.
    public var isOK: Bool { problems.isEmpty }

    /// The JSON of SPEC §9.
    public var json: JSONValue { .object(["ok": .bool(isOK), "problems": .array(problems.map(\.json))]) }
}
