import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who runs Godwit, from where and with what: the identity written into every audit record.
public struct Identity: Sendable {
    /// The actor: `--actor`, else `GODWIT_ACTOR`, else the CI's user, else the OS user.
    public var actor: String
    /// The host name.
    public var host: String
    /// Godwit's version.
    public var toolVersion: String
    /// The project's git commit, with `+dirty` when `versions/` has uncommitted changes.
    public var gitCommit: String?

    /// Godwit's version.
    public static let version = "0.1.0"

    /// Creates an identity from explicit values.
    public init(actor: String, host: String, toolVersion: String = Identity.version, gitCommit: String? = nil) {
        self.actor = actor
        self.host = host
        self.toolVersion = toolVersion
        self.gitCommit = gitCommit
    }

    /// Works out the identity of this process.
    public static func current(
        actor explicit: String?, project: Project?, variables: [String: String] = ProcessInfo.processInfo.environment
    ) -> Identity {
        let actor =
            [explicit, variables["GODWIT_ACTOR"], variables["GITHUB_ACTOR"], variables["GITLAB_USER_LOGIN"],
             variables["BUILDKITE_BUILD_CREATOR"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? osUser()
        return Identity(
            actor: actor, host: hostName(), gitCommit: project.flatMap { gitCommit(of: $0.root, versions: $0.versionsPath) })
    }

    /// `actor@host`, as written into locks and `application_name`.
    public var holder: String { "\(actor)@\(host)" }

    static func osUser() -> String {
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(geteuid(), &record, &buffer, buffer.count, &result) == 0, let entry = result, let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid-\(geteuid())"
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(cString: buffer)
    }

    /// The commit of the git checkout at `root`, with `+dirty` when `versions` has uncommitted changes.
    static func gitCommit(of root: URL, versions: String) -> String? {
        guard let head = run(["git", "-C", root.path, "rev-parse", "HEAD"]), !head.isEmpty else { return nil }
        let status = run(["git", "-C", root.path, "status", "--porcelain", "--", versions.isEmpty ? "." : versions]) ?? ""
        return status.isEmpty ? head : head + "+dirty"
    }

    static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
