/// Which right row an as-of join picks for a left row.
public enum AsOfDirection: String, Hashable, Sendable {
    /// The latest right time at or before the left time.
    case backward
    /// The earliest right time at or after the left time.
    case forward
    /// The closest right time either way; at equal distance, the earlier one (backward).
    case nearest
}

/// How an as-of join matches.
public struct AsOfOptions: Hashable, Sendable {
    public var direction: AsOfDirection
    /// The largest allowed distance between the times, in microseconds (dates count 86,400,000,000 µs a day),
    /// inclusive; `nil` for no limit.
    public var toleranceMicroseconds: Int64?
    /// Whether a right time equal to the left time matches (`true`: `≤`/`≥`; `false`: `<`/`>`).
    public var allowExactMatches: Bool
    public var leftSuffix: String
    public var rightSuffix: String
    /// Threads for the probe (the answer is the same for any count).
    public var threads: Int

    public init(
        direction: AsOfDirection = .backward, toleranceMicroseconds: Int64? = nil, allowExactMatches: Bool = true,
        leftSuffix: String = "_left", rightSuffix: String = "_right", kernel: KernelOptions = .default
    ) {
        threads = kernel.threadCount
        self.direction = direction
        self.toleranceMicroseconds = toleranceMicroseconds
        self.allowExactMatches = allowExactMatches
        self.leftSuffix = leftSuffix
        self.rightSuffix = rightSuffix
    }

    /// A tolerance of whole days.
    public static func days(_ n: Int64) -> Int64 { n * Timestamp.microsecondsPerDay }
}

extension Table {
    /// For each left row, the right row with equal `by` keys whose time is the
    /// latest at or before the left time (backward), the earliest at or after
    /// it (forward), or the nearest, within the tolerance. A left join: every
    /// left row stays, in order; unmatched rows get nulls on the right.
    ///
    /// The right side is sorted here, by key and time, whatever order it comes
    /// in: the answer never depends on input order. Ties: among right rows with
    /// the same key and the same matching time, backward takes the last in
    /// right-table order and forward the first; nearest prefers the backward
    /// candidate at equal distance. Rows with a null time or a null key match
    /// nothing. Times may be timestamps or dates (a date is its midnight, UTC).
    ///
    /// ```
    /// left  t:   10        20       30           right t: 8  19  19′  31
    /// backward   8         19′      19′          forward  19  19  31   31
    /// ```
    ///
    /// Output columns: the left columns, then the right ones except the `by`
    /// keys that share a name with their left key; other clashes get suffixes.
    ///
    /// - Throws: ``KernelError/notATime(column:kind:)``, ``KernelError/negativeTolerance(microseconds:)``,
    ///   ``KernelError/unknownColumn(_:suggestions:)``, ``KernelError/keyKindMismatch(left:leftKind:right:rightKind:)``.
    /// - Complexity: O((left + right) × log right + output × columns).
    public func asOfJoined(
        with right: Table, leftTime: String, rightTime: String, by keys: [(left: String, right: String)] = [],
        options: AsOfOptions = AsOfOptions()
    ) throws(KernelError) -> Table {
        let rows = try asOfMatches(with: right, leftTime: leftTime, rightTime: rightTime, by: keys, options: options)
        return try assemble(right, keys: keys, leftRows: (0..<rowCount).map { $0 }, rightRows: rows,
            options: JoinOptions(leftSuffix: options.leftSuffix, rightSuffix: options.rightSuffix))
    }

    /// As ``asOfJoined(with:leftTime:rightTime:by:options:)`` with `by` keys of the same name on both sides.
    public func asOfJoined(with right: Table, leftTime: String, rightTime: String, by keys: [String], options: AsOfOptions = AsOfOptions()) throws(KernelError) -> Table {
        try asOfJoined(with: right, leftTime: leftTime, rightTime: rightTime, by: keys.map { (left: $0, right: $0) }, options: options)
    }

    /// The matched right row for each left row (`nil`: no match).
    public func asOfMatches(
        with right: Table, leftTime: String, rightTime: String, by keys: [(left: String, right: String)] = [],
        options: AsOfOptions = AsOfOptions()
    ) throws(KernelError) -> [Int?] {
        if let tolerance = options.toleranceMicroseconds, tolerance < 0 { throw .negativeTolerance(microseconds: tolerance) }
        let leftTimes = try Table.times(try kernelColumn(leftTime), name: leftTime)
        let rightTimes = try Table.times(try right.kernelColumn(rightTime), name: rightTime)

        // Key ids (all rows share one key when there are no `by` columns).
        let leftIDs: [Int32], rightIDs: [Int32], idCount: Int
        if keys.isEmpty {
            leftIDs = [Int32](repeating: 0, count: rowCount)
            rightIDs = [Int32](repeating: 0, count: right.rowCount)
            idCount = 1
        } else {
            let l = try keys.map { (k) throws(KernelError) in (name: k.left, column: try kernelColumn(k.left)) }
            let r = try keys.map { (k) throws(KernelError) in (name: k.right, column: try right.kernelColumn(k.right)) }
            let ids = try RowKeys.encode(left: l, right: r, nullsAreValues: false)
            (leftIDs, rightIDs, idCount) = (ids.left, ids.right, ids.count)
        }

        return Table.asOfMatches(leftIDs: leftIDs, leftTimes: leftTimes, rightIDs: rightIDs, rightTimes: rightTimes, idCount: idCount, options: options)
    }

