import Foundation

/// Reads a dbmate folder: `<version>_<name>.sql` files with `-- migrate:up` and `-- migrate:down`
/// sections, ordered by the version text as dbmate orders them; `transaction:false` on either
/// marker makes the revision non-transactional.
public struct DbmateImport: Sendable {
    /// Creates the importer.
    public init() {}

    /// Reads the folder.
    /// - Throws: `ImportError.notAFolder` when `folder` is not a folder. Files that do not convert
    ///   are listed in the history's `problems`, not thrown.
    public func read(folder: URL) throws -> ImportedHistory {
        let directory = try ImportFolder(folder)
        var problems: [ImportProblem] = []
        var files: [ImportFolder.VersionedFile] = []
        for path in directory.files where path.hasSuffix(".sql") {
            guard let file = ImportFolder.versioned(path, stem: path.dropLast(4), allowsNoName: true) else {
                problems.append(ImportProblem(file: path, reason: "is not a dbmate file name (<version>_<name>.sql)"))
                continue
            }
            files.append(file)
        }
        // dbmate sorts by the version text, not its value.
        files.sort { $0.version < $1.version }
        let read = directory.sectionedRevisions(files, isSameVersion: ==, sections: Self.sections(of:file:))
        return ImportedHistory(revisions: read.revisions, problems: problems + read.problems)
    }

    /// The up and down sections of a dbmate file, byte for byte (marker lines aside), and whether it
    /// runs in a transaction.
    static func sections(of text: String, file: String) -> Result<(up: String, down: String?, isTransactional: Bool), ImportProblem> {
        var up: String?
        var down: String?
        var isUp = true
        var isTransactional = true
        for (index, line) in ImportFolder.lines(text).enumerated() {
            let number = index + 1
            let trimmed = ImportFolder.trimmed(line)
            if trimmed.hasPrefix("--") {
                let words = trimmed.dropFirst(2).split(whereSeparator: \.isWhitespace)
                if let marker = words.first, marker == "migrate:up" || marker == "migrate:down" {
                    let isUpMarker = marker == "migrate:up"
                    if (isUpMarker ? up : down) != nil {
                        return .failure(ImportProblem(file: file, line: number, reason: "a second '-- \(marker)'"))
                    }
                    if isUpMarker && down != nil {
                        return .failure(ImportProblem(file: file, line: number, reason: "'-- migrate:up' comes after '-- migrate:down'"))
                    }
                    for option in words.dropFirst() {
                        guard option == "transaction:false" || option == "transaction:true" else {
                            return .failure(ImportProblem(file: file, line: number, reason: "'\(option)' is not a dbmate option Godwit knows (transaction:false)"))
                        }
                        if option == "transaction:false" { isTransactional = false }
                    }
                    isUp = isUpMarker
                    if isUpMarker { up = "" } else { down = "" }
                    continue
                }
            }
            if up == nil {
                if !ImportFolder.isBlankOrComment(line) {
                    return .failure(ImportProblem(file: file, line: number, reason: "SQL before '-- migrate:up'"))
                }
                continue
            }
            if isUp { up?.append(contentsOf: line) } else { down?.append(contentsOf: line) }
        }
        guard let up else { return .failure(ImportProblem(file: file, line: 1, reason: "no '-- migrate:up' marker")) }
        return .success((up, down, isTransactional))
    }
}
