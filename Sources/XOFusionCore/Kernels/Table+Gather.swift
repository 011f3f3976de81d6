extension Column {
    /// The values at `rows`, in that order; `nil` entries give nulls (the
    /// unmatched side of an outer join).
    ///
    /// ```
    /// values  [a, b, c, d]      rows [3, nil, 0, 0]
    ///                      ───►  [d, null, a, a]
    /// ```
    ///
    /// - Precondition: every index is in `0..<count`, and a plain string result
    ///   holds at most 4 GiB of text.
    /// - Complexity: O(`rows.count`), plus the bytes of gathered strings.
    public func gathered(rows: [Int?]) -> Column {
        let n = rows.count
        var validity: ValidityBitmap?
        func take(_ row: Int?) -> Int? {
            guard let row, !isNull(row) else { return nil }
            return offset + row
        }
        for (i, row) in rows.enumerated() where take(row) == nil {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: n) }
            validity![i] = false
        }
        func fixed<T>(_ values: ContiguousArray<T>, _ zero: T) -> ContiguousArray<T> {
            var out = ContiguousArray<T>()
            out.reserveCapacity(n)
            values.withUnsafeBufferPointer { v in for row in rows { out.append(take(row).map { v[$0] } ?? zero) } }
            return out
        }
        let storage: Storage
        switch self.storage {
        case .int64(let v): storage = .int64(fixed(v, 0))
        case .smallInt64(let v): storage = .smallInt64(fixed(v, 0))
        case .double(let v): storage = .double(fixed(v, 0))
        case .bool(let v): storage = .bool(fixed(v, false))
        case .decimal(let v, let scale): storage = .decimal(fixed(v, 0), scale: scale)
        case .timestamp(let v): storage = .timestamp(fixed(v, Timestamp(microsecondsSinceEpoch: 0)))
        case .date(let v): storage = .date(fixed(v, CivilDate(daysSinceEpoch: 0)))
        case .dictionaryString(let codes, let dictionary): storage = .dictionaryString(codes: fixed(codes, 0), dictionary: dictionary)
        case .numberedString(let numbers, let pattern): storage = .numberedString(numbers: fixed(numbers, 0), pattern: pattern)
        case .plainString(let buffer):
            var bytes = ContiguousArray<UInt8>()
            var offsets = ContiguousArray<UInt32>()
            offsets.reserveCapacity(n + 1)
            offsets.append(0)
            for row in rows {
                if let slot = take(row) { buffer.withUTF8(at: slot) { bytes.append(contentsOf: $0) } }
                // Repeated rows can multiply text past what UInt32 offsets address: stop
                // loudly rather than wrap into wrong strings.
                precondition(bytes.count <= StringBuffer.maximumByteCount, "a gathered string column would exceed 4 GiB of text")
                offsets.append(UInt32(truncatingIfNeeded: bytes.count))
            }
            storage = .plainString(StringBuffer(uncheckedBytes: bytes, offsets: offsets))
        }
        return Column(storage: storage, validity: validity, count: n)
    }

    /// The values at `rows`, in that order.
    ///
    /// - Complexity: O(`rows.count`).
    public func gathered(rows: [Int]) -> Column { gathered(rows: rows.map { Optional($0) }) }
}

extension Table {
    /// The rows at `rows`, in that order (repeats allowed).
    ///
    /// This is the trusting fast path, for rows a kernel produced
    /// (``sortOrder(by:options:)``, ``selection(where:options:)``, a join's
    /// matches) and which therefore are in range. For row numbers from
    /// elsewhere, ``gathered(checkedRows:)`` checks them first and throws.
    ///
    /// - Precondition: every index is in `0..<rowCount`; a row outside it stops
    ///   the program (in release builds too), it is never read out of bounds.
    /// - Complexity: O(`rows.count` × columns).
    public func gathered(rows: [Int]) -> Table {
        let optional = rows.map { Optional($0) }
        return Table(uncheckedSchema: schema, columns: columns.map { $0.gathered(rows: optional) }, rowCount: rows.count)
    }

    /// The rows at `rows`, as ``gathered(rows:)``, after checking that each is a
    /// row of this table: the checked variant for row numbers a caller made.
    ///
    /// - Throws: ``KernelError/badArgument(argument:reason:)`` naming the first row outside `0..<rowCount`.
    /// - Complexity: O(`rows.count` × columns).
    public func gathered(checkedRows rows: [Int]) throws(KernelError) -> Table {
        if let bad = rows.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw .badArgument(argument: "rows", reason: "row \(bad) is outside 0..<\(rowCount)")
        }
        return gathered(rows: rows)
    }
}
