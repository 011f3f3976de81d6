/// A typed, read-only view of a column's values: a random-access collection
/// of `Element?` (nil for nulls) that shares the column's buffer.
///
/// Loop over ``values`` and ``isNull(_:)`` for speed; the optional elements
/// are for convenience.
public struct ColumnValues<Element: Sendable>: RandomAccessCollection, Sendable {
    @usableFromInline let buffer: ContiguousArray<Element>
    @usableFromInline let validity: ValidityBitmap?
    @usableFromInline let offset: Int
    /// The number of values, nulls included.
    public let count: Int
    /// The number of nulls.
    public let nullCount: Int

    init(_ buffer: ContiguousArray<Element>, of column: Column) {
        self.buffer = buffer
        validity = column.validity
        offset = column.offset
        count = column.count
        nullCount = column.nullCount
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    /// The value at `position`, or `nil` if it is null.
    @inlinable
    public subscript(position: Int) -> Element? {
        precondition(position >= 0 && position < count, "index \(position) out of range 0..<\(count)")
        if let validity, !validity[offset + position] { return nil }
        return buffer[offset + position]
    }

    /// Whether the value at `position` is null.
    @inlinable
    public func isNull(_ position: Int) -> Bool {
        guard let validity else { return false }
        return !validity[offset + position]
    }

    /// The stored values, nulls included as zero values, without copying.
    @inlinable
    public var values: ArraySlice<Element> { ArraySlice(buffer[offset..<(offset + count)]) }

    /// Calls `body` with a pointer to the stored values (nulls hold zero values).
    @inlinable
    public func withUnsafeValues<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[offset..<(offset + count)])) }
    }
}

/// A read-only view of a `decimal(S)` column: a collection of `ScaledDecimal?`
/// that shares the column's buffer of units.
public struct DecimalValues: RandomAccessCollection, Sendable {
    /// The raw units (`1850` for 18.50 at scale 2), nulls included as zero.
    public let units: ColumnValues<Int64>
    /// Digits after the decimal point.
    public let scale: Int

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { units.count }

    /// The value at `position`, or `nil` if it is null.
    public subscript(position: Int) -> ScaledDecimal? {
        units[position].map { ScaledDecimal(units: $0, scale: scale) }
    }
}

/// A read-only view of a string column in either layout: a collection of `String?`.
public struct StringValues: RandomAccessCollection, Sendable {
    let column: Column

    /// The number of values, nulls included.
    public var count: Int { column.count }
    @inlinable public var startIndex: Int { 0 }
    public var endIndex: Int { column.count }
    /// The column's layout.
    public var layout: StringLayout { column.stringLayout! }

    /// The value at `position`, or `nil` if it is null.
    ///
    /// - Complexity: O(length of the string).
    public subscript(position: Int) -> String? {
        if case .string(let s) = column[position] { return s }
        return nil
    }

    /// For a dictionary layout: the codes (one per row) and the distinct values
    /// they index; `nil` for a plain layout.
    public var dictionary: (codes: ColumnValues<UInt32>, values: StringBuffer)? {
        guard case .dictionaryString(let codes, let values) = column.storage else { return nil }
        return (ColumnValues(codes, of: column), values)
    }
}

extension Column {
    /// The values of an `int64` column, or `nil` for another kind.
    ///
    /// - Complexity: O(1), sharing the column's buffer; O(n) for a column a read stored in one byte
    ///   a value (a declared range inside -127...126, see ``ColumnSpec/allowedRange``), whose values
    ///   it widens into a buffer of its own.
    public var int64Values: ColumnValues<Int64>? {
        switch storage {
        case .int64(let v): ColumnValues(v, of: self)
        case .smallInt64: if case .int64(let v) = wideStorage { ColumnValues(v, of: self) } else { nil }
        default: nil
        }
    }

    /// The values of an `int64` column stored in one byte a value (see ``int64Values``), without a
    /// copy; `nil` for any other column.
    package var smallInt64Values: ColumnValues<Int8>? {
        if case .smallInt64(let v) = storage { ColumnValues(v, of: self) } else { nil }
    }
    /// The values of a `double` column, or `nil` for another kind.
    public var doubleValues: ColumnValues<Double>? {
        if case .double(let v) = storage { ColumnValues(v, of: self) } else { nil }
    }
    /// The values of a `bool` column, or `nil` for another kind.
    public var boolValues: ColumnValues<Bool>? {
        if case .bool(let v) = storage { ColumnValues(v, of: self) } else { nil }
    }
    /// The values of a `decimal(S)` column, or `nil` for another kind.
    public var decimalValues: DecimalValues? {
        if case .decimal(let v, let scale) = storage { DecimalValues(units: ColumnValues(v, of: self), scale: scale) } else { nil }
    }
    /// The values of a `timestamp` column, or `nil` for another kind.
    public var timestampValues: ColumnValues<Timestamp>? {
        if case .timestamp(let v) = storage { ColumnValues(v, of: self) } else { nil }
    }
    /// The values of a `date` column, or `nil` for another kind.
    public var dateValues: ColumnValues<CivilDate>? {
        if case .date(let v) = storage { ColumnValues(v, of: self) } else { nil }
    }
    /// The values of a `string` column (either layout), or `nil` for another kind.
    public var stringValues: StringValues? {
        kind == .string ? StringValues(column: self) : nil
    }
}
