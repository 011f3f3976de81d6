extension Table {
    /// Groups rows by the values of `keys` and computes `aggregates` per group.
    ///
    /// The result has the key columns, then one column per aggregate, one row
    /// per group in order of each group's first row. Null is a key value like
    /// any other (all nulls form one group), as in SQL.
    ///
    /// ```swift
    /// let perCustomer = try orders.grouped(by: ["customer_id"], aggregates: [
    ///     .count(as: "orders"), .sum("amount", as: "revenue"), .max("ordered_at", as: "last_order_at"),
    /// ])
    /// ```
    ///
    /// - Throws: ``KernelError/unknownColumn(_:suggestions:)``, ``KernelError/unsupportedKind(column:kind:reason:)``,
    ///   ``KernelError/overflow(column:reason:)``, ``KernelError/badKeys(_:)``.
    /// - Complexity: O(rows × (keys + aggregates)); the result is the same for any thread count.
    public func grouped(by keys: [String], aggregates: [Aggregate], options: KernelOptions = .default) throws(KernelError) -> Table {
        let keyColumns = try keys.map { (name) throws(KernelError) in (name: name, column: try kernelColumn(name)) }
        let ids = try RowKeys.encode(left: keyColumns, right: nil, nullsAreValues: true)
        var firstRow = [Int](repeating: -1, count: ids.count)
        for (row, id) in ids.left.enumerated() where firstRow[Int(id)] < 0 { firstRow[Int(id)] = row }
        var columns = keyColumns.map { (name: $0.name, column: $0.column.gathered(rows: firstRow)) }
        for aggregate in aggregates {
            columns.append((aggregate.name, try compute(aggregate, groups: ids.left, groupCount: ids.count, options: options)))
        }
        do { return try Table(columns: columns) } catch {
            throw .badKeys("result columns clash: \(error)")
        }
    }

    /// Groups rows by customer codes from a ``KeySpace`` (array-indexed: no hashing).
    ///
    /// The result has a column `keyColumn` with each group's code (int64),
    /// then one column per aggregate. With `allKeys`, there is one row per code
    /// of the space in code order, groups without rows included (counts 0,
    /// other aggregates null); otherwise only codes with rows, in code order.
    /// Rows with a null code belong to no group.
    ///
    /// - Throws: as ``grouped(by:aggregates:options:)``, and ``KernelError/badArgument(argument:reason:)``
    ///   when `codes` has not one code per row.
    /// - Complexity: O(rows × aggregates + codes.keyCount).
    public func grouped(byKeyCodes codes: KeyCodes, keyColumn: String = "key", allKeys: Bool = true, aggregates: [Aggregate], options: KernelOptions = .default) throws(KernelError) -> Table {
        try KernelError.checkLength(of: "codes", codes.count, rows: rowCount)
        let groups = (0..<rowCount).map { codes[$0].map { Int32(bitPattern: $0) } ?? -1 }
        var columns: [(name: String, column: Column)] = [(keyColumn, .int64((0..<codes.keyCount).map { Int64($0) }))]
        for aggregate in aggregates {
            columns.append((aggregate.name, try compute(aggregate, groups: groups, groupCount: codes.keyCount, options: options)))
        }
        var table: Table
        do { table = try Table(columns: columns) } catch { throw .badKeys("result columns clash: \(error)") }
        if !allKeys {
            var present = [Bool](repeating: false, count: codes.keyCount)
            for g in groups where g >= 0 { present[Int(g)] = true }
            table = table.gathered(rows: (0..<codes.keyCount).filter { present[$0] })
        }
        return table
    }

    /// One aggregate over rows with group ids (`-1`: no group).
    package func compute(_ aggregate: Aggregate, groups: [Int32], groupCount: Int, options: KernelOptions) throws(KernelError) -> Column {
        let partitions = Partitions.ranges(rowCount)
        let threads = options.threadCount
        switch aggregate.operation {
        case .count:
            let counts = Aggregation.counts(groups, groupCount, partitions, threads) { _ in true }
            return .int64(counts.map { Int64($0) })
        case .countNonNull(let name):
            let column = try kernelColumn(name)
            let counts = Aggregation.counts(groups, groupCount, partitions, threads) { !column.isNull($0) }
            return .int64(counts.map { Int64($0) })
        case .sum(let name):
            let column = try kernelColumn(name)
            return try Aggregation.sum(column, name: name, groups, groupCount, partitions, threads)
        case .mean(let name):
            let column = try kernelColumn(name)
            return try Aggregation.mean(column, name: name, groups, groupCount, partitions, threads)
        case .min(let name), .max(let name):
            let column = try kernelColumn(name)
            let isMax: Bool
            if case .max = aggregate.operation { isMax = true } else { isMax = false }
            switch column.storage {
            case .int64(let v), .decimal(let v, _):
                return column.gathered(rows: Aggregation.extremeRows(v, column, isMax: isMax, groups, groupCount, partitions, threads))
            case .timestamp(let v):
                return column.gathered(rows: Aggregation.extremeRows(v, column, isMax: isMax, groups, groupCount, partitions, threads))
            case .date(let v):
                return column.gathered(rows: Aggregation.extremeRows(v, column, isMax: isMax, groups, groupCount, partitions, threads))
            default: break
            }
            let compare = Table.comparator(for: column)
            let best = Aggregation.bestRows(groups, groupCount, partitions, threads, eligible: { !column.isNull($0) }) { a, b in
                let c = compare(a, b)
                return isMax ? c > 0 : c < 0
            }
            return column.gathered(rows: best)
        case .countDistinct(let name):
            let column = try kernelColumn(name)
            var ids = ValueIDs()
            let values = try ids.encode(column, name: name, nullsAreValues: false)
            var seen = Set<Int64>()
            var counts = [Int64](repeating: 0, count: groupCount)
            for (row, g) in groups.enumerated() where g >= 0 && values[row] >= 0 {
                if seen.insert(Int64(g) << 32 | Int64(values[row])).inserted { counts[Int(g)] += 1 }
            }
            return .int64(counts)
        case .first(let name, let order, let tie), .last(let name, let order, let tie):
            let value = try kernelColumn(name)
            let orderColumn = try kernelColumn(order)
            let tieColumn = try tie.map { (t) throws(KernelError) in try kernelColumn(t) }
            var isLast = false
            if case .last = aggregate.operation { isLast = true }
            let compareOrder = Table.comparator(for: orderColumn)
            let compareTie = tieColumn.map { Table.comparator(for: $0) }
            let best = Aggregation.bestRows(groups, groupCount, partitions, threads, eligible: { row in
                !value.isNull(row) && !orderColumn.isNull(row)
            }) { a, b in
                var c = compareOrder(a, b)
                if c == 0, let tieColumn, let compareTie {
                    // A null tie-break loses to any value.
                    let nullA = tieColumn.isNull(a), nullB = tieColumn.isNull(b)
                    c = nullA || nullB ? (nullA == nullB ? 0 : (nullA ? -1 : 1)) * (isLast ? 1 : -1) : compareTie(a, b)
                }
                if c == 0 { return isLast ? a > b : a < b }
                return isLast ? c > 0 : c < 0
            }
            return value.gathered(rows: best)
        case .argMax(let name, let by):
            let value = try kernelColumn(name)
            let byColumn = try kernelColumn(by)
            let compare = Table.comparator(for: byColumn)
            let best = Aggregation.bestRows(groups, groupCount, partitions, threads, eligible: { !byColumn.isNull($0) }) { a, b in
                let c = compare(a, b)
                return c == 0 ? a < b : c > 0
            }
            return value.gathered(rows: best)
        }
    }
}

