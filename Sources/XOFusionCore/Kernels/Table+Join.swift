/// Which rows a join keeps.
public enum JoinKind: String, Hashable, Sendable, CaseIterable {
    /// Pairs of rows whose keys match.
    case inner
    /// Every left row; its matches, or nulls on the right.
    case left
    /// Every right row; its matches, or nulls on the left.
    case right
    /// Every row of both sides, matched where keys match.
    case full
    /// Left rows that have a match (left columns only, each row once).
    case semi
    /// Left rows that have no match (left columns only).
    case anti
}

/// A promise about how keys repeat, checked before the join is built.
public enum JoinValidation: String, Hashable, Sendable {
    /// Keys are unique on both sides.
    case oneToOne = "one-to-one"
    /// Keys are unique on the left.
    case oneToMany = "one-to-many"
    /// Keys are unique on the right.
    case manyToOne = "many-to-one"
}

/// How a join treats validation, size, nulls and names.
public struct JoinOptions: Hashable, Sendable {
    /// Check that keys repeat only as promised; throws ``KernelError/validationFailed(rule:side:offending:)``.
    public var validate: JoinValidation?
    /// Refuse, before allocating, a join that would produce more rows (``KernelError/fanOutExceeded(limit:wouldProduce:)``).
    public var maxRows: Int?
    /// Add a column of this name saying `left_only`, `right_only` or `both` for each row.
    public var indicator: String?
    /// Let null keys match each other (off by default: a null key never matches).
    public var nullsMatch: Bool
    /// Suffix for a left non-key column whose name clashes with a right one.
    public var leftSuffix: String
    /// Suffix for a right non-key column whose name clashes with a left one.
    public var rightSuffix: String
    /// Threads for the probe (the rows of the probed side split into contiguous
    /// partitions, joined in partition order): the output is the same for any count.
    public var kernel: KernelOptions

    /// Options; by default no validation, no limit, no indicator, and null keys never match.
    public init(
        validate: JoinValidation? = nil, maxRows: Int? = nil, indicator: String? = nil, nullsMatch: Bool = false,
        leftSuffix: String = "_left", rightSuffix: String = "_right", kernel: KernelOptions = .default
    ) {
        self.validate = validate
        self.maxRows = maxRows
        self.indicator = indicator
        self.nullsMatch = nullsMatch
        self.leftSuffix = leftSuffix
        self.rightSuffix = rightSuffix
        self.kernel = kernel
    }
}

extension Table {
    /// Joins on columns that have the same names on both sides.
    ///
    /// - Throws: as ``joined(with:on:kind:options:)-(_,[(left:String,right:String)],_,_)``.
    /// - Complexity: O(left rows + right rows + output rows × columns).
    public func joined(with right: Table, on keys: [String], kind: JoinKind = .inner, options: JoinOptions = JoinOptions()) throws(KernelError) -> Table {
        try joined(with: right, on: keys.map { (left: $0, right: $0) }, kind: kind, options: options)
    }

