/// One cell of a table, with its kind: the slow, general way to look at a
/// value (printing, row-at-a-time code, tests). Kernels use typed views instead.
public enum CellValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case decimal(ScaledDecimal)
    case timestamp(Timestamp)
    case date(CivilDate)
    case string(String)

    /// Whether this is ``null``.
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The value as text: `null`, `42`, `18.50`, `2025-03-01T12:00:00Z`, or the string itself.
    public var description: String {
        switch self {
        case .null: "null"
        case .int64(let v): String(v)
        case .double(let v): String(v)
        case .bool(let v): String(v)
        case .decimal(let v): v.description
        case .timestamp(let v): v.description
        case .date(let v): v.description
        case .string(let v): v
        }
    }

    /// Equality that treats two NaNs as equal (tables compare NaN cells as equal).
    func isSame(as other: CellValue) -> Bool {
        if case .double(let a) = self, case .double(let b) = other, a.isNaN && b.isNaN { return true }
        return self == other
    }
}

extension Column {
    /// The value at `row` as a ``CellValue``.
    ///
    /// - Complexity: O(1), plus O(length) to build a `String` for string columns.
    public subscript(row: Int) -> CellValue {
        if isNull(row) { return .null }
        let slot = offset + row
        switch storage {
        case .int64(let v): return .int64(v[slot])
        case .smallInt64(let v): return .int64(Int64(v[slot]))
        case .double(let v): return .double(v[slot])
        case .bool(let v): return .bool(v[slot])
        case .decimal(let v, let scale): return .decimal(ScaledDecimal(units: v[slot], scale: scale))
        case .timestamp(let v): return .timestamp(v[slot])
        case .date(let v): return .date(v[slot])
        case .plainString(let buffer): return .string(buffer[slot])
        case .dictionaryString(let codes, let dictionary): return .string(dictionary[Int(codes[slot])])
        case .numberedString(let numbers, let pattern): return .string(pattern.string(Int64(numbers[slot])))
        }
    }
}
