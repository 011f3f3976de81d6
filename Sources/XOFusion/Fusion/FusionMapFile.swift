import Foundation

/// A mapping written as a JSON file: which column of each file plays which part, the scales of the
/// scores, how each CSV file is read, and the report's options. `xofusion report --map FILE` reads it.
///
/// Every key is optional; a column left out is found by its usual name (``FusionMapping/defaultNames``).
/// Unknown keys are errors (with the nearest known key), so a typo never silently falls back to a default.
///
/// ```json
/// {
///   "version": 1,
///   "customers": { "customer": "client_ref" },
///   "answers": {
///     "orderID": "order_ref", "linkThroughOrders": true,
///     "time": "submitted", "nps": "recommend", "npsScale": "1-10",
///     "csat": "stars", "comment": "review_text", "channel": "marketplace",
///     "csv": { "delimiter": ";", "nullTokens": ["n/a"] }
///   },
///   "orders": { "amount": "total_gross", "status": "state", "completedStatuses": ["delivered"] },
///   "normalization": { "trimWhitespace": true, "caseFolding": true },
///   "report": { "dimension": "region", "period": "quarter" }
/// }
/// ```
///
/// Scales: `npsScale` is `"0-10"`, `"1-10"`, `"1-7"`, `"1-5"` or `{"range": [1, 10], "promoters": [9, 10],
/// "passives": [7, 8]}`; `csatScale` is `"1-5"` or `{"range": [..], "topBox": [..]}`; `cesScale` is `"1-7"`,
/// `"1-5"` or such an object; `sentimentScale` is `{"range": [-1, 1], "threshold": 0.05}`. A role's `csv`
/// object takes `delimiter` (one character or `"tab"`), `headerRows`, `nameRow`, `nullTokens`, `timeZone`
/// (`"UTC"`, `"+01:00"` or an IANA name) and `kinds` (`{"column": "string" | "int64" | "double" | "decimal(2)"
/// | "bool" | "date" | "timestamp"}`, for a column whose inferred kind is wrong, such as numeric IDs).
public struct FusionMapFile: Hashable, Sendable {
    /// The shape version this reader understands.
    public static let version = 1

    /// The roles' columns, scales and key normalisation.
    public var mapping: FusionMapping
    /// The report's dimension, period, drivers' outcome and follow-up sizes.
    public var report: ReportOptions
    /// How each role's CSV file is read (roles not listed: the defaults).
    public var csv: [FusionRole: CSVReadOptions]

    /// A map file's content from values.
    public init(mapping: FusionMapping = FusionMapping(), report: ReportOptions = ReportOptions(), csv: [FusionRole: CSVReadOptions] = [:]) {
        self.mapping = mapping
        self.report = report
        self.csv = csv
    }

    /// Reads a map from JSON text; `file` names it in errors.
    ///
    /// - Throws: ``FusionMapError`` with the file, the place (`answers.npsScale`) and the reason.
    /// - Complexity: O(length of the text).
    public init(json text: String, file: String = "<map>") throws(FusionMapError) {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch { throw .syntax(file: file, error) }
        var reader = MapReader(file: file)
        self = try reader.mapFile(document)
    }

    /// Reads a map file.
    ///
    /// - Throws: ``FusionMapError/unreadable(file:reason:)`` when the file cannot be read, else as ``init(json:file:)``.
    /// - Complexity: O(size of the file).
    public static func read(file path: String) throws(FusionMapError) -> FusionMapFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(file: path, reason: "the file is not UTF-8 text") }
        return try FusionMapFile(json: text, file: path)
    }
}

/// A map file that cannot be used: where and why.
public enum FusionMapError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON.
    case syntax(file: String, JSONParseError)
    /// A key or value that the map does not allow; `path` is the place in the document (`answers.npsScale`).
    case invalid(file: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the map: \(reason)"
        case .syntax(let file, let error): "\(file): \(error.description)"
        case .invalid(let file, let path, let reason): "\(file): \(path.isEmpty ? "the document" : path): \(reason)"
        }
    }
}

