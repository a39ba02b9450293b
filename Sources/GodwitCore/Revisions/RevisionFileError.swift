/// An error in a revision file: a `code` that carries the data, and the place in the file.
public struct RevisionFileError: GodwitError, Hashable {
    /// What is wrong, with its data; `message` renders it.
    public enum Code: Sendable, Hashable {
        /// The file cannot be read.
        case unreadable
        /// A byte that is not UTF-8 (nil when it could not be found).
        case invalidUTF8(UInt8?)
        /// A NUL byte, after which a database would silently drop the SQL.
        case nulByte
        /// A control character other than tab, LF and CR.
        case controlCharacter(UInt8)
        /// A `-- +downgrade` marker before the `-- +upgrade` marker.
        case downgradeBeforeUpgrade
        /// SQL in the header, above the `-- +upgrade` marker.
        case sqlBeforeUpgrade
        /// A header key that is not one of `RevisionFile.headerKeys`, with the closest one when there is one.
        case unknownKey(String, suggestion: String?)
        /// A header key given twice; `firstLine` is where it was first given.
        case duplicateKey(String, firstLine: Int)
        /// No `-- +upgrade` marker.
        case missingUpgradeMarker
        /// A second `-- +upgrade` marker; `firstLine` is where the first one is.
        case repeatedUpgradeMarker(firstLine: Int)
        /// A second `-- +downgrade` marker; `firstLine` is where the first one is.
        case repeatedDowngradeMarker(firstLine: Int)
        /// No `-- revision:` line, or an empty one.
        case missingRevision
        /// A revision id that is not `[A-Za-z0-9_]+`.
        case invalidID(String)
        /// A revision id that is a word of the target syntax: `base`, `head` or `heads`.
        case reservedID(String)
        /// No `-- down_revision:` line.
        case missingDownRevision
        /// A revision that names itself as its parent.
        case selfParent(String)
        /// A `transactional` value other than true, false, yes or no.
        case invalidTransactional(String)
        /// A `lock_timeout` or `statement_timeout` that is not a duration.
        case invalidDuration(key: String, text: String)
        /// A file name that does not start with the revision id.
        case fileNameMismatch(fileName: String, id: String)
        /// An id list (`down_revision`, `depends_on`, `branch_labels`) with an empty item.
        case emptyListItem(key: String, list: String)
        /// An id list item that is not `[A-Za-z0-9_]+`.
        case invalidListItem(key: String, item: String)
        /// An id list that names an item twice.
        case repeatedListItem(key: String, item: String)
        /// A revision header key (`revision`, `down_revision`, …) in a repeatable file, which has only `message`.
        case keyInRepeatable(String)
        /// A `-- +downgrade` marker in a repeatable file: a repeatable is redefined, never undone.
        case downgradeInRepeatable
    }

    /// What is wrong.
    public var code: Code
    /// Where the problem is: the file, and the line (and byte column) when known.
    public var location: SourceLocation?
    public var exitCode: ExitStatus { .usage }

    /// Creates an error at `file:line`, or `file:line:column`.
    public init(_ code: Code, file: String, line: Int?, column: Int? = nil) {
        self.code = code
        self.location = SourceLocation(file: file, line: line, column: column)
    }

    /// The error for the first byte of `file` that is not text.
    public init(_ fault: TextFault, file: String) {
        let code: Code
        switch fault.kind {
        case .invalidUTF8(let byte): code = .invalidUTF8(byte)
        case .nul: code = .nulByte
        case .controlCharacter(let byte): code = .controlCharacter(byte)
        }
        self.init(code, file: file, line: fault.line, column: fault.column)
    }

    /// What is wrong and what to do, rendered from `code`.
    public var message: String {
        switch code {
        case .unreadable:
            return "cannot read the file"
        case .invalidUTF8(let byte):
            return "the file is not valid UTF-8\(byte.map { " (byte \(TextFault.hex($0)))" } ?? ""); save it as UTF-8"
        case .nulByte:
            return "a NUL byte; remove it: a revision file is text, and a database would silently drop the SQL after it"
        case .controlCharacter(let byte):
            return "control character \(TextFault.hex(byte)); remove it: tabs and line breaks are the only control characters a revision file may hold"
        case .downgradeBeforeUpgrade:
            return "'-- +downgrade' comes before '-- +upgrade'; put the upgrade section first"
        case .sqlBeforeUpgrade:
            return "SQL before the '-- +upgrade' marker; put the statements of the upgrade below a line '-- +upgrade'"
        case .unknownKey(let key, let suggestion?):
            return "unknown header key '\(key)'; did you mean '\(suggestion)'?"
        case .unknownKey(let key, nil):
            return "unknown header key '\(key)'; valid keys are \(RevisionFile.headerKeys.joined(separator: ", "))"
        case .duplicateKey(let key, let firstLine):
            return "header key '\(key)' is given twice (first on line \(firstLine))"
        case .missingUpgradeMarker:
            return "no '-- +upgrade' marker; a revision file needs a line '-- +upgrade' before its SQL"
        case .repeatedUpgradeMarker(let firstLine):
            return "a second '-- +upgrade' marker (the first is on line \(firstLine))"
        case .repeatedDowngradeMarker(let firstLine):
            return "a second '-- +downgrade' marker (the first is on line \(firstLine))"
        case .missingRevision:
            return "missing '-- revision: <id>' in the header"
        case .invalidID(let id):
            return "revision id '\(id)' may only hold letters, digits and '_'"
        case .reservedID(let id):
            return "revision id '\(id)' is reserved: 'base', 'head' and 'heads' name targets; choose another id"
        case .missingDownRevision:
            return "missing '-- down_revision:' in the header; leave it empty for a base revision"
        case .selfParent(let id):
            return "revision '\(id)' names itself as its down_revision"
        case .invalidTransactional(let text):
            return "transactional must be 'true' or 'false', not '\(text)'"
        case .invalidDuration(let key, let text):
            return "\(key) '\(text)' is not a duration; write e.g. 500ms, 2s, 5m or 1h"
        case .fileNameMismatch(let fileName, let id):
            return "file name '\(fileName)' does not match revision '\(id)'; name it '\(id)_<slug>.sql'"
        case .emptyListItem(let key, let list):
            return "\(key) has an empty item in '\(list)'"
        case .invalidListItem(let key, let item):
            return "\(key) item '\(item)' may only hold letters, digits and '_'"
        case .repeatedListItem(let key, let item):
            return "\(key) names '\(item)' twice"
        case .keyInRepeatable(let key):
            return "a repeatable has no '\(key)' header: it has no id and no place in the graph, only an optional '-- message:' line; remove the line (or move the file out of repeatable/ to make it a revision)"
        case .downgradeInRepeatable:
            return "a repeatable has no '-- +downgrade' section: it is redefined as a whole on every change, never undone; remove the section"
        }
    }
}