/// Per-partition accumulation merged in partition order (see ``Partitions``).
enum Aggregation {
    static func counts(_ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int, _ include: (Int) -> Bool) -> [Int] {
        let partial = Partitions.map(partitions, threads: threads) { range -> [Int] in
            var counts = [Int](repeating: 0, count: groupCount)
            for row in range where groups[row] >= 0 && include(row) { counts[Int(groups[row])] += 1 }
            return counts
        }
        var total = partial[0]
        for p in partial.dropFirst() { for g in 0..<groupCount { total[g] += p[g] } }
        return total
    }

    /// The best eligible row per group (`better(a, b)`: a beats b); ties keep the earlier row by partition order.
    static func bestRows(
        _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int,
        eligible: (Int) -> Bool, better: (Int, Int) -> Bool
    ) -> [Int?] {
        let partial = Partitions.map(partitions, threads: threads) { range -> [Int] in
            var best = [Int](repeating: -1, count: groupCount)
            for row in range where groups[row] >= 0 && eligible(row) {
                let g = Int(groups[row])
                if best[g] < 0 || better(row, best[g]) { best[g] = row }
            }
            return best
        }
        var total = partial[0]
        for p in partial.dropFirst() {
            for g in 0..<groupCount where p[g] >= 0 {
                if total[g] < 0 || better(p[g], total[g]) { total[g] = p[g] }
            }
        }
        return total.map { $0 < 0 ? nil : $0 }
    }

