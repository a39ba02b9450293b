import Foundation
import GodwitCore
import Yams

/// How a fleet declares its targets (SPEC §10): the `targets:` key of an environment, read but
/// not yet resolved — a glob, a catalog query or a schema query is only run when the
/// environment is used (`FleetResolver`).
public enum FleetTargets: Sendable, Hashable {
    /// One URL per target, in the order written; `line` is where the URL is.
    public struct Entry: Sendable, Hashable {
        /// The target's name.
        public var name: String
        /// Its URL as written, `${VAR}` not yet expanded.
        public var urlTemplate: String
        /// Where the URL is written.
        public var location: SourceLocation
    }

    /// `list:` a name for each URL.
    case list([Entry], location: SourceLocation)
    /// `glob:` SQLite files (relative to the project root); a target's name is the file's stem.
    case glob(String, location: SourceLocation)
    /// `query:` run on `catalog_url`, returning two text columns: name and URL.
    case query(String, catalogURL: String, location: SourceLocation)
    /// `schemas:` run on `url`, returning one schema per tenant in that one database.
    case schemas(String, url: String, location: SourceLocation)

    /// The keys `targets:` may hold.
    static let keys = ["list", "glob", "query", "catalog_url", "schemas", "url"]
    /// The forms, one of which `targets:` must name.
    static let forms = ["list", "glob", "query", "schemas"]

    /// Where `targets:` is written.
    public var location: SourceLocation {
        switch self {
        case .list(_, let location), .glob(_, let location), .query(_, _, let location), .schemas(_, _, let location): return location
        }
    }

    /// The form's name, as written in the file.
    public var form: String {
        switch self {
        case .list: return "list"
        case .glob: return "glob"
        case .query: return "query"
        case .schemas: return "schemas"
        }
    }

    /// Reads `targets:` of an environment's mapping; nil when it has none.
    /// - Throws: `FleetError` (with `path:line`) for `url` next to `targets`, no form or several,
    ///   a missing or misplaced `catalog_url`/`url`; `ConfigurationError` for an unknown key or a bad value.
    init?(_ map: YAMLMapping, environment: String, reader: YAMLReader) throws {
        guard let node = map["targets"] else { return nil }
        let location = reader.location(node)
        if map["url"] != nil {
            throw FleetError(.urlAndTargets(environment: environment), location: reader.location(map.keyNodes["url"]), environment: environment)
        }
        let targets = try reader.mapping(node, what: "'targets' of environment '\(environment)'")
        try reader.checkKeys(targets, allowed: Self.keys, what: "key of 'targets' of environment '\(environment)'")
        let given = Self.forms.filter { targets[$0] != nil }
        guard let form = given.first else {
            throw FleetError(.noTargetsForm(environment: environment), location: location, environment: environment)
        }
        if given.count > 1 {
            throw FleetError(.severalTargetsForms(environment: environment, forms: given), location: reader.location(targets.keyNodes[given[1]]), environment: environment)
        }
        for (key, owner) in [("catalog_url", "query"), ("url", "schemas")] where targets[key] != nil && form != owner {
            throw FleetError(.keyWithoutForm(environment: environment, key: key, form: owner), location: reader.location(targets.keyNodes[key]), environment: environment)
        }
        func required(_ key: String) throws -> String {
            guard let value = targets[key] else {
                throw FleetError(.missingTargetsKey(environment: environment, form: form, key: key), location: reader.location(targets.keyNodes[form]), environment: environment)
            }
            return try reader.string(value, key: key)
        }
        switch form {
        case "list":
            let entries = try reader.mappingEntries(targets["list"] ?? node, what: "'targets.list' of environment '\(environment)'")
            self = .list(
                try entries.map { entry in Entry(name: entry.0, urlTemplate: try reader.string(entry.2, key: entry.0), location: reader.location(entry.2)) },
                location: location)
        case "glob":
            self = .glob(try required("glob"), location: location)
        case "query":
            self = .query(try required("query"), catalogURL: try required("catalog_url"), location: location)
        default:
            self = .schemas(try required("schemas"), url: try required("url"), location: location)
        }
    }
}

/// How a fleet's targets are rolled out: the `rollout:` key (SPEC §10).
public struct RolloutPolicy: Sendable, Hashable {
    /// The targets that go first, alone.
    public enum Canary: Sendable, Hashable {
        /// The first `n` targets in the fleet's order.
        case count(Int)
        /// These targets, by name.
        case names([String])
    }

    /// What the other targets do after one fails.
    public enum ErrorPolicy: String, Sendable, Hashable, CaseIterable {
        /// Start no new target; the ones not started are `skipped`.
        case stop
        /// Finish every other target; exit 1 at the end.
        case `continue`
    }

    /// The canary, when there is one.
    public var canary: Canary?
    /// How many targets run at once (default 4).
    public var parallel: Int
    /// What a failure does to the rest (default `stop`).
    public var onError: ErrorPolicy

    /// The keys `rollout:` may hold.
    static let keys = ["canary", "parallel", "on_error"]

    /// Creates a policy.
    public init(canary: Canary? = nil, parallel: Int = 4, onError: ErrorPolicy = .stop) {
        self.canary = canary
        self.parallel = parallel
        self.onError = onError
    }

    /// Reads `rollout:` of an environment's mapping; the defaults when it has none.
    /// - Throws: `FleetError` for `rollout` without `targets` or a bad value; `ConfigurationError` for an unknown key.
    init(_ map: YAMLMapping, environment: String, isFleet: Bool, reader: YAMLReader) throws {
        self.init()
        guard let node = map["rollout"] else { return }
        guard isFleet else {
            throw FleetError(.rolloutWithoutTargets(environment: environment), location: reader.location(map.keyNodes["rollout"]), environment: environment)
        }
        let rollout = try reader.mapping(node, what: "'rollout' of environment '\(environment)'")
        try reader.checkKeys(rollout, allowed: Self.keys, what: "key of 'rollout' of environment '\(environment)'")
        if let value = rollout["parallel"] {
            let text = try reader.string(value, key: "parallel")
            guard let count = Int(text), count >= 1 else {
                throw FleetError(.invalidParallel(environment: environment, value: text), location: reader.location(value), environment: environment)
            }
            parallel = count
        }
        if let value = rollout["on_error"] {
            let text = try reader.string(value, key: "on_error")
            guard let policy = ErrorPolicy(rawValue: text) else {
                throw FleetError(.invalidOnError(environment: environment, value: text), location: reader.location(value), environment: environment)
            }
            onError = policy
        }
        if let value = rollout["canary"] {
            if case .sequence = value {
                canary = .names(try reader.stringList(value, key: "canary"))
            } else {
                let text = try reader.string(value, key: "canary")
                guard let count = Int(text), count >= 0 else {
                    throw FleetError(.invalidCanary(environment: environment, value: text), location: reader.location(value), environment: environment)
                }
                canary = count == 0 ? nil : .count(count)
            }
        }
    }
}
