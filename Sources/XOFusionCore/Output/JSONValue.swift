/// A JSON value whose objects keep their keys in the order written, so that
/// documents read the way their shape is documented and golden tests are stable.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// An integer past the range of `Int` (JSON integers have no size limit).
    case bigInt(Int128)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in order.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }
    public func hash(into hasher: inout Hasher) { hasher.combine(serialized()) }

    /// The JSON text; `pretty` indents by two spaces, one key per line.
    ///
    /// Non-finite doubles, which JSON cannot hold, are written as `null`.
    /// - Complexity: O(size of the document).
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        let newline = pretty ? "\n" : ""
        let pad = { (level: Int) in pretty ? String(repeating: "  ", count: level) : "" }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .bigInt(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                out += pad(indent + 1)
                item.write(to: &out, pretty: pretty, indent: indent + 1)
                out += (i + 1 < items.count ? "," : "") + newline
            }
            out += pad(indent) + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (i, (key, value)) in pairs.enumerated() {
                out += pad(indent + 1)
                JSONValue.writeString(key, to: &out)
                out += pretty ? ": " : ":"
                value.write(to: &out, pretty: pretty, indent: indent + 1)
                out += (i + 1 < pairs.count ? "," : "") + newline
            }
            out += pad(indent) + "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension JSONValue {
    /// A cell as JSON: numbers and booleans as such, null as `null`, timestamps and dates as ISO 8601 text,
    /// decimals as numbers (their nearest double).
    ///
    /// - Complexity: O(1) (O(length) for text).
    public init(_ cell: CellValue) {
        switch cell {
        case .null: self = .null
        case .int64(let v): self = .int(Int(v))
        case .double(let v): self = .double(v)
        case .bool(let v): self = .bool(v)
        case .decimal(let v): self = .double(v.doubleValue)
        case .timestamp(let v): self = .string(v.description)
        case .date(let v): self = .string(v.description)
        case .string(let v): self = .string(v)
        }
    }

    /// The rows of `table` as an array of objects whose keys follow the column order
    /// (`columns`, when given, picks and orders them; unknown names give `null`).
    ///
    /// - Complexity: O(rows × columns).
    public static func rows(of table: Table, columns names: [String]? = nil) -> JSONValue {
        let names = names ?? table.schema.names
        let columns = names.map { table[$0] }
        return .array((0..<table.rowCount).map { row in
            .object(zip(names, columns).map { name, column in (name, column.map { JSONValue($0[row]) } ?? .null) })
        })
    }
}
