/// One aggregate of a group-by: what to compute, over which column, under which name.
///
/// Every aggregate skips nulls in the columns it reads (for `first` and `last`,
/// rows where the value or the order is null; for `argMax`, rows where `by` is
/// null — the value at the chosen row may itself be null). Over a group with
/// nothing left, `sum`, `mean`, `min`, `max`, `first`, `last` and `argMax`
/// give null; the counts give 0.
///
/// | aggregate | input kinds | result |
/// |---|---|---|
/// | ``count(as:)`` | – | int64: rows |
/// | ``countNonNull(_:as:)`` | any | int64 |
/// | ``sum(_:as:)`` | int64, decimal(S), double | same kind (exact for int64 and decimals; overflow is an error) |
/// | ``mean(_:as:)`` | int64, decimal, double | double (from exact integer sums, 128-bit when 64 do not hold them) |
/// | ``min(_:as:)``, ``max(_:as:)`` | any (bools: false before true) | same kind |
/// | ``countDistinct(_:as:)`` | any | int64 |
/// | ``first(_:by:tieBreak:as:)``, ``last(_:by:tieBreak:as:)`` | any | the value's kind |
/// | ``argMax(_:by:as:)`` | any | the value's kind |
public struct Aggregate: Hashable, Sendable {
    enum Operation: Hashable, Sendable {
        case count
        case countNonNull(String)
        case sum(String)
        case mean(String)
        case min(String)
        case max(String)
        case countDistinct(String)
        case first(String, by: String, tieBreak: String?)
        case last(String, by: String, tieBreak: String?)
        case argMax(String, by: String)
    }

    let operation: Operation
    /// The result column's name.
    public let name: String

    /// Rows per group.
    public static func count(as name: String = "count") -> Aggregate { Aggregate(operation: .count, name: name) }
    /// Non-null values per group.
    public static func countNonNull(_ column: String, as name: String? = nil) -> Aggregate {
        Aggregate(operation: .countNonNull(column), name: name ?? "count_\(column)")
    }
    /// The sum of the non-null values.
    public static func sum(_ column: String, as name: String? = nil) -> Aggregate { Aggregate(operation: .sum(column), name: name ?? "sum_\(column)") }
    /// The mean of the non-null values, as a double.
    public static func mean(_ column: String, as name: String? = nil) -> Aggregate { Aggregate(operation: .mean(column), name: name ?? "mean_\(column)") }
    /// The smallest non-null value, in the sort's order (every kind: bools false before true, doubles
    /// with NaN above every number, text by its UTF-8 bytes).
    public static func min(_ column: String, as name: String? = nil) -> Aggregate { Aggregate(operation: .min(column), name: name ?? "min_\(column)") }
    /// The largest non-null value, in the sort's order (see ``min(_:as:)``).
    public static func max(_ column: String, as name: String? = nil) -> Aggregate { Aggregate(operation: .max(column), name: name ?? "max_\(column)") }
    /// The number of distinct non-null values.
    public static func countDistinct(_ column: String, as name: String? = nil) -> Aggregate {
        Aggregate(operation: .countDistinct(column), name: name ?? "distinct_\(column)")
    }
    /// The value at the group's earliest row by `order` (ties: the smaller `tieBreak`, then the earlier row).
    /// Rows where the value or the order is null are skipped.
    public static func first(_ column: String, by order: String, tieBreak: String? = nil, as name: String? = nil) -> Aggregate {
        Aggregate(operation: .first(column, by: order, tieBreak: tieBreak), name: name ?? "first_\(column)")
    }
    /// The value at the group's latest row by `order` (ties: the larger `tieBreak`, then the later row):
    /// "the latest answer per customer". Rows where the value or the order is null are skipped.
    public static func last(_ column: String, by order: String, tieBreak: String? = nil, as name: String? = nil) -> Aggregate {
        Aggregate(operation: .last(column, by: order, tieBreak: tieBreak), name: name ?? "last_\(column)")
    }
    /// The value at the row where `by` is largest (ties: the earlier row); rows with a null `by` are skipped.
    public static func argMax(_ column: String, by: String, as name: String? = nil) -> Aggregate {
        Aggregate(operation: .argMax(column, by: by), name: name ?? "argmax_\(column)")
    }
}
