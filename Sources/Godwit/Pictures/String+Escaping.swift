extension String {
    /// The text with each character found in `table` replaced by its entry, and any other line
    /// break or control character by `controlCharacter` (nil keeps it): what each picture format
    /// needs to keep user text inside its quotes.
    func escaped(_ table: [Character: String], controlCharacter: String? = nil) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            if let replacement = table[character] {
                out += replacement
            } else if let controlCharacter, character.isNewline || character.asciiValue.map({ $0 < 0x20 }) == true {
                out += controlCharacter
            } else {
                out.append(character)
            }
        }
        return out
    }
}
