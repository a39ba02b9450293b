import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Report: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write one self-contained HTML page of the estate: environments, the graph, audit timelines.",
            discussion: """
                The page needs no network and no script: every environment side by side, the revision graph (SVG \
                when Graphviz's dot is installed, else a list), and each environment's newest 200 audit records with \
                the result of 'audit verify'. With --json, stdout holds {"path"}.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The page to write.", valueName: "file")) var output = "report.html"
        @Flag(name: .long, help: "Draw every revision: fold no run of plain revisions.") var full = false
        @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for each database.") var connectTimeout = 5

        func validate() throws {
            if global.env != nil { throw ValidationError("report shows every environment; leave out -e") }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let report = try ReportReader(workspace: workspace).report(isFull: full, connectTimeout: connectTimeout)
            try write(ReportPage(report).html, to: output)
            if console.isJSON { return console.json(.object(["path": .string(URL(fileURLWithPath: output).standardizedFileURL.path)])) }
            let environments = report.environments.count, revisions = report.revisionCount
            console.progress(
                "wrote \(output): \(environments) environment\(environments == 1 ? "" : "s"), \(revisions) revision\(revisions == 1 ? "" : "s")")
        }
    }
}
