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
    /// Which right row to pick (default: backward).
    public var direction: AsOfDirection
    /// The largest allowed distance between the times, in microseconds (dates count 86,400,000,000 µs a day),
    /// inclusive; `nil` for no limit.
    public var toleranceMicroseconds: Int64?
    /// Whether a right time equal to the left time matches (`true`: `≤`/`≥`; `false`: `<`/`>`).
    public var allowExactMatches: Bool
    /// Suffix for a left column whose name clashes with a right one.
    public var leftSuffix: String
    /// Suffix for a right column whose name clashes with a left one.
    public var rightSuffix: String

    /// Options; the defaults match backward, with exact matches and no tolerance.
    public init(
        direction: AsOfDirection = .backward, toleranceMicroseconds: Int64? = nil, allowExactMatches: Bool = true,
        leftSuffix: String = "_left", rightSuffix: String = "_right"
    ) {
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
    /// - Complexity: O(left + right + output × columns) when both sides are in time order,
    ///   plus O(n log n) to sort a side that is not.
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
        // A row with a null time matches nothing: it gets no id.
        func withoutNullTimes(_ ids: [Int32], _ times: TimeValues) -> [Int32] {
            guard times.column.nullCount > 0 else { return ids }
            var ids = ids
            for i in ids.indices where times.column.isNull(i) { ids[i] = -1 }
            return ids
        }
        return Table.asOfMatches(
            leftIDs: withoutNullTimes(leftIDs, leftTimes), leftTimes: leftTimes.values,
            rightIDs: withoutNullTimes(rightIDs, rightTimes), rightTimes: rightTimes.values, idCount: idCount, options: options)
    }

    /// The as-of join on dense customer codes from one ``KeySpace``: array
    /// indexing instead of hashing the keys. Same rules as
    /// ``asOfJoined(with:leftTime:rightTime:by:options:)``; returns the matched
    /// right row per left row.
    ///
    /// - Precondition: each code array matches its table's length.
    /// - Throws: ``KernelError/notATime(column:kind:)``, ``KernelError/negativeTolerance(microseconds:)``,
    ///   ``KernelError/unknownColumn(_:suggestions:)``.
    /// - Complexity: O(left + right), plus a sort of a side that is not in time order.
    public func asOfMatches(
        with right: Table, leftTime: String, rightTime: String, leftCodes: KeyCodes, rightCodes: KeyCodes,
        options: AsOfOptions = AsOfOptions()
    ) throws(KernelError) -> [Int?] {
        precondition(leftCodes.count == rowCount && rightCodes.count == right.rowCount, "key codes and tables differ in length")
        if let tolerance = options.toleranceMicroseconds, tolerance < 0 { throw .negativeTolerance(microseconds: tolerance) }
        let leftTimes = try Table.times(try kernelColumn(leftTime), name: leftTime)
        let rightTimes = try Table.times(try right.kernelColumn(rightTime), name: rightTime)
        let idCount = max(leftCodes.keyCount, rightCodes.keyCount)
        // Codes become ids (-1 where the code or the time is null) in one tight loop.
        func ids(_ codes: KeyCodes, _ times: TimeValues) -> [Int32] {
            var out = [Int32](repeating: -1, count: codes.count)
            let timesHaveNulls = times.column.nullCount > 0
            codes.codes.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<codes.count where (codes.validity?[i] ?? true) && !(timesHaveNulls && times.column.isNull(i)) {
                        o[i] = Int32(bitPattern: c[i])
                    }
                }
            }
            return out
        }
        return Table.asOfMatches(
            leftIDs: ids(leftCodes, leftTimes), leftTimes: leftTimes.values, rightIDs: ids(rightCodes, rightTimes), rightTimes: rightTimes.values,
            idCount: idCount, options: options)
    }

    /// The as-of core over dense key ids (-1: no key): a sweep in time order.
    ///
    /// ```
    /// time ─►   o1(A)   s1(A)   o2(B)   o3(A)   s2(A)   s3(B)
    /// latest[A]: o1 ──► s1 gets o1      o3 ──►  s2 gets o3
    /// latest[B]:                o2 ───────────────────► s3 gets o2
    /// ```
    ///
    /// Both sides are visited in (time, row) order; each right row updates the
    /// latest row of its key, each left row reads it. A side already in time
    /// order (the usual case: exports are sorted by time) is not sorted again.
    /// Forward matches sweep backwards in time; nearest takes both. The sweep
    /// is one linear pass on one thread: its cost is reading the times and
    /// one array access per row, which splitting would not reduce.
    static func asOfMatches(
        leftIDs: [Int32], leftTimes: [Int64], rightIDs: [Int32], rightTimes: [Int64], idCount: Int, options: AsOfOptions
    ) -> [Int?] {
        let exact = options.allowExactMatches
        let leftOrder = timeOrder(leftIDs, leftTimes)
        let rightOrder = timeOrder(rightIDs, rightTimes)
        var backward: [Int32] = []
        var forward: [Int32] = []
        if options.direction != .forward {
            backward = [Int32](repeating: -1, count: leftIDs.count)
            var latest = [Int32](repeating: -1, count: idCount)
            latest.withUnsafeMutableBufferPointer { latest in
                backward.withUnsafeMutableBufferPointer { out in
                    var j = 0
                    for i32 in leftOrder {
                        let i = Int(i32), t = leftTimes[i]
                        while j < rightOrder.count {
                            let r = Int(rightOrder[j])
                            let rt = rightTimes[r]
                            if exact ? rt > t : rt >= t { break }
                            latest[Int(rightIDs[r])] = Int32(truncatingIfNeeded: r)
                            j &+= 1
                        }
                        out[i] = latest[Int(leftIDs[i])]
                    }
                }
            }
        }
        if options.direction != .backward {
            forward = [Int32](repeating: -1, count: leftIDs.count)
            var earliest = [Int32](repeating: -1, count: idCount)
            var j = rightOrder.count - 1
            for k in leftOrder.indices.reversed() {
                let i = Int(leftOrder[k]), t = leftTimes[i]
                while j >= 0 {
                    let r = Int(rightOrder[j])
                    let rt = rightTimes[r]
                    if exact ? rt < t : rt <= t { break }
                    earliest[Int(rightIDs[r])] = Int32(truncatingIfNeeded: r)
                    j -= 1
                }
                forward[i] = earliest[Int(leftIDs[i])]
            }
        }
        let tolerance = options.toleranceMicroseconds
        var matches = [Int?](repeating: nil, count: leftIDs.count)
        for i32 in leftOrder {
            let i = Int(i32), t = leftTimes[i]
            var pick: Int32 = -1
            switch options.direction {
            case .backward: pick = backward[i]
            case .forward: pick = forward[i]
            case .nearest:
                let b = backward[i], f = forward[i]
                if b >= 0 && f >= 0 {
                    // 128-bit distances: times may span the whole 64-bit range.
                    pick = Int128(t) - Int128(rightTimes[Int(b)]) <= Int128(rightTimes[Int(f)]) - Int128(t) ? b : f
                } else {
                    pick = b >= 0 ? b : f
                }
            }
            guard pick >= 0 else { continue }
            if let tolerance, (Int128(rightTimes[Int(pick)]) - Int128(t)).magnitude > UInt128(tolerance) { continue }
            matches[i] = Int(pick)
        }
        return matches
    }

    /// The rows with an id (a key and a time), in (time, row) order; no sort when they already are.
    static func timeOrder(_ ids: [Int32], _ times: [Int64]) -> [Int32] {
        var rows: [Int32] = []
        rows.reserveCapacity(ids.count)
        var sorted = true
        var previous = Int64.min
        for row in ids.indices where ids[row] >= 0 {
            let t = times[row]
            if t < previous { sorted = false }
            previous = t
            rows.append(Int32(truncatingIfNeeded: row))
        }
        if !sorted {
            rows.sort { a, b in times[Int(a)] != times[Int(b)] ? times[Int(a)] < times[Int(b)] : a < b }
        }
        return rows
    }

    /// A time column as microseconds per row (dates at midnight UTC; nulls hold 0, see `column`).
    struct TimeValues {
        var values: [Int64]
        var column: Column
    }

    static func times(_ column: Column, name: String) throws(KernelError) -> TimeValues {
        switch column.storage {
        case .timestamp(let v):
            let values = v[column.offset..<(column.offset + column.count)].map(\.microsecondsSinceEpoch)
            return TimeValues(values: values, column: column)
        case .date(let v):
            let values = v[column.offset..<(column.offset + column.count)].map { Int64($0.daysSinceEpoch) * Timestamp.microsecondsPerDay }
            return TimeValues(values: values, column: column)
        default: throw .notATime(column: name, kind: column.kind)
        }
    }
}
