/// What went wrong building, reading or converting a table. Every case names
/// the column involved, where there is one, so a user can fix their data.
public enum TableError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Two columns share a name.
    case duplicateColumnName(String)
    /// A column name is empty.
    case emptyColumnName(index: Int)
    /// A column's length differs from the table's row count.
    case lengthMismatch(column: String, expected: Int, actual: Int)
    /// No column has this name; `suggestions` holds the nearest names.
    case unknownColumn(String, suggestions: [String])
    /// A column holds another kind than the one asked for.
    case kindMismatch(column: String, expected: String, actual: ColumnKind)
    /// A null where a value is required (a non-optional field when decoding rows).
    case unexpectedNull(column: String, row: Int)
    /// A value that cannot be represented in the target (an integer out of
    /// range, a decimal with too many digits).
    case valueNotRepresentable(column: String?, row: Int, reason: String)
    /// Values of one column disagree on their kind.
    case mixedKinds(column: String, first: ColumnKind, conflicting: ColumnKind, row: Int)
    /// A column's kind cannot be inferred (every value was nil); give a schema.
    case cannotInferKind(column: String)
    /// A Swift value of a type that has no column kind (nested structs, arrays, dictionaries).
    case unsupportedType(column: String?, type: String, reason: String)
    /// A buffer limit was reached.
    case capacityExceeded(column: String?, reason: String)

    public var description: String {
        switch self {
        case .duplicateColumnName(let name):
            return "duplicate column name '\(name)'"
        case .emptyColumnName(let index):
            return "column \(index) has an empty name"
        case .lengthMismatch(let column, let expected, let actual):
            return "column '\(column)' has \(actual) values, expected \(expected) (the table's row count)"
        case .unknownColumn(let name, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            return "no column named '\(name)'\(hint)"
        case .kindMismatch(let column, let expected, let actual):
            return "column '\(column)' is \(actual), expected \(expected)"
        case .unexpectedNull(let column, let row):
            return "column '\(column)' is null at row \(row), but a value is required"
        case .valueNotRepresentable(let column, let row, let reason):
            return "\(column.map { "column '\($0)', " } ?? "")row \(row): \(reason)"
        case .mixedKinds(let column, let first, let conflicting, let row):
            return "column '\(column)' holds \(first) values, but row \(row) holds \(conflicting)"
        case .cannotInferKind(let column):
            return "cannot infer the kind of column '\(column)': every value is nil; pass a schema"
        case .unsupportedType(let column, let type, let reason):
            return "\(column.map { "column '\($0)': " } ?? "")type \(type) is not supported: \(reason)"
        case .capacityExceeded(let column, let reason):
            return "\(column.map { "column '\($0)': " } ?? "")\(reason)"
        }
    }

    /// The same error with the row filled in (cell encoders do not know their row).
    func atRow(_ row: Int) -> TableError {
        if case .valueNotRepresentable(let column, _, let reason) = self {
            return .valueNotRepresentable(column: column, row: row, reason: reason)
        }
        return self
    }

    /// The same error with the column's name filled in where it was unknown.
    func naming(_ column: String) -> TableError {
        switch self {
        case .valueNotRepresentable(nil, let row, let reason): .valueNotRepresentable(column: column, row: row, reason: reason)
        case .unsupportedType(nil, let type, let reason): .unsupportedType(column: column, type: type, reason: reason)
        case .capacityExceeded(nil, let reason): .capacityExceeded(column: column, reason: reason)
        default: self
        }
    }
}
