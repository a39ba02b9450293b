import GodwitCore

/// The small JSON documents of SPEC §9 that belong to no library type.
public enum CommandJSON {
    /// `revision` and `merge`: the new revision's id and path.
    public static func written(id: String, path: String) -> JSONValue {
        .object(["revision": .string(id), "path": .string(path)])
    }

    /// `init`: the project folder, the files written and those skipped because they exist (`--force`).
    public static func scaffold(project: String, files: [String], skipped: [String] = []) -> JSONValue {
        .object(["project": .string(project), "files": .strings(files), "skipped": .strings(skipped)])
    }

    /// `--sql`: the environment and the script.
    public static func script(environment: String, sql: String) -> JSONValue {
        .object(["environment": .string(environment), "sql": .string(sql)])
    }

    /// `wait`: the environment reached its target, with these heads.
    public static func reached(environment: String, heads: [String]) -> JSONValue {
        .object(["environment": .string(environment), "reached": .bool(true), "heads": .strings(heads)])
    }

    /// `status`: every environment read.
    public static func status(_ environments: [EnvironmentStatus]) -> JSONValue {
        .object(["environments": .array(environments.map(\.json))])
    }

    /// `diff`: whether the two sides match, and what differs.
    public static func diff(_ differences: [SchemaDifference]) -> JSONValue {
        .object(["ok": .bool(differences.isEmpty), "changes": .array(differences.map(\.json))])
    }
}
