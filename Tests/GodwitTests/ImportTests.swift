import Foundation
import GodwitCore
import GodwitSQLite
import GodwitTestSupport
import Testing

@testable import Godwit

/// Folders of another tool's files, written from literals or read from Tests/Fixtures/import.
enum ImportFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/import")

    /// A fixture folder: `flyway`, `golang-migrate`, `goose` or `dbmate`.
    static func folder(_ tool: String) -> URL { root.appendingPathComponent(tool) }

    /// A temporary folder holding `files` (relative path → text).
    static func literal(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return folder
    }

    /// The values of the Flyway fixture's placeholders, as `vars:` gives them to the imported SQL.
    static let flywayPlaceholders = ["owner": "app", "threshold": "100"]

    /// `vars:` with the Flyway fixture's placeholders: top-level lines of an environments file.
    static let flywayVars = "vars:\n  owner: app\n  threshold: \"100\"\n"

    /// The text of a fixture file.
    static func text(_ tool: String, _ path: String) throws -> String {
        try String(contentsOf: folder(tool).appendingPathComponent(path), encoding: .utf8)
    }

    /// The upgrade SQL each tool runs, in the order it runs it, cut from the files the way the tool
    /// reads them (the test's own reading: the importers are what is under test).
    static func nativeUpgrades(_ tool: String) throws -> [String] {
        func section(_ text: String, after up: String, before down: String) -> String {
            let lines = text.components(separatedBy: "\n")
            guard let start = lines.firstIndex(where: { $0.hasPrefix(up) }) else { return "" }
            let end = lines[(start + 1)...].firstIndex { $0.hasPrefix(down) } ?? lines.count
            return lines[(start + 1)..<end].joined(separator: "\n")
        }
        switch tool {
        case "flyway":
            // Flyway runs its repeatables after the versioned migrations, placeholders replaced.
            let repeatable = flywayPlaceholders.reduce(try text(tool, "sql/R__big_orders.sql")) {
                $0.replacingOccurrences(of: "${\($1.key)}", with: $1.value)
            }
            return try ["sql/V1__create_users.sql", "sql/V1.1__add_email.sql", "sql/V1_2__add_orders.sql", "sql/later/V2__index_orders.sql",
                "sql/later/V10__audit_notes.sql"].map { try text(tool, $0) } + [repeatable]
        case "golang-migrate":
            return try ["0001_create_users.up.sql", "0002_add_orders.up.sql", "3_add_email.up.sql", "0010_audit_notes.up.sql"].map { try text(tool, $0) }
        case "goose":
            return try ["20240101120000_create_users.sql", "20240102120000_add_orders.sql", "20240103120000_index_orders.sql",
                "20240104120000_add_email.sql"].map { section(try text(tool, $0), after: "-- +goose Up", before: "-- +goose Down") }
        default:
            return try ["20240101000000_create_users.sql", "20240102000000_add_orders.sql", "20240103000000_index_orders.sql",
                "20240104000000_add_email.sql"].map { section(try text(tool, $0), after: "-- migrate:up", before: "-- migrate:down") }
        }
    }

    /// Reads a fixture folder with its tool's importer.
    static func read(_ tool: String, folder: URL? = nil) throws -> ImportedHistory {
        let url = folder ?? self.folder(tool)
        switch tool {
        case "flyway": return try FlywayImport().read(folder: url)
        case "golang-migrate": return try GolangMigrateImport().read(folder: url)
        case "goose": return try GooseImport().read(folder: url)
        default: return try DbmateImport().read(folder: url)
        }
    }
}

struct ImportTests {
    // MARK: Each tool's conventions, on the fixture folders.

