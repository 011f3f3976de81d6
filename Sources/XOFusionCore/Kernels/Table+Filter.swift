/// Three-valued truth per row (SQL semantics): a comparison with null is unknown.
private enum Truth {
    static let no: Int8 = 0, yes: Int8 = 1, unknown: Int8 = -1
}

extension Table {
    /// The rows where `predicate` holds (is true, not false or unknown), in order.
    ///
    /// - Throws: ``KernelError/unknownColumn(_:suggestions:)`` or
    ///   ``KernelError/badValue(column:reason:)`` for a value that does not fit its column.
    /// - Complexity: O(rows × predicate terms); typed loops, split across threads.
    public func selection(where predicate: Predicate, options: KernelOptions = .default) throws(KernelError) -> [Int] {
        let truth = try evaluate(predicate, options: options)
        var rows: [Int] = []
        truth.withUnsafeBufferPointer { truth in
            rows.reserveCapacity(truth.reduce(0) { $0 + ($1 == Truth.yes ? 1 : 0) })
            for i in truth.indices where truth[i] == Truth.yes { rows.append(i) }
        }
        return rows
    }

    /// The rows where `predicate` holds, as one bit per row (set: holds):
    /// a filter that keeps row positions, 64 times smaller than a row list
    /// on a large table. Combine it with ``KeyCodes/keeping(_:)``.
    ///
    /// - Throws: as ``selection(where:options:)``.
    /// - Complexity: O(rows × predicate terms); typed loops, split across threads.
    public func rowMask(where predicate: Predicate, options: KernelOptions = .default) throws(KernelError) -> ValidityBitmap {
        if let mask = try dictionaryMask(predicate, options: options) { return mask }
        let truth = try evaluate(predicate, options: options)
        var mask = ValidityBitmap(repeating: false, count: rowCount)
        truth.withUnsafeBufferPointer { truth in
            mask.words.withUnsafeMutableBufferPointer { words in
                let shared = Box((truth, words))
                _ = Partitions.map(Partitions.ranges(words.count), threads: options.threadCount) { wordRange -> Bool in
                    let (truth, words) = shared.value
                    for w in wordRange {
                        let base = w << 6
                        var bits: UInt64 = 0
                        for b in 0..<min(64, truth.count - base) where truth[base + b] == Truth.yes { bits |= 1 << UInt64(b) }
                        words[w] = bits
                    }
                    return true
                }
            }
        }
        return mask
    }

    /// ``rowMask(where:options:)`` for a predicate on one dictionary-encoded string column
    /// (`status == "completed"`, `status IN (…)`, and any `and`, `or` or `not` of such terms):
    /// the predicate is evaluated once per distinct value, and once for a null, on a small
    /// table of those values; then each row's bit is its code's answer, 64 rows to a word on
    /// all threads. The same answers as evaluating every row, without a truth value per row
    /// (on the SF1 orders the general path took about 80–100 ms for `status IN ("completed")`).
    /// `nil` for any other predicate or column, and for a dictionary with more values than the
    /// column has rows (a short slice of a large column: the rows are fewer to evaluate).
    ///
    /// - Complexity: O(distinct values × predicate terms + rows).
    private func dictionaryMask(_ predicate: Predicate, options: KernelOptions) throws(KernelError) -> ValidityBitmap? {
        guard let name = predicate.soleColumn else { return nil }
        let column = try kernelColumn(name)
        guard case .dictionaryString(let codes, let dictionary) = column.storage, dictionary.count <= column.count else { return nil }
        // The distinct values, then a null: evaluated by the general path, so the answers agree.
        let values: [String?] = (0..<dictionary.count).map { d in dictionary.withUTF8(at: d) { String(decoding: $0, as: UTF8.self) } } + [nil]
        let distinct: Table
        do throws(TableError) { distinct = try Table(columns: [(name, try Column.string(values, layout: .plain))]) } catch {
            return nil  // cannot happen (one string column); the general path then answers
        }
        let truth = try distinct.evaluate(predicate, options: options)
        let holds = truth.map { UInt64($0 == Truth.yes ? 1 : 0) }
        var mask = ValidityBitmap(repeating: false, count: rowCount)
        let count = rowCount, offset = column.offset
        holds.withUnsafeBufferPointer { holds in
            codes.withUnsafeBufferPointer { codes in
                mask.words.withUnsafeMutableBufferPointer { words in
                    let shared = Box((holds, codes, words))
                    _ = Partitions.map(Partitions.ranges(words.count), threads: options.threadCount) { wordRange -> Bool in
                        let (holds, codes, words) = shared.value
                        for w in wordRange {
                            let first = w << 6
                            var bits: UInt64 = 0
                            for b in 0..<min(64, count &- first) { bits |= holds[Int(codes[offset &+ first &+ b])] &<< UInt64(b) }
                            words[w] = bits
                        }
                        return true
                    }
                }
            }
        }
        if column.nullCount > 0 {
            let nullHolds = holds[dictionary.count] == 1
            for row in 0..<count where column.isNull(row) { mask[row] = nullHolds }
        }
        return mask
    }

