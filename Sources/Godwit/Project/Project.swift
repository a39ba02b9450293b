import Foundation
import GodwitCore
import Yams

/// A Godwit project: its root, the environments file, and where the revisions are (SPEC §1-§2).
public struct Project: Sendable {
    /// The environments file, relative to the root.
    public static let configPath = "environments/environments.yaml"
    /// The top-level keys of the environments file.
    static let keys = ["versions", "promotion", "default_environment", "table_prefix", "audit_log", "schema", "scratch_url", "vars", "environments"]

    /// The project's root folder.
    public let root: URL
    /// The folder of revisions.
    public let versionsDirectory: URL
    /// The order revisions must flow in.
    public let promotion: [String]
    /// The environment used when `-e` is not given.
    public let defaultEnvironment: String?
    /// The prefix of Godwit's own tables.
    public let tablePrefix: String
    /// A JSON Lines file that every audit record is also appended to.
    public let auditLog: URL?
    /// The desired schema, for autogenerate.
    public let schemaFile: URL?
    /// The scratch database URL as written (not yet expanded).
    public let scratchURL: String?
    /// The environments, by name.
    public let environments: [String: Environment]
    /// The top-level `vars:`: every environment's (unless it overrides one) and the scratch database's.
    public let variables: TemplateVariables

    /// The longest `table_prefix`, in bytes. The longest name Godwit makes is
    /// `<prefix>repeatables_pkey` (16 bytes after the prefix, the implicit primary key index of a
    /// table to come); 7 more are kept for names not yet made, within PostgreSQL's 63 bytes.
    public static let maxTablePrefixLength = 40

    /// Every environment: promotion order first, then the others by name.
    public var orderedEnvironments: [Environment] {
        promotion.compactMap { environments[$0] }
            + environments.keys.filter { !promotion.contains($0) }.sorted().compactMap { environments[$0] }
    }

