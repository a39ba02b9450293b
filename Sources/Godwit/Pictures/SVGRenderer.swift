import Foundation

/// Renders `dot` source as SVG through Graphviz's `dot -Tsvg`, found on PATH.
public struct SVGRenderer: Sendable {
    /// The `dot` executable; nil when Graphviz is not installed.
    public let executable: URL?

    /// Finds `dot` in the folders of `path` (default: the PATH of this process).
    public init(path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        let folders = (path ?? "").split(separator: ":").map(String.init)
        executable = folders.lazy.map { URL(fileURLWithPath: $0).appendingPathComponent("dot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// True when `dot` was found.
    public var isAvailable: Bool { executable != nil }

    /// The SVG of `picture`.
    /// - Throws: `PictureError.graphvizMissing` without `dot` (with how to install it),
    ///   `PictureError.graphvizFailed` when it fails.
    public func render(_ picture: GraphPicture) throws -> String {
        try render(dot: DotRenderer.render(picture))
    }

    /// The SVG of `dot` source, stdin, stdout and stderr served at once so that none fills its pipe.
    /// - Throws: `PictureError` as `render(_:)`.
    public func render(dot source: String) throws -> String {
        guard let executable else { throw PictureError(.graphvizMissing) }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw PictureError(.graphvizFailed(status: -1, stderr: "\(error)"))
        }
        let collected = PipeContents()
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread {
            try? input.fileHandleForWriting.write(contentsOf: Data(source.utf8))
            try? input.fileHandleForWriting.close()
            group.leave()
        }
        group.enter()
        Thread.detachNewThread {
            collected.set(errors.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PictureError(.graphvizFailed(status: process.terminationStatus, stderr: String(decoding: collected.data, as: UTF8.self)))
        }
        return String(decoding: svg, as: UTF8.self)
    }
}

/// What the thread reading `dot`'s stderr read; written once, read after it finished.
final class PipeContents: @unchecked Sendable {
    private var bytes = Data()
    private let lock = NSLock()

    func set(_ data: Data) {
        lock.lock()
        bytes = data
        lock.unlock()
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }
}
