/// What a CSV read did: every record accounted for.
///
/// `records == rows + rejected` always holds; blank lines are not records
/// and are counted apart.
public struct IngestReport: Hashable, Sendable {
    /// One column of the resulting table.
    public struct ColumnReport: Hashable, Sendable {
        /// The name in the table.
        public var name: String
        /// The name in the file's header (differs after a rename or a de-duplication).
        public var sourceName: String
        /// The 0-based position in the file.
        public var sourceIndex: Int
        /// The kind chosen.
        public var kind: ColumnKind
        /// Whether the kind was inferred (not given by a schema).
        public var inferred: Bool
        /// Nulls loaded.
        public var nulls: Int
        /// For strings, the layout chosen.
        public var layout: StringLayout?
    }

    /// The file (or source name).
    public var file: String
    /// Data records read (header rows and blank lines excluded).
    public var records: Int
    /// Rows loaded into the table.
    public var rows: Int
    /// Records rejected.
    public var rejected: Int
    /// Blank lines skipped.
    public var blankLines: Int
    /// Bytes of input (BOM included).
    public var bytes: Int
    /// The columns of the table, in order.
    public var columns: [ColumnReport]
    /// Header names changed to make them usable: empty names become
    /// `column_<index>`, repeated names get `_2`, `_3`, ….
    public var renamedHeaders: [(from: String, to: String)]
    /// File columns left out (unlisted in a schema that ignores unlisted columns).
    public var ignoredColumns: [String]
    /// How many times inference had to widen a sampled guess and restart.
    public var restarts: Int
    /// Threads used.
    public var threads: Int

    public static func == (a: IngestReport, b: IngestReport) -> Bool {
        a.file == b.file && a.records == b.records && a.rows == b.rows && a.rejected == b.rejected
            && a.blankLines == b.blankLines && a.bytes == b.bytes && a.columns == b.columns
            && a.renamedHeaders.map(\.from) == b.renamedHeaders.map(\.from)
            && a.renamedHeaders.map(\.to) == b.renamedHeaders.map(\.to)
            && a.ignoredColumns == b.ignoredColumns && a.restarts == b.restarts && a.threads == b.threads
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(file)
        hasher.combine(records)
        hasher.combine(rows)
        hasher.combine(columns)
    }
}

/// The outcome of a CSV read: the table, the rejected records, and the report.
public struct CSVReadResult: Sendable {
    /// The rows that loaded.
    public let table: Table
    /// The records that did not load, in file order (empty in strict mode).
    public let rejects: [Reject]
    /// Counts, kinds and nulls.
    public let report: IngestReport
}