    @Test func flywayReadsVersionsUndosRepeatablesAndPlaceholders() throws {
        let history = try FlywayImport().read(folder: ImportFixtures.folder("flyway"))
        #expect(history.problems.isEmpty)
        // Numeric order of the dotted parts: 1 < 1.1 < 1.2 (written 1_2) < 2 < 10; subfolders read too.
        #expect(history.revisions.map(\.id) == ["v1", "v1_1", "v1_2", "v2", "v10"])
        #expect(history.revisions.map(\.downRevisions) == [[], ["v1"], ["v1_1"], ["v1_2"], ["v2"]])
        #expect(history.revisions.map(\.message) == ["create users", "add email", "add orders", "index orders", "audit notes"])
        #expect(history.revisions.map(\.isTransactional) == [true, true, true, false, true])
        #expect(history.revisions[1].upgradeSQL == "-- Flyway 1.1: versions with dots\nALTER TABLE users ADD COLUMN email TEXT;\n")
        #expect(history.revisions[1].downgradeSQL == "ALTER TABLE users DROP COLUMN email;\n")
        #expect(history.revisions[2].downgradeSQL == "DROP TABLE orders;\n")
        #expect(history.revisions[0].downgradeSQL == nil)
        #expect(history.repeatables.map(\.name) == ["big_orders"])
        #expect(history.repeatables[0].sql == "-- owner: {{ owner }}\nCREATE VIEW big_orders AS SELECT * FROM orders WHERE total > {{ threshold }};\n")
        #expect(history.placeholders == ["owner", "threshold"])
    }

    @Test func golangMigrateOrdersByIntegerVersion() throws {
        let history = try GolangMigrateImport().read(folder: ImportFixtures.folder("golang-migrate"))
        #expect(history.problems.isEmpty)
        #expect(history.revisions.map(\.id) == ["v0001", "v0002", "v3", "v0010"])
        #expect(history.revisions.map(\.message) == ["create users", "add orders", "add email", "audit notes"])
        #expect(history.revisions[1].upgradeSQL == (try ImportFixtures.text("golang-migrate", "0002_add_orders.up.sql")))
        #expect(history.revisions[1].downgradeSQL == "DROP INDEX orders_user;\nDROP TABLE orders;\n")
        #expect(history.revisions[2].downgradeSQL == nil)
        #expect(history.revisions[3].downRevisions == ["v3"])
    }

    @Test func gooseKeepsStatementBlocksAndReadsNoTransaction() throws {
        let history = try GooseImport().read(folder: ImportFixtures.folder("goose"))
        #expect(history.problems.isEmpty)
        #expect(history.revisions.map(\.id) == ["v20240101120000", "v20240102120000", "v20240103120000", "v20240104120000"])
        #expect(history.revisions.map(\.isTransactional) == [true, true, false, true])
        #expect(history.revisions[0].upgradeSQL == "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);\n\n")
        #expect(history.revisions[0].downgradeSQL == "DROP TABLE users;\n")
        #expect(history.revisions[1].upgradeSQL.hasPrefix("-- +goose StatementBegin\nCREATE TABLE orders"))
        #expect(history.revisions[1].upgradeSQL.hasSuffix("-- +goose StatementEnd\n\n"))
        #expect(history.revisions[3].downgradeSQL == nil)
    }

    @Test func dbmateReadsSectionsAndTransactionFalse() throws {
        let history = try DbmateImport().read(folder: ImportFixtures.folder("dbmate"))
        #expect(history.problems.isEmpty)
        #expect(history.revisions.map(\.id) == ["v20240101000000", "v20240102000000", "v20240103000000", "v20240104000000"])
        #expect(history.revisions.map(\.isTransactional) == [true, true, false, true])
        #expect(history.revisions[2].upgradeSQL == "CREATE INDEX orders_user ON orders (user_id);\n\n")
        #expect(history.revisions[3].downgradeSQL == "")
    }

    // MARK: Problems, on literal folders.

