/// Nearest-name suggestions for "no column named …" errors.
package enum NameSuggestions {
    /// Up to three of `candidates` closest to `name`: same name ignoring case,
    /// or within an edit distance of about a third of the name's length.
    ///
    /// - Complexity: O(candidates × name length²).
    package static func nearest(to name: String, in candidates: [String]) -> [String] {
        let target = Array(name.lowercased())
        let limit = max(2, target.count / 3)
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let distance = editDistance(target, Array(candidate.lowercased()))
            let contains = candidate.lowercased().contains(name.lowercased()) || name.lowercased().contains(candidate.lowercased())
            guard distance <= limit || (contains && min(target.count, candidate.count) >= 3) else { return nil }
            return (candidate, distance)
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(3).map(\.0)
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
