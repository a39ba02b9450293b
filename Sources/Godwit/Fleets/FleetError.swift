import GodwitCore

/// An error of a fleet (SPEC §10): its `targets:` and `rollout:` keys, resolving its targets,
/// choosing some of them, or a rule that refuses the run before it starts.
public struct FleetError: GodwitError, Hashable {
    /// What is wrong, with the data the message is made of.
    public enum Code: Sendable, Hashable {
        /// A fleet was given to a command that does not run on fleets yet (the command's name
        /// when known; the executable fills it in).
        case notSupported(environment: String, command: String?)
        /// An environment has both `url:` and `targets:`.
        case urlAndTargets(environment: String)
        /// `targets:` names none of `list`, `glob`, `query`, `schemas`.
        case noTargetsForm(environment: String)
        /// `targets:` names more than one form.
        case severalTargetsForms(environment: String, forms: [String])
        /// A form needs another key (`query` needs `catalog_url`, `schemas` needs `url`).
        case missingTargetsKey(environment: String, form: String, key: String)
        /// A key that only goes with another form (`catalog_url` without `query`).
        case keyWithoutForm(environment: String, key: String, form: String)
        /// `rollout:` on an environment with one database.
        case rolloutWithoutTargets(environment: String)
        /// `rollout.parallel` is not a whole number of at least 1.
        case invalidParallel(environment: String, value: String)
        /// `rollout.canary` is neither a count nor a list of names.
        case invalidCanary(environment: String, value: String)
        /// `rollout.on_error` is neither `stop` nor `continue`.
        case invalidOnError(environment: String, value: String)
        /// Two targets of a fleet have the same name.
        case duplicateTarget(name: String, environment: String)
        /// `schemas` yielded a name that cannot be a schema of Godwit's tables.
        case invalidTargetSchema(name: String, environment: String)
        /// The catalog (`query`'s `catalog_url`, or `schemas`' `url`) cannot be read.
        case catalogUnreadable(environment: String, url: String, reason: String)
        /// The catalog query returned rows that are not two text columns (one for `schemas`).
        case catalogShape(environment: String, expected: String)
        /// `rollout.canary` names a target the fleet does not have.
        case unknownCanary(name: String, environment: String)
        /// A `--target` pattern matches no target of the fleet.
        case noTargetMatches(pattern: String, environment: String)
        /// `--shard` is not `I/N` with 1 ≤ I ≤ N.
        case invalidShard(String)
        /// A sharded or `--target` run whose canary targets have not reached the plan's target
        /// (each with why: behind, or unreadable).
        case canaryNotReached(environment: String, targets: [String])
        /// `--canary` on a fleet without `rollout.canary`.
        case noCanary(environment: String)
        /// `--target`, `--shard` or `--canary` on an environment with one database.
        case selectionWithoutFleet(environment: String)
        /// A target of a fleet that had to be read (a predecessor's, for the promotion gate) could not be.
        case targetUnreadable(target: String, reason: String)
        /// A command that needs one state of the whole fleet (`--sql`, `promote` from a fleet) met
        /// targets at different heads: each group of targets with its heads, and what to do.
        case headsDiffer(environment: String, groups: [String], advice: String)
        /// `--sql` on several targets of a `schemas` fleet: a script names its schema.
        case scriptPerSchema(environment: String)
        /// `promote FROM TO`: targets of TO have revisions FROM lacks (each with them).
        case divergedTargets(source: String, environment: String, targets: [String])
        /// The run picks no target (an empty glob or catalog).
        case noTargets(environment: String)
        /// A target refused what was asked of it (a failed revision that needs `resolve`).
        case targetRefused(target: String, reason: String)
        /// `resolve` on a fleet (or with `--shard`/`--canary`) without `--target`.
        case resolveWithoutTarget(environment: String)
        /// `wait` on a fleet ran out of time: each target not there, with what it lacked.
        case waitTimedOut(environment: String, timeout: String, targets: [String])
    }

    /// What is wrong.
    public var code: Code
    public var location: SourceLocation?
    public var environment: String?

    /// Creates an error.
    public init(_ code: Code, location: SourceLocation? = nil, environment: String? = nil) {
        self.code = code
        self.location = location
        self.environment = environment
    }