    /// The rows where `predicate` holds, as a new table (values copied; order kept).
    ///
    /// - Throws: as ``selection(where:options:)``.
    /// - Complexity: O(rows × (predicate terms + columns)).
    public func filtered(_ predicate: Predicate, options: KernelOptions = .default) throws(KernelError) -> Table {
        gathered(rows: try selection(where: predicate, options: options))
    }

    private func evaluate(_ predicate: Predicate, options: KernelOptions) throws(KernelError) -> [Int8] {
        switch predicate {
        case .isNull(let name):
            let column = try kernelColumn(name)
            return (0..<rowCount).map { column.isNull($0) ? Truth.yes : Truth.no }
        case .isNotNull(let name):
            let column = try kernelColumn(name)
            return (0..<rowCount).map { column.isNull($0) ? Truth.no : Truth.yes }
        case .compare(let name, let op, let value):
            let column = try kernelColumn(name)
            let literal = try Literal(value, for: column, name: name)
            return Table.compare(column, literal, options: options) { order in
                switch op {
                case .equal: order == 0
                case .notEqual: order != 0
                case .less: order < 0
                case .lessOrEqual: order <= 0
                case .greater: order > 0
                case .greaterOrEqual: order >= 0
                }
            }
        case .between(let name, let low, let high):
            return try evaluate(.and([.compare(name, .greaterOrEqual, low), .compare(name, .lessOrEqual, high)]), options: options)
        case .isIn(let name, let values):
            // `x IN (a, b)` is `x = a OR x = b`: unknown for a null x; an empty list holds for no row.
            _ = try kernelColumn(name)
            if values.isEmpty { return [Int8](repeating: Truth.no, count: rowCount) }
            if values.count == 1 { return try evaluate(.compare(name, .equal, values[0]), options: options) }
            return try evaluate(.or(values.map { .compare(name, .equal, $0) }), options: options)
        case .and(let terms):
            var result = [Int8](repeating: Truth.yes, count: rowCount)
            for term in terms {
                let t = try evaluate(term, options: options)
                for i in 0..<rowCount {
                    if result[i] == Truth.no || t[i] == Truth.no { result[i] = Truth.no }
                    else if result[i] == Truth.unknown || t[i] == Truth.unknown { result[i] = Truth.unknown }
                }
            }
            return result
        case .or(let terms):
            var result = [Int8](repeating: Truth.no, count: rowCount)
            for term in terms {
                let t = try evaluate(term, options: options)
                for i in 0..<rowCount {
                    if result[i] == Truth.yes || t[i] == Truth.yes { result[i] = Truth.yes }
                    else if result[i] == Truth.unknown || t[i] == Truth.unknown { result[i] = Truth.unknown }
                }
            }
            return result
        case .not(let term):
            return try evaluate(term, options: options).map { $0 == Truth.unknown ? Truth.unknown : 1 - $0 }
        }
    }

    /// A comparison literal converted exactly to its column's kind.
    enum Literal {
        case int(Int64), double(Double), bool(Bool), timestamp(Timestamp), date(CivilDate), string([UInt8])

