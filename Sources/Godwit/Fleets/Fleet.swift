import GodwitCore

/// A fleet with its targets resolved (SPEC §10): each target an `Environment` of its own — the
/// fleet's settings with the target's URL (and, for `schemas`, its schema) — so that it keeps its
/// own Godwit tables, lock and audit chain.
public struct Fleet: Sendable {
    /// One database (or schema) of the fleet.
    public struct Member: Sendable {
        /// The target's name: a `list` key, a file's stem, the catalog's name column, a schema.
        public var name: String
        /// The environment to run a `Migrator` on: the fleet's name and settings, this target's URL.
        public var environment: Environment
    }

    /// The fleet's environment, as declared.
    public var environment: Environment
    /// The targets, in the fleet's order: `list` as written, `glob` by name, `query` and `schemas`
    /// in the order their query returns.
    public var members: [Member]

    /// The fleet's name.
    public var name: String { environment.name }

    /// The canary targets of `rollout.canary`, in the fleet's order.
    /// - Throws: `FleetError.unknownCanary` for a name the fleet does not have.
    public func canaryNames() throws -> [String] {
        switch environment.rollout.canary {
        case nil:
            return []
        case .count(let count):
            return members.prefix(count).map(\.name)
        case .names(let names):
            let known = Set(members.map(\.name))
            if let unknown = names.first(where: { !known.contains($0) }) {
                throw FleetError(.unknownCanary(name: unknown, environment: name), location: environment.urlLocation, environment: name)
            }
            let wanted = Set(names)
            return members.map(\.name).filter { wanted.contains($0) }
        }
    }
}

extension Environment {
    /// This fleet's settings for one target: its URL (as written) and, for `schemas`, its schema.
    func member(urlTemplate: String, location: SourceLocation, schema: String? = nil) -> Environment {
        var copy = self
        copy.targets = nil
        copy.urlTemplate = urlTemplate
        copy.urlLocation = location
        if let schema { copy.schema = schema }
        return copy
    }
}

extension Environment {
    /// For a fleet, one target's settings whose URL says the fleet's dialect, found without
    /// reading a catalog where possible (`glob` is SQLite, `list` its first URL, `schemas` its
    /// database); `query` resolves the fleet. Nil when none can be had.
    func dialectMember(in workspace: Workspace) -> Environment? {
        switch targets {
        case nil: return self
        case .list(let entries, _): return entries.first.map { member(urlTemplate: $0.urlTemplate, location: $0.location) }
        case .glob(_, let location): return member(urlTemplate: "sqlite::memory:", location: location)
        case .schemas(_, let urlTemplate, let location): return member(urlTemplate: urlTemplate, location: location)
        case .query: return (try? FleetResolver(workspace: workspace).resolve(self))?.members.first?.environment
        }
    }
}