    /// Joins this table (left) with `right` where the key columns are equal.
    ///
    /// Row order: left-table order, each left row followed by its matches in
    /// right-table order; for `right` joins, right-table order with matches in
    /// left order; a `full` join appends the unmatched right rows in right
    /// order. Output columns: the left columns, then the right ones; a key
    /// pair with one name on both sides gives one key column (the left value,
    /// or the right one where the left row is missing). Other clashing names
    /// get ``JoinOptions/leftSuffix`` and ``JoinOptions/rightSuffix``.
    ///
    /// Keys are equal as in ``grouped(by:aggregates:options:)``: integers,
    /// decimals, times and bools by value; text by its UTF-8 bytes (whatever the
    /// layout, so a dictionary column joins a plain one); doubles with -0.0
    /// equal to 0.0 and every NaN equal to every other NaN (unlike IEEE `==`);
    /// a null key never matches unless ``JoinOptions/nullsMatch``. The indicator of a semi join says `both`,
    /// of an anti join `left_only`.
    ///
    /// ```
    /// left  id: 1 1 2 3      right id: 1 2 2 4
    /// inner  (1,1) (1,1) (2,2) (2,2)         left  … + (3, null)
    /// right  (1,1) (1,1) (2,2) (2,2) (null,4)   full  left + (null,4)
    /// semi   1 1 2                            anti  3
    /// ```
    ///
    /// - Throws: ``KernelError/unknownColumn(_:suggestions:)``, ``KernelError/keyKindMismatch(left:leftKind:right:rightKind:)``,
    ///   ``KernelError/validationFailed(rule:side:offending:)``, ``KernelError/fanOutExceeded(limit:wouldProduce:)``,
    ///   ``KernelError/badKeys(_:)`` (also when names still clash after suffixing).
    /// - Complexity: O(left rows + right rows + output rows × columns); the probe runs on
    ///   ``JoinOptions/kernel``'s threads.
    public func joined(with right: Table, on keys: [(left: String, right: String)], kind: JoinKind = .inner, options: JoinOptions = JoinOptions()) throws(KernelError) -> Table {
        guard !keys.isEmpty else { throw .badKeys("a join needs at least one key pair") }
        let leftKeys = try keys.map { (k) throws(KernelError) in (name: k.left, column: try kernelColumn(k.left)) }
        let rightKeys = try keys.map { (k) throws(KernelError) in (name: k.right, column: try right.kernelColumn(k.right)) }
        let ids = try RowKeys.encode(left: leftKeys, right: rightKeys, nullsAreValues: options.nullsMatch)

        // Rows of each side grouped by key id (counting sort keeps row order).
        let rightIndex = KeyIndex(ids.right, count: ids.count)
        let leftIndex = KeyIndex(ids.left, count: ids.count)

        if let rule = options.validate {
            if rule != .oneToMany, let offending = rightIndex.repeated(limit: 5) {
                throw .validationFailed(rule: rule.rawValue, side: "right", offending: offending.map { KernelError.KeyCount(key: right.keyText(rightKeys, row: $0.row), count: $0.count) })
            }
            if rule != .manyToOne, let offending = leftIndex.repeated(limit: 5) {
                throw .validationFailed(rule: rule.rawValue, side: "left", offending: offending.map { KernelError.KeyCount(key: keyText(leftKeys, row: $0.row), count: $0.count) })
            }
        }

        // The probe side walks its rows in order and looks each up in the other side's index:
        // the left rows, or the right rows for a right join (Polars' swap, decided once here).
        let threads = options.kernel.threadCount
        let probeIDs = kind == .right ? ids.right : ids.left
        let buildIndex = kind == .right ? leftIndex : rightIndex
        let parts = Partitions.ranges(probeIDs.count)

        if kind == .semi || kind == .anti {
            let keepMatched = kind == .semi
            let keep = Partitions.map(parts, threads: threads) { range in
                range.filter { (buildIndex.count(of: probeIDs[$0]) > 0) == keepMatched }
            }.flatMap { $0 }
            if let limit = options.maxRows, keep.count > limit { throw .fanOutExceeded(limit: limit, wouldProduce: keep.count) }
            var result = gathered(rows: keep)
            if let indicator = options.indicator {
                result = try result.adding(indicator, try! .string(Array(repeating: keepMatched ? "both" : "left_only", count: keep.count), layout: .dictionary))
            }
            return result
        }

        // Count first, so the fan-out guard refuses before anything is allocated.
        let keepUnmatched = kind != .inner
        let counts = Partitions.map(parts, threads: threads) { range in
            var n = 0
            for row in range {
                let c = buildIndex.count(of: probeIDs[row])
                n += c == 0 ? (keepUnmatched ? 1 : 0) : c
            }
            return n
        }
        let unmatchedRight = kind == .full ? ids.right.indices.filter { leftIndex.count(of: ids.right[$0]) == 0 } : []
        let total = counts.reduce(0, +) + unmatchedRight.count
        if let limit = options.maxRows, total > limit { throw .fanOutExceeded(limit: limit, wouldProduce: total) }

        // Each partition of probe rows collects its pairs in its own arrays; they are joined
        // in partition order, so the rows come out the same on any number of threads.
        let chunks = Partitions.map(parts, threads: threads) { range -> (probe: [Int?], build: [Int?]) in
            let n = counts[parts.firstIndex(of: range)!]
            var probe: [Int?] = [], build: [Int?] = []
            probe.reserveCapacity(n)
            build.reserveCapacity(n)
            for row in range {
                let matches = buildIndex.rows(of: probeIDs[row])
                if matches.isEmpty {
                    if keepUnmatched {
                        probe.append(row)
                        build.append(nil)
                    }
                } else {
                    for match in matches {
                        probe.append(row)
                        build.append(match)
                    }
                }
            }
            return (probe, build)
        }
        var probeRows: [Int?] = [], buildRows: [Int?] = []
        probeRows.reserveCapacity(total)
        buildRows.reserveCapacity(total)
        for chunk in chunks {
            probeRows.append(contentsOf: chunk.probe)
            buildRows.append(contentsOf: chunk.build)
        }
        if kind == .full {
            // The right rows no left row matched, after all the left rows.
            probeRows.append(contentsOf: repeatElement(nil, count: unmatchedRight.count))
            buildRows.append(contentsOf: unmatchedRight.map { Optional($0) })
        }
        let (leftRows, rightRows) = kind == .right ? (buildRows, probeRows) : (probeRows, buildRows)
        return try assemble(right, keys: keys, leftRows: leftRows, rightRows: rightRows, options: options)
    }

