import struct Foundation.Date
import struct Foundation.Decimal

extension Table {
    /// The rows of this table as values of a `Decodable` type, one per row.
    ///
    /// Each stored property reads the column of the same name (its coding
    /// key). An optional property reads null, or a missing column, as `nil`.
    /// Numbers widen where no digit is lost (int64 → `Double`, decimal →
    /// `Double` or `Decimal`); integers narrow only when the value fits.
    ///
    /// - Throws: ``TableError/unknownColumn(_:suggestions:)`` for a
    ///   non-optional property without a column, ``TableError/unexpectedNull(column:row:)``,
    ///   ``TableError/kindMismatch(column:expected:actual:)``,
    ///   ``TableError/valueNotRepresentable(column:row:reason:)`` (such as 300
    ///   into `Int8`), and ``TableError/unsupportedType(column:type:reason:)``
    ///   for nested types. Never traps.
    /// - Complexity: O(rows × properties).
    public func rows<Row: Decodable>(as type: Row.Type) throws(TableError) -> [Row] {
        var result: [Row] = []
        result.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            do {
                result.append(try Row(from: _RowDecoder(table: self, row: row)))
            } catch let error as TableError {
                throw error
            } catch {
                throw .unsupportedType(column: nil, type: String(describing: Row.self), reason: "decoding row \(row) failed: \(error)")
            }
        }
        return result
    }
}

struct _RowDecoder: Decoder {
    let table: Table
    let row: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(_RowDecodingContainer<Key>(table: table, row: row))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw TableError.unsupportedType(column: nil, type: "unkeyed container", reason: "a row decodes as a keyed container (a struct or class with properties)")
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw TableError.unsupportedType(column: nil, type: "single value", reason: "a row decodes as a keyed container (a struct or class with properties)")
    }
}

struct _RowDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let table: Table
    let row: Int
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { table.schema.names.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { table.schema.index(of: key.stringValue) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let column = table[key.stringValue] else { return true }
        return column.isNull(row)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let cell = try _CellDecoder(table: table, column: key.stringValue, row: row)
        return try cell.decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw TableError.unsupportedType(column: key.stringValue, type: "nested keyed container", reason: "a column holds one value per row, not a nested structure")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw TableError.unsupportedType(column: key.stringValue, type: "nested unkeyed container", reason: "a column holds one value per row, not an array")
    }
    func superDecoder() throws -> any Decoder { _RowDecoder(table: table, row: row) }
    func superDecoder(forKey key: Key) throws -> any Decoder { _RowDecoder(table: table, row: row) }
}

/// Decodes one cell as a single value.
struct _CellDecoder: Decoder, SingleValueDecodingContainer {
    let name: String
    let value: CellValue
    let kind: ColumnKind
    let row: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(table: Table, column name: String, row: Int) throws(TableError) {
        let column = try table.column(name)
        self.name = name
        self.value = column[row]
        self.kind = column.kind
        self.row = row
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw TableError.unsupportedType(column: name, type: "nested keyed container", reason: "a column holds one value per row, not a nested structure")
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw TableError.unsupportedType(column: name, type: "unkeyed container", reason: "a column holds one value per row, not an array")
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value.isNull }

    private func mismatch(_ expected: String) -> TableError {
        .kindMismatch(column: name, expected: expected, actual: kind)
    }

    private func nonNull() throws(TableError) -> CellValue {
        if value.isNull { throw .unexpectedNull(column: name, row: row) }
        return value
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let v) = try nonNull() else { throw mismatch("bool") }
        return v
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let v) = try nonNull() else { throw mismatch("string") }
        return v
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch try nonNull() {
        case .double(let v): return v
        case .int64(let v): return Double(v)
        case .decimal(let v): return v.doubleValue
        default: throw mismatch("double")
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let wide: Int64
        switch try nonNull() {
        case .int64(let v): wide = v
        case .decimal(let v):
            guard let whole = v.rescaled(to: 0) else {
                throw TableError.valueNotRepresentable(column: name, row: row, reason: "\(v) is not a whole number")
            }
            wide = whole.units
        default: throw mismatch("int64")
        }
        guard let narrow = I(exactly: wide) else {
            throw TableError.valueNotRepresentable(column: name, row: row, reason: "\(wide) does not fit in \(I.self)")
        }
        return narrow
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    /// Decodes the types that map to kinds directly, then lets any other type
    /// decode itself from this single value (string-backed enums, wrappers).
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Timestamp.self || T.self == Date.self {
            guard case .timestamp(let t) = try nonNull() else { throw mismatch("timestamp") }
            return T.self == Date.self ? t.date as! T : t as! T
        }
        if T.self == CivilDate.self {
            guard case .date(let d) = try nonNull() else { throw mismatch("date") }
            return d as! T
        }
        if T.self == ScaledDecimal.self || T.self == Decimal.self {
            let exact: ScaledDecimal
            switch try nonNull() {
            case .decimal(let d): exact = d
            case .int64(let v): exact = ScaledDecimal(units: v, scale: 0)
            default: throw mismatch("decimal")
            }
            return T.self == Decimal.self ? exact.decimalValue as! T : exact as! T
        }
        return try T(from: self)
    }
}