        init(_ value: CellValue, for column: Column, name: String) throws(KernelError) {
            func bad(_ why: String) -> KernelError { .badValue(column: name, reason: "cannot compare \(column.kind) with \(value): \(why)") }
            switch (column.kind, value) {
            case (_, .null): throw bad("compare with null using isNull or isNotNull")
            case (.int64, .int64(let v)): self = .int(v)
            case (.int64, .decimal(let d)):
                guard let whole = d.rescaled(to: 0) else { throw bad("not a whole number") }
                self = .int(whole.units)
            case (.int64, .double(let d)):
                guard let whole = Int64(exactly: d) else { throw bad("not a whole number") }
                self = .int(whole)
            case (.decimal(let scale), .int64(let v)):
                guard let exact = ScaledDecimal(units: v, scale: 0).rescaled(to: scale) else { throw bad("out of range") }
                self = .int(exact.units)
            case (.decimal(let scale), .decimal(let d)):
                guard let exact = d.rescaled(to: scale) else { throw bad("more than \(scale) decimal places or out of range") }
                self = .int(exact.units)
            case (.double, .double(let v)): self = .double(v)
            case (.double, .int64(let v)): self = .double(Double(v))
            case (.double, .decimal(let d)): self = .double(d.doubleValue)
            case (.bool, .bool(let v)): self = .bool(v)
            case (.timestamp, .timestamp(let v)): self = .timestamp(v)
            case (.date, .date(let v)): self = .date(v)
            case (.string, .string(let v)): self = .string(Array(v.utf8))
            default: throw bad("kinds differ")
            }
        }
    }

    /// Compares every row with `literal` (typed loop per kind); `test` maps the order (-1, 0, 1) to truth.
    static func compare(_ column: Column, _ literal: Literal, options: KernelOptions, _ test: (Int) -> Bool) -> [Int8] {
        var result = [Int8](repeating: Truth.unknown, count: column.count)
        // Fixed-width kinds: one typed loop per partition, partitions on all threads.
        func loop<T>(_ values: ContiguousArray<T>, _ order: (T) -> Int) {
            values.withUnsafeBufferPointer { v in
                result.withUnsafeMutableBufferPointer { out in
                    let base = column.offset, noNulls = column.nullCount == 0
                    let shared = Box((v, out))
                    _ = Partitions.map(Partitions.ranges(column.count), threads: options.threadCount) { range -> Bool in
                        let (v, out) = shared.value
                        if noNulls {
                            for row in range { out[row] = test(order(v[base + row])) ? Truth.yes : Truth.no }
                        } else {
                            for row in range where !column.isNull(row) { out[row] = test(order(v[base + row])) ? Truth.yes : Truth.no }
                        }
                        return true
                    }
                }
            }
        }
        @inline(__always) func cmp<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (column.storage, literal) {
        case (.int64(let v), .int(let x)), (.decimal(let v, _), .int(let x)): loop(v) { cmp($0, x) }
        case (.smallInt64(let v), .int(let x)): loop(v) { cmp(Int64($0), x) }
        case (.double(let v), .double(let x)):
            loop(v) { Table.compareDoubles($0, x) }
        case (.bool(let v), .bool(let x)): loop(v) { $0 == x ? 0 : ($0 ? 1 : -1) }
        case (.timestamp(let v), .timestamp(let x)): loop(v) { cmp($0, x) }
        case (.date(let v), .date(let x)): loop(v) { cmp($0, x) }
        case (.plainString(let buffer), .string(let x)):
            for row in 0..<column.count where !column.isNull(row) {
                let order = buffer.withUTF8(at: column.offset + row) { Table.compareBytes($0, x) }
                result[row] = test(order) ? Truth.yes : Truth.no
            }
        case (.dictionaryString(let codes, let dictionary), .string(let x)):
            // Compare each distinct value once; rows then look their code up.
            let orders = (0..<dictionary.count).map { d in dictionary.withUTF8(at: d) { Table.compareBytes($0, x) } }
            loop(codes) { orders[Int($0)] }
        case (.numberedString(let numbers, let pattern), .string(let x)):
            if let number = x.withUnsafeBufferPointer({ b in b.baseAddress.flatMap { pattern.number(of: $0, count: b.count) } }) {
                // The literal has the column's pattern: numbers order as the text does.
                loop(numbers) { cmp(Int64($0), number) }
            } else {
                loop(numbers) { n in pattern.withUTF8(of: Int64(n)) { Table.compareBytes($0, x) } }
            }
        default:
            preconditionFailure("literal converted for another kind")
        }
        return result
    }

    /// A total order on doubles, as in DuckDB: NaN equals itself and sorts above
    /// every number; -0 equals 0.
    @inline(__always)
    static func compareDoubles(_ a: Double, _ b: Double) -> Int {
        if a.isNaN || b.isNaN { return a.isNaN ? (b.isNaN ? 0 : 1) : -1 }
        return a < b ? -1 : (a == b ? 0 : 1)
    }

    /// Byte-wise order of UTF-8 text (the same as code point order).
    static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
    }
}