    /// Puts the gathered columns of both sides together, merging same-named key columns and suffixing clashes.
    func assemble(_ right: Table, keys: [(left: String, right: String)], leftRows: [Int?], rightRows: [Int?], options: JoinOptions) throws(KernelError) -> Table {
        let sharedKeys = Set(keys.filter { $0.left == $0.right }.map(\.left))
        let rightNames = Set(right.schema.names)
        let leftNames = Set(schema.names)
        var columns: [(name: String, column: Column)] = []
        for (field, column) in zip(schema.fields, self.columns) {
            var values = column.gathered(rows: leftRows)
            if sharedKeys.contains(field.name), let other = right[field.name] {
                // One key column: the left value, or the right one where the left row is missing.
                if leftRows.contains(where: { $0 == nil }) { values = Column.coalesce(values, other.gathered(rows: rightRows)) }
            }
            let clash = rightNames.contains(field.name) && !sharedKeys.contains(field.name)
            columns.append((clash ? field.name + options.leftSuffix : field.name, values))
        }
        for (field, column) in zip(right.schema.fields, right.columns) where !sharedKeys.contains(field.name) {
            let clash = leftNames.contains(field.name)
            columns.append((clash ? field.name + options.rightSuffix : field.name, column.gathered(rows: rightRows)))
        }
        if let indicator = options.indicator {
            let labels = zip(leftRows, rightRows).map { l, r in l == nil ? "right_only" : (r == nil ? "left_only" : "both") }
            columns.append((indicator, try! .string(labels, layout: .dictionary)))
        }
        do { return try Table(columns: columns) } catch {
            throw .badKeys("the joined columns' names clash (\(error)); choose other suffixes")
        }
    }

    /// The key values of a row as text: `C001`, or `(C001, 2025-03-01)` for several keys.
    func keyText(_ keys: [(name: String, column: Column)], row: Int) -> String {
        let parts = keys.map { $0.column[row].description }
        return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: ", ") + ")"
    }

    /// This table with one more column.
    func adding(_ name: String, _ column: Column) throws(KernelError) -> Table {
        do { return try Table(columns: zip(schema.names, columns).map { ($0, $1) } + [(name, column)]) } catch {
            throw .badKeys("cannot add column '\(name)': \(error)")
        }
    }
}

