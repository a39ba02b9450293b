import ArgumentParser
import Godwit
import GodwitCore

extension GodwitCommand.Audit {
    struct Verify: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the environment's audit hash chain (and the audit_log file); exit 3 naming the first bad record.",
            discussion: """
                Detects an edited, deleted or reordered record, a record not sealed yet, and a difference between \
                the audit table and the audit_log file. Deleting the newest records of the table is seen only \
                through the audit_log file.
                """)
        @OptionGroup var global: GlobalOptions
        // ArgumentParser hands the listing's filters to `audit` even when they follow `verify`:
        // refuse them rather than ignore them.
        @ParentCommand var audit: GodwitCommand.Audit

        func validate() throws {
            if audit.since != nil || audit.limit != nil || audit.operation != nil {
                throw ValidationError("'audit verify' checks every record; --since, --limit and --operation go with 'godwit audit'")
            }
        }

        func run(in workspace: Workspace, console: Console) throws {
            let environment = try workspace.project.environment(global.env)
            if environment.isFleet {
                let reader = AuditReader(workspace: workspace)
                let reads = try FleetReads(workspace: workspace).each(environment) { try reader.verify($0.environment) }
                return try renderFleetAuditVerify(reads, environment: environment.name, console: console)
            }
            let verification = try AuditReader(workspace: workspace).verify(environment)
            if console.isJSON { console.json(verification.json) } else { renderVerification(verification, console: console) }
            try exitWhenFound(!verification.isOK)
        }
    }
}
