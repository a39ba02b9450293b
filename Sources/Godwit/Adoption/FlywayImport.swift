import Foundation

/// Reads a Flyway folder (and its subfolders): `V<version>__<description>.sql` as revisions in
/// Flyway's order (by the numeric parts of the version, `_` read as `.`), `U<version>__…` undo
/// files as their downgrades, `R__<description>.sql` as repeatables, and `${name}` placeholders
/// rewritten to `{{ name }}`. A `<file>.conf` with `executeInTransaction=false` makes the revision
/// non-transactional. Java migrations and names Flyway would not read are problems.
public struct FlywayImport: Sendable {
    /// Creates the importer.
    public init() {}

    /// One `V` or `U` file, parsed from its name.
    struct Versioned {
        var path: String
        var version: String
        var parts: [Substring]
        var description: String
    }

    /// Reads the folder.
    /// - Throws: `ImportError.notAFolder` when `folder` is not a folder. Files that do not convert
    ///   are listed in the history's `problems`, not thrown.
    public func read(folder: URL) throws -> ImportedHistory {
        let directory = try ImportFolder(folder, isRecursive: true)
        var problems: [ImportProblem] = []
        var versions: [Versioned] = []
        var undos: [Versioned] = []
        var repeatables: [(path: String, description: String)] = []
        for path in directory.files {
            let name = ImportFolder.name(path)
            if name.hasSuffix(".java") || name.hasSuffix(".class") || name.hasSuffix(".kt") {
                problems.append(ImportProblem(file: path, reason: "a Java migration has no SQL to import; rewrite it as a V…__….sql file"))
                continue
            }
            guard name.hasSuffix(".sql") else { continue }
            let stem = String(name.dropLast(4))
            if stem.hasPrefix("R__") {
                repeatables.append((path, String(stem.dropFirst(3))))
                continue
            }
            guard let first = stem.first, first == "V" || first == "U", let separator = stem.range(of: "__") else {
                problems.append(ImportProblem(file: path, reason: "is not a Flyway migration name (V<version>__<description>.sql, U<version>__…, R__…)"))
                continue
            }
            let version = String(stem[stem.index(after: stem.startIndex)..<separator.lowerBound])
            let parts = version.replacingOccurrences(of: "_", with: ".").split(separator: ".", omittingEmptySubsequences: false)
            guard !version.isEmpty, parts.allSatisfy(ImportFolder.isDigits) else {
                problems.append(ImportProblem(file: path, reason: "'\(version)' is not a Flyway version (digits separated by '.' or '_')"))
                continue
            }
            let file = Versioned(path: path, version: version, parts: parts, description: String(stem[separator.upperBound...]))
            if first == "V" { versions.append(file) } else { undos.append(file) }
        }
        versions.sort { Self.precedes($0.parts, $1.parts) }

        var placeholders: [String] = []
        /// The file's SQL with its placeholders rewritten, or nil after recording why not.
        func sql(of path: String) -> String? {
            switch directory.text(path) {
            case .failure(let problem):
                problems.append(problem)
                return nil
            case .success(let text):
                switch Self.rewritingPlaceholders(text, file: path) {
                case .failure(let problem):
                    problems.append(problem)
                    return nil
                case .success(let (rewritten, names)):
                    for name in names where !placeholders.contains(name) { placeholders.append(name) }
                    return rewritten
                }
            }
        }

        var revisions: [ImportedRevision] = []
        var previous: Versioned?
        for file in versions {
            if let previous, Self.key(previous.parts) == Self.key(file.parts) {
                problems.append(ImportProblem(file: file.path, reason: "has the same version as '\(previous.path)'"))
                continue
            }
            previous = file
            guard let upgrade = sql(of: file.path) else { continue }
            let matchingUndos = undos.filter { Self.key($0.parts) == Self.key(file.parts) }
            if matchingUndos.count > 1 {
                problems.append(ImportProblem(file: matchingUndos[1].path, reason: "is a second undo file of version '\(file.version)'"))
                continue
            }
            var downgrade: String?
            if let undo = matchingUndos.first {
                guard let text = sql(of: undo.path) else { continue }
                downgrade = text
            }
            revisions.append(ImportedRevision(
                id: ImportFolder.id(version: file.version.replacingOccurrences(of: "_", with: ".")), downRevisions: [],
                message: ImportFolder.message(fromSlug: file.description), isTransactional: isTransactional(file.path, in: directory),
                upgradeSQL: upgrade, downgradeSQL: downgrade, source: file.path))
        }
        for undo in undos where !versions.contains(where: { Self.key($0.parts) == Self.key(undo.parts) }) {
            problems.append(ImportProblem(file: undo.path, reason: "undoes version '\(undo.version)', which has no V file"))
        }
        var imported: [ImportedRepeatable] = []
        for (path, description) in repeatables.sorted(by: { $0.description < $1.description }) {
            guard let text = sql(of: path) else { continue }
            let name = String(description.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
            imported.append(ImportedRepeatable(name: name, message: ImportFolder.message(fromSlug: description), sql: text, source: path))
        }
        return ImportedHistory(
            revisions: ImportFolder.chained(revisions), repeatables: imported, placeholders: placeholders, problems: problems)
    }

    /// False when the file's script configuration (`<file>.conf`) says `executeInTransaction=false`.
    func isTransactional(_ path: String, in directory: ImportFolder) -> Bool {
        guard case .success(let text) = directory.text(path + ".conf") else { return true }
        return !ImportFolder.lines(text).contains { line in
            ImportFolder.trimmed(line).replacingOccurrences(of: " ", with: "").lowercased() == "executeintransaction=false"
        }
    }

    /// The version's parts without leading zeros or trailing zero parts: Flyway's equality (`1.0` is `1`).
    static func key(_ parts: [Substring]) -> [String] {
        var key = parts.map(ImportFolder.canonicalNumber)
        while key.count > 1 && key.last == "0" { key.removeLast() }
        return key
    }

    /// Flyway's order: part by part, numerically, a missing part counting as zero.
    static func precedes(_ left: [Substring], _ right: [Substring]) -> Bool {
        let a = key(left)
        let b = key(right)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : "0"
            let y = index < b.count ? b[index] : "0"
            if x != y { return ImportFolder.numberPrecedes(x[...], y[...]) }
        }
        return false
    }

    /// `${name}` rewritten to `{{ name }}`, with the names in order of first use; Flyway's built-in
    /// `${flyway:…}` placeholders and names Godwit cannot define are problems at their line.
    static func rewritingPlaceholders(_ text: String, file: String) -> Result<(String, [String]), ImportProblem> {
        guard text.contains("${") else { return .success((text, [])) }
        var output = ""
        var names: [String] = []
        var line = 1
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "$", text[index...].hasPrefix("${"), let close = text[index...].firstIndex(of: "}") {
                let name = String(text[text.index(index, offsetBy: 2)..<close])
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    let reason = name.hasPrefix("flyway:")
                        ? "Flyway's built-in placeholder '${\(name)}' has no Godwit equivalent; write its value instead"
                        : "placeholder '${\(name)}' is not a name Godwit's vars: can define ([A-Za-z0-9_]+)"
                    return .failure(ImportProblem(file: file, line: line, reason: reason))
                }
                output += "{{ \(name) }}"
                if !names.contains(name) { names.append(name) }
                index = text.index(after: close)
                continue
            }
            if character == "\n" || character == "\r\n" { line += 1 }
            output.append(character)
            index = text.index(after: index)
        }
        return .success((output, names))
    }
}
