import Foundation
import Synchronization

/// The project's own `alembic` executable and the Python it runs on, and how to run them.
struct AlembicTool: Sendable {
    /// The `alembic` script.
    let executable: URL
    /// The Python that runs it, with its leading arguments (`/usr/bin/env python3`).
    let python: [String]
    /// The process environment of every run.
    let variables: [String: String]

    /// What a finished run printed.
    struct Output {
        /// The exit status (128 + the signal for a process killed by one).
        var status: Int32
        /// Its stdout.
        var stdout: String
        /// Its stderr.
        var stderr: String
    }

    /// Finds `alembic` on `PATH`, then in `$VIRTUAL_ENV/bin`, and the Python beside it (a virtual
    /// environment's), else the one its `#!` line names, else `python3`.
    /// - Throws: `AlembicImportError.notOnPath` with the folders searched.
    static func locate(variables: [String: String]) throws -> AlembicTool {
        var folders = (variables["PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        if let virtualEnv = variables["VIRTUAL_ENV"], !virtualEnv.isEmpty { folders.append(virtualEnv + "/bin") }
        let manager = FileManager.default
        guard let folder = folders.first(where: { manager.isExecutableFile(atPath: $0 + "/alembic") }) else {
            throw AlembicImportError.notOnPath
        }
        let executable = URL(fileURLWithPath: folder + "/alembic")
        var environment = variables
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        if let sibling = ["python3", "python"].map({ folder + "/" + $0 }).first(where: manager.isExecutableFile(atPath:)) {
            return AlembicTool(executable: executable, python: [sibling], variables: environment)
        }
        return AlembicTool(executable: executable, python: interpreter(of: executable) ?? ["/usr/bin/env", "python3"], variables: environment)
    }

    /// The interpreter of a script's `#!` line, with its arguments; nil without one, or for `/bin/sh`.
    static func interpreter(of script: URL) -> [String]? {
        guard let handle = try? FileHandle(forReadingFrom: script) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 512)) ?? Data(), as: UTF8.self)
        guard head.hasPrefix("#!"), let line = head.dropFirst(2).split(separator: "\n").first else { return nil }
        let words = line.split(separator: " ").map(String.init)
        guard let first = words.first, !first.hasSuffix("/sh") else { return nil }
        return words
    }

    /// Runs `alembic ARGUMENTS` in `folder`.
    /// - Throws: `AlembicImportError.cannotRun` when the process cannot be started.
    func alembic(_ arguments: [String], in folder: URL) throws -> Output {
        try Self.run(executable, arguments, in: folder, variables: variables)
    }

    /// Runs the Python of this `alembic` on `code` with `arguments` in `folder`.
    /// - Throws: `AlembicImportError.cannotRun` when the process cannot be started.
    func python(_ code: String, _ arguments: [String], in folder: URL) throws -> Output {
        guard let first = python.first else { throw AlembicImportError.cannotRun(executable: "python3", reason: "no interpreter") }
        return try Self.run(URL(fileURLWithPath: first), Array(python.dropFirst()) + ["-c", code] + arguments, in: folder, variables: variables)
    }

    /// Runs a process with stdin from /dev/null, reading stdout here and stderr on another thread
    /// at the same time, so that neither pipe fills up and blocks the child.
    static func run(_ executable: URL, _ arguments: [String], in folder: URL, variables: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = variables
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AlembicImportError.cannotRun(executable: executable.path, reason: error.localizedDescription)
        }
        let errorText = Mutex(Data())
        let reader = DispatchGroup()
        let errorHandle = err.fileHandleForReading
        DispatchQueue.global().async(group: reader) {
            let data = errorHandle.readDataToEndOfFile()
            errorText.withLock { $0 = data }
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Output(
            status: status, stdout: String(decoding: data, as: UTF8.self),
            stderr: errorText.withLock { String(decoding: $0, as: UTF8.self) })
    }
}
