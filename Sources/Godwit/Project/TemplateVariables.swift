import GodwitCore
import Yams

/// The `vars:` of the environments file (SPEC §11): names to values as written, `${VAR}` not yet
/// expanded, each with the line that defines it. The top level's apply to every environment and to
/// the scratch database; an environment's own win over them.
public struct TemplateVariables: Sendable {
    /// One variable as written.
    public struct Definition: Sendable {
        /// The value, `${VAR}` not yet expanded.
        public var value: String
        /// Where the value is written, for errors.
        public var location: SourceLocation
    }

    /// The variables by name.
    public internal(set) var definitions: [String: Definition] = [:]

    /// No variables.
    init() {}

    /// Reads a `vars:` mapping (nil when the key is absent).
    /// - Throws: `ConfigurationError` at the line of a name that is not `[A-Za-z_][A-Za-z0-9_]*`
    ///   or of a value that is a list or a mapping.
    init(_ node: Node?, reader: YAMLReader) throws {
        guard let node else { return }
        for (name, keyNode, value) in try reader.mappingEntries(node, what: "'vars'") {
            guard Self.isValidName(name) else {
                throw ConfigurationError(.invalidVariableName(name), location: reader.location(keyNode))
            }
            guard case .scalar(let scalar) = value else {
                throw ConfigurationError(.variableNotAString(name), location: reader.location(value))
            }
            definitions[name] = Definition(value: scalar.string, location: reader.location(value))
        }
    }

    /// True for `[A-Za-z_][A-Za-z0-9_]*`, the names `{{ name }}` can use.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// These variables with `other`'s added, `other`'s winning where both define a name.
    func overridden(by other: TemplateVariables) -> TemplateVariables {
        var merged = self
        merged.definitions.merge(other.definitions) { _, new in new }
        return merged
    }

    /// The values with `${VAR}` and `${VAR:-default}` expanded from `process`.
    /// - Throws: `ConfigurationError` at the value's line, naming the unset variable and `environment`.
    public func expanded(from process: [String: String], environment: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for (name, definition) in definitions {
            do {
                values[name] = try VariableExpansion.expand(definition.value, variables: process)
            } catch .unclosed {
                throw ConfigurationError(.unsetVariableInVars(nil, name: name, environment: environment), location: definition.location, environment: environment)
            } catch .unset(let variable) {
                throw ConfigurationError(
                    .unsetVariableInVars(variable, name: name, environment: environment), location: definition.location, environment: environment)
            }
        }
        return values
    }
}

extension Workspace {
    /// The values of `{{ name }}` in the revisions run on `environment`: its `vars:` over the top
    /// level's, `${VAR}` expanded from the process environment.
    /// - Throws: `ConfigurationError` at the line of a value whose `${VAR}` is unset.
    public func sqlVariables(of environment: Environment) throws -> [String: String] {
        try environment.variables.expanded(from: variables, environment: environment.name)
    }

    /// The values of `{{ name }}` in the scratch database (autogenerate, `schema dump --expected`):
    /// the top-level `vars:`.
    /// - Throws: `ConfigurationError` at the line of a value whose `${VAR}` is unset.
    public func scratchSQLVariables() throws -> [String: String] {
        try project.variables.expanded(from: variables, environment: "scratch")
    }
}
