/// A request to a kernel, a join or a key space that cannot be carried out.
/// Every case names the column and the reason.
public enum KernelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No column has this name; `suggestions` holds the nearest names.
    case unknownColumn(String, suggestions: [String])
    /// A column holds a kind the operation cannot use.
    case unsupportedKind(column: String, kind: ColumnKind, reason: String)
    /// Join keys of different kinds.
    case keyKindMismatch(left: String, leftKind: ColumnKind, right: String, rightKind: ColumnKind)
    /// An as-of join on a column that is not a time (timestamp or date).
    case notATime(column: String, kind: ColumnKind)
    /// A negative as-of tolerance.
    case negativeTolerance(microseconds: Int64)
    /// A join or group-by was given no key columns, or unequal numbers on each side.
    case badKeys(String)
    /// Join validation failed: keys that should be unique are not. `offending` lists
    /// the first (up to 5) such keys, rendered as text, with how often each occurs.
    case validationFailed(rule: String, side: String, offending: [KeyCount])
    /// The join would produce more rows than allowed; refused before allocating.
    case fanOutExceeded(limit: Int, wouldProduce: Int)
    /// A comparison value of a kind that does not fit the column.
    case badValue(column: String, reason: String)
    /// A result would overflow (an integer sum past ±9.2e18).
    case overflow(column: String, reason: String)
    /// An argument that is not a column does not fit the call: a mask or code
    /// array whose length differs from its table's, a row index out of range,
    /// a tolerance too large to express. `argument` is the parameter's name.
    case badArgument(argument: String, reason: String)

    /// A key (its columns' values as text) and how many rows hold it.
    public struct KeyCount: Hashable, Sendable, CustomStringConvertible {
        /// The key's values as text: `C001`, or `(C001, 2025)` for several columns.
        public var key: String
        /// Rows holding it.
        public var count: Int
        public var description: String { "\(key) (\(count) rows)" }
    }

    public var description: String {
        switch self {
        case .unknownColumn(let name, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            return "no column named '\(name)'\(hint)"
        case .unsupportedKind(let column, let kind, let reason):
            return "column '\(column)' is \(kind): \(reason)"
        case .keyKindMismatch(let left, let leftKind, let right, let rightKind):
            return "join keys differ in kind: '\(left)' is \(leftKind), '\(right)' is \(rightKind)"
        case .notATime(let column, let kind):
            return "column '\(column)' is \(kind), not a time (timestamp or date); an as-of join needs times"
        case .negativeTolerance(let micros):
            return "the as-of tolerance must not be negative (got \(micros) µs)"
        case .badKeys(let reason):
            return "bad keys: \(reason)"
        case .validationFailed(let rule, let side, let offending):
            return "join is not \(rule): keys repeat on the \(side) side: \(offending.map(\.description).joined(separator: ", "))"
        case .fanOutExceeded(let limit, let count):
            return "the join would produce \(count) rows, more than the limit of \(limit)"
        case .badValue(let column, let reason):
            return "column '\(column)': \(reason)"
        case .overflow(let column, let reason):
            return "column '\(column)': \(reason)"
        case .badArgument(let argument, let reason):
            return "argument '\(argument)': \(reason)"
        }
    }
}

extension Table {
    /// The column named `name`, or a ``KernelError/unknownColumn(_:suggestions:)``.
    package func kernelColumn(_ name: String) throws(KernelError) -> Column {
        guard let index = schema.index(of: name) else {
            throw .unknownColumn(name, suggestions: NameSuggestions.nearest(to: name, in: schema.names))
        }
        return columns[index]
    }
}

extension KernelError {
    /// Throws ``KernelError/badArgument(argument:reason:)`` unless an argument
    /// with one entry per row (a mask, key codes) has `count` entries for `rows` rows.
    package static func checkLength(of argument: String, _ count: Int, rows: Int) throws(KernelError) {
        guard count == rows else { throw .badArgument(argument: argument, reason: "\(count) entries for a table of \(rows) rows") }
    }
}
