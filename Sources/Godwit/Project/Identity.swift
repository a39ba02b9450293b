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

    /// The variables an actor is read from when `--actor` is not given, in order.
    static let actorVariables = ["GODWIT_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR"]

    /// PostgreSQL keeps 63 bytes of `application_name` (NAMEDATALEN - 1).
    public static let applicationNameLimit = 63

    /// Works out the identity of this process.
    /// - Parameter readsGitCommit: false leaves `gitCommit` nil, for a caller that reads it later
    ///   with `gitCommit(of:)` only when it writes an audit record: it costs two `git` processes.
    /// - Throws: `ConfigurationError` when the actor holds a control character.
    public static func current(
        actor explicit: String?, project: Project?, variables: [String: String] = ProcessInfo.processInfo.environment,
        readsGitCommit: Bool = true
    ) throws -> Identity {
        let sources = [("--actor", explicit)] + actorVariables.map { ($0, variables[$0]) }
        let chosen = sources.first { $0.1.map { !$0.isEmpty } ?? false }
        let actor = chosen?.1 ?? osUser()
        if actor.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ConfigurationError(.actorHasControlCharacter(source: chosen?.0 ?? "the OS user name"))
        }
        return Identity(
            actor: actor, host: hostName(), gitCommit: readsGitCommit ? project.flatMap(gitCommit(of:)) : nil)
    }

    /// The git commit of `project` as the audit records it: `HEAD`, with `+dirty` when its
    /// versions folder has uncommitted changes; nil outside a git checkout.
    public static func gitCommit(of project: Project) -> String? {
        gitCommit(of: project.root, versions: project.versionsPath)
    }

    /// `actor@host`, as written into locks and `application_name`.
    public var holder: String { "\(actor)@\(host)" }

    /// `text` cut to PostgreSQL's 63 bytes of `application_name` at a character boundary, so that
    /// the server keeps it as it is; the audit keeps the whole actor.
    public static func applicationName(_ text: String) -> String {
        guard text.utf8.count > applicationNameLimit else { return text }
        var result = ""
        for character in text {
            guard result.utf8.count + character.utf8.count <= applicationNameLimit else { break }
            result.append(character)
        }
        return result
    }

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

    /// Runs a command found on `PATH` and returns its trimmed stdout, or nil when it cannot be
    /// started or exits non-zero (`Subprocess.run`).
    static func run(_ arguments: [String]) -> String? {
        guard let result = Subprocess.run(arguments), result.status == 0 else { return nil }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
