/// Dense ids for the values of one or more key columns, shared by one or two
/// tables: rows with equal keys get equal ids, so that grouping and joining
/// become array indexing. Ids are assigned in first-seen order (left table
/// first), which makes group order deterministic.
package struct RowKeys {
    /// One id per left row; -1 where a key is null and nulls are not values.
    package var left: [Int32]
    /// One id per right row (empty without a right side).
    package var right: [Int32]
    /// The number of distinct ids.
    package var count: Int

    /// Encodes `left[i]` together with `right[i]` for each key position.
    ///
    /// - Parameter nullsAreValues: group-by semantics (null is a key like any
    ///   other) when `true`; join semantics (a row with a null key has no id) when `false`.
    package static func encode(
        left: [(name: String, column: Column)], right: [(name: String, column: Column)]?, nullsAreValues: Bool
    ) throws(KernelError) -> RowKeys {
        guard !left.isEmpty else { throw .badKeys("at least one key column is needed") }
        if let right {
            guard right.count == left.count else {
                throw .badKeys("\(left.count) key column(s) on the left, \(right.count) on the right")
            }
            for (l, r) in zip(left, right) where l.column.kind != r.column.kind {
                throw .keyKindMismatch(left: l.name, leftKind: l.column.kind, right: r.name, rightKind: r.column.kind)
            }
        }
        var result = RowKeys(left: [], right: [], count: 0)
        for position in left.indices {
            var ids = ValueIDs()
            let l = try ids.encode(left[position].column, name: left[position].name, nullsAreValues: nullsAreValues)
            let r = try right.map { (r) throws(KernelError) in try ids.encode(r[position].column, name: r[position].name, nullsAreValues: nullsAreValues) } ?? []
            if position == 0 {
                result = RowKeys(left: l, right: r, count: ids.count)
            } else {
                result.combine(with: l, r, width: ids.count)
            }
        }
        result.renumberByFirstAppearance()
        return result
    }

    /// Renumbers ids in order of first appearance (left rows, then right rows), so
    /// that group order follows the rows even where a column's null id was
    /// handed out after its values.
    private mutating func renumberByFirstAppearance() {
        var map = [Int32](repeating: -1, count: count)
        var next: Int32 = 0
        func renumber(_ ids: inout [Int32]) {
            for i in ids.indices where ids[i] >= 0 {
                let old = Int(ids[i])
                if map[old] < 0 {
                    map[old] = next
                    next += 1
                }
                ids[i] = map[old]
            }
        }
        renumber(&left)
        renumber(&right)
    }

    /// Combines the ids so far with one more column's ids into dense composite ids.
    private mutating func combine(with l: [Int32], _ r: [Int32], width: Int) {
        var composite: [Int64: Int32] = [:]
        func pack(_ a: Int32, _ b: Int32) -> Int32 {
            if a < 0 || b < 0 { return -1 }
            let key = Int64(a) << 32 | Int64(b)
            if let id = composite[key] { return id }
            let id = Int32(composite.count)
            composite[key] = id
            return id
        }
        left = zip(left, l).map { pack($0, $1) }
        right = zip(right, r).map { pack($0, $1) }
        count = composite.count
    }
}

/// Dense ids for the values of one key position (across both tables).
struct ValueIDs {
    private var numbers: [Int64: Int32] = [:]
    private var strings = ByteInterner()
    private var nullID: Int32?
    private(set) var count = 0

    private mutating func id(forNumber key: Int64) -> Int32 {
        if let id = numbers[key] { return id }
        let id = Int32(count)
        numbers[key] = id
        count += 1
        return id
    }

    private mutating func id(forBytes p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        do {
            let (code, isNew) = try strings.intern(p, n)
            if isNew {
                count += 1
                stringIDs.append(Int32(count - 1))
            }
            return stringIDs[Int(code)]
        } catch {
            overflowed = true
            return -1
        }
    }
    private var stringIDs: [Int32] = []
    /// Set past 4 GiB of distinct key text.
    private var overflowed = false

    /// One id per row; nulls get a shared null id, or -1.
    mutating func encode(_ column: Column, name: String, nullsAreValues: Bool) throws(KernelError) -> [Int32] {
        var out = [Int32](repeating: -1, count: column.count)
        let o = column.offset
        func numbers<T>(_ values: ContiguousArray<T>, _ key: (T) -> Int64) {
            for row in 0..<column.count where !column.isNull(row) { out[row] = id(forNumber: key(values[o + row])) }
        }
        switch column.storage {
        case .int64(let v), .decimal(let v, _): numbers(v) { $0 }
        case .smallInt64(let v): numbers(v) { Int64($0) }
        case .timestamp(let v): numbers(v) { $0.microsecondsSinceEpoch }
        case .date(let v): numbers(v) { Int64($0.daysSinceEpoch) }
        case .bool(let v): numbers(v) { $0 ? 1 : 0 }
        case .double(let v):
            // -0 equals 0, and every NaN is one key.
            numbers(v) { $0.isNaN ? Int64(bitPattern: Double.nan.bitPattern) : Int64(bitPattern: ($0 == 0 ? 0.0 : $0).bitPattern) }
        case .plainString(let buffer):
            for row in 0..<column.count where !column.isNull(row) {
                out[row] = buffer.withUTF8(at: o + row) { b in id(forBytes: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count) }
            }
        case .numberedString(let numbers, let pattern):
            // Ids by text, so that a numbered column matches a plain or dictionary one.
            for row in 0..<column.count where !column.isNull(row) {
                out[row] = pattern.withUTF8(of: Int64(numbers[o + row])) { b in id(forBytes: b.baseAddress!, b.count) }
            }
        case .dictionaryString(let codes, let dictionary):
            var map = [Int32](repeating: -1, count: dictionary.count)
            for row in 0..<column.count where !column.isNull(row) {
                let d = Int(codes[o + row])
                if map[d] < 0 {
                    map[d] = dictionary.withUTF8(at: d) { b in id(forBytes: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count) }
                }
                out[row] = map[d]
            }
        }
        if overflowed { throw .unsupportedKind(column: name, kind: .string, reason: "more than 4 GiB of distinct key text") }
        if nullsAreValues && column.nullCount > 0 {
            if nullID == nil {
                nullID = Int32(count)
                count += 1
            }
            for row in 0..<column.count where column.isNull(row) { out[row] = nullID! }
        }
        return out
    }
}