    @Test(arguments: [
        ("flyway", ["V1__a.sql": "SELECT 1;\n", "V1.0__b.sql": "SELECT 2;\n"], "V1__a.sql", nil as Int?, "same version"),
        ("flyway", ["V1__a.sql": "SELECT '${flyway:user}';\n"], "V1__a.sql", 1, "built-in placeholder"),
        ("flyway", ["V1__a.sql": "SELECT 1;\n", "V2__b.java": "class V2 {}"], "V2__b.java", nil, "Java migration"),
        ("flyway", ["V1__a.sql": "SELECT 1;\n", "U2__b.sql": "SELECT 2;\n"], "U2__b.sql", nil, "no V file"),
        ("flyway", ["V1__a.sql": "SELECT 1;\n", "Vx__b.sql": "SELECT 2;\n"], "Vx__b.sql", nil, "not a Flyway version"),
        ("golang-migrate", ["1_a.up.sql": "SELECT 1;\n", "01_b.up.sql": "SELECT 2;\n"], "1_a.up.sql", nil, "same version"),
        ("golang-migrate", ["1_a.up.sql": "SELECT 1;\n", "2_b.down.sql": "SELECT 2;\n"], "2_b.down.sql", nil, "no .up.sql"),
        ("goose", ["1_a.sql": "-- +goose Up\nSELECT 1;\n", "2_b.go": "package m"], "2_b.go", nil, "Go migration"),
        ("goose", ["1_a.sql": "SELECT 1;\n-- +goose Up\nSELECT 2;\n"], "1_a.sql", 1, "SQL before"),
        ("goose", ["1_a.sql": "-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${X}';\n"], "1_a.sql", 2, "annotation"),
        ("goose", ["1_a.sql": "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n"], "1_a.sql", nil, "no StatementEnd"),
        ("goose", ["1_a.sql": "SELECT 1;\n"], "1_a.sql", 1, "SQL before"),
        ("dbmate", ["1_a.sql": "CREATE TABLE t (id int);\n"], "1_a.sql", 1, "SQL before"),
        ("dbmate", ["1_a.sql": "-- migrate:up transaction:maybe\nSELECT 1;\n"], "1_a.sql", 1, "not a dbmate option"),
        ("dbmate", ["1_a.sql": "-- migrate:up\nSELECT 1;\n-- migrate:up\n"], "1_a.sql", 3, "a second"),
    ])
    func aFileThatDoesNotConvertIsAProblem(tool: String, files: [String: String], file: String, line: Int?, reason: String) throws {
        let folder = try ImportFixtures.literal(files)
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = try ImportFixtures.read(tool, folder: folder)
        let problem = try #require(history.problems.first)
        #expect(history.problems.count == 1)
        #expect(problem.file.hasSuffix(file) || problem.file == file || files.keys.contains(problem.file))
        #expect(problem.line == line)
        #expect(problem.reason.contains(reason), "\(problem.reason)")
    }

