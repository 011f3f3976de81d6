/// The JSON document `xofusion inspect --json` writes: the schema chosen, the
/// counts, and the rejects, in this key order:
///
/// ```json
/// {"version": 1, "file": "answers.csv", "rows": 2, "rejected": 1,
///  "columns": [{"name": "id", "kind": "string", "nulls": 0}],
///  "rejects": [{"line": 3, "byte": 61, "column": "nps", "columnIndex": 1,
///               "kind": "out_of_range", "message": "…", "text": "…"}]}
/// ```
///
/// `rejected` counts every reject; `rejects` lists the first
/// ``maximumRejects`` of them.
public enum InspectDocument {
    /// The shape's version; bumped when a field changes meaning or goes away.
    public static let version = 1
    /// At most this many rejects are listed.
    public static let maximumRejects = 1000

    /// The document for a read.
    ///
    /// - Complexity: O(columns + listed rejects).
    public static func json(for result: CSVReadResult) -> JSONValue {
        let report = result.report
        return .object([
            ("version", .int(version)),
            ("file", .string(report.file)),
            ("rows", .int(report.rows)),
            ("rejected", .int(report.rejected)),
            ("columns", .array(report.columns.map { column in
                .object([("name", .string(column.name)), ("kind", .string(column.kind.description)), ("nulls", .int(column.nulls))])
            })),
            ("rejects", .array(result.rejects.prefix(maximumRejects).map(\.json))),
        ])
    }
}

extension Reject {
    /// The reject object every JSON document shares; `column` and
    /// `columnIndex` are `null` when no column is at fault.
    public var json: JSONValue {
        .object([
            ("line", .int(line)),
            ("byte", .int(byte)),
            ("column", column.map { .string($0) } ?? .null),
            ("columnIndex", columnIndex.map { .int($0) } ?? .null),
            ("kind", .string(kind.rawValue)),
            ("message", .string(message)),
            ("text", .string(text)),
        ])
    }
}
