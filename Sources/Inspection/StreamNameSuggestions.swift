import Formats

/// Close matches for a mistyped stream name.
enum StreamNameSuggestions {
    /// Up to `limit` stored names near `name`: containing it or contained in it, or within a few edits.
    static func closest(to name: String, among known: [String], limit: Int = 3) -> [String] {
        let lowered = name.lowercased()
        let threshold = max(2, name.count / 3)
        let scored = known.compactMap { candidate -> (String, Int)? in
            let other = candidate.lowercased()
            if other == lowered { return (candidate, 0) }
            let distance = lowered.editDistance(to: other)
            if distance <= threshold { return (candidate, distance) }
            if !lowered.isEmpty, other.contains(lowered) || lowered.contains(other) {
                return (candidate, threshold + abs(other.count - lowered.count))
            }
            return nil
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }
}
