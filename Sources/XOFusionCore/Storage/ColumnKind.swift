/// The logical kind of a column: what its values mean, independent of layout.
///
/// Kind names are the same everywhere — text output, JSON, schemas:
/// `int64`, `double`, `bool`, `decimal(S)`, `timestamp`, `date`, `string`.
public enum ColumnKind: Hashable, Sendable, CustomStringConvertible {
    /// A 64-bit signed integer.
    case int64
    /// A 64-bit IEEE 754 floating-point number.
    case double
    /// A boolean.
    case bool
    /// An exact decimal stored as an `Int64` count of `10^-scale` units (money is exact).
    /// `scale` is in `0...18`.
    case decimal(scale: Int)
    /// An instant: `Int64` microseconds since the Unix epoch, UTC.
    case timestamp
    /// A calendar date: days since 1970-01-01 (proleptic Gregorian).
    case date
    /// UTF-8 text, stored plain or dictionary-encoded (see ``StringLayout``).
    case string

    /// The largest decimal scale: 10^18 still fits in an `Int64`.
    public static let maximumDecimalScale = 18

    /// The kind's name as used in text, JSON and schemas, such as `decimal(2)`.
    public var description: String {
        switch self {
        case .int64: "int64"
        case .double: "double"
        case .bool: "bool"
        case .decimal(let scale): "decimal(\(scale))"
        case .timestamp: "timestamp"
        case .date: "date"
        case .string: "string"
        }
    }

    /// Parses a kind name such as `int64` or `decimal(2)`; `nil` for anything else.
    public init?(name: String) {
        switch name {
        case "int64": self = .int64
        case "double": self = .double
        case "bool": self = .bool
        case "timestamp": self = .timestamp
        case "date": self = .date
        case "string": self = .string
        default:
            guard name.hasPrefix("decimal("), name.hasSuffix(")") else { return nil }
            let digits = name.dropFirst("decimal(".count).dropLast()
            guard let scale = Int(digits), (0...ColumnKind.maximumDecimalScale).contains(scale)
            else { return nil }
            self = .decimal(scale: scale)
        }
    }

    /// Whether values of this kind are numbers (`int64`, `double`, `decimal`).
    public var isNumeric: Bool {
        switch self {
        case .int64, .double, .decimal: true
        default: false
        }
    }
}

/// How a string column stores its values.
public enum StringLayout: String, Hashable, Sendable {
    /// One byte buffer plus offsets: for high-cardinality text (order IDs, comments).
    case plain
    /// `UInt32` codes into a table of unique values: for low-cardinality text
    /// (region, channel, status).
    case dictionary
    /// One 4-byte number per row for IDs of one ``IDPattern`` (`C000000497`: a prefix and
    /// a zero-padded number of 6 to 18 digits, below 2³² − 1): for order, customer and
    /// response IDs. A column that asks for it but holds a value of another shape is plain.
    case numbered
}
