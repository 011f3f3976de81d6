/// An immutable table of typed columns: the unit of data everything in
/// XOFusion reads and returns.
///
/// A table is a value: copying it copies no column buffers (they are shared
/// copy-on-write), operations return new tables, and it is `Sendable`, so it
/// can cross tasks freely. Slicing (``slice(_:)``) shares buffers too.
///
/// ```swift
/// let answers = try Table([
///     "customer_id": try .string(["C1", "C2", "C3"]),
///     "nps": .int64([9, nil, 3]),
///     "amount": .decimal(units: [1850, 999, nil], scale: 2),
/// ])
/// print(answers)                        // aligned text with kinds in the header
/// let nps = try answers.int64("nps")    // typed view: [Int64?]-like
/// ```
public struct Table: Sendable {
    /// The column names and kinds.
    public let schema: Schema
    /// The columns, in schema order.
    public let columns: [Column]
    /// The number of rows.
    public let rowCount: Int

    /// A table of named columns, in the order given.
    ///
    /// - Throws: ``TableError/duplicateColumnName(_:)``, ``TableError/emptyColumnName(index:)``
    ///   or ``TableError/lengthMismatch(column:expected:actual:)``.
    /// - Complexity: O(number of columns).
    public init(_ columns: KeyValuePairs<String, Column>) throws(TableError) {
        try self.init(columns: columns.map { (name: $0.key, column: $0.value) })
    }

    /// A table of named columns, in the order given.
    ///
    /// - Throws: as ``init(_:)``.
    /// - Complexity: O(number of columns).
    public init(columns: [(name: String, column: Column)]) throws(TableError) {
        let schema = try Schema(columns.map { Schema.Field($0.name, $0.column.kind) })
        try self.init(schema: schema, columns: columns.map(\.column))
    }

    /// A table from a schema and matching columns.
    ///
    /// - Throws: ``TableError/kindMismatch(column:expected:actual:)`` when a
    ///   column's kind differs from its field, ``TableError/lengthMismatch(column:expected:actual:)``
    ///   when lengths differ, ``TableError/valueNotRepresentable(column:row:reason:)``
    ///   when the counts of fields and columns differ.
    /// - Complexity: O(number of columns).
    public init(schema: Schema, columns: [Column]) throws(TableError) {
        guard schema.count == columns.count else {
            throw .capacityExceeded(column: nil, reason: "schema has \(schema.count) fields but \(columns.count) columns were given")
        }
        let rowCount = columns.first?.count ?? 0
        for (field, column) in zip(schema.fields, columns) {
            guard field.kind == column.kind else {
                throw .kindMismatch(column: field.name, expected: field.kind.description, actual: column.kind)
            }
            guard column.count == rowCount else {
                throw .lengthMismatch(column: field.name, expected: rowCount, actual: column.count)
            }
        }
        self.init(uncheckedSchema: schema, columns: columns, rowCount: rowCount)
    }

    /// A table whose parts the caller vouches for (kinds match, lengths equal);
    /// checked in debug builds.
    init(uncheckedSchema schema: Schema, columns: [Column], rowCount: Int, checked: Bool = true) {
        self.schema = schema
        self.columns = columns
        self.rowCount = rowCount
        #if DEBUG
            if checked { _checkInvariants() }
        #endif
    }

    /// An empty table (no columns, no rows).
    public static let empty = try! Table([:])

    /// The number of columns.
    public var columnCount: Int { columns.count }

    /// The column named `name`.
    ///
    /// - Throws: ``TableError/unknownColumn(_:suggestions:)`` with the nearest names.
    public func column(_ name: String) throws(TableError) -> Column {
        columns[try schema.requireIndex(of: name)]
    }

    /// The column at position `index` in schema order.
    public func column(at index: Int) -> Column { columns[index] }

    /// The column named `name`, or `nil`.
    public subscript(name: String) -> Column? {
        schema.index(of: name).map { columns[$0] }
    }

    /// Rows `range`, sharing every column's buffers.
    ///
    /// - Precondition: `range` lies within `0..<rowCount` (as for `Array`).
    /// - Complexity: O(columns × `range.count` / 64) to count nulls; no values are copied.
    public func slice(_ range: Range<Int>) -> Table {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "slice \(range) out of range 0..<\(rowCount)")
        // The columns were checked when this table was built; a slice of them needs no second check.
        return Table(uncheckedSchema: schema, columns: columns.map { $0.slice(range) }, rowCount: range.count, checked: false)
    }

    /// The first `n` rows (all rows if there are fewer).
    ///
    /// - Complexity: as ``slice(_:)``.
    public func prefix(_ n: Int) -> Table { slice(0..<max(0, min(n, rowCount))) }

    /// The last `n` rows (all rows if there are fewer).
    ///
    /// - Complexity: as ``slice(_:)``.
    public func suffix(_ n: Int) -> Table { slice(max(0, rowCount - max(0, n))..<rowCount) }

    /// The value at `row` of the column named `column`.
    ///
    /// - Throws: ``TableError/unknownColumn(_:suggestions:)``.
    public func value(_ column: String, row: Int) throws(TableError) -> CellValue {
        try self.column(column)[row]
    }
}

// MARK: - Typed access by name

extension Table {
    private func typed<V>(_ name: String, _ expected: String, _ view: (Column) -> V?) throws(TableError) -> V {
        let column = try column(name)
        guard let values = view(column) else {
            throw .kindMismatch(column: name, expected: expected, actual: column.kind)
        }
        return values
    }

    /// The values of the `int64` column `name`.
    ///
    /// - Throws: ``TableError/unknownColumn(_:suggestions:)`` or ``TableError/kindMismatch(column:expected:actual:)``.
    public func int64(_ name: String) throws(TableError) -> ColumnValues<Int64> { try typed(name, "int64", \.int64Values) }
    /// The values of the `double` column `name`.
    ///
    /// - Throws: as ``int64(_:)``.
    public func double(_ name: String) throws(TableError) -> ColumnValues<Double> { try typed(name, "double", \.doubleValues) }
    /// The values of the `bool` column `name`.
    ///
    /// - Throws: as ``int64(_:)``.
    public func bool(_ name: String) throws(TableError) -> ColumnValues<Bool> { try typed(name, "bool", \.boolValues) }
    /// The values of the `decimal(S)` column `name`.
    ///
    /// - Throws: as ``int64(_:)``.
    public func decimal(_ name: String) throws(TableError) -> DecimalValues { try typed(name, "decimal", \.decimalValues) }
    /// The values of the `timestamp` column `name`.
    ///
    /// - Throws: as ``int64(_:)``.
    public func timestamp(_ name: String) throws(TableError) -> ColumnValues<Timestamp> { try typed(name, "timestamp", \.timestampValues) }
    /// The values of the `date` column `name`.
    ///
    /// - Throws: as ``int64(_:)``.
    public func date(_ name: String) throws(TableError) -> ColumnValues<CivilDate> { try typed(name, "date", \.dateValues) }
    /// The values of the `string` column `name` (either layout).
    ///
    /// - Throws: as ``int64(_:)``.
    public func string(_ name: String) throws(TableError) -> StringValues { try typed(name, "string", \.stringValues) }
}