    /// The row of each group's smallest or largest value of a fixed-width
    /// ordered kind: ``bestRows(_:_:_:_:eligible:better:)`` as a typed loop
    /// that keeps each group's best value beside its row (same ties: the earlier row).
    static func extremeRows<T: Comparable>(
        _ values: ContiguousArray<T>, _ column: Column, isMax: Bool, _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int
    ) -> [Int?] {
        let o = column.offset
        @inline(__always) func better(_ a: T, _ b: T) -> Bool { isMax ? a > b : a < b }
        let partial = Partitions.map(partitions, threads: threads) { range -> (rows: [Int], values: [T?]) in
            var rows = [Int](repeating: -1, count: groupCount)
            var best = [T?](repeating: nil, count: groupCount)
            values.withUnsafeBufferPointer { v in
                groups.withUnsafeBufferPointer { groups in
                    for row in range where groups[row] >= 0 && !column.isNull(row) {
                        let g = Int(groups[row]), value = v[o + row]
                        if let current = best[g], !better(value, current) { continue }
                        best[g] = value
                        rows[g] = row
                    }
                }
            }
            return (rows, best)
        }
        var (rows, best) = partial[0]
        for p in partial.dropFirst() {
            for g in 0..<groupCount {
                guard let value = p.values[g] else { continue }
                if let current = best[g], !better(value, current) { continue }
                best[g] = value
                rows[g] = p.rows[g]
            }
        }
        return rows.map { $0 < 0 ? nil : $0 }
    }

    /// Exact integer sums (int64 units, or decimal units) and counts per group.
    static func integerSums(_ values: ContiguousArray<Int64>, _ column: Column, name: String, _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int) throws(KernelError) -> (sums: [Int64], counts: [Int]) {
        let o = column.offset
        let partial = Partitions.map(partitions, threads: threads) { range -> ([Int64], [Int], Bool) in
            var sums = [Int64](repeating: 0, count: groupCount)
            var counts = [Int](repeating: 0, count: groupCount)
            var overflow = false
            values.withUnsafeBufferPointer { v in
                for row in range where groups[row] >= 0 && !column.isNull(row) {
                    let g = Int(groups[row])
                    let (s, o1) = sums[g].addingReportingOverflow(v[o + row])
                    sums[g] = s
                    overflow = overflow || o1
                    counts[g] += 1
                }
            }
            return (sums, counts, overflow)
        }
        var (sums, counts, overflow) = partial[0]
        for (s, c, o) in partial.dropFirst() {
            overflow = overflow || o
            for g in 0..<groupCount {
                let (t, o1) = sums[g].addingReportingOverflow(s[g])
                sums[g] = t
                overflow = overflow || o1
                counts[g] += c[g]
            }
        }
        if overflow { throw .overflow(column: name, reason: "a group's sum passes the 64-bit range") }
        return (sums, counts)
    }

