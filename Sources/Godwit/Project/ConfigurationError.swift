import GodwitCore

/// An error in the environments file, in choosing an environment, or in a file the project names
/// (exit 2): what is wrong (`code`, with its data), where, and in which environment.
public struct ConfigurationError: GodwitError, Hashable {
    /// What is wrong, with the data the message is made of.
    public enum Code: Sendable, Hashable {
        // Finding and reading the project.
        /// `--project DIR` names a folder without an environments file.
        case notAProject(String)
        /// `--project ''`: an empty folder name.
        case emptyProjectOption
        /// No environments file in the folder or any folder above it.
        case noProject(searchedFrom: String)
        /// A file the project needs cannot be read.
        case cannotRead(String)
        /// Invalid UTF-8, a NUL or a control character in the file (the location says where).
        case unreadableText(String)
        /// The environments file is empty.
        case emptyFile(String)
        /// libyaml's own words for bad YAML; nil when it gave none.
        case invalidYAML(String?)
        /// The YAML cannot be read at all.
        case unreadableYAML(String)
        /// A key is given twice in the same mapping.
        case duplicateKey(String)
        /// A key is given twice; the first is on `firstLine`.
        case keyGivenTwice(String, firstLine: Int)
        /// `what` is not a mapping.
        case notAMapping(what: String)
        /// A key of `what` is not a plain name.
        case keyNotAName(what: String)
        /// An unknown key of `what`, with the closest valid key, else every valid key.
        case unknownKey(String, what: String, suggestion: String?, allowed: [String])
        /// `key` must be a single value.
        case notAScalar(key: String)
        /// `key` must be true or false.
        case notABool(key: String, value: String)
        /// `key` must be a list.
        case notAList(key: String)
        /// `key` is not a duration.
        case notADuration(key: String, value: String)
        /// `key` of `environment` must be one of `choices`.
        case notAChoice(key: String, value: String, environment: String, choices: [String])

        // The top level of the environments file.
        /// `table_prefix` holds other characters than letters, digits and `_`, or starts with a digit.
        case invalidTablePrefix(String)
        /// `table_prefix` is empty.
        case emptyTablePrefix
        /// `table_prefix` is longer than `limit` bytes: Godwit's longest table name would pass
        /// PostgreSQL's 63 bytes, and names that differ only at the end would collide.
        case tablePrefixTooLong(String, limit: Int)
        /// A path (`versions`, `audit_log`, `schema`) is empty.
        case emptyPath(key: String)
        /// `audit_log` names a folder (or ends with `/`), not a file.
        case auditLogIsFolder(String)
        /// The folder `audit_log` should be in is a file.
        case auditLogFolderIsFile(String)
        /// A top-level value needs a variable that is not set.
        case unsetVariableInKey(String, key: String)
        /// A top-level value has a `${` without `}`.
        case unclosedVariableInKey(key: String)
        /// The file declares no `environments:`.
        case noEnvironments(path: String)
        /// `environments:` is empty.
        case emptyEnvironments
        /// An environment name with other characters than letters, digits, `-` and `_`.
        case invalidEnvironmentName(String)
        /// `promotion` names an environment that is not declared.
        case undeclaredInPromotion(String)
        /// `promotion` names an environment twice.
        case promotedTwice(String)
        /// `default_environment` names an environment that is not declared.
        case unknownDefaultEnvironment(String, suggestion: String?)
        /// `default_environment` names a protected environment.
        case protectedDefaultEnvironment(String)

        // Environments.
        /// An environment has no `url`.
        case missingURL(environment: String)
        /// An environment's `schema` holds other characters than letters, digits and `_`.
        case invalidSchemaName(String, environment: String)
        /// An environment's URL cannot be read; the message is the URL parser's (or libpq's), and
        /// `variables` are the `${VAR}`s the URL was expanded from.
        case invalidURL(String, variables: [String])
        /// An environment's URL has a `${` without `}`.
        case unclosedVariable(environment: String)
        /// An environment's URL needs a variable that is not set.
        case unsetVariable(String, environment: String)
        /// No driver opens an environment's URL (shown redacted, when it could be expanded).
        case noDriver(environment: String, url: String?)
        /// No environment named and no default.
        case noEnvironmentGiven(environments: [String])
        /// No environment of that name, with the closest name, else every name.
        case unknownEnvironment(String, suggestion: String?, environments: [String])

        // Commands.
        /// The actor (from `source`: `--actor` or a variable) holds a control character.
        case actorHasControlCharacter(source: String)
        /// `resolve --sql`.
        case resolveHasNoOfflineForm
        /// `promote TO` where TO has no predecessor.
        case noPredecessor(environment: String)
        /// `promote X X`.
        case promotionToItself(environment: String)
        /// `init` in a folder that already has a project's files.
        case wouldOverwrite(path: String)
        /// `init` in a folder that holds files, without `--force`.
        case folderNotEmpty(path: String)
        /// A new revision's `option` (`--message`, `--branch-label`) holds a control character
        /// (its scalar value): the header it would write is refused by every later command.
        case controlCharacterInOption(option: String, scalar: UInt32)

