import ArgumentParser
import Foundation
import Godwit
import GodwitCore

/// Options of every command that changes an environment: upgrade, downgrade, stamp, promote.
struct ChangeOptions: ParsableArguments {
    @OptionGroup var lockWait: LockTimeoutOption
    @Flag(name: .customLong("dry-run"), help: "Connect read-only, print the plan, change nothing.")
    var dryRun = false
    @Flag(name: .long, help: "Print the plan's full SQL script, bookkeeping included; needs no database.")
    var sql = false
    @Option(name: .long, help: "With --sql: the revision the database is at (default: its recorded heads when readable, else base).")
    var from: String?
    @Flag(name: .long, help: "Run the whole plan in one transaction.")
    var atomic = false
    @Flag(name: .long, help: "Confirm a change to a protected environment.")
    var yes = false
    @Option(name: .long, help: "Why: stored in the audit record.")
    var reason: String?

    /// Checks these options together with those of the other groups; the command's `validate()` calls it.
    func validate(isRehearsal: Bool, skipsPromotionCheck: Bool) throws {
        if skipsPromotionCheck && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--skip-promotion-check needs --reason TEXT, which is stored in the audit record")
        }
        if [dryRun, sql, isRehearsal].filter({ $0 }).count > 1 {
            throw ValidationError("--dry-run, --sql and --rehearse exclude each other")
        }
        if from != nil && !sql { throw ValidationError("--from goes with --sql") }
    }

    /// A request for `kind` with these options and those of the other groups.
    func request(_ kind: ChangeRequest.Kind, isRehearsal: Bool, skipsPromotionCheck: Bool) -> ChangeRequest {
        var request = ChangeRequest(kind)
        request.isDryRun = dryRun
        request.isRehearsal = isRehearsal
        request.isAtomic = atomic
        request.isConfirmed = yes
        request.reason = reason
        request.skipsPromotionCheck = skipsPromotionCheck
        return request
    }
}

/// `--lock-timeout`: for every command that changes an environment (the `ChangeOptions` ones and `resolve`).
struct LockTimeoutOption: ParsableArguments {
    @Option(
        name: .customLong("lock-timeout"),
        help: ArgumentHelp(
            "How long to wait for Godwit's migration lock before exit 4 (e.g. 30s, 2m): overrides the environment's lock_timeout for this run. Not PostgreSQL's per-statement lock_timeout that a revision's header sets.",
            valueName: "duration"))
    var lockTimeout: String?

    func validate() throws {
        if let lockTimeout, TimeoutValue(parsing: lockTimeout) == nil {
            throw ValidationError("--lock-timeout '\(lockTimeout)' is not a duration; write it as 500ms, 30s, 5m or 1h")
        }
    }

    /// The wait for the migration lock, nil when not given.
    var value: TimeoutValue? { lockTimeout.flatMap(TimeoutValue.init(parsing:)) }
}

/// `--rehearse`: for the commands that run SQL (upgrade, downgrade, promote).
struct RehearsalOption: ParsableArguments {
    @Flag(name: .long, help: "Run the plan in one transaction and roll it back; report each step's time.")
    var rehearse = false
}

/// `--skip-promotion-check`: for the commands the promotion gate applies to (upgrade, stamp, promote).
struct PromotionCheckOption: ParsableArguments {
    @Flag(name: .customLong("skip-promotion-check"), help: "Override the promotion gate (needs --reason).")
    var skipPromotionCheck = false
}
