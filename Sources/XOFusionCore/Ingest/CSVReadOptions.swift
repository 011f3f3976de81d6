import class Foundation.NSTimeZone
import struct Foundation.TimeZone

/// How naive timestamps (`2025-03-01 12:00:00`, no offset) become instants.
public enum TimeZoneRule: Hashable, Sendable {
    /// Read as UTC.
    case utc
    /// A fixed offset, in seconds east of UTC (`3600` for +01:00).
    case fixedOffset(seconds: Int)
    /// A named IANA time zone such as `Europe/Berlin`, daylight saving included.
    /// A wall-clock time that a DST change skips or repeats takes the offset in
    /// force just before the change.
    case named(String)
}

/// What one column of an explicit schema says about the file's column of the same header name.
public struct ColumnSpec: Hashable, Sendable {
    /// The name in the file's header.
    public var name: String
    /// The kind to parse into.
    public var kind: ColumnKind
    /// The name in the resulting table (default: the header name).
    public var rename: String?
    /// Whether a null rejects the record (kind `missing_required`).
    public var required: Bool
    /// For numeric kinds: the allowed values, inclusive (kind `out_of_range` outside).
    public var allowedRange: ClosedRange<Double>?
    /// For strings: the allowed values (kind `out_of_range` for anything else).
    public var allowedValues: Set<String>?
    /// For timestamps: how to read values without an offset (default: the read's ``CSVReadOptions/defaultTimeZone``).
    public var timeZone: TimeZoneRule?
    /// For strings: the layout (default: chosen from the data).
    public var layout: StringLayout?

    /// A column spec; only `name` and `kind` are needed.
    public init(
        _ name: String, _ kind: ColumnKind, rename: String? = nil, required: Bool = false,
        allowedRange: ClosedRange<Double>? = nil, allowedValues: Set<String>? = nil,
        timeZone: TimeZoneRule? = nil, layout: StringLayout? = nil
    ) {
        self.name = name
        self.kind = kind
        self.rename = rename
        self.required = required
        self.allowedRange = allowedRange
        self.allowedValues = allowedValues
        self.timeZone = timeZone
        self.layout = layout
    }
}

/// An explicit schema for a CSV read: specs for some or all columns.
public struct CSVSchema: Hashable, Sendable {
    /// The specs, matched to header names.
    public var columns: [ColumnSpec]
    /// Whether columns the schema does not list are left out (`true`) or inferred (`false`).
    public var ignoreUnlisted: Bool

    /// A schema of the given specs.
    public init(_ columns: [ColumnSpec], ignoreUnlisted: Bool = false) {
        self.columns = columns
        self.ignoreUnlisted = ignoreUnlisted
    }
}

/// What to do with a bad record.
public enum RejectPolicy: Hashable, Sendable {
    /// Throw ``IngestError/badRecord(_:)`` at the first bad record.
    case strict
    /// Load every good record and return the bad ones beside the table; past
    /// `limit` rejects (if given), throw ``IngestError/tooManyRejects(limit:last:)``.
    case collect(limit: Int? = nil)
}

/// Everything a CSV read can be told. The defaults read a plain comma-separated
/// export with one header row, strictly.
public struct CSVReadOptions: Hashable, Sendable {
    /// The field delimiter: `,` `;` tab `|` or any other single ASCII byte but a quote or a line break.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// How many records at the top are header rows (Qualtrics: 3; legacy Qualtrics: 2).
    public var headerRows = 1
    /// Which header row (1-based) names the columns.
    public var nameRow = 1
    /// Unquoted field texts that mean null, besides the empty field (`NA`, `NULL`, …). Opt-in.
    public var nullTokens: [String] = []
    /// Strict or collect.
    public var policy: RejectPolicy = .strict
    /// Kinds and rules for some or all columns; the rest are inferred.
    public var schema: CSVSchema?
    /// How many records inference looks at (`nil`: the whole file). A sampled
    /// guess that a later value breaks widens the column and the read restarts.
    public var inferenceSampleRecords: Int?
    /// How naive timestamps are read where the schema says nothing.
    public var defaultTimeZone: TimeZoneRule = .utc
    /// How many threads parse (`nil`: all cores). The result never depends on it.
    public var threads: Int?

    /// Ranges of the file smaller than this are not worth a thread of their
    /// own (default 1 MiB). Tests and fuzzers lower it to split small inputs.
    public var minimumBytesPerThread = 1 << 20

    /// The defaults: `,`, one header row, strict.
    public init() {}

    /// Options with the common settings in one call.
    public init(
        delimiter: Character = ",", headerRows: Int = 1, nameRow: Int = 1, nullTokens: [String] = [],
        policy: RejectPolicy = .strict, schema: CSVSchema? = nil, threads: Int? = nil
    ) {
        self.delimiter = delimiter.asciiValue ?? 0
        self.headerRows = headerRows
        self.nameRow = nameRow
        self.nullTokens = nullTokens
        self.policy = policy
        self.schema = schema
        self.threads = threads
    }

    /// Checks the options; throws ``IngestError/badOptions(_:)`` naming the problem.
    func validate() throws(IngestError) {
        let forbidden: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0]
        guard delimiter < 0x80, !forbidden.contains(delimiter) else {
            throw .badOptions("the delimiter must be one ASCII character other than a quote or a line break")
        }
        guard headerRows >= 0 else { throw .badOptions("headerRows must be 0 or more, not \(headerRows)") }
        if headerRows > 0 {
            guard (1...headerRows).contains(nameRow) else {
                throw .badOptions("nameRow must be between 1 and headerRows (\(headerRows)), not \(nameRow)")
            }
        }
        if let sample = inferenceSampleRecords, sample < 1 {
            throw .badOptions("inferenceSampleRecords must be at least 1")
        }
        if let threads, threads < 1 { throw .badOptions("threads must be at least 1") }
        if case .collect(let limit?) = policy, limit < 0 { throw .badOptions("the reject limit must be 0 or more") }
        for token in nullTokens where token.isEmpty {
            throw .badOptions("a null token must not be empty (the empty unquoted field is always null)")
        }
        var names = Set<String>()
        for spec in schema?.columns ?? [] {
            guard names.insert(spec.name).inserted else { throw .badOptions("the schema lists column '\(spec.name)' twice") }
            if spec.allowedRange != nil && !spec.kind.isNumeric {
                throw .badOptions("column '\(spec.name)': an allowed range needs a numeric kind, not \(spec.kind)")
            }
            if spec.allowedValues != nil && spec.kind != .string {
                throw .badOptions("column '\(spec.name)': an allowed set needs a string column, not \(spec.kind)")
            }
            if case .decimal(let scale) = spec.kind, !(0...ColumnKind.maximumDecimalScale).contains(scale) {
                throw .badOptions("column '\(spec.name)': decimal scale must be 0...18")
            }
            if let zone = spec.timeZone { _ = try TimeZoneRule.resolve(zone, column: spec.name) }
        }
        _ = try TimeZoneRule.resolve(defaultTimeZone, column: nil)
    }
}

extension TimeZoneRule {
    /// Checks that a named zone exists.
    static func resolve(_ rule: TimeZoneRule, column: String?) throws(IngestError) -> TimeZoneRule {
        if case .named(let name) = rule, TimeZone(identifier: name) == nil {
            throw .badOptions("\(column.map { "column '\($0)': " } ?? "")unknown time zone '\(name)'")
        }
        if case .fixedOffset(let seconds) = rule, abs(seconds) > 18 * 3600 {
            throw .badOptions("\(column.map { "column '\($0)': " } ?? "")offset \(seconds) s is beyond ±18 h")
        }
        return rule
    }
}
