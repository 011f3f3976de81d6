/// A condition on a table's rows, for ``Table/filtered(_:options:)``.
///
/// ```swift
/// let recent = try orders.filtered(.and([
///     .compare("status", .equal, .string("completed")),
///     .between("ordered_at", .timestamp(start), .timestamp(end)),
///     .isNotNull("amount"),
/// ]))
/// ```
///
/// Three-valued logic, as in SQL: a comparison with null is unknown, `not`
/// keeps an unknown unknown, and only rows where the predicate is true are
/// selected (a null row passes ``isNull(_:)`` and nothing else on its own). The value is converted
/// exactly to the column's kind (a whole number for int64, at most S decimal
/// places for decimal(S)), or the request fails with a clear error. Doubles
/// order as in DuckDB: NaN equals itself and sorts above every number. Text
/// compares by UTF-8 bytes (code point order).
public indirect enum Predicate: Hashable, Sendable {
    /// A comparison operator.
    public enum Comparison: String, Hashable, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// `column op value`.
    case compare(String, Comparison, CellValue)
    /// The column is null.
    case isNull(String)
    /// The column is not null.
    case isNotNull(String)
    /// The value is one of `values`.
    case isIn(String, [CellValue])
    /// `low ≤ value ≤ high` (inclusive both ends; for time ranges use two comparisons for half-open).
    case between(String, CellValue, CellValue)
    /// All hold.
    case and([Predicate])
    /// At least one holds.
    case or([Predicate])
    /// Does not hold (a null comparison stays false under `not` too: `not(x > 1)` is false for null x).
    case not(Predicate)

    /// The one column every term names, or `nil` when terms name different columns or none
    /// (an empty `and` or `or`).
    var soleColumn: String? {
        switch self {
        case .compare(let name, _, _), .isNull(let name), .isNotNull(let name), .isIn(let name, _), .between(let name, _, _):
            return name
        case .and(let terms), .or(let terms):
            guard let first = terms.first?.soleColumn else { return nil }
            return terms.dropFirst().allSatisfy { $0.soleColumn == first } ? first : nil
        case .not(let term):
            return term.soleColumn
        }
    }
}
