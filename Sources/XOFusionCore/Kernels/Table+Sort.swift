/// One key of a sort: a column, a direction, and where nulls go.
public struct SortKey: Hashable, Sendable {
    /// Where null values go.
    public enum NullPlacement: Hashable, Sendable { case first, last }

    /// The column to sort on.
    public var column: String
    /// Smallest first (`true`) or largest first.
    public var ascending: Bool
    /// Where nulls go, whatever the direction.
    public var nulls: NullPlacement

    /// A key on `column`; nulls go last unless told otherwise (whatever the direction).
    public init(_ column: String, ascending: Bool = true, nulls: NullPlacement = .last) {
        self.column = column
        self.ascending = ascending
        self.nulls = nulls
    }

    /// Descending on `column`.
    public static func descending(_ column: String, nulls: NullPlacement = .last) -> SortKey {
        SortKey(column, ascending: false, nulls: nulls)
    }
}

extension Table {
    /// The row order that sorts the table by `keys`: stable (rows that tie on
    /// every key keep their order). Doubles order as in DuckDB (NaN above every
    /// number); text by UTF-8 bytes.
    ///
    /// - Throws: ``KernelError/unknownColumn(_:suggestions:)`` or
    ///   ``KernelError/badKeys(_:)`` for no keys.
    /// - Complexity: O(rows × log rows × keys); partitions sort on all threads, then merge.
    public func sortOrder(by keys: [SortKey], options: KernelOptions = .default) throws(KernelError) -> [Int] {
        guard !keys.isEmpty else { throw .badKeys("a sort needs at least one key") }
        var comparators: [(Int, Int) -> Int] = []
        for key in keys {
            let column = try kernelColumn(key.column)
            let compare = Table.comparator(for: column)
            let direction = key.ascending ? 1 : -1
            let nullOrder = key.nulls == .first ? -1 : 1
            comparators.append { a, b in
                let nullA = column.isNull(a), nullB = column.isNull(b)
                if nullA || nullB { return nullA == nullB ? 0 : (nullA ? nullOrder : -nullOrder) }
                return compare(a, b) * direction
            }
        }
        // Ties on every key fall back to the row number: a stable, total order.
        let precedes = { (a: Int, b: Int) -> Bool in
            for compare in comparators {
                let c = compare(a, b)
                if c != 0 { return c < 0 }
            }
            return a < b
        }
        // Each partition sorts on its own thread; a merge then interleaves them.
        // The total order makes the result the same for any thread count.
        let parts = Partitions.map(Partitions.ranges(rowCount), threads: options.threadCount) { range -> [Int] in
            var part = Array(range)
            part.sort(by: precedes)
            return part
        }
        return Table.merge(parts, by: precedes)
    }

    /// Merges sorted runs into one (k is small: a linear scan of the heads).
    static func merge(_ runs: [[Int]], by precedes: (Int, Int) -> Bool) -> [Int] {
        if runs.count == 1 { return runs[0] }
        var heads = [Int](repeating: 0, count: runs.count)
        var merged: [Int] = []
        merged.reserveCapacity(runs.reduce(0) { $0 + $1.count })
        while true {
            var best = -1
            for r in runs.indices where heads[r] < runs[r].count {
                if best < 0 || precedes(runs[r][heads[r]], runs[best][heads[best]]) { best = r }
            }
            if best < 0 { return merged }
            merged.append(runs[best][heads[best]])
            heads[best] += 1
        }
    }

    /// The table sorted by `keys` (stable; see ``sortOrder(by:)``).
    ///
    /// - Throws: as ``sortOrder(by:)``.
    /// - Complexity: O(rows × log rows × keys + rows × columns).
    public func sorted(by keys: [SortKey], options: KernelOptions = .default) throws(KernelError) -> Table {
        gathered(rows: try sortOrder(by: keys, options: options))
    }

    /// Compares the non-null values of rows `a` and `b` of a column: -1, 0, 1.
    static func comparator(for column: Column) -> (Int, Int) -> Int {
        let o = column.offset
        @inline(__always) func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch column.storage {
        case .int64(let v), .decimal(let v, _): return { a, b in cmp(v[o + a], v[o + b]) }
        case .smallInt64(let v): return { a, b in cmp(v[o + a], v[o + b]) }
        case .double(let v): return { a, b in compareDoubles(v[o + a], v[o + b]) }
        case .bool(let v): return { a, b in v[o + a] == v[o + b] ? 0 : (v[o + a] ? 1 : -1) }
        case .timestamp(let v): return { a, b in cmp(v[o + a], v[o + b]) }
        case .date(let v): return { a, b in cmp(v[o + a], v[o + b]) }
        case .plainString(let buffer):
            return { a, b in
                buffer.withUTF8(at: o + a) { x in buffer.withUTF8(at: o + b) { y in compareBytes(x, y) } }
            }
        case .numberedString(let numbers, _):
            // One prefix, zero-padded digits of one width: the numbers sort as the text does.
            return { a, b in cmp(numbers[o + a], numbers[o + b]) }
        case .dictionaryString(let codes, let dictionary):
            // Rank each distinct value once; rows then compare ranks.
            let sortedCodes = (0..<dictionary.count).sorted { p, q in
                dictionary.withUTF8(at: p) { x in dictionary.withUTF8(at: q) { y in compareBytes(x, y) < 0 } }
            }
            var rank = [Int](repeating: 0, count: dictionary.count)
            for (r, code) in sortedCodes.enumerated() { rank[code] = r }
            return { a, b in cmp(rank[Int(codes[o + a])], rank[Int(codes[o + b])]) }
        }
    }

    /// Byte-wise order of two UTF-8 texts.
    static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
    }
}
