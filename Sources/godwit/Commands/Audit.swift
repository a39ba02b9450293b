import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct Audit: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "List the environment's audit records, newest first: who applied what, when, from which commit.",
            usage: """
                godwit audit [--since <date>] [--limit <n>] [--operation <op>] [--actor <actor>] [-e <env>] [--json] [-v]
                godwit audit verify [-e <env>] [--json]
                """,
            discussion: """
                --actor A lists only the records of actor A (for this command it filters; it names no one). \
                -v adds each record's steps, error, host and hash. 'godwit audit verify' checks the hash chain.
                """,
            subcommands: [Verify.self])
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("Only records that started at or after DATE: YYYY-MM-DD (UTC) or an ISO 8601 time.", valueName: "date"))
        var since: String?
        @Option(name: .long, help: ArgumentHelp("At most N records, the newest.", valueName: "n"))
        var limit: Int?
        @Option(name: .long, help: ArgumentHelp("Only this operation: upgrade, downgrade, promote, stamp, resolve or adopt.", valueName: "op"))
        var operation: String?

        func run(in workspace: Workspace, console: Console) throws {
            let filter = try AuditFilter(parsingSince: since, limit: limit, operation: operation, actor: global.actor)
            let environment = try workspace.project.environment(global.env)
            var records: [AuditRecord]
            var unreadable = false
            if environment.isFleet {
                let reader = AuditReader(workspace: workspace)
                let reads = try FleetReads(workspace: workspace).each(environment) { try reader.records(of: $0.environment, filter: filter) }
                (records, unreadable) = fleetAuditRecords(reads, limit: filter.limit, console: console)
            } else {
                records = try AuditReader(workspace: workspace).records(of: environment, filter: filter)
            }
            if console.isJSON { console.json(.array(records.map(\.json))) } else { renderAudit(records, environment: environment.name, filtered: !filter.isEmpty, console: console) }
            try exitForFleet(unreadable: unreadable, found: false)
        }
    }
}
