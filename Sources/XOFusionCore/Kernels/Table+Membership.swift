extension Table {
    /// Which rows hold, in `column`, a value that occurs in `other`'s
    /// `otherColumn`: a semi-join kept as one bit per row (set: the value
    /// occurs), so that row positions stay and nothing is copied. "Was this
    /// order returned?" is `orders.rowMask("order_id", isIn: returns, column: "order_id")`.
    /// A null never matches. With `among`, only the rows set in it are
    /// looked up (the others stay clear), which saves work when few rows matter.
    ///
    /// IDs that share one prefix and one width on the other side
    /// (`O0000012345`; see ``FixedWidthIDs``) are compared as numbers through
    /// a bitmap over the other side's number range, without hashing any text;
    /// a value of another shape cannot equal any of them. Other columns hash
    /// their values (``RowKeys``).
    ///
    /// - Throws: ``KernelError/unknownColumn(_:suggestions:)``,
    ///   ``KernelError/keyKindMismatch(left:leftKind:right:rightKind:)``,
    ///   ``KernelError/badArgument(argument:reason:)`` when `among` has not one bit per row.
    /// - Complexity: O(rows + other rows); the numeric path also O(number range / 64).
    public func rowMask(
        _ column: String, isIn other: Table, column otherColumn: String, among: ValidityBitmap? = nil, options: KernelOptions = .default
    ) throws(KernelError) -> ValidityBitmap {
        if let among { try KernelError.checkLength(of: "among", among.count, rows: rowCount) }
        let values = try kernelColumn(column), others = try other.kernelColumn(otherColumn)
        guard values.kind == others.kind else {
            throw .keyKindMismatch(left: column, leftKind: values.kind, right: otherColumn, rightKind: others.kind)
        }
        if let mask = Table.numericMembership(values, in: others, among: among, options: options) { return mask }
        let ids = try RowKeys.encode(left: [(column, values)], right: [(otherColumn, others)], nullsAreValues: false)
        var present = [Bool](repeating: false, count: ids.count)
        for id in ids.right where id >= 0 { present[Int(id)] = true }
        var mask = ValidityBitmap(repeating: false, count: rowCount)
        for (row, id) in ids.left.enumerated() where id >= 0 && present[Int(id)] && (among?[row] ?? true) { mask[row] = true }
        return mask
    }

    /// The membership mask through numbers, when `others` are fixed-width IDs
    /// whose number range is at most 64 times the rows involved (so the bitmap
    /// stays small); `nil` otherwise.
    private static func numericMembership(_ values: Column, in others: Column, among: ValidityBitmap?, options: KernelOptions) -> ValidityBitmap? {
        guard values.kind == .string, let ids = FixedWidthIDs.parse(others, options: options) else { return nil }
        var mask = ValidityBitmap(repeating: false, count: values.count)
        guard let range = ids.range else { return mask }  // every other value is null
        let span = range.upperBound - range.lowerBound
        guard span < 64 * Int64(values.count + others.count + 64) else { return nil }
        var present = ValidityBitmap(repeating: false, count: Int(span) + 1)
        for row in 0..<ids.count {
            let number = ids.number(at: row)
            if number != FixedWidthIDs.null { present[Int(number - range.lowerBound)] = true }
        }
        // A numbered column of the same shape is read by number; of another shape, it matches nothing.
        var stored: ContiguousArray<UInt32>?
        if case .numberedString(let numbers, let pattern) = values.storage {
            guard pattern.length == ids.width && pattern.prefix.elementsEqual(ids.prefix) else { return mask }
            stored = numbers
        }
        // Word-aligned partitions: each writes its own words of the mask.
        let words = mask.words.count
        let parts = Partitions.ranges(words)
        mask.words.withUnsafeMutableBufferPointer { out in
            let shared = Box(out)
            _ = Partitions.map(parts, threads: options.threadCount) { wordRange -> Bool in
                let out = shared.value
                for w in wordRange {
                    var bits: UInt64 = 0
                    var rows = among?.words[w] ?? ~0
                    if let validity = values.validity, values.offset == 0 { rows &= validity.words[w] }
                    while rows != 0 {
                        let row = w << 6 | rows.trailingZeroBitCount
                        rows &= rows &- 1
                        guard row < values.count, !values.isNull(row) else { continue }
                        let number: Int64?
                        if let stored { number = Int64(stored[values.offset &+ row]) } else { number = values.withBytes(at: row, { ids.number(of: $0) }) }
                        guard let number, range.contains(number), present[Int(number - range.lowerBound)] else { continue }
                        bits |= 1 << UInt64(row & 63)
                    }
                    out[w] = bits
                }
                return true
            }
        }
        return mask
    }
}