    /// Finds the project: `explicit` (from `--project` or `GODWIT_PROJECT`), else the first folder
    /// from `start` upward that holds `environments/environments.yaml`.
    /// - Throws: `ConfigurationError` when there is none, or when `explicit` is empty.
    public static func locate(explicit: String?, from start: URL) throws -> URL {
        if let explicit {
            guard !explicit.isEmpty else { throw ConfigurationError(.emptyProjectOption) }
            let url = URL(fileURLWithPath: explicit, relativeTo: start).standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(configPath).path) else {
                throw ConfigurationError(.notAProject(explicit))
            }
            return url
        }
        var folder = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(configPath).path) { return folder }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        throw ConfigurationError(.noProject(searchedFrom: start.path))
    }

    /// Loads the environments file of the project at `root`; `variables` expand `${VAR}` in URLs
    /// to find two environments on one database.
    /// - Throws: `ConfigurationError` naming `environments/environments.yaml:line` for bad YAML,
    ///   an unknown key (with the closest valid key), a bad value, an undeclared environment, or
    ///   two environments whose URLs expand to the same database, schema and table prefix.
    public init(root: URL, variables: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.root = root
        let path = Self.configPath
        let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path)
        if let data, let fault = TextFault(firstIn: data) {
            throw ConfigurationError(.unreadableText(fault.message), location: SourceLocation(file: path, line: fault.line, column: fault.column))
        }
        guard let data, let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.cannotRead(path), location: SourceLocation(file: path))
        }
        let node: Node
        do {
            // The basic resolver: the reader below takes every scalar as its text and decides its
            // type itself, so Yams's implicit tags (bool, int, timestamp…) would go unused, and
            // their regular expressions cost every command a tenth of its start-up.
            guard let composed = try Yams.compose(yaml: text, .basic) else {
                throw ConfigurationError(.emptyFile(path), location: SourceLocation(file: path, line: 1))
            }
            node = composed
        } catch let error as YamlError {
            throw Self.describe(error, path: path, text: text)
        }
        let reader = YAMLReader(path: path)
        let top = try reader.mapping(node, what: "the environments file")
        try reader.checkKeys(
            top, allowed: Self.keys, what: "top-level key")

        versionsDirectory = try top["versions"].map { try reader.path($0, key: "versions", root: root) } ?? Self.resolve("versions", against: root)
        promotion = try top["promotion"].map { try reader.stringList($0, key: "promotion") } ?? []
        tablePrefix = try top["table_prefix"].map { try reader.tablePrefix($0) } ?? "godwit_"
        auditLog = try top["audit_log"].map { try reader.auditLog($0, root: root) }
        schemaFile = try top["schema"].map { try reader.path($0, key: "schema", root: root) }
        scratchURL = try top["scratch_url"].map { try reader.string($0, key: "scratch_url") }
        let variables = try TemplateVariables(top["vars"], reader: reader)
        self.variables = variables

        guard let environmentsNode = top["environments"] else {
            throw ConfigurationError(.noEnvironments(path: path), location: SourceLocation(file: path, line: 1))
        }
        var environments: [String: Environment] = [:]
        let entries = try reader.mappingEntries(environmentsNode, what: "'environments'")
        if entries.isEmpty {
            throw ConfigurationError(.emptyEnvironments, location: reader.location(environmentsNode))
        }
        for (name, keyNode, value) in entries {
            guard RevisionFile.isValidID(name.replacingOccurrences(of: "-", with: "_")) else {
                throw ConfigurationError(.invalidEnvironmentName(name), location: reader.location(keyNode))
            }
            let environment = try Environment(name: name, node: value, reader: reader, nameLine: reader.location(keyNode).line, inheritedVariables: variables)
            // A URL without `${VAR}` is read now, so that a bad one stops every command before it
            // starts; one with variables is read when its environment is used.
            if !environment.isFleet, !environment.urlTemplate.contains("${") { _ = try environment.url(root: root, variables: [:]) }
            environments[name] = environment
        }
        self.environments = environments

        for name in promotion where environments[name] == nil {
            throw ConfigurationError(.undeclaredInPromotion(name), location: reader.location(top["promotion"]))
        }
        if Set(promotion).count != promotion.count {
            let names = promotion
            let twice = names.first { name in names.filter { $0 == name }.count > 1 } ?? ""
            throw ConfigurationError(.promotedTwice(twice), location: reader.location(top["promotion"]))
        }
        if let node = top["default_environment"] {
            let name = try reader.string(node, key: "default_environment")
            guard let environment = environments[name] else {
                throw ConfigurationError(
                    .unknownDefaultEnvironment(name, suggestion: closestMatch(to: name, in: Array(environments.keys))), location: reader.location(node))
            }
            guard !environment.isProtected else {
                throw ConfigurationError(.protectedDefaultEnvironment(name), location: reader.location(node))
            }
            defaultEnvironment = name
        } else {
            defaultEnvironment = nil
        }
    }

    /// A path of the environments file: absolute as written, else relative to the project root.
    static func resolve(_ path: String, against root: URL) -> URL {
        (path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)).standardizedFileURL
    }

    /// The environment named `name`, or the default one when `name` is nil.
    /// - Throws: `ConfigurationError` for an unknown name (with a suggestion) or no default.
    public func environment(_ name: String?) throws -> Environment {
        guard let name = name ?? defaultEnvironment else {
            if environments.count == 1 { return environments.values.first! }
            throw ConfigurationError(.noEnvironmentGiven(environments: environments.keys.sorted()))
        }
        guard let environment = environments[name] else {
            throw ConfigurationError(
                .unknownEnvironment(name, suggestion: closestMatch(to: name, in: Array(environments.keys)), environments: environments.keys.sorted()))
        }
        return environment
    }

    /// The environment that must already have a revision before `environment` may get it.
    public func predecessor(of environment: String) -> String? {
        guard let index = promotion.firstIndex(of: environment), index > 0 else { return nil }
        return promotion[index - 1]
    }

    /// Loads the revision graph from the versions folder.
    /// - Throws: `RevisionFileError` or `GraphError`.
    public func loadGraph() throws -> RevisionGraph {
        try RevisionGraph.load(directory: versionsDirectory, root: root)
    }

    /// Loads the repeatables of `versions/repeatable/` in file-name order (SPEC §11).
    /// - Throws: `RevisionFileError` for a bad file.
    public func loadRepeatables() throws -> [Repeatable] {
        try RepeatableFile.load(versions: versionsDirectory, root: root)
    }

    /// The versions folder relative to the root.
    public var versionsPath: String { RevisionGraph.relativePath(of: versionsDirectory, to: root) }

    /// The `after_upgrade.sql` hook of an environment, when the file exists.
    public func afterUpgradeHook(for environment: String) -> URL? {
        let url = root.appendingPathComponent("environments/\(environment)/after_upgrade.sql")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static func describe(_ error: YamlError, path: String, text: String) -> ConfigurationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml's own words only: they never quote the file's content.
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ConfigurationError(.invalidYAML(what), location: SourceLocation(file: path, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams describes this with a dump of the mapping, which may hold a URL's password:
            // name the key and find the line of its second occurrence instead.
            let key = duplicates.sorted().first ?? "?"
            return ConfigurationError(
                .duplicateKey(key), location: SourceLocation(file: path, line: duplicateLine(of: key, in: text, from: context.mark.line)))
        case .reader(let problem, _, _, _):
            return ConfigurationError(.unreadableYAML(problem), location: SourceLocation(file: path))
        default:
            return ConfigurationError(.invalidYAML(nil), location: SourceLocation(file: path))
        }
    }

    /// The line of the second `key:` at one indentation, from line `start` on.
    static func duplicateLine(of key: String, in text: String, from start: Int) -> Int? {
        var firstIndent: Int?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index + 1 >= start {
            let line = String(raw)
            let indent = line.prefix { $0 == " " }.count
            var rest = line.dropFirst(indent)
            if rest.hasPrefix("- ") { continue }
            for quote in ["\"", "'"] where rest.hasPrefix(quote) { rest = rest.dropFirst() }
            guard rest.hasPrefix(key) else { continue }
            let after = rest.dropFirst(key.count).drop { $0 == "\"" || $0 == "'" || $0 == " " }
            guard after.hasPrefix(":") else { continue }
            if let first = firstIndent {
                if first == indent { return index + 1 }
            } else {
                firstIndent = indent
            }
        }
        return nil
    }
}

