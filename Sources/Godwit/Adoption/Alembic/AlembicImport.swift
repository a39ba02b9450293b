import Foundation
import GodwitCore

/// Reads an Alembic project through its own `alembic` executable: the graph from its
/// `ScriptDirectory` (ids, parents, branch labels, `depends_on`, messages, dates), and each
/// revision's upgrade and downgrade SQL from an offline run (`--sql`) of that revision alone,
/// in the dialect of the project's `sqlalchemy.url` (or of what `-x` arguments make `env.py` use).
public struct AlembicImport: Sendable {
    /// The `alembic.ini` file.
    public let configFile: URL
    /// Values for Alembic's `-x` option, given to every run.
    public let xArguments: [String]
    /// The process environment: `PATH` and `VIRTUAL_ENV` find `alembic`.
    public let variables: [String: String]

    /// Creates an import of the project configured by `configFile`.
    public init(configFile: URL, xArguments: [String] = [], variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.configFile = configFile
        self.xArguments = xArguments
        self.variables = variables
    }

    /// One revision as Alembic's `ScriptDirectory` describes it.
    struct Entry: Decodable {
        var revision: String
        var downRevisions: [String]
        var branchLabels: [String]
        var dependsOn: [String]
        var doc: String
        var createDate: String?
        var path: String

        enum CodingKeys: String, CodingKey {
            case revision, doc, path
            case downRevisions = "down_revisions", branchLabels = "branch_labels", dependsOn = "depends_on", createDate = "create_date"
        }
    }

    /// Prints the graph as JSON, parents before children; dates as ISO 8601 UTC (a date without
    /// a time zone, as Alembic writes by default, is taken as UTC).
    static let graphScript = #"""
        import json, re, sys
        from datetime import datetime, timezone
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        def ids(value):
            if value is None:
                return []
            if isinstance(value, str):
                return [value]
            return list(value)

