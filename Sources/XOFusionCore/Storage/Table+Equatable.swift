extension Column: Equatable {
    /// Logical equality: same kind, same length, nulls in the same rows and equal
    /// values elsewhere. String layout does not matter; two NaNs are equal.
    ///
    /// - Complexity: O(n).
    public static func == (a: Column, b: Column) -> Bool {
        guard a.kind == b.kind, a.count == b.count, a.nullCount == b.nullCount else { return false }
        switch (a.storage, b.storage) {
        case (.int64(let x), .int64(let y)), (.decimal(let x, _), .decimal(let y, _)):
            return equalSlots(a, b) { x[$0] == y[$1] }
        case (.smallInt64(let x), .smallInt64(let y)):
            return equalSlots(a, b) { x[$0] == y[$1] }
        case (.smallInt64(let x), .int64(let y)):
            return equalSlots(a, b) { Int64(x[$0]) == y[$1] }
        case (.int64(let x), .smallInt64(let y)):
            return equalSlots(a, b) { x[$0] == Int64(y[$1]) }
        case (.double(let x), .double(let y)):
            return equalSlots(a, b) { x[$0] == y[$1] || (x[$0].isNaN && y[$1].isNaN) }
        case (.bool(let x), .bool(let y)):
            return equalSlots(a, b) { x[$0] == y[$1] }
        case (.timestamp(let x), .timestamp(let y)):
            return equalSlots(a, b) { x[$0] == y[$1] }
        case (.date(let x), .date(let y)):
            return equalSlots(a, b) { x[$0] == y[$1] }
        case (.plainString(let x), .plainString(let y)):
            return equalSlots(a, b) { x.bytesEqual($0, y, $1) }
        case (.dictionaryString(let xc, let xd), .dictionaryString(let yc, let yd)):
            return equalSlots(a, b) { xd.bytesEqual(Int(xc[$0]), yd, Int(yc[$1])) }
        case (.plainString(let x), .dictionaryString(let yc, let yd)):
            return equalSlots(a, b) { x.bytesEqual($0, yd, Int(yc[$1])) }
        case (.dictionaryString(let xc, let xd), .plainString(let y)):
            return equalSlots(a, b) { xd.bytesEqual(Int(xc[$0]), y, $1) }
        case (.numberedString(let x, let p), .numberedString(let y, let q)) where p == q:
            return equalSlots(a, b) { x[$0] == y[$1] }
        case (.numberedString, _), (_, .numberedString):
            guard a.kind == .string else { return false }
            return equalSlots(a, b) { i, j in a.withBytes(slot: i) { x in b.withBytes(slot: j) { y in x.elementsEqual(y) } } }
        default:
            return false
        }
    }

    /// Compares row by row: both null, or both valid and `same(slotA, slotB)`.
    private static func equalSlots(_ a: Column, _ b: Column, _ same: (Int, Int) -> Bool) -> Bool {
        for row in 0..<a.count {
            let nullA = a.isNull(row), nullB = b.isNull(row)
            if nullA != nullB { return false }
            if !nullA && !same(a.offset + row, b.offset + row) { return false }
        }
        return true
    }
}

extension Table: Equatable {
    /// Same schema (names, kinds, order) and equal columns.
    ///
    /// - Complexity: O(rows × columns).
    public static func == (a: Table, b: Table) -> Bool {
        a.schema == b.schema && a.rowCount == b.rowCount && a.columns == b.columns
    }
}
