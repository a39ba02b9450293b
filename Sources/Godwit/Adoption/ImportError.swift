import Foundation
import GodwitCore

/// Why `import` wrote nothing (SPEC §12): a folder that is not there, a `versions/` that already
/// holds revisions, or files that did not convert.
public enum ImportError: GodwitError, Equatable {
    /// The folder to import does not exist or is not a folder.
    case notAFolder(path: String)
    /// `versions/` already holds revision files: an import starts a history, it never joins one.
    case versionsNotEmpty(path: String, count: Int)
    /// Files that did not convert; nothing was written.
    case problems([ImportProblem])

    public var exitCode: ExitStatus { .usage }

    public var message: String {
        switch self {
        case .notAFolder(let path):
            return "'\(path)' is not a folder; give the folder that holds the tool's migration files"
        case .versionsNotEmpty(let path, let count):
            return "'\(path)' already holds \(count) revision file\(count == 1 ? "" : "s"); import writes into an empty history only: "
                + "import into a new project, or move the files away first"
        case .problems(let problems):
            let lines = problems.map { "  \(ImportProblem.place($0)): \($0.reason)" }
            return "\(problems.count) file\(problems.count == 1 ? "" : "s") did not convert; nothing was written "
                + "(fix them, or pass --skip-bad to write the others):\n" + lines.joined(separator: "\n")
        }
    }
}

extension ImportProblem {
    /// `file:line`, or the file alone when the problem is not at one line.
    public static func place(_ problem: ImportProblem) -> String {
        problem.line.map { "\(problem.file):\($0)" } ?? problem.file
    }
}

/// A problem is what an importer's per-file step fails with (`Result<_, ImportProblem>`).
extension ImportProblem: Error {}