        def utc(text):
            try:
                date = datetime.fromisoformat(str(text).strip())
            except ValueError:
                return None
            if date.tzinfo is None:
                date = date.replace(tzinfo=timezone.utc)
            return date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        script = ScriptDirectory.from_config(Config(sys.argv[1]))
        entries = []
        for rev in reversed(list(script.walk_revisions())):
            doc = rev.module.__doc__ or ""
            match = re.search(r"^Create Date:\s*(.+?)\s*$", doc, re.M)
            date = match.group(1) if match else getattr(rev.module, "create_date", None)
            entries.append({
                "revision": rev.revision,
                "down_revisions": ids(rev.down_revision),
                "branch_labels": sorted(ids(getattr(rev, "_orig_branch_labels", None) or rev.module.__dict__.get("branch_labels"))),
                "depends_on": ids(getattr(rev, "_resolved_dependencies", None) or rev.dependencies),
                "doc": " ".join((rev.doc or "").split()),
                "create_date": None if date is None else utc(date),
                "path": rev.path,
            })
        json.dump(entries, sys.stdout)
        """#

    /// Reads the graph and every revision's SQL. A revision whose offline run fails, or whose id
    /// Godwit cannot take, is a problem (with the end of Alembic's stderr); so is every revision
    /// above it, whose parent would be missing.
    /// - Throws: `AlembicImportError` when the config file is missing, `alembic` is not on
    ///   `PATH`, or Alembic cannot read the revisions.
    public func read() throws -> ImportedHistory {
        let folder = configFile.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: configFile.path) else {
            throw AlembicImportError.configNotFound(path: configFile.path)
        }
        let tool = try AlembicTool.locate(variables: variables)
        let graph = try tool.python(Self.graphScript, [configFile.path], in: folder)
        guard graph.status == 0, let entries = try? JSONDecoder().decode([Entry].self, from: Data(graph.stdout.utf8)) else {
            throw AlembicImportError.graphUnreadable(config: configFile.path, stderr: Self.tail(graph.stderr))
        }
        let known = wholeRuns(of: entries, tool: tool, folder: folder)
        var revisions: [ImportedRevision] = []
        var problems: [ImportProblem] = []
        var bad: Set<String> = []
        for entry in entries {
            let source = relativePath(entry.path, to: folder)
            if let parent = (entry.downRevisions + entry.dependsOn).first(where: bad.contains) {
                bad.insert(entry.revision)
                problems.append(ImportProblem(file: source, reason: "not imported: it stands on '\(parent)', which did not convert"))
                continue
            }
            do throws(ConversionFailure) {
                revisions.append(try convert(entry, source: source, known: known, tool: tool, folder: folder))
            } catch {
                bad.insert(entry.revision)
                problems.append(error.problem)
            }
        }
        return ImportedHistory(revisions: revisions, problems: problems)
    }

    /// One revision with its SQL from two offline runs.
    func convert(_ entry: Entry, source: String, known: KnownSQL, tool: AlembicTool, folder: URL) throws(ConversionFailure) -> ImportedRevision {
        guard RevisionFile.isValidID(entry.revision) else {
            throw ConversionFailure(source, "revision id '\(entry.revision)' is not a Godwit id (letters, digits and _ only)")
        }
        let id = entry.revision
        let parent = entry.downRevisions.first
        var upgrade = known.upgrades[id]
        if upgrade == nil {
            upgrade = try sql(of: entry, .upgrade, ["upgrade", parent.map { "\($0):\(id)" } ?? id], source: source, tool: tool, folder: folder)
        }
        var downgrade = known.downgrades[id]
        if downgrade == nil {
            downgrade = try sql(of: entry, .downgrade, ["downgrade", "\(id):\(parent ?? "base")"], source: source, tool: tool, folder: folder)
        }
        // An `autocommit_block()` in either direction makes the revision non-transactional.
        let upgradeOutside = AlembicScript.withoutAutocommitBlocks(upgrade ?? "")
        let downgradeOutside = downgrade.flatMap(AlembicScript.withoutAutocommitBlocks)
        let isTransactional = upgradeOutside == nil && downgradeOutside == nil
        if !isTransactional {
            upgrade = upgradeOutside ?? upgrade
            downgrade = downgradeOutside ?? downgrade
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return ImportedRevision(
            id: id, downRevisions: entry.downRevisions, message: entry.doc, createDate: entry.createDate.flatMap(formatter.date(from:)),
            branchLabels: entry.branchLabels, dependsOn: entry.dependsOn, isTransactional: isTransactional, upgradeSQL: upgrade ?? "", downgradeSQL: downgrade, source: source)
    }

    /// The SQL of the revisions that whole offline runs gave: every upgrade from one run from
    /// base to all heads, every downgrade from one run per head down to base.
    struct KnownSQL {
        /// Upgrade SQL by revision.
        var upgrades: [String: String] = [:]
        /// Downgrade SQL by revision.
        var downgrades: [String: String] = [:]
    }

    /// A few offline runs over the whole graph, each revision's SQL cut out of them (Alembic prints
    /// the same SQL for a revision whatever the range, offline mode reading no state): one process
    /// per head instead of two per revision. A revision missing from them (a run failed) is run
    /// on its own, which isolates the failure and reports Alembic's error for that revision.
    func wholeRuns(of entries: [Entry], tool: AlembicTool, folder: URL) -> KnownSQL {
        var known = KnownSQL()
        let parents = Set(entries.flatMap(\.downRevisions))
        let heads = entries.map(\.revision).filter { !parents.contains($0) }
        // When one revision fails, the heads it is not below still come from one run each.
        if !collect(from: ["upgrade", "heads"], .upgrade, of: entries, into: &known.upgrades, tool: tool, folder: folder) {
            for head in heads { collect(from: ["upgrade", head], .upgrade, of: entries, into: &known.upgrades, tool: tool, folder: folder) }
        }
        for head in heads { collect(from: ["downgrade", "\(head):base"], .downgrade, of: entries, into: &known.downgrades, tool: tool, folder: folder) }
        return known
    }

    /// Runs `command` offline and files the SQL of each revision it printed that `sql` lacks;
    /// false when the run failed.
    @discardableResult
    func collect(
        from command: [String], _ direction: AlembicScript.Direction, of entries: [Entry], into sql: inout [String: String],
        tool: AlembicTool, folder: URL
    ) -> Bool {
        guard let output = try? tool.alembic(arguments(command), in: folder), output.status == 0 else { return false }
        for entry in entries where sql[entry.revision] == nil {
            sql[entry.revision] = AlembicScript.sql(of: entry.revision, direction, in: output.stdout)
        }
        return true
    }

    /// Alembic's arguments for `command` offline, with the config file and the `-x` values.
    func arguments(_ command: [String]) -> [String] {
        ["-c", configFile.path] + xArguments.flatMap { ["-x", $0] } + command + ["--sql"]
    }

    /// The SQL of one offline run, or the problem saying how it failed.
    func sql(
        of entry: Entry, _ direction: AlembicScript.Direction, _ command: [String], source: String, tool: AlembicTool, folder: URL
    ) throws(ConversionFailure) -> String {
        let shown = "alembic " + (command + ["--sql"]).joined(separator: " ")
        let output: AlembicTool.Output
        do {
            output = try tool.alembic(arguments(command), in: folder)
        } catch {
            throw ConversionFailure(source, "\(shown): \(error)")
        }
        guard output.status == 0 else {
            throw ConversionFailure(source, "\(shown) failed (exit \(output.status)):\n\(Self.tail(output.stderr))")
        }
        guard let sql = AlembicScript.sql(of: entry.revision, direction, in: output.stdout) else {
            throw ConversionFailure(source, "\(shown) printed no step for '\(entry.revision)'")
        }
        return sql
    }

    /// The last lines of Alembic's stderr that are not its INFO log, indented.
    static func tail(_ stderr: String, lines count: Int = 6) -> String {
        let lines = stderr.split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("INFO ") && !$0.allSatisfy(\.isWhitespace)
        }
        return lines.suffix(count).map { "    " + $0 }.joined(separator: "\n")
    }

    /// `path` relative to `folder` when it is inside it.
    func relativePath(_ path: String, to folder: URL) -> String {
        let base = folder.standardizedFileURL.path
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        return full.hasPrefix(base + "/") ? String(full.dropFirst(base.count + 1)) : full
    }
}

/// A revision that did not convert, thrown inside the import and listed in its problems.
struct ConversionFailure: Error {
    /// Where and why.
    var problem: ImportProblem

    init(_ file: String, _ reason: String) { problem = ImportProblem(file: file, reason: reason) }
}
