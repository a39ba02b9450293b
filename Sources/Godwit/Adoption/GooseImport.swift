import Foundation

/// Reads a goose folder: `<version>_<name>.sql` files with `-- +goose Up` and `-- +goose Down`
/// sections, ordered by the version's integer value as goose orders them. `StatementBegin` /
/// `StatementEnd` blocks stay in the SQL as the comments they are (Godwit splits statements with the
/// database's own parser, so a block is one statement already); `-- +goose NO TRANSACTION` makes the
/// revision non-transactional. Go migrations and `ENVSUB` are problems.
public struct GooseImport: Sendable {
    /// Creates the importer.
    public init() {}

    /// Reads the folder.
    /// - Throws: `ImportError.notAFolder` when `folder` is not a folder. Files that do not convert
    ///   are listed in the history's `problems`, not thrown.
    public func read(folder: URL) throws -> ImportedHistory {
        let directory = try ImportFolder(folder)
        var problems: [ImportProblem] = []
        var files: [ImportFolder.VersionedFile] = []
        for path in directory.files {
            let isGo = path.hasSuffix(".go")
            guard isGo || path.hasSuffix(".sql") else { continue }
            guard let file = ImportFolder.versioned(path, stem: path.dropLast(isGo ? 3 : 4), allowsNoName: false) else {
                if !isGo { problems.append(ImportProblem(file: path, reason: "is not a goose file name (<version>_<name>.sql)")) }
                continue
            }
            if isGo {
                if !path.hasSuffix("_test.go") {
                    problems.append(ImportProblem(file: path, reason: "a Go migration has no SQL to import; rewrite it as a .sql migration"))
                }
                continue
            }
            files.append(file)
        }
        files.sort { ImportFolder.numberPrecedes($0.version, $1.version) }
        let read = directory.sectionedRevisions(
            files, isSameVersion: { ImportFolder.canonicalNumber($0) == ImportFolder.canonicalNumber($1) }, sections: Self.sections(of:file:))
        return ImportedHistory(revisions: read.revisions, problems: problems + read.problems)
    }

    /// The Up and Down sections of a goose file, byte for byte (annotation lines aside), and whether
    /// it runs in a transaction.
    static func sections(of text: String, file: String) -> Result<(up: String, down: String?, isTransactional: Bool), ImportProblem> {
        var up: String?
        var down: String?
        var isTransactional = true
        var isInBlock = false
        for (index, line) in ImportFolder.lines(text).enumerated() {
            let number = index + 1
            let trimmed = ImportFolder.trimmed(line)
            if trimmed.hasPrefix("-- +goose") {
                let command = ImportFolder.trimmed(trimmed.dropFirst(9)).lowercased()
                switch command {
                case "up", "down":
                    let name = command == "up" ? "Up" : "Down"
                    if (command == "up" ? up : down) != nil {
                        return .failure(ImportProblem(file: file, line: number, reason: "a second '-- +goose \(name)' annotation"))
                    }
                    if isInBlock {
                        return .failure(ImportProblem(file: file, line: number, reason: "'-- +goose StatementBegin' has no StatementEnd before this line"))
                    }
                    if command == "up" && down != nil {
                        return .failure(ImportProblem(file: file, line: number, reason: "'-- +goose Up' comes after '-- +goose Down'"))
                    }
                    if command == "up" { up = "" } else { down = "" }
                    continue
                case "no transaction":
                    isTransactional = false
                    continue
                case "statementbegin":
                    if isInBlock { return .failure(ImportProblem(file: file, line: number, reason: "a StatementBegin inside another")) }
                    isInBlock = true
                case "statementend":
                    if !isInBlock { return .failure(ImportProblem(file: file, line: number, reason: "a StatementEnd without StatementBegin")) }
                    isInBlock = false
                default:
                    return .failure(ImportProblem(
                        file: file, line: number,
                        reason: "'\(trimmed)' is an annotation Godwit cannot import (for ENVSUB, write the values, or {{ name }} with vars:)"))
                }
            }
            if down != nil {
                down?.append(contentsOf: line)
            } else if up != nil {
                up?.append(contentsOf: line)
            } else if !ImportFolder.isBlankOrComment(line) {
                return .failure(ImportProblem(file: file, line: number, reason: "SQL before '-- +goose Up'"))
            }
        }
        if isInBlock { return .failure(ImportProblem(file: file, reason: "'-- +goose StatementBegin' has no StatementEnd")) }
        guard let up else { return .failure(ImportProblem(file: file, line: 1, reason: "no '-- +goose Up' annotation")) }
        return .success((up, down, isTransactional))
    }
}
