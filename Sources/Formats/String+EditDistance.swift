extension String {
    /// Levenshtein distance (insertions, deletions, substitutions), for "did you mean" suggestions.
    ///
    /// - Complexity: O(m·n) time, O(n) memory.
    package func editDistance(to other: String) -> Int {
        let a = Array(self)
        let b = Array(other)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate nearest to this string, if it is close enough to be a plausible typo.
    package func nearest(among candidates: [String]) -> String? {
        let limit = Swift.max(2, count / 3)
        return candidates.map { ($0, editDistance(to: $0)) }.filter { $0.1 <= limit }
            .min { $0.1 < $1.1 }?.0
    }
}