/// A YAML mapping's values by key, and the key nodes (for the line of an unknown key).
struct YAMLMapping {
    var values: [String: Node] = [:]
    var keyNodes: [String: Node] = [:]

    subscript(key: String) -> Node? { values[key] }
}

/// Reads typed values out of a YAML node tree, with `path:line` in every error.
struct YAMLReader {
    let path: String

    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: path, line: node?.mark?.line, column: nil)
    }

    func mappingEntries(_ node: Node, what: String) throws -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(.notAMapping(what: what), location: location(node))
        }
        var seen: [String: Int] = [:]
        var result: [(String, Node, Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw ConfigurationError(.keyNotAName(what: what), location: location(key))
            }
            if let first = seen[scalar.string] {
                throw ConfigurationError(.keyGivenTwice(scalar.string, firstLine: first), location: location(key))
            }
            seen[scalar.string] = key.mark?.line ?? 0
            result.append((scalar.string, key, value))
        }
        return result
    }

    func mapping(_ node: Node, what: String) throws -> YAMLMapping {
        var result = YAMLMapping()
        for (key, keyNode, value) in try mappingEntries(node, what: what) {
            result.values[key] = value
            result.keyNodes[key] = keyNode
        }
        return result
    }

    func checkKeys(_ mapping: YAMLMapping, allowed: [String], what: String) throws {
        for key in mapping.values.keys.sorted() where !allowed.contains(key) {
            throw ConfigurationError(
                .unknownKey(key, what: what, suggestion: closestMatch(to: key, in: allowed), allowed: allowed), location: location(mapping.keyNodes[key]))
        }
    }

    /// A value that must be one of an enumeration's raw values.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, key: String, of environment: String) throws -> T where T.RawValue == String {
        let text = try string(node, key: key)
        guard let value = T(rawValue: text) else {
            throw ConfigurationError(
                .notAChoice(key: key, value: text, environment: environment, choices: T.allCases.map(\.rawValue)), location: location(node),
                environment: environment)
        }
        return value
    }

    func string(_ node: Node, key: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigurationError(.notAScalar(key: key), location: location(node))
        }
        return scalar.string
    }

    func bool(_ node: Node, key: String) throws -> Bool {
        let text = try string(node, key: key).lowercased()
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigurationError(.notABool(key: key, value: text), location: location(node))
        }
    }

    func stringList(_ node: Node, key: String) throws -> [String] {
        guard case .sequence(let sequence) = node else {
            throw ConfigurationError(.notAList(key: key), location: location(node))
        }
        return try sequence.map { try string($0, key: key) }
    }

    /// A path (`versions`, `schema`, `audit_log`): not empty, `${VAR}` expanded, resolved against `root`.
    func path(_ node: Node, key: String, root: URL) throws -> URL {
        let text = try string(node, key: key)
        guard !text.isEmpty else { throw ConfigurationError(.emptyPath(key: key), location: location(node)) }
        let expanded: String
        do {
            expanded = try VariableExpansion.expand(text, variables: ProcessInfo.processInfo.environment)
        } catch .unclosed {
            throw ConfigurationError(.unclosedVariableInKey(key: key), location: location(node))
        } catch .unset(let name) {
            throw ConfigurationError(.unsetVariableInKey(name, key: key), location: location(node))
        }
        guard !expanded.isEmpty else { throw ConfigurationError(.emptyPath(key: key), location: location(node)) }
        return Project.resolve(expanded, against: root)
    }

    /// `audit_log`: a path that names a file, or a file to be created in a folder that is not a file.
    func auditLog(_ node: Node, root: URL) throws -> URL {
        let url = try path(node, key: "audit_log", root: root)
        let written = try string(node, key: "audit_log")
        var isFolder: ObjCBool = false
        if written.hasSuffix("/") || (FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue) {
            throw ConfigurationError(.auditLogIsFolder(written), location: location(node))
        }
        var folder = url.deletingLastPathComponent()
        while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            folder = folder.deletingLastPathComponent()
        }
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) && !isFolder.boolValue {
            throw ConfigurationError(.auditLogFolderIsFile(written), location: location(node))
        }
        return url
    }

    /// `table_prefix`: `[A-Za-z_][A-Za-z0-9_]*`, at most `Project.maxTablePrefixLength` bytes.
    func tablePrefix(_ node: Node) throws -> String {
        let prefix = try string(node, key: "table_prefix")
        guard !prefix.isEmpty else { throw ConfigurationError(.emptyTablePrefix, location: location(node)) }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let bytes = Array(prefix.utf8)
        guard isLetter(bytes[0]), bytes.allSatisfy({ isLetter($0) || isDigit($0) }) else {
            throw ConfigurationError(.invalidTablePrefix(prefix), location: location(node))
        }
        guard bytes.count <= Project.maxTablePrefixLength else {
            throw ConfigurationError(.tablePrefixTooLong(prefix, limit: Project.maxTablePrefixLength), location: location(node))
        }
        return prefix
    }

    func timeout(_ node: Node, key: String) throws -> TimeoutValue {
        let text = try string(node, key: key)
        guard let value = TimeoutValue(parsing: text) else {
            throw ConfigurationError(.notADuration(key: key, value: text), location: location(node))
        }
        return value
    }
}
