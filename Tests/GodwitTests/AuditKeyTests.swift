import Foundation
import GodwitCore
import Testing

@testable import Godwit

/// The pieces of issue 11 that need no database: comments of offline scripts, the audit key.
struct AuditKeyTests {
    @Test func aScriptCommentGetsNoControlCharacters() {
        #expect(OfflineScript.comment("a\nb\r\u{1B}[2Jc\u{2028}d\u{7F}") == "a b \\x1B[2Jc d\\x7F")
        #expect(OfflineScript.comment("plain text, 'quoted'") == "plain text, 'quoted'")
    }

    @Test func theKeyComesFromTheVariableOrAFileAndIsNeverShown() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("secret\n".utf8).write(to: root.appendingPathComponent("key"))
        let direct = try #require(try AuditKey.from(variables: ["GODWIT_AUDIT_KEY": "secret"], root: root))
        let file = try #require(try AuditKey.from(variables: ["GODWIT_AUDIT_KEY_FILE": "key"], root: root))
        #expect(direct.mac("x") == file.mac("x"))
        #expect(direct.mac("x") != Checksum.sha256("x") && direct.mac("x").count == 64)
        #expect(try AuditKey.from(variables: [:], root: root) == nil)
        #expect(!String(describing: direct).contains("secret"))
        #expect(throws: AuditError.unreadableKeyFile(path: "missing")) { try AuditKey.from(variables: ["GODWIT_AUDIT_KEY_FILE": "missing"], root: root) }
    }
}