    /// The as-of join on dense customer codes from one ``KeySpace``: array
    /// indexing instead of hashing the keys. Same rules as
    /// ``asOfJoined(with:leftTime:rightTime:by:options:)``; returns the matched
    /// right row per left row.
    ///
    /// - Precondition: each code array matches its table's length.
    /// - Throws: ``KernelError/notATime(column:kind:)``, ``KernelError/negativeTolerance(microseconds:)``,
    ///   ``KernelError/unknownColumn(_:suggestions:)``.
    /// - Complexity: O(left + right + Σ per-key sort of unsorted keys + left × log(rows per key)).
    public func asOfMatches(
        with right: Table, leftTime: String, rightTime: String, leftCodes: KeyCodes, rightCodes: KeyCodes,
        options: AsOfOptions = AsOfOptions()
    ) throws(KernelError) -> [Int?] {
        precondition(leftCodes.count == rowCount && rightCodes.count == right.rowCount, "key codes and tables differ in length")
        if let tolerance = options.toleranceMicroseconds, tolerance < 0 { throw .negativeTolerance(microseconds: tolerance) }
        let leftTimes = try Table.times(try kernelColumn(leftTime), name: leftTime)
        let rightTimes = try Table.times(try right.kernelColumn(rightTime), name: rightTime)
        let idCount = max(leftCodes.keyCount, rightCodes.keyCount)
        func ids(_ codes: KeyCodes) -> [Int32] { (0..<codes.count).map { codes[$0].map { Int32(bitPattern: $0) } ?? -1 } }
        return Table.asOfMatches(leftIDs: ids(leftCodes), leftTimes: leftTimes, rightIDs: ids(rightCodes), rightTimes: rightTimes, idCount: idCount, options: options)
    }

    /// The as-of core over dense key ids (-1: no key).
    static func asOfMatches(
        leftIDs: [Int32], leftTimes: [Int64?], rightIDs: [Int32], rightTimes: [Int64?], idCount: Int, options: AsOfOptions
    ) -> [Int?] {
        // Right rows with a time, by key (row order), then sorted by (time, row)
        // within each key unless already in order.
        var eligible = rightIDs
        for row in 0..<rightIDs.count where rightTimes[row] == nil { eligible[row] = -1 }
        let index = KeyIndex(eligible, count: idCount)
        var sortedRows = index.allRows
        var sortedTimes = sortedRows.map { rightTimes[$0]! }
        for id in 0..<idCount {
            let range = index.range(of: Int32(id))
            guard range.count > 1 else { continue }
            var ordered = true
            for i in range.dropFirst() where sortedTimes[i] < sortedTimes[i - 1] {
                ordered = false
                break
            }
            if ordered { continue }
            let rows = sortedRows[range].sorted { a, b in
                let ta = rightTimes[a]!, tb = rightTimes[b]!
                return ta != tb ? ta < tb : a < b
            }
            sortedRows.replaceSubrange(range, with: rows)
            sortedTimes.replaceSubrange(range, with: rows.map { rightTimes[$0]! })
        }

        let exact = options.allowExactMatches, tolerance = options.toleranceMicroseconds, direction = options.direction
        let parts = Partitions.map(Partitions.ranges(leftIDs.count), threads: options.threads) { part -> [Int?] in
            var matches = [Int?](repeating: nil, count: part.count)
            for row in part {
                let id = leftIDs[row]
                guard id >= 0, let t = leftTimes[row] else { continue }
                let range = index.range(of: id)
                guard !range.isEmpty else { continue }
                // Backward: the last index whose time is ≤ t (< t without exact matches).
                let after = Table.partition(sortedTimes, range) { exact ? $0 > t : $0 >= t }
                let back: Int? = after > range.lowerBound ? after - 1 : nil
                // Forward: the first index whose time is ≥ t (> t without exact matches).
                let ahead = Table.partition(sortedTimes, range) { exact ? $0 >= t : $0 > t }
                let fwd: Int? = ahead < range.upperBound ? ahead : nil
                var pick: Int?
                switch direction {
                case .backward: pick = back
                case .forward: pick = fwd
                case .nearest:
                    if let b = back, let f = fwd {
                        // 128-bit distances: times may span the whole 64-bit range.
                        pick = Int128(t) - Int128(sortedTimes[b]) <= Int128(sortedTimes[f]) - Int128(t) ? b : f
                    } else {
                        pick = back ?? fwd
                    }
                }
                guard let p = pick else { continue }
                if let tolerance, (Int128(sortedTimes[p]) - Int128(t)).magnitude > UInt128(tolerance) { continue }
                matches[row - part.lowerBound] = sortedRows[p]
            }
            return matches
        }
        return Array(parts.joined())
    }

    /// The first index in `range` where `isAfter` turns true in sorted `values` (binary search).
    static func partition(_ values: [Int64], _ range: Range<Int>, _ isAfter: (Int64) -> Bool) -> Int {
        var low = range.lowerBound, high = range.upperBound
        while low < high {
            let mid = (low + high) / 2
            if isAfter(values[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// A time column as microseconds per row (dates at midnight UTC).
    static func times(_ column: Column, name: String) throws(KernelError) -> [Int64?] {
        switch column.storage {
        case .timestamp(let v): return (0..<column.count).map { column.isNull($0) ? nil : v[column.offset + $0].microsecondsSinceEpoch }
        case .date(let v): return (0..<column.count).map { column.isNull($0) ? nil : Int64(v[column.offset + $0].daysSinceEpoch) * Timestamp.microsecondsPerDay }
        default: throw .notATime(column: name, kind: column.kind)
        }
    }
}