    @Test func aByteOrderMarkIsSkippedAndOtherBytesAreKept() throws {
        let folder = try ImportFixtures.literal([
            "1_a.sql": "\u{FEFF}-- +goose Up\r\nCREATE TABLE a (id int);\r\n-- +goose Down\r\nDROP TABLE a;",
            "2_b.sql": "-- +goose Up\n\u{FEFF}SELECT 'é';\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = try GooseImport().read(folder: folder)
        #expect(history.problems.isEmpty)
        #expect(history.revisions.map(\.upgradeSQL) == ["CREATE TABLE a (id int);\r\n", "\u{FEFF}SELECT 'é';\n"])
        #expect(history.revisions[0].downgradeSQL == "DROP TABLE a;")
        let notText = try ImportFixtures.literal([:])
        defer { try? FileManager.default.removeItem(at: notText) }
        try Data([0x2D, 0x2D, 0x20, 0xFF, 0xFE, 0x0A]).write(to: notText.appendingPathComponent("1_a.up.sql"))
        #expect(try GolangMigrateImport().read(folder: notText).problems == [ImportProblem(file: "1_a.up.sql", reason: "is not UTF-8 text")])
    }

    @Test func aMissingFolderIsAUsageError() throws {
        let error = try #require(throws: ImportError.self) { try GooseImport().read(folder: URL(fileURLWithPath: "/nonexistent/godwit")) }
        #expect(error.exitCode == .usage)
    }

    // MARK: The writer.

    @Test func writerRefusesProblemsAndWritesNothing() throws {
        let project = try TestProject()
        defer { project.remove() }
        let folder = try ImportFixtures.literal(["1_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n", "2_b.sql": "oops\n-- +goose Up\n", "3_c.sql": "-- +goose Up\nCREATE TABLE c (id int);\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = try GooseImport().read(folder: folder)
        let writer = ImportWriter(project: try Project(root: project.root))
        let error = try #require(throws: ImportError.self) { try writer.write(history, format: "goose", isSkippingBad: false) }
        guard case .problems(let problems) = error else { Issue.record("\(error)"); return }
        #expect(problems == [ImportProblem(file: "2_b.sql", line: 1, reason: "SQL before '-- +goose Up'")])
        #expect(error.message.contains("2_b.sql:1: SQL before"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.appendingPathComponent("versions").path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.path).sorted() == ["environments", "versions"])

        // --skip-bad: the others, chained over the gap, and the problem listed.
        let result = try writer.write(history, format: "goose", isSkippingBad: true)
        #expect(result.revisions.map(\.name) == ["v1", "v3"])
        #expect(result.problems == problems)
        let graph = try project.workspace().graph()
        #expect(graph.revisions["v3"]?.downRevisions == ["v1"])
        #expect(graph.heads == ["v3"])
    }

    @Test func writerRefusesAVersionsFolderWithRevisions() throws {
        let project = try TestProject(revisions: [shopRevisions[0]])
        defer { project.remove() }
        let history = try GooseImport().read(folder: ImportFixtures.folder("goose"))
        let error = try #require(throws: ImportError.self) {
            try ImportWriter(project: try Project(root: project.root)).write(history, format: "goose", isSkippingBad: false)
        }
        #expect(error == .versionsNotEmpty(path: "versions", count: 1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.root.appendingPathComponent("versions").path) == ["aaa111_test.sql"])
    }

    @Test func writerRefusesSQLThatReadsAsAMarker() throws {
        let project = try TestProject()
        defer { project.remove() }
        let folder = try ImportFixtures.literal(["1_a.up.sql": "SELECT 1;\n-- +downgrade\nSELECT 2;\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = try GolangMigrateImport().read(folder: folder)
        let error = try #require(throws: ImportError.self) {
            try ImportWriter(project: try Project(root: project.root)).write(history, format: "golang-migrate", isSkippingBad: false)
        }
        guard case .problems(let problems) = error else { Issue.record("\(error)"); return }
        #expect(problems.map(\.file) == ["1_a.up.sql"])
    }

    @Test func writtenFilesHoldTheSQLByteForByte() throws {
        for tool in ["flyway", "golang-migrate", "goose", "dbmate"] {
            let project = try TestProject()
            defer { project.remove() }
            let history = try ImportFixtures.read(tool)
            let result = try ImportWriter(project: try Project(root: project.root)).write(history, format: tool, isSkippingBad: false)
            #expect(result.revisions.count == history.revisions.count)
            let graph = try project.workspace().graph()
            #expect(graph.order == history.revisions.map(\.id))
            for imported in history.revisions {
                let revision = try #require(graph.revisions[imported.id])
                #expect(revision.upgrade.sql == ImportWriter.terminated(imported.upgradeSQL), "\(tool) \(imported.id)")
                #expect(revision.downgrade?.sql == imported.downgradeSQL.map(ImportWriter.terminated), "\(tool) \(imported.id)")
                #expect(revision.isTransactional == imported.isTransactional)
                #expect(revision.message == imported.message)
            }
            for repeatable in result.repeatables {
                let text = try String(contentsOf: project.root.appendingPathComponent(repeatable.path), encoding: .utf8)
                #expect(text == "-- message: big orders\n\n-- +upgrade\n" + history.repeatables[0].sql)
            }
        }
    }

    @Test func resultJSONHasTheDocumentedKeys() throws {
        let result = ImportResult(
            format: "flyway", revisions: [.init(name: "v1", source: "V1__a.sql", path: "versions/v1_a.sql")],
            repeatables: [.init(name: "views", source: "R__views.sql", path: "versions/repeatable/views.sql")],
            placeholders: ["owner"], problems: [ImportProblem(file: "V2__b.sql", line: 3, reason: "bad")])
        #expect(result.json.canonical == """
            {"format":"flyway","placeholders":["owner"],"problems":[{"file":"V2__b.sql","line":3,"reason":"bad"}],\
            "repeatables":[{"name":"views","path":"versions/repeatable/views.sql","source":"R__views.sql"}],\
            "revisions":[{"path":"versions/v1_a.sql","revision":"v1","source":"V1__a.sql"}]}
            """)
    }

    // MARK: Applied: the imported history makes the schema the tool's own SQL makes.

    @Test(arguments: ["flyway", "golang-migrate", "goose", "dbmate"])
    func importedHistoryMakesTheToolsSchemaOnSQLite(tool: String) throws {
        let project = try TestProject(yaml: """
            default_environment: dev
            environments:
              dev:
                url: sqlite:var/dev.sqlite3
              native:
                url: sqlite:var/native.sqlite3
            """ + "\n" + ImportFixtures.flywayVars)
        defer { project.remove() }
        try ImportComparison.check(tool, root: project.root, workspace: try project.workspace())
        let tables = try project.query("dev", "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'godwit_%' ORDER BY name")
        #expect(tables.map { $0[0] ?? "" }.contains("orders"))
    }

    // MARK: Real-world folders: the corpus written back as golang-migrate files.

    @Test(arguments: ["ory-kratos/postgresql/versions", "ory-kratos/sqlite/versions", "supabase-auth/postgresql/versions"])
    func corpusRoundTripsThroughGolangMigrate(chain: String) throws {
        let graph = try RevisionGraph.load(directory: try Corpus.versions(chain), root: Corpus.root)
        var files: [String: String] = [:]
        for (index, id) in graph.order.enumerated() {
            let revision = try #require(graph.revisions[id])
            let slug = String(RevisionFile.fileName(id: "x", message: revision.message).dropFirst(1).dropLast(4)).drop { $0 == "_" }
            let stem = String(format: "%04d", index + 1) + "_" + slug
            files[stem + ".up.sql"] = revision.upgrade.sql
            if let downgrade = revision.downgrade { files[stem + ".down.sql"] = downgrade.sql }
        }
        #expect(graph.heads.count == 1)
        let folder = try ImportFixtures.literal(files)
        defer { try? FileManager.default.removeItem(at: folder) }
        let history = try GolangMigrateImport().read(folder: folder)
        #expect(history.problems.isEmpty)
        let project = try TestProject()
        defer { project.remove() }
        _ = try ImportWriter(project: try Project(root: project.root)).write(history, format: "golang-migrate", isSkippingBad: false)
        let imported = try project.workspace().graph()
        #expect(imported.order.count == graph.order.count)
        for (original, copy) in zip(graph.order, imported.order) {
            let a = try #require(graph.revisions[original])
            let b = try #require(imported.revisions[copy])
            #expect(b.upgrade.sql == a.upgrade.sql, "\(chain) \(original)")
            #expect(b.downgrade?.sql == a.downgrade?.sql, "\(chain) \(original)")
        }
    }
}

/// Imports a fixture into a project whose `dev` gets the imported revisions and whose `native` gets
/// the tool's own SQL run directly with the driver, then compares their schemas.
enum ImportComparison {
    static func check(_ tool: String, root: URL, workspace: Workspace) throws {
        let project = workspace.project
        _ = try ImportWriter(project: project).write(try ImportFixtures.read(tool), format: tool, isSkippingBad: false)
        let dev = try project.environment("dev")
        let native = try project.environment("native")
        let result = try Migrator(workspace: workspace, environment: dev).run(ChangeRequest(.upgrade(.heads)))
        #expect(result.steps.count == (try ImportFixtures.nativeUpgrades(tool)).count)
        let connection = try workspace.connect(native, readOnly: false)
        defer { connection.close() }
        for sql in try ImportFixtures.nativeUpgrades(tool) { try connection.execute(sql) }
        let diff = try SchemaInspector(workspace: workspace).diff(dev, native)
        #expect(diff.isEmpty, "\(tool): \(diff.changes)")
    }
}
