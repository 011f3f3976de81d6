import struct Foundation.Date
import struct Foundation.Decimal

extension Table {
    /// A table with one row per element of `rows` and one column per stored
    /// property, in the order the first row encodes them.
    ///
    /// Swift types map to kinds: integers → `int64`; `Double`, `Float` →
    /// `double`; `Bool` → `bool`; `String` and string-backed enums → `string`;
    /// `Date` and ``Timestamp`` → `timestamp`; ``CivilDate`` → `date`;
    /// ``ScaledDecimal`` and `Decimal` → `decimal(S)` with the largest scale
    /// seen. Optionals that are `nil` become nulls.
    ///
    /// Pass `schema` to fix kinds (and column order) yourself, for example
    /// when an optional property is `nil` in every row, or to store integers
    /// as decimals. Columns named in `schema` but absent from every row become
    /// all-null columns.
    ///
    /// ```swift
    /// struct Answer: Codable { var customer: String; var nps: Int?; var at: Date }
    /// let table = try Table(rows: answers)
    /// let back = try table.rows(as: Answer.self)
    /// ```
    ///
    /// - Throws: ``TableError/unsupportedType(column:type:reason:)`` for nested
    ///   values (structs, arrays, dictionaries), ``TableError/mixedKinds(column:first:conflicting:row:)``,
    ///   ``TableError/cannotInferKind(column:)`` for a column that is `nil` in
    ///   every row and not in `schema`, ``TableError/kindMismatch(column:expected:actual:)``
    ///   when a value does not fit its schema kind. Never traps.
    /// - Complexity: O(rows × columns).
    public init<Row: Encodable>(
        rows: [Row], schema: Schema? = nil, stringLayout: StringLayout = .plain
    ) throws(TableError) {
        var names: [String] = schema?.names ?? []
        var position: [String: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var cells: [[CellValue]] = Array(repeating: [], count: names.count)
        for (rowIndex, row) in rows.enumerated() {
            let encoder = _RowEncoder()
            do {
                try row.encode(to: encoder)
            } catch let error as TableError {
                throw error.atRow(rowIndex)
            } catch {
                throw .unsupportedType(column: nil, type: String(describing: Row.self), reason: "encoding row \(rowIndex) failed: \(error)")
            }
            if let failure = encoder.failure { throw failure.atRow(rowIndex) }
            guard encoder.isKeyed else {
                throw .unsupportedType(column: nil, type: String(describing: Row.self), reason: "a row must encode as a keyed container (a struct or class with properties)")
            }
            for (name, value) in encoder.values {
                if position[name] == nil {
                    if schema != nil { continue }  // the schema picks the columns
                    position[name] = names.count
                    names.append(name)
                    cells.append(Array(repeating: .null, count: rowIndex))
                }
                cells[position[name]!].append(value)
            }
            for c in cells.indices where cells[c].count == rowIndex { cells[c].append(.null) }
        }
        var columns: [(name: String, column: Column)] = []
        for (c, name) in names.enumerated() {
            let kind: ColumnKind
            if let schema { kind = schema[c].kind } else { kind = try Table.inferKind(of: cells[c], column: name) }
            columns.append((name, try Column.make(kind, from: cells[c], layout: stringLayout, column: name)))
        }
        if schema == nil, let decodable = Row.self as? any Decodable.Type {
            columns = try Table.addingPropertiesNilInEveryRow(columns, declared: _RowProbe.fields(of: decodable), rowCount: rows.count)
        }
        try self.init(columns: columns)
    }

    /// Puts the columns in declaration order and adds an all-null column for
    /// each declared property that no row encoded (an optional that is `nil`
    /// everywhere), so that no property is dropped silently.
    ///
    /// - Throws: ``TableError/cannotInferKind(column:)`` when such a
    ///   property's type has no known kind.
    static func addingPropertiesNilInEveryRow(
        _ encoded: [(name: String, column: Column)], declared: [(name: String, kind: ColumnKind?)], rowCount: Int
    ) throws(TableError) -> [(name: String, column: Column)] {
        var result: [(name: String, column: Column)] = []
        for field in declared {
            if let found = encoded.first(where: { $0.name == field.name }) {
                result.append(found)
            } else {
                guard let kind = field.kind else { throw .cannotInferKind(column: field.name) }
                result.append((field.name, Column.nulls(of: kind, count: rowCount)))
            }
        }
        for column in encoded where !result.contains(where: { $0.name == column.name }) { result.append(column) }
        return result
    }

    /// The narrowest kind that holds every value: int64 and decimal widen to
    /// decimal, either widens to double with a double present.
    static func inferKind(of values: [CellValue], column: String) throws(TableError) -> ColumnKind {
        var kind: ColumnKind?
        for (row, value) in values.enumerated() {
            guard let next = value.kind else { continue }
            guard let current = kind else { kind = next; continue }
            switch (current, next) {
            case _ where current == next: break
            case (.decimal(let a), .decimal(let b)): kind = .decimal(scale: max(a, b))
            case (.int64, .decimal), (.decimal, .int64): kind = current == .int64 ? next : current
            case (.int64, .double), (.decimal, .double), (.double, .int64), (.double, .decimal): kind = .double
            default: throw .mixedKinds(column: column, first: current, conflicting: next, row: row)
            }
        }
        guard let kind else { throw .cannotInferKind(column: column) }
        return kind
    }
}

extension CellValue {
    /// The kind of a non-null value; `nil` for null.
    var kind: ColumnKind? {
        switch self {
        case .null: nil
        case .int64: .int64
        case .double: .double
        case .bool: .bool
        case .decimal(let d): .decimal(scale: d.scale)
        case .timestamp: .timestamp
        case .date: .date
        case .string: .string
        }
    }
}

extension Column {
    /// A column of `kind` from cells, converting exactly where the kinds allow
    /// it (int64 → decimal or double, decimal → wider decimal or double).
    ///
    /// - Throws: ``TableError/kindMismatch(column:expected:actual:)`` or
    ///   ``TableError/valueNotRepresentable(column:row:reason:)``.
    static func make(_ kind: ColumnKind, from cells: [CellValue], layout: StringLayout, column: String) throws(TableError) -> Column {
        func mismatch(_ value: CellValue) -> TableError {
            .kindMismatch(column: column, expected: kind.description, actual: value.kind ?? kind)
        }
        switch kind {
        case .int64:
            return .int64(try cells.map { (cell) throws(TableError) -> Int64? in
                switch cell {
                case .null: return nil
                case .int64(let v): return v
                default: throw mismatch(cell)
                }
            })
        case .double:
            return .double(try cells.map { (cell) throws(TableError) -> Double? in
                switch cell {
                case .null: return nil
                case .double(let v): return v
                case .int64(let v): return Double(v)
                case .decimal(let v): return v.doubleValue
                default: throw mismatch(cell)
                }
            })
        case .bool:
            return .bool(try cells.map { (cell) throws(TableError) -> Bool? in
                switch cell {
                case .null: return nil
                case .bool(let v): return v
                default: throw mismatch(cell)
                }
            })
        case .decimal(let scale):
            var units: [Int64?] = []
            units.reserveCapacity(cells.count)
            for (row, cell) in cells.enumerated() {
                let value: ScaledDecimal
                switch cell {
                case .null: units.append(nil); continue
                case .decimal(let v): value = v
                case .int64(let v): value = ScaledDecimal(units: v, scale: 0)
                default: throw mismatch(cell)
                }
                guard let exact = value.rescaled(to: scale) else {
                    throw .valueNotRepresentable(column: column, row: row, reason: "\(value) does not fit decimal(\(scale)) exactly")
                }
                units.append(exact.units)
            }
            return .decimal(units: units, scale: scale)
        case .timestamp:
            return .timestamp(try cells.map { (cell) throws(TableError) -> Timestamp? in
                switch cell {
                case .null: return nil
                case .timestamp(let v): return v
                default: throw mismatch(cell)
                }
            })
        case .date:
            return .date(try cells.map { (cell) throws(TableError) -> CivilDate? in
                switch cell {
                case .null: return nil
                case .date(let v): return v
                default: throw mismatch(cell)
                }
            })
        case .string:
            let strings = try cells.map { (cell) throws(TableError) -> String? in
                switch cell {
                case .null: return nil
                case .string(let v): return v
                default: throw mismatch(cell)
                }
            }
            do { return try .string(strings, layout: layout) } catch { throw error.naming(column) }
        }
    }
}

// MARK: - The row encoder

/// Encodes one row into `name → CellValue`. Nested containers are recorded as
/// a failure (the `Encoder` protocol's container calls cannot throw) and
/// reported after the row's `encode(to:)` returns.
final class _RowEncoder: Encoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    var values: [(String, CellValue)] = []
    var failure: TableError?
    var isKeyed = false

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        isKeyed = true
        return KeyedEncodingContainer(_RowContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        failure = failure ?? .unsupportedType(column: nil, type: "unkeyed container", reason: "a row must encode as a keyed container (a struct or class with properties)")
        return _FailingUnkeyedContainer(failure: failure!)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        failure = failure ?? .unsupportedType(column: nil, type: "single value", reason: "a row must encode as a keyed container (a struct or class with properties)")
        return _CellEncoder(column: "", failure: failure)
    }
}

