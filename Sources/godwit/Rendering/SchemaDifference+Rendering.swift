import Foundation
import Godwit
import GodwitCore

/// `diff` (with one side: `diff --expected`): the JSON of SPEC §9, or a header and one line per
/// difference; exits 3 when there is one.
func renderDiff(_ differences: [SchemaDifference], sides: [String], console: Console) throws {
    if console.isJSON {
        console.json(CommandJSON.diff(differences))
    } else if differences.isEmpty {
        let same = sides.count == 1
            ? "'\(sides[0])' matches what its applied revisions produce" : "'\(sides[0])' and '\(sides[1])' have the same schema"
        console.out("\(console.green("ok: "))\(same)")
    } else {
        let count = differences.count
        let objects = "\(count) \(count == 1 ? "object" : "objects")"
        console.out(StyledText(sides.count == 1
            ? "'\(sides[0])' differs from what its applied revisions produce in \(objects) (- only expected, + only live, ~ changed):"
            : "'\(sides[0])' and '\(sides[1])' differ in \(objects) (- only in '\(sides[0])', + only in '\(sides[1])', ~ changed):"))
        for difference in differences { console.out("  \(differenceLine(difference, console: console))") }
    }
    try exitWhenFound(!differences.isEmpty)
}

/// One difference as a line: `+ index users.users_email_idx: UNIQUE INDEX ON users (email)`.
func differenceLine(_ difference: SchemaDifference, console: Console) -> StyledText {
    let object = difference.object.replacingOccurrences(of: "_", with: " ")
    switch difference.kind {
    case "added": return "\(console.green("+")) \(object) \(difference.name): \(difference.right ?? "")"
    case "removed": return "\(console.red("-")) \(object) \(difference.name): \(difference.left ?? "")"
    default: return "\(console.yellow("~")) \(object) \(difference.name): \(difference.left ?? "") -> \(difference.right ?? "")"
    }
}
