import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

@testable import Godwit

/// A `schema.sql` made by pg_dump empties the search_path (`set_config('search_path', '', false)`):
/// the scratch session is restored after loading it and the working schema is read, not the
/// search_path the file left, so the desired schema is the dump's (SPEC §6).
@Suite(.enabled(if: PostgresTestServer.isEnabled, "set GODWIT_TEST_POSTGRES_URL to run the PostgreSQL tests"))
struct SessionRestoreAutogenerateTests {
    @Test func aSchemaFileMadeByPgDumpOfTheKratosChainNeedsNoChanges() throws {
        let databases = try PostgresDatabases(4)
        defer { databases.drop() }
        let versions = try Corpus.versions("ory-kratos/postgresql/versions")
        let project = try SchemaProject(
            yaml: """
                default_environment: dev
                schema: schema.sql
                scratch_url: \(databases.url(3))
                environments:
                  dev:
                    url: \(databases.url(0))
                  corpus:
                    url: \(databases.url(2))
                """, versions: versions)
        defer { project.remove() }
        let workspace = try project.workspace()
        let source = try databases.connect(2)
        try Scratch(workspace: workspace, schema: nil).replay(try workspace.graph(), to: .heads, on: source)
        source.close()

        let dump = try pgDump(databases.url(2))
        #expect(dump.contains("set_config('search_path', '', false)"))
        // pg_dump 15.14 and later wraps its output in psql's \restrict meta-commands, which are not SQL.
        let sql = dump.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }.joined(separator: "\n")
        try project.write("schema.sql", sql)

        let desired = try SchemaInspector(workspace: workspace).desiredSchema(schema: nil)
        #expect(desired.tables.count > 20, "the dump's \(desired.tables.count) tables are seen")
        let result = try Autogenerate(workspace: workspace).revision(
            message: "nothing", from: .schemaFile, environment: try workspace.project.environment("dev"))
        #expect(result.path == nil, "no revision: the dump is what the chain produces\n\(result.upgrade)")
    }

    /// `pg_dump --schema-only` of a database, as text.
    func pgDump(_ url: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pg_dump")
        process.arguments = ["--schema-only", "--no-owner", "--no-privileges", "-d", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "pg_dump failed")
        return String(decoding: data, as: UTF8.self)
    }
}