    public var exitCode: ExitStatus {
        switch code {
        case .catalogUnreadable, .targetUnreadable: return .failed
        case .canaryNotReached, .headsDiffer, .divergedTargets, .noTargets, .targetRefused: return .refused
        case .waitTimedOut: return .lockTimeout
        default: return .usage
        }
    }

    /// What is wrong and what to do next.
    public var message: String {
        switch code {
        case .notSupported(let name, let command):
            return "'\(name)' is a fleet; \(command ?? "this command") does not support fleets yet"
        case .urlAndTargets(let name):
            return "environment '\(name)' has both 'url' and 'targets'; a fleet has 'targets' only (for a schema per tenant, put the url under 'targets')"
        case .noTargetsForm(let name):
            return "'targets' of environment '\(name)' needs one of 'list', 'glob', 'query' or 'schemas'"
        case .severalTargetsForms(let name, let forms):
            return "'targets' of environment '\(name)' has \(forms.map { "'\($0)'" }.joined(separator: " and ")); keep one"
        case .missingTargetsKey(let name, let form, let key):
            return "'targets' of environment '\(name)': '\(form)' needs '\(key)'"
        case .keyWithoutForm(let name, let key, let form):
            return "'targets' of environment '\(name)': '\(key)' goes with '\(form)' only"
        case .rolloutWithoutTargets(let name):
            return "environment '\(name)' has 'rollout' but no 'targets'; rollout applies to fleets only"
        case .invalidParallel(let name, let value):
            return "rollout.parallel '\(value)' of environment '\(name)' must be a whole number of at least 1"
        case .invalidCanary(let name, let value):
            return "rollout.canary '\(value)' of environment '\(name)' must be a count or a list of target names"
        case .invalidOnError(let name, let value):
            return "rollout.on_error '\(value)' of environment '\(name)' must be 'stop' or 'continue'"
        case .duplicateTarget(let target, let name):
            return "fleet '\(name)' has two targets named '\(target)'; a target name must be unique"
        case .invalidTargetSchema(let schema, let name):
            return "fleet '\(name)': schema '\(schema)' may only hold letters, digits and '_'; change the 'schemas' query to leave it out"
        case .catalogUnreadable(let name, let url, let reason):
            return "cannot read the targets of fleet '\(name)' from its catalog (\(url)): \(reason)"
        case .catalogShape(let name, let expected):
            return "the targets query of fleet '\(name)' must return \(expected)"
        case .unknownCanary(let target, let name):
            return "rollout.canary names '\(target)', which is not a target of fleet '\(name)'"
        case .noTargetMatches(let pattern, let name):
            return "--target '\(pattern)' matches no target of fleet '\(name)'"
        case .invalidShard(let text):
            return "--shard '\(text)' must be I/N with 1 <= I <= N, e.g. --shard 2/3"
        case .canaryNotReached(let name, let targets):
            return "the canary of fleet '\(name)' has not reached the target (\(targets.joined(separator: ", "))); run 'godwit upgrade -e \(name) --canary' first"
        case .noCanary(let name):
            return "fleet '\(name)' has no canary; set rollout.canary, or leave out --canary"
        case .selectionWithoutFleet(let name):
            return "environment '\(name)' is one database, not a fleet; --target, --shard and --canary go with a fleet"
        case .targetUnreadable(let target, let reason):
            return "target '\(target)': \(reason)"
        case .headsDiffer(let name, let groups, let advice):
            return "the targets of fleet '\(name)' are not at the same heads (\(groups.joined(separator: "; "))); \(advice)"
        case .scriptPerSchema(let name):
            return "fleet '\(name)' has a schema per target and a script names its schema; pick one target with --target NAME"
        case .divergedTargets(let source, let name, let targets):
            return "targets of '\(name)' have revisions '\(source)' lacks (\(targets.joined(separator: "; "))); promote only goes forward: downgrade them first"
        case .noTargets(let name):
            return "fleet '\(name)' has no target to run on"
        case .resolveWithoutTarget(let name):
            return "a failed revision is one target's: give 'resolve -e \(name)' the targets to resolve with --target NAME"
        case .targetRefused(let target, let reason):
            return "target '\(target)': \(reason)"
        case .waitTimedOut(let name, let timeout, let targets):
            let named = targets.prefix(10).joined(separator: "; ") + (targets.count > 10 ? "; and \(targets.count - 10) more" : "")
            return "\(targets.count) target\(targets.count == 1 ? "" : "s") of '\(name)' did not get there within \(timeout): \(named)"
        }
    }
}