extension Column {
    /// Row by row, `a`'s value where it has one, else `b`'s (same kind and length).
    ///
    /// - Complexity: O(rows).
    static func coalesce(_ a: Column, _ b: Column) -> Column {
        precondition(a.kind == b.kind && a.count == b.count, "coalesce needs columns of one kind and length")
        let n = a.count
        var validity: ValidityBitmap?
        for row in 0..<n where a.isNull(row) && b.isNull(row) {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: n) }
            validity![row] = false
        }
        func pick<T>(_ x: ContiguousArray<T>, _ y: ContiguousArray<T>) -> ContiguousArray<T> {
            ContiguousArray((0..<n).map { a.isNull($0) ? y[b.offset + $0] : x[a.offset + $0] })
        }
        let storage: Storage
        switch (a.wideStorage, b.wideStorage) {
        case (.int64(let x), .int64(let y)): storage = .int64(pick(x, y))
        case (.double(let x), .double(let y)): storage = .double(pick(x, y))
        case (.bool(let x), .bool(let y)): storage = .bool(pick(x, y))
        case (.decimal(let x, let s), .decimal(let y, _)): storage = .decimal(pick(x, y), scale: s)
        case (.timestamp(let x), .timestamp(let y)): storage = .timestamp(pick(x, y))
        case (.date(let x), .date(let y)): storage = .date(pick(x, y))
        default:
            // Text of either layout: copy the bytes of the chosen side.
            var bytes = ContiguousArray<UInt8>()
            var offsets: ContiguousArray<UInt32> = [0]
            for row in 0..<n {
                if case .string(let text) = (a.isNull(row) ? b[row] : a[row]) { bytes.append(contentsOf: text.utf8) }
                offsets.append(UInt32(truncatingIfNeeded: bytes.count))
            }
            storage = .plainString(StringBuffer(uncheckedBytes: bytes, offsets: offsets))
        }
        return Column(storage: storage, validity: validity, count: n)
    }
}

/// Rows grouped by key id, in row order within each id (a counting sort).
struct KeyIndex {
    private var starts: [Int]
    private var rows: [Int]
    private var firstRow: [Int]

    init(_ ids: [Int32], count: Int) {
        var counts = [Int](repeating: 0, count: count + 1)
        for id in ids where id >= 0 { counts[Int(id) + 1] += 1 }
        for i in 0..<count { counts[i + 1] += counts[i] }
        starts = counts
        rows = [Int](repeating: 0, count: counts[count])
        firstRow = [Int](repeating: -1, count: count)
        var fill = counts
        for (row, id) in ids.enumerated() where id >= 0 {
            rows[fill[Int(id)]] = row
            fill[Int(id)] += 1
            if firstRow[Int(id)] < 0 { firstRow[Int(id)] = row }
        }
    }

    /// Every row with an id, grouped by id.
    var allRows: [Int] { rows }

    /// Positions in ``allRows`` of the rows with `id`.
    @inline(__always)
    func range(of id: Int32) -> Range<Int> { id < 0 ? 0..<0 : starts[Int(id)]..<starts[Int(id) + 1] }

    @inline(__always)
    func count(of id: Int32) -> Int { id < 0 ? 0 : starts[Int(id) + 1] - starts[Int(id)] }

    @inline(__always)
    func rows(of id: Int32) -> ArraySlice<Int> { id < 0 ? [] : rows[starts[Int(id)]..<starts[Int(id) + 1]] }

    /// Up to `limit` ids that occur more than once, in order of first appearance: a row holding each, and its count.
    func repeated(limit: Int) -> [(row: Int, count: Int)]? {
        var found: [(row: Int, count: Int)] = []
        for id in 0..<firstRow.count where count(of: Int32(id)) > 1 {
            found.append((firstRow[id], count(of: Int32(id))))
        }
        guard !found.isEmpty else { return nil }
        return Array(found.sorted { $0.row < $1.row }.prefix(limit))
    }
}