    /// Means of integer units per group (divided by `unit`): from 64-bit sums, or, when a group's sum
    /// passes the 64-bit range, from exact 128-bit sums (two words per group) instead of an error.
    static func integerMeans(_ values: ContiguousArray<Int64>, _ column: Column, unit: Double, _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int) -> [Double?] {
        if let (sums, counts) = try? integerSums(values, column, name: "", groups, groupCount, partitions, threads) {
            return (0..<groupCount).map { counts[$0] == 0 ? nil : Double(sums[$0]) / unit / Double(counts[$0]) }
        }
        var high = [Int64](repeating: 0, count: groupCount), low = [UInt64](repeating: 0, count: groupCount)
        var counts = [Int](repeating: 0, count: groupCount)
        for row in 0..<groups.count where groups[row] >= 0 && !column.isNull(row) {
            let g = Int(groups[row]), x = values[column.offset + row]
            let (sum, carry) = low[g].addingReportingOverflow(UInt64(bitPattern: x))
            low[g] = sum
            high[g] = high[g] &+ (x < 0 ? -1 : 0) &+ (carry ? 1 : 0)
            counts[g] += 1
        }
        return (0..<groupCount).map { (g: Int) -> Double? in
            guard counts[g] > 0 else { return nil }
            let sum: Double = Double(high[g]) * 0x1p64 + Double(low[g])
            return sum / unit / Double(counts[g])
        }
    }

    /// Double sums and counts per group; partitions combine in order, so the result is the same on any thread count.
    static func doubleSums(_ values: ContiguousArray<Double>, _ column: Column, _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int) -> (sums: [Double], counts: [Int]) {
        let o = column.offset
        let partial = Partitions.map(partitions, threads: threads) { range -> ([Double], [Int]) in
            var sums = [Double](repeating: 0, count: groupCount)
            var counts = [Int](repeating: 0, count: groupCount)
            values.withUnsafeBufferPointer { v in
                for row in range where groups[row] >= 0 && !column.isNull(row) {
                    let g = Int(groups[row])
                    sums[g] += v[o + row]
                    counts[g] += 1
                }
            }
            return (sums, counts)
        }
        var (sums, counts) = partial[0]
        for (s, c) in partial.dropFirst() {
            for g in 0..<groupCount {
                sums[g] += s[g]
                counts[g] += c[g]
            }
        }
        return (sums, counts)
    }

    static func sum(_ column: Column, name: String, _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int) throws(KernelError) -> Column {
        switch column.wideStorage {
        case .int64(let v):
            let (sums, counts) = try integerSums(v, column, name: name, groups, groupCount, partitions, threads)
            return .int64((0..<groupCount).map { counts[$0] == 0 ? nil : sums[$0] })
        case .decimal(let v, let scale):
            let (sums, counts) = try integerSums(v, column, name: name, groups, groupCount, partitions, threads)
            return .decimal(units: (0..<groupCount).map { counts[$0] == 0 ? nil : sums[$0] }, scale: scale)
        case .double(let v):
            let (sums, counts) = doubleSums(v, column, groups, groupCount, partitions, threads)
            return .double((0..<groupCount).map { counts[$0] == 0 ? nil : sums[$0] })
        default:
            throw .unsupportedKind(column: name, kind: column.kind, reason: "a sum needs int64, decimal or double")
        }
    }

    static func mean(_ column: Column, name: String, _ groups: [Int32], _ groupCount: Int, _ partitions: [Range<Int>], _ threads: Int) throws(KernelError) -> Column {
        switch column.wideStorage {
        case .int64(let v):
            return .double(integerMeans(v, column, unit: 1, groups, groupCount, partitions, threads))
        case .decimal(let v, let scale):
            return .double(integerMeans(v, column, unit: Double(ScaledDecimal.powerOf10(scale)), groups, groupCount, partitions, threads))
        case .double(let v):
            let (sums, counts) = doubleSums(v, column, groups, groupCount, partitions, threads)
            return .double((0..<groupCount).map { counts[$0] == 0 ? nil : sums[$0] / Double(counts[$0]) })
        default:
            throw .unsupportedKind(column: name, kind: column.kind, reason: "a mean needs int64, decimal or double")
        }
    }
}
