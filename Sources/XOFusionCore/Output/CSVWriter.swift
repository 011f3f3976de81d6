/// Writes tables as CSV that ``CSVReader`` reads back to an equal table.
///
/// A null is an empty unquoted field; an empty string is `""`, so the two
/// stay distinct. A field is quoted when it holds the delimiter, a quote, a
/// line break, or is empty text (and a first column name starting with
/// U+FEFF, which would otherwise read as a byte-order mark). Timestamps are ISO 8601 in UTC, dates
/// `YYYY-MM-DD`, decimals exact with their scale, doubles in Swift's
/// shortest round-tripping form.
public enum CSVWriter {
    /// The table as CSV text with one header row, records ending in `\n`.
    ///
    /// - Precondition: `delimiter` is an ASCII character other than a quote or a line break.
    /// - Complexity: O(rows × columns).
    public static func string(from table: Table, delimiter: Character = ",") -> String {
        String(decoding: bytes(from: table, delimiter: delimiter), as: UTF8.self)
    }

    /// The table as CSV bytes (UTF-8).
    ///
    /// - Precondition: as ``string(from:delimiter:)``.
    /// - Complexity: O(rows × columns).
    public static func bytes(from table: Table, delimiter: Character = ",") -> [UInt8] {
        guard let d = delimiter.asciiValue, d != UInt8(ascii: "\""), d != 10, d != 13 else {
            preconditionFailure("the delimiter must be one ASCII character other than a quote or a line break")
        }
        var out: [UInt8] = []
        func field(_ text: String, isText: Bool, forceQuotes: Bool = false) {
            let utf8 = text.utf8
            let needsQuotes = forceQuotes || (isText && utf8.isEmpty) || utf8.contains { $0 == d || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            guard needsQuotes else {
                out.append(contentsOf: utf8)
                return
            }
            out.append(UInt8(ascii: "\""))
            for byte in utf8 {
                out.append(byte)
                if byte == UInt8(ascii: "\"") { out.append(byte) }
            }
            out.append(UInt8(ascii: "\""))
        }
        for (i, name) in table.schema.names.enumerated() {
            if i > 0 { out.append(d) }
            // Unquoted, a leading U+FEFF would read as a byte-order mark and vanish.
            field(name, isText: false, forceQuotes: i == 0 && name.unicodeScalars.first == "\u{FEFF}")
        }
        out.append(10)
        for row in 0..<table.rowCount {
            for (c, column) in table.columns.enumerated() {
                if c > 0 { out.append(d) }
                switch column[row] {
                case .null: break
                case .string(let s): field(s, isText: true)
                case let value: field(value.description, isText: false)
                }
            }
            out.append(10)
        }
        return out
    }
}