struct _RowContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _RowEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { encoder.values.append((key.stringValue, .null)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let name = key.stringValue
        let cell = _CellEncoder(column: name, failure: nil)
        try cell.store(value)
        if let failure = cell.failure { throw failure }
        guard let result = cell.result else {
            throw TableError.unsupportedType(column: name, type: String(describing: T.self), reason: "it encoded no value")
        }
        encoder.values.append((name, result))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let failure = TableError.unsupportedType(column: key.stringValue, type: "nested keyed container", reason: "a column holds one value per row, not a nested structure")
        encoder.failure = encoder.failure ?? failure
        return _CellEncoder(column: key.stringValue, failure: failure).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let failure = TableError.unsupportedType(column: key.stringValue, type: "nested unkeyed container", reason: "a column holds one value per row, not an array")
        encoder.failure = encoder.failure ?? failure
        return _FailingUnkeyedContainer(failure: failure)
    }

    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
}

/// Encodes one cell: either a value with a kind, or a recorded failure.
final class _CellEncoder: Encoder, SingleValueEncodingContainer {
    let column: String
    var failure: TableError?
    var result: CellValue?
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(column: String, failure: TableError?) {
        self.column = column
        self.failure = failure
    }

    /// Stores a value, recognising the types that map to kinds directly before
    /// letting a custom type encode itself (string-backed enums, wrappers).
    func store<T: Encodable>(_ value: T) throws {
        switch value {
        case let v as Timestamp: result = .timestamp(v)
        case let v as Date: result = .timestamp(Timestamp(v))
        case let v as CivilDate: result = .date(v)
        case let v as ScaledDecimal: result = .decimal(v)
        case let v as Decimal:
            guard let exact = ScaledDecimal(v.description) else {
                throw TableError.valueNotRepresentable(column: column, row: 0, reason: "Decimal \(v) does not fit a decimal column (at most 18 fraction digits, 64-bit units)")
            }
            result = .decimal(exact)
        default: try value.encode(to: self)
        }
    }

