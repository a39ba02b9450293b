import GodwitCore

extension String {
    /// The UTF-8 offset of the first occurrence of `needle`, or of its `occurrence`-th one (1-based).
    func utf8Offset(of needle: String, occurrence: Int = 1) -> Int? {
        var searchStart = startIndex
        var found: Range<String.Index>?
        for _ in 0..<occurrence {
            guard let range = range(of: needle, range: searchStart..<endIndex) else { return nil }
            found = range
            searchStart = range.upperBound
        }
        return found.map { utf8.distance(from: utf8.startIndex, to: $0.lowerBound) }
    }

    /// The 1-based line of a UTF-8 offset.
    func line(atUTF8Offset offset: Int) -> Int {
        SQLSection(sql: self, line: 1).line(atUTF8Offset: offset)
    }
}
