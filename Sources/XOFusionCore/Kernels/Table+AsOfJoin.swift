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

    /// A tolerance of whole days, in microseconds.
    ///
    /// - Throws: ``KernelError/badArgument(argument:reason:)`` when `n` days do not fit
    ///   a 64-bit count of microseconds (beyond about ±106.75 million days).
    public static func days(_ n: Int64) throws(KernelError) -> Int64 {
        let (micros, overflow) = n.multipliedReportingOverflow(by: Timestamp.microsecondsPerDay)
        guard !overflow else {
            throw .badArgument(argument: "n", reason: "\(n) days do not fit a 64-bit count of microseconds")
        }
        return micros
    }
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
    /// nothing. Times may be timestamps or dates (a date is its midnight, UTC;
    /// a date too far from 1970 for 64-bit microseconds counts as the nearest
    /// representable time).
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
    /// Two timestamp columns already in time order (the usual case: exports
    /// are written as events happen) take a faster path: no copies, no sort,
    /// and the keys split across threads by code range; the matches are the same.
    ///
    /// - Throws: ``KernelError/notATime(column:kind:)``, ``KernelError/negativeTolerance(microseconds:)``,
    ///   ``KernelError/unknownColumn(_:suggestions:)``, ``KernelError/badArgument(argument:reason:)`` when a
    ///   code array has not one code per row of its table.
    /// - Complexity: O(left + right), plus a sort of a side that is not in time order; the in-place
    ///   path reads both sides once per thread (each thread keeps only its own keys' latest rows).
    public func asOfMatches(
        with right: Table, leftTime: String, rightTime: String, leftCodes: KeyCodes, rightCodes: KeyCodes,
        options: AsOfOptions = AsOfOptions(), kernelOptions: KernelOptions = .default
    ) throws(KernelError) -> [Int?] {
        try KernelError.checkLength(of: "leftCodes", leftCodes.count, rows: rowCount)
        try KernelError.checkLength(of: "rightCodes", rightCodes.count, rows: right.rowCount)
        if let tolerance = options.toleranceMicroseconds, tolerance < 0 { throw .negativeTolerance(microseconds: tolerance) }
        let leftColumn = try kernelColumn(leftTime), rightColumn = try right.kernelColumn(rightTime)
        let idCount = max(leftCodes.keyCount, rightCodes.keyCount)
        if let matches = Table.sortedSweep(
            left: (leftColumn, leftCodes), right: (rightColumn, rightCodes), idCount: idCount, options: options,
            threads: kernelOptions.threadCount)
        {
            return matches
        }
        let leftTimes = try Table.times(leftColumn, name: leftTime)
        let rightTimes = try Table.times(rightColumn, name: rightTime)
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
        return leftTimes.withUnsafeBufferPointer { l in
            rightTimes.withUnsafeBufferPointer { r in pick(backward: backward, forward: forward, leftTimes: l, rightTimes: r, options: options, threads: 1) }
        }
    }

    /// The as-of core for two timestamp columns whose rows with a key and a time
    /// are already in time order; `nil` when they are not (or are dates), for the general core.
    ///
    /// Reads the columns in place (no copies, no order arrays). Each thread
    /// takes one range of key codes and sweeps both sides, touching only the
    /// latest-row slots of its own keys: every key's answer is independent of
    /// the others, so the result does not depend on the thread count.
    static func sortedSweep(
        left: (time: Column, codes: KeyCodes), right: (time: Column, codes: KeyCodes), idCount: Int, options: AsOfOptions, threads: Int
    ) -> [Int?]? {
        guard case .timestamp(let leftStorage) = left.time.storage, case .timestamp(let rightStorage) = right.time.storage else { return nil }
        let leftEligible = eligibleRows(left.time, left.codes), rightEligible = eligibleRows(right.time, right.codes)
        return leftStorage.withUnsafeBufferPointer { lt in
            rightStorage.withUnsafeBufferPointer { rt in
                let l = SweepSide(times: UnsafeBufferPointer(rebasing: lt[left.time.offset..<(left.time.offset + left.time.count)]),
                                  codes: left.codes.codes, eligible: leftEligible)
                let r = SweepSide(times: UnsafeBufferPointer(rebasing: rt[right.time.offset..<(right.time.offset + right.time.count)]),
                                  codes: right.codes.codes, eligible: rightEligible)
                guard l.isInTimeOrder(threads: threads), r.isInTimeOrder(threads: threads) else { return nil }
                let parts = l.times.count + r.times.count < Partitions.minimumRows ? 1 : max(1, min(threads, idCount))
                let keyRanges = (0..<parts).map { k in (idCount * k / parts)..<(idCount * (k + 1) / parts) }
                var backward: [Int32] = [], forward: [Int32] = []
                if options.direction != .forward { backward = sweep(l, r, keyRanges, ascending: true, exact: options.allowExactMatches, threads: threads) }
                if options.direction != .backward { forward = sweep(l, r, keyRanges, ascending: false, exact: options.allowExactMatches, threads: threads) }
                // A timestamp is one Int64 of microseconds: the same memory, read as numbers.
                return l.times.withMemoryRebound(to: Int64.self) { lt in
                    r.times.withMemoryRebound(to: Int64.self) { rt in
                        pick(backward: backward, forward: forward, leftTimes: lt, rightTimes: rt, options: options, threads: threads)
                    }
                }
            }
        }
    }

    /// One side of the sorted sweep: times in place, codes, and which rows have both a key and a time.
    private struct SweepSide {
        let times: UnsafeBufferPointer<Timestamp>
        let codes: ContiguousArray<UInt32>
        /// The words of a bitmap over the rows (set: the row has a key and a time).
        let eligible: ContiguousArray<UInt64>

        @inline(__always) func isEligible(_ row: Int) -> Bool { eligible[row >> 6] >> UInt64(row & 63) & 1 != 0 }

        /// Whether the eligible rows' times never decrease; partitions check their
        /// own rows on threads, then their boundaries in order.
        func isInTimeOrder(threads: Int) -> Bool {
            let parts = Partitions.map(Partitions.ranges(times.count), threads: threads) { range -> (sorted: Bool, first: Int64, last: Int64)? in
                var first: Int64?, previous = Int64.min
                for row in range where isEligible(row) {
                    let t = times[row].microsecondsSinceEpoch
                    if t < previous { return (false, 0, 0) }
                    if first == nil { first = t }
                    previous = t
                }
                return first.map { (true, $0, previous) }
            }
            var previous = Int64.min
            for case let part? in parts {
                guard part.sorted, part.first >= previous else { return false }
                previous = part.last
            }
            return true
        }
    }

    /// The rows with a key code and a non-null time.
    private static func eligibleRows(_ time: Column, _ codes: KeyCodes) -> ContiguousArray<UInt64> {
        var rows = codes.validity ?? ValidityBitmap(repeating: true, count: codes.count)
        if time.nullCount > 0 {
            for row in 0..<time.count where time.isNull(row) { rows[row] = false }
        }
        return rows.words
    }

    /// The latest right row at or before each left row (`ascending`), or the
    /// earliest at or after it, per key; -1 for none. Key ranges run on threads.
    private static func sweep(_ l: SweepSide, _ r: SweepSide, _ keyRanges: [Range<Int>], ascending: Bool, exact: Bool, threads: Int) -> [Int32] {
        var out = [Int32](repeating: -1, count: l.times.count)
        out.withUnsafeMutableBufferPointer { out in
            l.codes.withUnsafeBufferPointer { lc in
                r.codes.withUnsafeBufferPointer { rc in
                    let shared = Box((out, lc, rc))
                    _ = Partitions.map(keyRanges, threads: threads) { keys -> Bool in
                        let (out, lc, rc) = shared.value
                        let lo = UInt32(keys.lowerBound), width = UInt32(keys.count)
                        var latest = [Int32](repeating: -1, count: keys.count)
                        latest.withUnsafeMutableBufferPointer { latest in
                            let n = l.times.count, m = r.times.count
                            var j = ascending ? 0 : m - 1
                            for k in 0..<n {
                                let i = ascending ? k : n - 1 - k
                                let slot = lc[i] &- lo
                                guard slot < width, l.isEligible(i) else { continue }
                                let t = l.times[i].microsecondsSinceEpoch
                                while ascending ? j < m : j >= 0 {
                                    // Rows without a key or a time are passed over: their times may be out of order.
                                    if r.isEligible(j) {
                                        let rt = r.times[j].microsecondsSinceEpoch
                                        if ascending ? (exact ? rt > t : rt >= t) : (exact ? rt < t : rt <= t) { break }
                                        let s = rc[j] &- lo
                                        if s < width { latest[Int(s)] = Int32(truncatingIfNeeded: j) }
                                    }
                                    j += ascending ? 1 : -1
                                }
                                out[i] = latest[Int(slot)]
                            }
                        }
                        return true
                    }
                }
            }
        }
        return out
    }

    /// The final choice per left row from the backward and forward candidates,
    /// within the tolerance; rows are independent, so partitions run on threads.
    private static func pick(
        backward: [Int32], forward: [Int32], leftTimes: UnsafeBufferPointer<Int64>, rightTimes: UnsafeBufferPointer<Int64>,
        options: AsOfOptions, threads: Int
    ) -> [Int?] {
        @inline(__always) func leftTime(_ i: Int) -> Int64 { leftTimes[i] }
        @inline(__always) func rightTime(_ i: Int) -> Int64 { rightTimes[i] }
        let count = leftTimes.count
        @inline(__always) func choose(_ i: Int) -> Int? {
            var pick: Int32 = -1
            switch options.direction {
            case .backward: pick = backward[i]
            case .forward: pick = forward[i]
            case .nearest:
                let b = backward[i], f = forward[i]
                if b >= 0 && f >= 0 {
                    // 128-bit distances: times may span the whole 64-bit range.
                    let t = Int128(leftTime(i))
                    pick = t - Int128(rightTime(Int(b))) <= Int128(rightTime(Int(f))) - t ? b : f
                } else {
                    pick = b >= 0 ? b : f
                }
            }
            guard pick >= 0 else { return nil }
            if let tolerance = options.toleranceMicroseconds,
               (Int128(rightTime(Int(pick))) - Int128(leftTime(i))).magnitude > UInt128(tolerance) { return nil }
            return Int(pick)
        }
        return [Int?](unsafeUninitializedCapacity: count) { out, initialized in
            let shared = Box(out)
            _ = Partitions.map(Partitions.ranges(count), threads: threads) { range -> Bool in
                let out = shared.value
                for i in range { (out.baseAddress! + i).initialize(to: choose(i)) }
                return true
            }
            initialized = count
        }
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
            let values = v[column.offset..<(column.offset + column.count)].map { $0.midnightMicroseconds() }  // clamped, never wrapped
            return TimeValues(values: values, column: column)
        default: throw .notATime(column: name, kind: column.kind)
        }
    }
}
