import Crypto
import Foundation

/// SHA-256 checksums as Godwit writes them: lowercase hex.
public enum Checksum {
    /// SHA-256 of `bytes`, lowercase hex.
    public static func sha256(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// A digest as lowercase hex.
    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// SHA-256 of the UTF-8 bytes of `text`, lowercase hex.
    public static func sha256(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// Replaces CRLF and lone CR line endings with LF.
    public static func normalizingLineEndings(_ text: String) -> String {
        guard text.utf8.withContiguousStorageIfAvailable({ $0.contains(13) }) ?? text.utf8.contains(13) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The checksum of a revision file: SHA-256 of its bytes with line endings normalised.
    public static func ofRevisionFile(_ text: String) -> String {
        sha256(normalizingLineEndings(text))
    }
}