        // Schemas and the scratch database.
        /// No `schema:` in the environments file.
        case noDesiredSchema
        /// The `schema:` file or folder does not exist.
        case missingDesiredSchema(path: String)
        /// `diff` of two databases of different kinds.
        case differentDatabaseKinds(left: String, right: String)
        /// The scratch database is of another kind than an environment's (its kind, when named).
        case scratchOfOtherKind(scratch: String, environment: String, environmentKind: String?)
        /// `scratch_url` cannot be read; the message is the URL parser's.
        case invalidScratchURL(String)
        /// `scratch_url` is an environment's URL.
        case scratchIsEnvironment(String)
        /// Two environments name one database: the same expanded URL, schema and table prefix.
        case sharedDatabase(environment: String, other: String)
        /// No driver opens `scratch_url` (shown redacted).
        case noScratchDriver(url: String)
        /// A name under `vars:` that is not `[A-Za-z_][A-Za-z0-9_]*`.
        case invalidVariableName(String)
        /// A value under `vars:` that is a list or a mapping, not a string.
        case variableNotAString(String)
        /// `${VAR}` unset (or `${` unclosed: `variable` nil) in the value of `vars:` entry `name`.
        case unsetVariableInVars(String?, name: String, environment: String)
    }

    /// What is wrong.
    public var code: Code
    public var location: SourceLocation?
    public var environment: String?
    public var exitCode: ExitStatus { .usage }

    /// Creates an error.
    public init(_ code: Code, location: SourceLocation? = nil, environment: String? = nil) {
        self.code = code
        self.location = location
        self.environment = environment
    }

