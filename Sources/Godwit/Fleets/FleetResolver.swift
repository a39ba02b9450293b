import Foundation
import GodwitCore

#if canImport(Glibc)
import Glibc
#endif

/// Resolves a fleet's `targets:` when the environment is used (SPEC §10): lists as written, globs
/// on disk, a catalog query through the drivers, a schema query on the fleet's database.
public struct FleetResolver: Sendable {
    /// The workspace, for the project root, the drivers and `${VAR}` expansion.
    public let workspace: Workspace

    /// Creates a resolver.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The fleet's targets.
    /// - Throws: `FleetError` for a catalog that cannot be read (naming it, redacted), rows of the
    ///   wrong shape, two targets of one name or a schema name Godwit cannot use;
    ///   `ConfigurationError` for an unset variable or a URL no driver opens.
    public func resolve(_ environment: Environment) throws -> Fleet {
        guard let targets = environment.targets else {
            throw FleetError(.selectionWithoutFleet(environment: environment.name), environment: environment.name)
        }
        let members: [Fleet.Member]
        switch targets {
        case .list(let entries, _):
            members = entries.map { entry in
                Fleet.Member(name: entry.name, environment: environment.member(urlTemplate: entry.urlTemplate, location: entry.location))
            }
        case .glob(let pattern, let location):
            members = try Self.files(matching: pattern, root: workspace.project.root).map { path in
                let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                return Fleet.Member(name: name, environment: environment.member(urlTemplate: "sqlite://" + path, location: location))
            }
        case .query(let sql, let catalogTemplate, let location):
            let catalog = environment.member(urlTemplate: catalogTemplate, location: location)
            members = try catalogRows(sql, on: catalog, fleet: environment.name).map { row in
                guard row.count == 2, let name = row[0], let url = row[1] else {
                    throw FleetError(.catalogShape(environment: environment.name, expected: "two text columns, name and url, neither null"), location: location, environment: environment.name)
                }
                return Fleet.Member(name: name, environment: environment.member(urlTemplate: url, location: location))
            }
        case .schemas(let sql, let urlTemplate, let location):
            let database = environment.member(urlTemplate: urlTemplate, location: location)
            members = try catalogRows(sql, on: database, fleet: environment.name).map { row in
                guard let schema = row.first ?? nil else {
                    throw FleetError(.catalogShape(environment: environment.name, expected: "one text column, the schema's name"), location: location, environment: environment.name)
                }
                guard RevisionFile.isValidID(schema) else {
                    throw FleetError(.invalidTargetSchema(name: schema, environment: environment.name), location: location, environment: environment.name)
                }
                return Fleet.Member(name: schema, environment: environment.member(urlTemplate: urlTemplate, location: location, schema: schema))
            }
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.name).inserted {
            throw FleetError(.duplicateTarget(name: member.name, environment: environment.name), location: targets.location, environment: environment.name)
        }
        return Fleet(environment: environment, members: members)
    }

    /// Runs a catalog query read-only on `database` (a fleet's settings with the catalog's URL).
    /// - Throws: `FleetError.catalogUnreadable` naming the catalog; `ConfigurationError` for its URL.
    func catalogRows(_ sql: String, on database: Environment, fleet: String) throws -> [[String?]] {
        let url = try workspace.url(of: database)
        let driver = try workspace.driver(of: database, url: url)
        do {
            let connection = try driver.connect(to: url, options: ConnectionOptions(isReadOnly: true, applicationName: "godwit \(workspace.holder)"))
            defer { connection.close() }
            return try connection.query(sql)
        } catch let error as DatabaseError {
            throw FleetError(.catalogUnreadable(environment: fleet, url: url.description, reason: url.redact(error.message)), location: database.urlLocation, environment: fleet)
        }
    }

    /// The files matching a shell glob (relative to `root` unless absolute), sorted.
    static func files(matching pattern: String, root: URL) throws -> [String] {
        let absolute = pattern.hasPrefix("/") ? pattern : root.appendingPathComponent(pattern).path
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(absolute, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }
}
