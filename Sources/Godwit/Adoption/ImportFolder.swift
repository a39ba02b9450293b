import Foundation

/// What the importers share: the files of a folder, their text, and the names Godwit gives them.
struct ImportFolder {
    /// The folder.
    let url: URL
    /// The paths of its files relative to it, sorted by their bytes.
    let files: [String]

    /// Lists a folder's files (with `isRecursive`, those of its subfolders too, as Flyway reads them).
    /// - Throws: `ImportError.notAFolder` when it does not exist or is a file.
    init(_ url: URL, isRecursive: Bool = false) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ImportError.notAFolder(path: url.path)
        }
        self.url = url
        var found: [String] = []
        func scan(_ folder: URL, prefix: String) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                let child = folder.appendingPathComponent(name)
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: child.path, isDirectory: &isFolder)
                if isFolder.boolValue {
                    if isRecursive { scan(child, prefix: prefix + name + "/") }
                } else {
                    found.append(prefix + name)
                }
            }
        }
        scan(url, prefix: "")
        files = found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The last path component of a relative path.
    static func name(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The text of a file without a leading byte-order mark (which the tools skip too, and which
    /// would stand in the middle of a revision file), or the problem that it is not UTF-8 text.
    func text(_ path: String) -> Result<String, ImportProblem> {
        guard var data = FileManager.default.contents(atPath: url.appendingPathComponent(path).path) else {
            return .failure(ImportProblem(file: path, reason: "cannot be read"))
        }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ImportProblem(file: path, reason: "is not UTF-8 text"))
        }
        return .success(text)
    }

    /// `add_orders` → `add orders`: underscores and dashes as spaces.
    static func message(fromSlug slug: String) -> String {
        slug.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// `v<version>` with `.` as `_` (SPEC §12).
    static func id(version: String) -> String {
        "v" + version.replacingOccurrences(of: ".", with: "_")
    }

    /// True for one or more ASCII digits.
    static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Digits without their leading zeros (`"0"` for zero), so that two spellings of one number compare equal.
    static func canonicalNumber(_ digits: Substring) -> String {
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// Orders two numbers written as digits by value, whatever their length.
    static func numberPrecedes(_ left: Substring, _ right: Substring) -> Bool {
        let a = canonicalNumber(left)
        let b = canonicalNumber(right)
        return a.count != b.count ? a.count < b.count : a < b
    }

    /// The file's lines, each with its line feed (the last one may lack it): concatenated, the text.
    static func lines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == "\n" || text[index] == "\r\n" {
                lines.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { lines.append(text[start...]) }
        return lines
    }

    /// A line without its line ending and surrounding white space.
    static func trimmed(_ line: Substring) -> Substring {
        var result = line[...]
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        return result
    }

    /// True for a blank line or an SQL comment line.
    static func isBlankOrComment(_ line: Substring) -> Bool {
        let text = trimmed(line)
        return text.isEmpty || text.hasPrefix("--")
    }

    /// Chains revisions in the order given: each one's parent is the one before it.
    static func chained(_ revisions: [ImportedRevision]) -> [ImportedRevision] {
        var result = revisions
        for index in result.indices {
            result[index].downRevisions = index == 0 ? [] : [result[index - 1].id]
        }
        return result
    }

    /// A file named `<version>_<name>.<extension>` (goose, dbmate, golang-migrate).
    struct VersionedFile {
        var path: String
        var version: Substring
        var name: Substring
    }

    /// Reads `<digits>_<name>` (or `<digits>` alone when `allowsNoName`) from a file's stem.
    static func versioned(_ path: String, stem: Substring, allowsNoName: Bool) -> VersionedFile? {
        let version = stem.prefix { $0.isASCII && $0.isNumber }
        let rest = stem.dropFirst(version.count)
        guard isDigits(version), rest.hasPrefix("_") || (allowsNoName && rest.isEmpty) else { return nil }
        return VersionedFile(path: path, version: version, name: rest.dropFirst())
    }

    /// One revision per file with up and down sections (goose, dbmate), in the order given; a file
    /// with the version of the one before it, or whose sections do not read, is a problem.
    func sectionedRevisions(
        _ files: [VersionedFile], isSameVersion: (Substring, Substring) -> Bool,
        sections: (String, String) -> Result<(up: String, down: String?, isTransactional: Bool), ImportProblem>
    ) -> (revisions: [ImportedRevision], problems: [ImportProblem]) {
        var revisions: [ImportedRevision] = []
        var problems: [ImportProblem] = []
        var previous: VersionedFile?
        for file in files {
            if let previous, isSameVersion(previous.version, file.version) {
                problems.append(ImportProblem(file: file.path, reason: "has the same version as '\(previous.path)'"))
                continue
            }
            previous = file
            switch text(file.path).flatMap({ sections($0, file.path) }) {
            case .failure(let problem):
                problems.append(problem)
            case .success(let parts):
                revisions.append(ImportedRevision(
                    id: Self.id(version: String(file.version)), downRevisions: [], message: Self.message(fromSlug: String(file.name)),
                    isTransactional: parts.isTransactional, upgradeSQL: parts.up, downgradeSQL: parts.down, source: file.path))
            }
        }
        return (Self.chained(revisions), problems)
    }
}
