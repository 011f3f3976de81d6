/// Why a record was rejected. The raw names are the ones used in JSON
/// (`field_count`, `unterminated_quote`, …).
public enum RejectKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// The record has more or fewer fields than the header.
    case fieldCount = "field_count"
    /// A quoted field is not closed, or its closing quote is followed by
    /// something other than a delimiter or a line end.
    case unterminatedQuote = "unterminated_quote"
    /// A text field is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// A value does not parse as its column's kind.
    case type
    /// A value lies outside the column's allowed range or set.
    case outOfRange = "out_of_range"
    /// A required column is null.
    case missingRequired = "missing_required"
}

/// A record that was not loaded, with everything needed to find and fix it.
public struct Reject: Hashable, Sendable, CustomStringConvertible {
    /// The file (or source name) the record came from.
    public var file: String
    /// The 1-based line where the record starts.
    public var line: Int
    /// The 0-based byte offset where the record starts.
    public var byte: Int
    /// The column at fault, if one is (a field-count error has none).
    public var column: String?
    /// The 0-based index of that column in the file, if any.
    public var columnIndex: Int?
    /// Why the record was rejected.
    public var kind: RejectKind
    /// A sentence for people.
    public var message: String
    /// The raw record, truncated to ``Reject/maximumTextLength`` bytes
    /// (invalid UTF-8 shown as U+FFFD — here only, never in data).
    public var text: String

    /// How much of a record's raw text a reject keeps.
    public static let maximumTextLength = 200

    /// `file:line: kind in column 'c' (index i): message — text`.
    public var description: String {
        var where_ = ""
        if let column, let columnIndex { where_ = " in column '\(column)' (index \(columnIndex))" }
        return "\(file):\(line) (byte \(byte)): \(kind.rawValue)\(where_): \(message) — record: \(text)"
    }
}

/// Why a CSV read failed as a whole.
public enum IngestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Strict mode met a bad record; it carries the facts.
    case badRecord(Reject)
    /// Collect mode met more bad records than its limit allows; the last
    /// one is the first past the limit.
    case tooManyRejects(limit: Int, last: Reject)
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The header rows are missing or unusable.
    case badHeader(file: String, reason: String)
    /// A schema names a column the file does not have; `suggestions` holds the nearest header names.
    case schemaColumnNotFound(file: String, column: String, suggestions: [String])
    /// The read options contradict themselves or name something unknown.
    case badOptions(String)
    /// A column outgrew what a column can hold (4 GiB of text in one string column).
    case capacityExceeded(file: String, column: String, reason: String)

    public var description: String {
        switch self {
        case .badRecord(let reject):
            return reject.description
        case .tooManyRejects(let limit, let last):
            return "more than \(limit) records rejected; the first past the limit: \(last)"
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .badHeader(let file, let reason):
            return "\(file): bad header: \(reason)"
        case .schemaColumnNotFound(let file, let column, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            return "\(file): the schema names column '\(column)', which the header does not have\(hint)"
        case .badOptions(let reason):
            return "bad read options: \(reason)"
        case .capacityExceeded(let file, let column, let reason):
            return "\(file): column '\(column)': \(reason)"
        }
    }
}
