import Foundation
import GodwitTestSupport
import Testing

/// `godwit graph` and `godwit report` (SPEC §13) on the built binary: a SQLite project with dev
/// and test migrated, prod behind, and an environment that cannot be reached.
@Suite struct PictureCommandTests {
    static let base = WorkflowTests.base
    static let reason = "ship <orders> & \"more\""

    /// `godwit init`, one more revision, dev upgraded with a reason, test promoted, and a `qa`
    /// environment on a port where nothing listens.
    static func project(_ sandbox: Sandbox) throws -> String {
        try sandbox.initProject()
        let yaml = try sandbox.read("environments/environments.yaml")
        try sandbox.write("environments/environments.yaml", yaml + "  qa:\n    url: postgresql://nobody@127.0.0.1:1/qa\n")
        let orders = try sandbox.newRevision("add orders", upgrade: "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n", downgrade: "DROP TABLE orders;\n")
        for args in [["upgrade", "--reason", reason], ["promote", "test"]] {
            let result = try sandbox.godwit(args)
            guard result.status == 0 else { throw HarnessError("godwit \(args) failed\n\(result)") }
        }
        return orders.id
    }

    /// A fleet's timeline in the report: every target's records, each marked with its target, and
    /// the chains of all its targets verified together.
    @Test func theReportListsAFleetsRecordsWithTheirTargets() throws {
        let sandbox = try FleetCommandTests.sandbox(count: 3)
        defer { sandbox.remove() }
        #expect(try sandbox.godwit(["upgrade", "-e", "prod", "--reason", "tenants first"]).status == 0)
        let written = try sandbox.godwit(["report", "-o", "report.html"])
        #expect(written.status == 0, "\(written)")
        let page = try sandbox.read("report.html")
        for target in ["t_001", "t_002", "t_003"] { #expect(page.contains("upgrade <span class=\"steps\">on \(target)</span>"), "\(target)") }
        #expect(page.contains("Audit chain verified: 3 records"), "the three targets' chains")
        #expect(page.contains("tenants first"))
    }

    @Test func graphDrawsEveryEnvironmentAndNotesTheUnreachable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let orders = try Self.project(sandbox)

        let mermaid = try sandbox.godwit(["graph", "--format", "mermaid", "-e", "prod", "-e", "test"])
        #expect(mermaid.status == 0, "\(mermaid)")
        #expect(mermaid.stdout.hasPrefix("flowchart TB\n"))
        for name in ["dev", "test", "prod<br/>at base", "qa<br/>unreachable: "] { #expect(mermaid.stdout.contains("\(name)"), "\(mermaid)") }
        #expect(mermaid.stdout.contains("n0[\"\(orders)<br/>add orders<br/>head\"]"))
        #expect(mermaid.stdout.contains("class n0,n1 pending"), "prod lacks both revisions\n\(mermaid)")
        #expect(mermaid.stderr.contains("environment 'qa' is unreachable, drawn as a note: "), "\(mermaid)")

        let dot = try sandbox.godwit(["graph", "-o", "graph.dot"])
        #expect(dot.status == 0 && dot.stdout.isEmpty, "\(dot)")
        let text = try sandbox.read("graph.dot")
        #expect(text.hasPrefix("digraph godwit {\n") && text.contains("\"env:dev\" -> \"\(orders)\""))
        #expect(!text.contains("fillcolor=\"#fde68a\""), "nothing is shaded without -e")

        let unknown = try sandbox.godwit(["graph", "-e", "nowhere"])
        #expect(unknown.status == 2 && unknown.stderr.contains("nowhere"), "\(unknown)")
        let json = try sandbox.godwit(["graph", "--json"])
        #expect(json.status == 2, "\(json)")
    }

    @Test func svgWithoutGraphvizSaysHowToInstallIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try Self.project(sandbox)
        let result = try sandbox.godwit(["graph", "--format", "svg"], env: ["PATH": "/nonexistent"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("install Graphviz: apt-get install graphviz / brew install graphviz"), "\(result)")
    }

    /// The report opened in headless Chromium: the environments, a reason and a revision id are
    /// on the page; a script put into it does not run; a screenshot has content.
    @Test(.enabled(if: Chromium.executable != nil || PostgresTestServer.isRequired))
    func reportOpensInChromiumWithoutScriptOrNetwork() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let orders = try Self.project(sandbox)

        let result = try sandbox.godwit(["report", "-o", "out/report.html"], env: ["NO_COLOR": "1"])
        #expect(result.status == 1, "out/ does not exist\n\(result)")
        try FileManager.default.createDirectory(at: sandbox.url("out"), withIntermediateDirectories: true)
        let written = try sandbox.godwit(["report", "-o", "out/report.html"])
        #expect(written.status == 0, "\(written)")
        #expect(written.stderr.contains("wrote out/report.html: 4 environments, 2 revisions"), "\(written)")
        let json = try sandbox.godwit(["report", "--json"])
        #expect(try json.jsonObject()["path"] as? String == sandbox.url("report.html").standardizedFileURL.path, "\(json)")

        let html = try sandbox.read("out/report.html")
        #expect(!html.contains("http:") && !html.contains("https:"), "no external URL")
        #expect(!html.lowercased().contains("<script"))

        let chromium = try #require(Chromium.executable, "chromium (or chromium-browser) is not on PATH; scripts/test installs it")
        let dom = try Chromium.dumpDOM(chromium, page: sandbox.url("out/report.html"))
        for name in ["dev", "test", "prod", "qa"] { #expect(dom.contains("<h3>\(name)"), "\(name) missing") }
        #expect(dom.contains("ship &lt;orders&gt; &amp; \"more\""), "the reason")
        #expect(dom.contains(orders), "a revision id")
        #expect(dom.contains("<svg"), "the graph, drawn by Graphviz")

        // The page's own policy forbids scripts: one put into it does not run.
        try sandbox.write("out/scripted.html", html.replacingOccurrences(of: "</head>", with: "<script>document.title = 'script ran'</script></head>"))
        let scripted = try Chromium.dumpDOM(chromium, page: sandbox.url("out/scripted.html"))
        #expect(scripted.contains("<title>Godwit report: ") && !scripted.contains("<title>script ran"), "a script ran")

        let shot = sandbox.url("out/report.png")
        try Chromium.screenshot(chromium, page: sandbox.url("out/report.html"), to: shot)
        try sandbox.write("out/blank.html", "<!DOCTYPE html><html><body></body></html>")
        let blank = sandbox.url("out/blank.png")
        try Chromium.screenshot(chromium, page: sandbox.url("out/blank.html"), to: blank)
        let image = try Data(contentsOf: shot)
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
        // A page of one colour compresses to almost nothing; the report's text and graph do not.
        let blankSize = try Data(contentsOf: blank).count
        #expect(image.count > 5 * blankSize, "screenshot \(image.count) bytes, a blank page \(blankSize)")
    }
}

/// Headless Chromium (Debian `chromium`), found on PATH, each run with a profile of its own and
/// a time limit so that a hung browser fails the test instead of hanging it.
///
/// Scripts are kept off by the page's own Content-Security-Policy: Chromium's
/// `--blink-settings=scriptEnabled=false` stops `--dump-dom` and `--screenshot` themselves,
/// which run through script evaluation, and they then print and write nothing.
enum Chromium {
    /// `chromium` or `chromium-browser` on PATH.
    static let executable: URL? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        for name in ["chromium", "chromium-browser"] {
            for folder in folders {
                let url = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return nil
    }()

    /// Runs Chromium headless on `page` with `arguments`, within 90 seconds.
    static func run(_ chromium: URL, page: URL, _ arguments: [String]) throws -> RunResult {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            ["-k", "5", "90", chromium.path, "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage",
             "--user-data-dir=\(profile.path)", "--no-first-run"] + arguments + [page.absoluteString],
            in: FileManager.default.temporaryDirectory, environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else { throw HarnessError("chromium failed or timed out\n\(result)") }
        return result
    }

    /// The page's DOM after loading.
    static func dumpDOM(_ chromium: URL, page: URL) throws -> String {
        let result = try run(chromium, page: page, ["--dump-dom"])
        guard !result.stdout.isEmpty else { throw HarnessError("chromium printed no DOM\n\(result)") }
        return result.stdout
    }

    /// A PNG of the page at 1280×2000.
    static func screenshot(_ chromium: URL, page: URL, to file: URL) throws {
        _ = try run(chromium, page: page, ["--screenshot=\(file.path)", "--window-size=1280,2000", "--hide-scrollbars"])
        guard FileManager.default.fileExists(atPath: file.path) else { throw HarnessError("chromium wrote no screenshot to \(file.path)") }
    }
}
