import Foundation
import GodwitCore

/// The files of a project added or changed since a git ref (`lint --since`), read from `git`
/// through `Subprocess`.
public enum GitChanges {
    /// The paths, relative to `root`, of the files under `folder` added or changed since
    /// `git merge-base REF HEAD`: committed since, staged, unstaged and untracked (not ignored).
    /// Deleted files are left out; a renamed file counts as added.
    /// - Throws: `GitError` when git is not installed, `root` is not in a git checkout, `ref`
    ///   names no commit, or `ref` and `HEAD` have no common ancestor.
    public static func paths(in root: URL, under folder: String, since ref: String) throws -> Set<String> {
        let git = ["git", "-C", root.path]
        guard let inside = Subprocess.run(git + ["rev-parse", "--is-inside-work-tree"]) else { throw GitError(.notInstalled) }
        guard inside.status == 0, inside.output.trimmingCharacters(in: .whitespacesAndNewlines) == "true" else {
            throw GitError(.notACheckout(path: root.path))
        }
        guard let verified = Subprocess.run(git + ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"]),
            verified.status == 0
        else { throw GitError(.unknownRef(ref)) }
        guard let mergeBase = Subprocess.run(git + ["merge-base", ref, "HEAD"]), mergeBase.status == 0 else {
            throw GitError(.noMergeBase(ref))
        }
        let base = mergeBase.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let pathspec = ["--", folder.isEmpty ? "." : folder]
        let commands = [
            git + ["diff", "--name-only", "--relative", "--no-renames", "--diff-filter=d", "-z", base] + pathspec,
            git + ["ls-files", "--others", "--exclude-standard", "-z"] + pathspec,
        ]
        var paths: Set<String> = []
        for command in commands {
            guard let result = Subprocess.run(command), result.status == 0 else {
                throw GitError(.failed(command: command.dropFirst(3).joined(separator: " ")))
            }
            paths.formUnion(result.output.split(separator: "\0").map(String.init))
        }
        return paths
    }
}

/// A git question that could not be answered (exit 2).
public struct GitError: GodwitError, Hashable {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// No `git` on `PATH`.
        case notInstalled
        /// The project is not inside a git checkout.
        case notACheckout(path: String)
        /// The ref names no commit.
        case unknownRef(String)
        /// The ref and `HEAD` share no commit.
        case noMergeBase(String)
        /// A git command failed.
        case failed(command: String)
    }

    /// What went wrong.
    public var code: Code

    /// Creates an error.
    public init(_ code: Code) { self.code = code }

    public var exitCode: ExitStatus { .usage }

    public var message: String {
        switch code {
        case .notInstalled:
            return "git is not installed (no 'git' on PATH); --since needs it to find the changed revision files"
        case .notACheckout(let path):
            return "'\(path)' is not in a git checkout; --since compares with a git ref, so run it in a clone, or name the revisions to lint"
        case .unknownRef(let ref):
            return "unknown git ref '\(ref)'; give a branch, tag or commit that exists here (in CI, fetch it first: git fetch origin main)"
        case .noMergeBase(let ref):
            return "'\(ref)' and HEAD have no common commit; in a shallow clone, fetch more history (git fetch --unshallow)"
        case .failed(let command):
            return "'git \(command)' failed"
        }
    }
}
