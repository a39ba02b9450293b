import Foundation
import GodwitCore
import Yams

/// One database of the project, as declared under `environments:` (SPEC §2).
public struct Environment: Sendable {
    /// Whether lint findings only warn or fail `check` and changes.
    public enum LintLevel: String, Sendable, CaseIterable { case warn, error }

    /// The environment's name.
    public let name: String
    /// The URL as written, `${VAR}` not yet expanded (empty for a fleet).
    public internal(set) var urlTemplate: String
    /// Where the URL is written, for errors.
    public internal(set) var urlLocation: SourceLocation
    /// Refuses to change without `--yes` or a typed confirmation.
    public let isProtected: Bool
    /// How long to wait for the migration lock (default 60s).
    public internal(set) var migrationLockTimeout: TimeoutValue
    /// PostgreSQL lock_timeout for the revisions' statements (default 5s).
    public let lockTimeout: TimeoutValue?
    /// PostgreSQL statement_timeout per statement.
    public let statementTimeout: TimeoutValue?
    /// PostgreSQL schema for Godwit's tables and the search_path.
    public internal(set) var schema: String?
    /// Advisory lock or lease row.
    public let lockMode: LockMode
    /// Lint level.
    public let lint: LintLevel
    /// The targets of a fleet (SPEC §10), nil for one database.
    public internal(set) var targets: FleetTargets?
    /// How a fleet's targets are rolled out (defaults when `rollout:` is absent).
    public let rollout: RolloutPolicy
    /// The `vars:` for `{{ name }}` in revisions: the top level's, overridden by the environment's own.
    public internal(set) var variables: TemplateVariables

    /// True when the environment stands for many databases (`targets:` instead of `url:`).
    public var isFleet: Bool { targets != nil }

    static let keys = ["url", "targets", "rollout", "protected", "lock_timeout", "statement_timeout", "schema", "lock", "lint", "vars"]

    init(name: String, node: Node, reader: YAMLReader, nameLine: Int?, inheritedVariables: TemplateVariables = TemplateVariables()) throws {
        self.name = name
        let map = try reader.mapping(node, what: "environment '\(name)'")
        try reader.checkKeys(map, allowed: Self.keys, what: "key of environment '\(name)'")
        variables = inheritedVariables.overridden(by: try TemplateVariables(map["vars"], reader: reader))
        targets = try FleetTargets(map, environment: name, reader: reader)
        rollout = try RolloutPolicy(map, environment: name, isFleet: targets != nil, reader: reader)
        if let targets {
            urlTemplate = ""
            urlLocation = targets.location
        } else {
            guard let urlNode = map["url"] else {
                throw ConfigurationError(.missingURL(environment: name), location: SourceLocation(file: reader.path, line: nameLine), environment: name)
            }
            urlTemplate = try reader.string(urlNode, key: "url")
            urlLocation = reader.location(urlNode)
        }
        isProtected = try map["protected"].map { try reader.bool($0, key: "protected") } ?? false
        // lock_timeout bounds the wait for the migration lock (SPEC §2); the per-statement
        // PostgreSQL lock_timeout defaults to 5s (SPEC §6) and follows it when it is shorter.
        migrationLockTimeout = try map["lock_timeout"].map { try reader.timeout($0, key: "lock_timeout") } ?? TimeoutValue(milliseconds: 60_000)
        lockTimeout = try map["lock_timeout"].map { try reader.timeout($0, key: "lock_timeout") }
        statementTimeout = try map["statement_timeout"].map { try reader.timeout($0, key: "statement_timeout") }
        schema = try map["schema"].map { try reader.string($0, key: "schema") }
        if let schema, !RevisionFile.isValidID(schema) {
            throw ConfigurationError(
                .invalidSchemaName(schema, environment: name), location: reader.location(map["schema"]), environment: name)
        }
        lockMode = try map["lock"].map { try reader.choice($0, key: "lock", of: name) } ?? .advisory
        lint = try map["lint"].map { try reader.choice($0, key: "lint", of: name) } ?? .warn
    }

    /// The migration lock of this environment, held by `holder`.
    public func lockRequest(tablePrefix: String, holder: String) -> LockRequest {
        LockRequest(name: "\(schema ?? "public").\(tablePrefix)", tablePrefix: tablePrefix, mode: lockMode, timeout: migrationLockTimeout, holder: holder)
    }

    /// The statement lock_timeout for PostgreSQL sessions: the environment's, else 5s.
    public var effectiveLockTimeout: TimeoutValue { lockTimeout ?? TimeoutValue(milliseconds: 5000) }

    /// The database URL with `${VAR}` and `${VAR:-default}` expanded from `variables`.
    /// - Throws: `ConfigurationError` naming the variable and this environment when one is unset,
    ///   or at the line of `url:` when the URL cannot be read (naming the variables it came from);
    ///   `FleetError.notSupported` for a fleet, which has no one URL.
    public func url(root: URL, variables: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseURL {
        if isFleet { throw FleetError(.notSupported(environment: name, command: nil), environment: name) }
        let text = try Self.expand(urlTemplate, variables: variables, environment: name, location: urlLocation)
        do {
            return try DatabaseURL(parsing: text, root: root)
        } catch let error as ContextualError {
            throw ConfigurationError(
                .invalidURL(error.message, variables: VariableExpansion.names(in: urlTemplate)), location: urlLocation, environment: name)
        }
    }

    /// Expands `${VAR}` and `${VAR:-default}` in `text`.
    /// - Throws: `ConfigurationError` for an unset variable without default or an unclosed `${`.
    public static func expand(
        _ text: String, variables: [String: String], environment: String, location: SourceLocation?
    ) throws -> String {
        do {
            return try VariableExpansion.expand(text, variables: variables)
        } catch .unclosed {
            throw ConfigurationError(.unclosedVariable(environment: environment), location: location, environment: environment)
        } catch .unset(let name) {
            throw ConfigurationError(.unsetVariable(name, environment: environment), location: location, environment: environment)
        }
    }
}

/// `${VAR}` and `${VAR:-default}` in the environments file, expanded from the process environment.
enum VariableExpansion {
    /// What keeps a text from being expanded.
    enum Fault: Error {
        /// `${` without `}`.
        case unclosed
        /// A variable that is not set and has no default.
        case unset(String)
    }

    /// `text` with every `${VAR}` replaced by its value and `${VAR:-default}` by the value when it
    /// is set and not empty, else by the default.
    /// - Throws: `Fault`.
    static func expand(_ text: String, variables: [String: String]) throws(Fault) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw .unclosed }
            let expression = rest[start.upperBound..<end]
            let name: Substring
            var fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
            }
            if let value = variables[String(name)], !(fallback != nil && value.isEmpty) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                throw .unset(String(name))
            }
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// The names of the variables `text` mentions, in order.
    static func names(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            let expression = rest[start.upperBound..<end]
            let name = String(expression.range(of: ":-").map { expression[..<$0.lowerBound] } ?? expression)
            if !names.contains(name) { names.append(name) }
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}