    private func set(_ value: CellValue) throws {
        if let failure { throw failure }
        guard result == nil else {
            throw TableError.unsupportedType(column: column, type: "several values", reason: "a column holds one value per row")
        }
        result = value
    }

    private func integer<I: BinaryInteger>(_ value: I) throws {
        guard let v = Int64(exactly: value) else {
            throw TableError.valueNotRepresentable(column: column, row: 0, reason: "\(value) does not fit in int64")
        }
        try set(.int64(v))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        failure = failure ?? .unsupportedType(column: column, type: "nested keyed container", reason: "a column holds one value per row, not a nested structure")
        return KeyedEncodingContainer(_FailingKeyedContainer<Key>(failure: failure!))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        failure = failure ?? .unsupportedType(column: column, type: "unkeyed container", reason: "a column holds one value per row, not an array")
        return _FailingUnkeyedContainer(failure: failure!)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws { try set(.null) }
    func encode(_ value: Bool) throws { try set(.bool(value)) }
    func encode(_ value: String) throws { try set(.string(value)) }
    func encode(_ value: Double) throws { try set(.double(value)) }
    func encode(_ value: Float) throws { try set(.double(Double(value))) }
    func encode(_ value: Int) throws { try integer(value) }
    func encode(_ value: Int8) throws { try integer(value) }
    func encode(_ value: Int16) throws { try integer(value) }
    func encode(_ value: Int32) throws { try integer(value) }
    func encode(_ value: Int64) throws { try integer(value) }
    func encode(_ value: UInt) throws { try integer(value) }
    func encode(_ value: UInt8) throws { try integer(value) }
    func encode(_ value: UInt16) throws { try integer(value) }
    func encode(_ value: UInt32) throws { try integer(value) }
    func encode(_ value: UInt64) throws { try integer(value) }
    func encode<T: Encodable>(_ value: T) throws { try store(value) }
}

/// A keyed container that refuses every value with the recorded failure.
struct _FailingKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let failure: TableError
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil(forKey key: Key) throws { throw failure }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw failure }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(_FailingKeyedContainer<NestedKey>(failure: failure))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { _FailingUnkeyedContainer(failure: failure) }
    mutating func superEncoder() -> any Encoder { _CellEncoder(column: "", failure: failure) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { _CellEncoder(column: "", failure: failure) }
}

/// An unkeyed container that refuses every value with the recorded failure.
struct _FailingUnkeyedContainer: UnkeyedEncodingContainer {
    let failure: TableError
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws { throw failure }
    mutating func encode<T: Encodable>(_ value: T) throws { throw failure }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(_FailingKeyedContainer<NestedKey>(failure: failure))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { _CellEncoder(column: "", failure: failure) }
}