/// Walks the parsed document, remembering where it is for errors.
private struct MapReader {
    let file: String

    func fail(_ path: String, _ reason: String) -> FusionMapError { .invalid(file: file, path: path, reason: reason) }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The object's pairs; unknown or repeated keys are errors.
    func object(_ value: JSONValue, _ path: String, keys allowed: [String]) throws(FusionMapError) -> [String: JSONValue] {
        guard case .object(let pairs) = value else { throw fail(path, "must be an object, not \(kindName(value))") }
        var out: [String: JSONValue] = [:]
        for (key, item) in pairs {
            guard allowed.contains(key) else {
                let near = NameSuggestions.nearest(to: key, in: allowed)
                let hint = near.isEmpty ? "; the keys are \(allowed.map { "'\($0)'" }.joined(separator: ", "))" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?"
                throw fail(join(path, key), "unknown key\(hint)")
            }
            guard out.updateValue(item, forKey: key) == nil else { throw fail(join(path, key), "the key appears twice") }
        }
        return out
    }

    func kindName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .bigInt, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    func string(_ value: JSONValue?, _ path: String) throws(FusionMapError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?:
            guard !s.isEmpty else { throw fail(path, "must not be empty") }
            return s
        case let other?: throw fail(path, "must be a string, not \(kindName(other))")
        }
    }

    func bool(_ value: JSONValue?, _ path: String) throws(FusionMapError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw fail(path, "must be true or false, not \(kindName(other))")
        }
    }

    func int(_ value: JSONValue?, _ path: String, atLeast minimum: Int) throws(FusionMapError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let i)?:
            guard i >= minimum else { throw fail(path, "must be at least \(minimum), not \(i)") }
            return i
        case let other?: throw fail(path, "must be a whole number, not \(kindName(other))")
        }
    }

    func number(_ value: JSONValue, _ path: String) throws(FusionMapError) -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw fail(path, "must be a number, not \(kindName(value))")
        }
    }

    func strings(_ value: JSONValue?, _ path: String) throws(FusionMapError) -> [String]? {
        switch value {
        case nil, .null?: return nil
        case .array(let items)?:
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else { throw fail("\(path)[\(i)]", "must be a string, not \(kindName(item))") }
                out.append(s)
            }
            return out
        case let other?: throw fail(path, "must be an array of strings, not \(kindName(other))")
        }
    }

    /// `[low, high]` of whole numbers, low ≤ high.
    func range(_ value: JSONValue?, _ path: String) throws(FusionMapError) -> ClosedRange<Int64> {
        guard case .array(let items)? = value, items.count == 2, case .int(let low) = items[0], case .int(let high) = items[1] else {
            throw fail(path, value == nil ? "is required: [low, high]" : "must be [low, high] of two whole numbers")
        }
        guard low <= high else { throw fail(path, "the low end \(low) lies above the high end \(high)") }
        return Int64(low)...Int64(high)
    }

    // MARK: The document

    mutating func mapFile(_ document: JSONValue) throws(FusionMapError) -> FusionMapFile {
        let top = try object(document, "", keys: ["version", "description", "customers", "answers", "orders", "returns", "carts", "tickets", "normalization", "report"])
        if let version = try int(top["version"], "version", atLeast: 1), version != FusionMapFile.version {
            throw fail("version", "this reader understands version \(FusionMapFile.version), not \(version)")
        }
        _ = try string(top["description"], "description")
        var map = FusionMapFile()
        var m = FusionMapping()
        let csvKey = "csv"

        if let value = top["customers"] {
            let o = try object(value, "customers", keys: ["customer", csvKey])
            m.customers.customer = try string(o["customer"], "customers.customer")
            map.csv[.customers] = try csv(o[csvKey], "customers.csv")
        }
        if let value = top["answers"] {
            let o = try object(value, "answers", keys: [
                "customer", "orderID", "linkThroughOrders", "time", "responseID", "nps", "csat", "ces", "sentiment", "channel", "comment",
                "npsScale", "csatScale", "cesScale", "sentimentScale", csvKey,
            ])
            var a = FusionMapping.Answers()
            a.customer = try string(o["customer"], "answers.customer")
            a.orderID = try string(o["orderID"], "answers.orderID")
            a.linkThroughOrders = try bool(o["linkThroughOrders"], "answers.linkThroughOrders") ?? false
            if a.linkThroughOrders && a.customer != nil {
                throw fail("answers.linkThroughOrders", "is true, so answers reach the customer through orders; drop answers.customer")
            }
            a.time = try string(o["time"], "answers.time")
            a.responseID = try string(o["responseID"], "answers.responseID")
            a.nps = try string(o["nps"], "answers.nps")
            a.csat = try string(o["csat"], "answers.csat")
            a.ces = try string(o["ces"], "answers.ces")
            a.sentiment = try string(o["sentiment"], "answers.sentiment")
            a.channel = try string(o["channel"], "answers.channel")
            a.comment = try string(o["comment"], "answers.comment")
            if let scale = o["npsScale"] { a.npsScale = try npsScale(scale, "answers.npsScale") }
            if let scale = o["csatScale"] { a.csatScale = try topBoxScale(scale, "answers.csatScale", named: ["1-5": .csat]) }
            if let scale = o["cesScale"] { a.cesScale = try topBoxScale(scale, "answers.cesScale", named: ["1-7": .ces, "1-5": .ces5]) }
            if let scale = o["sentimentScale"] { a.sentimentScale = try sentimentScale(scale, "answers.sentimentScale") }
            m.answers = a
            map.csv[.answers] = try csv(o[csvKey], "answers.csv")
        }
        if let value = top["orders"] {
            let o = try object(value, "orders", keys: ["customer", "orderID", "time", "amount", "status", "completedStatuses", csvKey])
            m.orders.customer = try string(o["customer"], "orders.customer")
            m.orders.orderID = try string(o["orderID"], "orders.orderID")
            m.orders.time = try string(o["time"], "orders.time")
            m.orders.amount = try string(o["amount"], "orders.amount")
            m.orders.status = try string(o["status"], "orders.status")
            if let statuses = try strings(o["completedStatuses"], "orders.completedStatuses") {
                guard !statuses.isEmpty else { throw fail("orders.completedStatuses", "must name at least one status") }
                m.orders.completedStatuses = Set(statuses)
            }
            map.csv[.orders] = try csv(o[csvKey], "orders.csv")
        }
        if let value = top["returns"] {
            let o = try object(value, "returns", keys: ["customer", "orderID", "time", "amount", csvKey])
            m.returns.customer = try string(o["customer"], "returns.customer")
            m.returns.orderID = try string(o["orderID"], "returns.orderID")
            m.returns.time = try string(o["time"], "returns.time")
            m.returns.amount = try string(o["amount"], "returns.amount")
            map.csv[.returns] = try csv(o[csvKey], "returns.csv")
        }
        if let value = top["carts"] {
            let o = try object(value, "carts", keys: ["customer", "time", "value", csvKey])
            m.carts.customer = try string(o["customer"], "carts.customer")
            m.carts.time = try string(o["time"], "carts.time")
            m.carts.value = try string(o["value"], "carts.value")
            map.csv[.carts] = try csv(o[csvKey], "carts.csv")
        }
        if let value = top["tickets"] {
            let o = try object(value, "tickets", keys: ["customer", "time", csvKey])
            m.tickets.customer = try string(o["customer"], "tickets.customer")
            m.tickets.time = try string(o["time"], "tickets.time")
            map.csv[.tickets] = try csv(o[csvKey], "tickets.csv")
        }
        if let value = top["normalization"] { m.normalization = try normalization(value, "normalization") }
        if let value = top["report"] { map.report = try report(value, "report") }
        map.mapping = m
        return map
    }

    func npsScale(_ value: JSONValue, _ path: String) throws(FusionMapError) -> NPSScale {
        let named: [String: NPSScale] = ["0-10": .standard, "1-10": .oneToTen, "1-7": .oneToSeven, "1-5": .oneToFive]
        if case .string(let name) = value {
            guard let scale = named[name] else {
                throw fail(path, "'\(name)' is not a named NPS scale; use \(named.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")) or {\"range\", \"promoters\", \"passives\"}")
            }
            return scale
        }
        let o = try object(value, path, keys: ["range", "promoters", "passives"])
        let range = try self.range(o["range"], join(path, "range"))
        let promoters = try self.range(o["promoters"], join(path, "promoters"))
        let passives = try self.range(o["passives"], join(path, "passives"))
        guard let scale = NPSScale(range: range, promoters: promoters, passives: passives) else {
            throw fail(path, "promoters must end at the top of the range, passives directly below them, and detractors below the passives")
        }
        return scale
    }

    func topBoxScale(_ value: JSONValue, _ path: String, named: [String: TopBoxScale]) throws(FusionMapError) -> TopBoxScale {
        if case .string(let name) = value {
            guard let scale = named[name] else {
                throw fail(path, "'\(name)' is not a named scale here; use \(named.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")) or {\"range\", \"topBox\"}")
            }
            return scale
        }
        let o = try object(value, path, keys: ["range", "topBox"])
        let range = try self.range(o["range"], join(path, "range"))
        let top = try self.range(o["topBox"], join(path, "topBox"))
        guard let scale = TopBoxScale(range: range, topBox: top) else {
            throw fail(path, "the top box must end at the top of the range and leave answers below it")
        }
        return scale
    }

    func sentimentScale(_ value: JSONValue, _ path: String) throws(FusionMapError) -> SentimentScale {
        let o = try object(value, path, keys: ["range", "threshold"])
        var low = -1.0, high = 1.0, threshold = 0.05
        if let r = o["range"] {
            guard case .array(let items) = r, items.count == 2 else { throw fail(join(path, "range"), "must be [low, high]") }
            low = try number(items[0], join(path, "range"))
            high = try number(items[1], join(path, "range"))
            guard low < high else { throw fail(join(path, "range"), "the low end must lie below the high end") }
        }
        if let t = o["threshold"] { threshold = try number(t, join(path, "threshold")) }
        guard let scale = SentimentScale(range: low...high, threshold: threshold) else { throw fail(join(path, "threshold"), "must be 0 or more") }
        return scale
    }

    func normalization(_ value: JSONValue, _ path: String) throws(FusionMapError) -> KeyNormalization {
        if case .string(let name) = value {
            switch name {
            case "none": return .none
            case "standard": return .standard
            default: throw fail(path, "'\(name)' is not a named normalisation; use 'none', 'standard' or an object")
            }
        }
        let o = try object(value, path, keys: ["trimWhitespace", "caseFolding", "unicodeNFC", "stripLeadingZeros"])
        return KeyNormalization(
            trimWhitespace: try bool(o["trimWhitespace"], join(path, "trimWhitespace")) ?? false,
            caseFolding: try bool(o["caseFolding"], join(path, "caseFolding")) ?? false,
            unicodeNFC: try bool(o["unicodeNFC"], join(path, "unicodeNFC")) ?? false,
            stripLeadingZeros: try bool(o["stripLeadingZeros"], join(path, "stripLeadingZeros")) ?? false)
    }

    func report(_ value: JSONValue, _ path: String) throws(FusionMapError) -> ReportOptions {
        let o = try object(value, path, keys: ["dimension", "period", "driversOutcome", "followUpLimit", "followUpShown"])
        var options = ReportOptions()
        options.dimension = try string(o["dimension"], join(path, "dimension"))
        if let name = try string(o["period"], join(path, "period")) {
            guard let period = TrendPeriod(rawValue: name) else {
                throw fail(join(path, "period"), "'\(name)' is not a period; use \(TrendPeriod.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
            }
            options.period = period
        }
        options.driversOutcome = try string(o["driversOutcome"], join(path, "driversOutcome"))
        options.followUpLimit = try int(o["followUpLimit"], join(path, "followUpLimit"), atLeast: 0) ?? options.followUpLimit
        options.followUpShown = try int(o["followUpShown"], join(path, "followUpShown"), atLeast: 0) ?? options.followUpShown
        return options
    }

    func csv(_ value: JSONValue?, _ path: String) throws(FusionMapError) -> CSVReadOptions? {
        guard let value, value != .null else { return nil }
        let o = try object(value, path, keys: ["delimiter", "headerRows", "nameRow", "nullTokens", "timeZone", "kinds"])
        var options = CSVReadOptions()
        if let d = try string(o["delimiter"], join(path, "delimiter")) {
            let character: Character? = d == "tab" || d == "\\t" ? "\t" : (d.count == 1 ? d.first : nil)
            guard let character, let byte = character.asciiValue, !"\"\r\n".contains(character) else {
                throw fail(join(path, "delimiter"), "must be one ASCII character other than a quote or a line break, or 'tab'")
            }
            options.delimiter = byte
        }
        options.headerRows = try int(o["headerRows"], join(path, "headerRows"), atLeast: 0) ?? 1
        options.nameRow = try int(o["nameRow"], join(path, "nameRow"), atLeast: 1) ?? 1
        if options.headerRows > 0 && options.nameRow > options.headerRows {
            throw fail(join(path, "nameRow"), "must lie between 1 and headerRows (\(options.headerRows))")
        }
        if let tokens = try strings(o["nullTokens"], join(path, "nullTokens")) {
            if tokens.contains("") { throw fail(join(path, "nullTokens"), "an empty token is always null; list only non-empty ones") }
            options.nullTokens = tokens
        }
        if let zone = try string(o["timeZone"], join(path, "timeZone")) { options.defaultTimeZone = try timeZone(zone, join(path, "timeZone")) }
        if let kinds = o["kinds"] {
            guard case .object(let pairs) = kinds else { throw fail(join(path, "kinds"), "must be an object of column → kind") }
            var specs: [ColumnSpec] = []
            for (column, kindValue) in pairs {
                let place = join(join(path, "kinds"), column)
                guard case .string(let name) = kindValue, let kind = ColumnKind(name: name) else {
                    throw fail(place, "must be one of 'string', 'int64', 'double', 'decimal(S)', 'bool', 'date', 'timestamp'")
                }
                guard !specs.contains(where: { $0.name == column }) else { throw fail(place, "the column appears twice") }
                specs.append(ColumnSpec(column, kind))
            }
            if !specs.isEmpty { options.schema = CSVSchema(specs) }
        }
        return options
    }

    /// `UTC`, `Z`, `±HH:MM`, or an IANA name.
    func timeZone(_ text: String, _ path: String) throws(FusionMapError) -> TimeZoneRule {
        if text == "UTC" || text == "Z" { return .utc }
        if let sign = text.first, sign == "+" || sign == "-" {
            let parts = text.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), h <= 18, m < 60 else {
                throw fail(path, "'\(text)' is not an offset like '+01:00'")
            }
            return .fixedOffset(seconds: (sign == "-" ? -1 : 1) * (h * 3600 + m * 60))
        }
        guard TimeZone(identifier: text) != nil else { throw fail(path, "'\(text)' is not a known time zone (use 'UTC', '+01:00' or an IANA name)") }
        return .named(text)
    }
}