    /// What is wrong and what to do next.
    public var message: String {
        let configPath = Project.configPath
        switch code {
        case .emptyProjectOption:
            return "--project is empty; give the project's folder, or leave the option out to search upward from here"
        case .notAProject(let explicit):
            return "'\(explicit)' is not a Godwit project: it has no \(configPath); run 'godwit init \(explicit)' to create one"
        case .noProject(let start):
            return "no Godwit project here: no \(configPath) in '\(start)' or any folder above it; run 'godwit init' or pass --project DIR"
        case .unreadableText(let fault):
            return fault
        case .cannotRead(let path):
            return "cannot read \(path)"
        case .emptyFile(let path):
            return "\(path) is empty; it needs at least 'environments:'"
        case .invalidYAML(let what):
            return what.map { "invalid YAML: \($0)" } ?? "invalid YAML"
        case .unreadableYAML(let problem):
            return "cannot read the YAML: \(problem)"
        case .duplicateKey(let key):
            return "key '\(key)' is given twice in the same mapping; keep one"
        case .keyGivenTwice(let key, let firstLine):
            return "key '\(key)' is given twice (first on line \(firstLine))"
        case .notAMapping(let what):
            return "\(what) must be a mapping of keys to values"
        case .keyNotAName(let what):
            return "a key in \(what) must be a plain name"
        case .unknownKey(let key, let what, let suggestion, let allowed):
            return "unknown \(what) '\(key)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "; valid keys are \(allowed.joined(separator: ", "))")
        case .notAScalar(let key):
            return "'\(key)' must be a single value, not a list or mapping"
        case .notABool(let key, let value):
            return "'\(key)' must be true or false, not '\(value)'"
        case .invalidVariableName(let name):
            return "variable name '\(name)' under 'vars:' must be a letter or '_' followed by letters, digits or '_'"
        case .variableNotAString(let name):
            return "variable '\(name)' under 'vars:' must be a string, not a list or mapping (quote it)"
        case .unsetVariableInVars(let variable?, let name, let environment):
            return "environment variable '\(variable)' is not set; environment '\(environment)' needs it for variable '\(name)' (set it, or write ${\(variable):-default})"
        case .unsetVariableInVars(nil, let name, let environment):
            return "unclosed '${' in variable '\(name)' of environment '\(environment)'"
        case .notAList(let key):
            return "'\(key)' must be a list, e.g. [dev, test, prod]"
        case .notADuration(let key, let value):
            return "'\(key)' value '\(value)' is not a duration; write e.g. 500ms, 10s, 5m or 1h"
        case .notAChoice(let key, let value, let environment, let choices):
            return "\(key) '\(value)' of environment '\(environment)' must be \(choices.map { "'\($0)'" }.joined(separator: " or "))"
        case .invalidTablePrefix(let prefix):
            return "table_prefix '\(prefix)' may only hold letters, digits and '_', and must not start with a digit"
        case .emptyTablePrefix:
            return "table_prefix is empty; Godwit's tables need a prefix such as 'godwit_'"
        case .tablePrefixTooLong(let prefix, let limit):
            return "table_prefix is \(prefix.utf8.count) bytes long; at most \(limit) keep Godwit's table names within PostgreSQL's 63 bytes"
        case .emptyPath(let key):
            return "'\(key)' is empty; give a path relative to the project root, or remove the key"
        case .auditLogIsFolder(let path):
            return "audit_log '\(path)' is a folder; name a file in it, e.g. '\(path.hasSuffix("/") ? path : path + "/")audit.jsonl'"
        case .auditLogFolderIsFile(let path):
            return "audit_log '\(path)' cannot be created: a part of its folder is a file"
        case .unsetVariableInKey(let variable, let key):
            return "environment variable '\(variable)' is not set; '\(key)' needs it (set it, or write ${\(variable):-default})"
        case .unclosedVariableInKey(let key):
            return "unclosed '${' in '\(key)'"
        case .noEnvironments(let path):
            return "\(path) declares no 'environments:'; add at least one, e.g. 'dev: {url: sqlite:var/dev.sqlite3}'"
        case .emptyEnvironments:
            return "'environments' is empty; declare at least one"
        case .invalidEnvironmentName(let name):
            return "environment name '\(name)' may only hold letters, digits, '-' and '_'"
        case .undeclaredInPromotion(let name):
            return "promotion names '\(name)', which is not declared under 'environments'; declare it or remove it from 'promotion'"
        case .promotedTwice(let name):
            return "promotion names '\(name)' twice"
        case .unknownDefaultEnvironment(let name, let suggestion):
            return "default_environment '\(name)' is not declared under 'environments'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .protectedDefaultEnvironment(let name):
            return "default_environment '\(name)' is protected; the default must never be a protected environment"
        case .missingURL(let name):
            return "environment '\(name)' has no 'url'; add e.g. 'url: sqlite:var/\(name).sqlite3'"
        case .invalidSchemaName(let schema, let name):
            return "schema '\(schema)' of environment '\(name)' may only hold letters, digits and '_'"
        case .invalidURL(let message, let variables):
            return message + (variables.isEmpty ? "" : " (the url is expanded from \(variables.map { "${\($0)}" }.joined(separator: ", ")))")
        case .unclosedVariable(let name):
            return "unclosed '${' in the url of environment '\(name)'"
        case .unsetVariable(let variable, let name):
            return "environment variable '\(variable)' is not set; environment '\(name)' needs it for its url (set it, or write ${\(variable):-default})"
        case .noDriver(let name, let url):
            return "no driver for the url of environment '\(name)'" + (url.map { " (\($0))" } ?? "")
        case .noEnvironmentGiven(let names):
            return "no environment given and no default_environment set; pass -e with one of \(names.joined(separator: ", "))"
        case .unknownEnvironment(let name, let suggestion, let names):
            return "no environment '\(name)' in \(configPath)"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "; environments are \(names.joined(separator: ", "))")
        case .actorHasControlCharacter(let source):
            return "the actor from \(source) holds a control character; give a plain name"
        case .resolveHasNoOfflineForm:
            return "resolve has no offline form; it only changes Godwit's own table"
        case .noPredecessor(let name):
            return "'\(name)' has no predecessor in promotion; name the environment to promote from: 'godwit promote FROM \(name)'"
        case .promotionToItself(let name):
            return "cannot promote '\(name)' to itself"
        case .wouldOverwrite(let path):
            return "'\(path)' already exists; init never overwrites anything (choose an empty folder)"
        case .folderNotEmpty(let path):
            return "the folder '\(path)' is not empty; init writes into an empty folder (choose one), or pass --force to add only the files that do not exist yet (existing ones are never overwritten)"
        case .controlCharacterInOption(let option, let scalar):
            let hex = String(scalar, radix: 16, uppercase: true)
            return "\(option) holds the control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex); a revision's header is one line of printable text per key, so remove it (nothing was written)"
        case .noDesiredSchema:
            return "no desired schema: set 'schema: schema.sql' (a file or folder of CREATE statements) in \(configPath), or pass --from-env ENV"
        case .missingDesiredSchema(let path):
            return "the desired schema '\(path)' (schema: in \(configPath)) does not exist; write it, or pass --from-env ENV"
        case .differentDatabaseKinds(let left, let right):
            return "'\(left)' and '\(right)' are databases of different kinds; diff compares two SQLite or two PostgreSQL environments"
        case .scratchOfOtherKind(let scratch, let name, let kind?):
            return "scratch_url is a \(scratch) database but environment '\(name)' is \(kind); set scratch_url in \(configPath) to a \(kind) database Godwit may wipe"
        case .scratchOfOtherKind(let scratch, let name, nil):
            return "scratch_url is a \(scratch) database but environment '\(name)' is not; set scratch_url in \(configPath) to a database of the same kind that Godwit may wipe"
        case .invalidScratchURL(let message):
            return "scratch_url: " + message
        case .sharedDatabase(let environment, let other):
            return "environments '\(other)' and '\(environment)' name the same database (same url, schema and table_prefix): their state and audit chains would mix; give each its own database, schema or table_prefix"
        case .scratchIsEnvironment(let name):
            return "scratch_url is the url of environment '\(name)'; Godwit wipes the scratch database, so give it a database of its own"
        case .noScratchDriver(let url):
            return "no driver for scratch_url '\(url)'"
        }
    }
}
