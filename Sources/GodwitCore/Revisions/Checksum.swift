import Crypto
import Foundation

/// SHA-256 checksums as Godwit writes them: lowercase hex.
public enum Checksum {
    /// SHA-256 of `bytes`, lowercase hex.
    public static func sha256(_ bytes: some DataProtocol) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// SHA-256 of the UTF-8 bytes of `text`, lowercase hex.
    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    /// Replaces CRLF and lone CR line endings with LF.
    public static func normalizingLineEndings(_ text: String) -> String {
        guard text.contains("\r") else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The checksum of a revision file: SHA-256 of its bytes with line endings normalised.
    public static func ofRevisionFile(_ text: String) -> String {
        sha256(normalizingLineEndings(text))
    }
}
