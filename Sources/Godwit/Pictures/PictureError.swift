import Foundation
import GodwitCore

/// An error of `graph` or `report`: drawing the picture or writing it.
public struct PictureError: GodwitError, Hashable {
    /// What is wrong, with the data the message is made of.
    public enum Code: Sendable, Hashable {
        /// Graphviz's `dot` is not on PATH.
        case graphvizMissing
        /// `dot` ran and failed (its status and what it wrote on stderr).
        case graphvizFailed(status: Int32, stderr: String)
        /// The output file cannot be written.
        case unwritable(path: String, reason: String)
    }

    /// What is wrong.
    public var code: Code

    /// Creates an error.
    public init(_ code: Code) {
        self.code = code
    }

    /// Exit 1: the picture could not be drawn or written.
    public var exitCode: ExitStatus {
        switch code {
        case .graphvizMissing, .graphvizFailed, .unwritable: .failed
        }
    }

    /// What is wrong and what to do next.
    public var message: String {
        switch code {
        case .graphvizMissing:
            "the svg format needs Graphviz's 'dot', which is not on PATH; install Graphviz: apt-get install graphviz / brew install graphviz (or use --format dot or mermaid)"
        case .graphvizFailed(let status, let stderr):
            "Graphviz's 'dot' failed (exit \(status)): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .unwritable(let path, let reason):
            "cannot write '\(path)': \(reason)"
        }
    }
}
