import Foundation

/// Reads a golang-migrate folder: `<version>_<title>.up.sql` and `.down.sql` pairs, ordered by the
/// version's integer value as golang-migrate orders them; the down file is the downgrade.
public struct GolangMigrateImport: Sendable {
    /// Creates the importer.
    public init() {}

    /// Reads the folder.
    /// - Throws: `ImportError.notAFolder` when `folder` is not a folder. Files that do not convert
    ///   are listed in the history's `problems`, not thrown.
    public func read(folder: URL) throws -> ImportedHistory {
        let directory = try ImportFolder(folder)
        var problems: [ImportProblem] = []
        var ups: [String: (path: String, version: Substring, title: Substring)] = [:]
        var downs: [String: (path: String, version: Substring)] = [:]
        for path in directory.files {
            let isUp = path.hasSuffix(".up.sql")
            guard isUp || path.hasSuffix(".down.sql") else {
                if path.hasSuffix(".sql") {
                    problems.append(ImportProblem(file: path, reason: "is not a golang-migrate file name (<version>_<title>.up.sql or .down.sql)"))
                }
                continue
            }
            guard let file = ImportFolder.versioned(path, stem: path.dropLast(isUp ? 7 : 9), allowsNoName: true) else {
                problems.append(ImportProblem(file: path, reason: "does not start with a version number followed by '_'"))
                continue
            }
            let version = file.version
            let key = ImportFolder.canonicalNumber(version)
            if isUp {
                if let other = ups[key] {
                    problems.append(ImportProblem(file: path, reason: "has the same version as '\(other.path)'"))
                    continue
                }
                ups[key] = (path, version, file.name)
            } else {
                if let other = downs[key] {
                    problems.append(ImportProblem(file: path, reason: "has the same version as '\(other.path)'"))
                    continue
                }
                downs[key] = (path, version)
            }
        }
        var revisions: [ImportedRevision] = []
        for up in ups.values.sorted(by: { ImportFolder.numberPrecedes($0.version, $1.version) }) {
            let key = ImportFolder.canonicalNumber(up.version)
            var upgrade: String?
            var downgrade: String?
            switch directory.text(up.path) {
            case .success(let text): upgrade = text
            case .failure(let problem): problems.append(problem)
            }
            if let down = downs[key] {
                switch directory.text(down.path) {
                case .success(let text): downgrade = text
                case .failure(let problem): problems.append(problem)
                }
            }
            guard let upgrade else { continue }
            revisions.append(ImportedRevision(
                id: ImportFolder.id(version: String(up.version)), downRevisions: [], message: ImportFolder.message(fromSlug: String(up.title)),
                upgradeSQL: upgrade, downgradeSQL: downgrade, source: up.path))
        }
        for (key, down) in downs where ups[key] == nil {
            problems.append(ImportProblem(file: down.path, reason: "has no .up.sql file of version '\(down.version)'"))
        }
        problems.sort { $0.file < $1.file }
        return ImportedHistory(revisions: ImportFolder.chained(revisions), problems: problems)
    }
}
