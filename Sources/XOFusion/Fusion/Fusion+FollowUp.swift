/// Keeps the customers whose value in a column is one of a set.
public struct ValueFilter: Hashable, Sendable {
    /// A column of the customers table or of the follow-up candidates (see ``FollowUpList/candidateColumns``).
    public var column: String
    /// The values kept, compared as text.
    public var values: Set<String>

    public init(column: String, values: Set<String>) {
        self.column = column
        self.values = values
    }
}

/// Options of ``Fusion/followUp(options:)``.
public struct FollowUpOptions: Hashable, Sendable {
    /// Who needs a call: a predicate over the candidate columns (`nil`: `segment == "detractor"`).
    public var rule: Predicate?
    /// Keep only these segments of a customers column (region, tier) or a candidate column.
    public var segment: ValueFilter?
    /// Keep only customers whose latest answer came through one of these channels.
    public var channels: Set<String>?
    /// Keep only customers whose latest answer lies in [since, before).
    public var answeredSince: Timestamp?, answeredBefore: Timestamp?
    /// The analysis date: segments, facts and the revenue window end there (`nil`: the latest order or answer
    /// time, so that answers given after the last order are called back too; ``Fusion/revenueAtRisk(options:)``
    /// defaults to the latest order time, as DESIGN.md defines it, and so may count fewer detractors).
    public var asOf: Timestamp?
    /// The revenue-at-risk window in days before the date (default 365).
    public var windowDays: Int
    /// At most this many rows (`nil`: all).
    public var limit: Int?
    /// Further candidate or customers columns appended to the list, in this order.
    public var include: [String]

    public init(
        rule: Predicate? = nil, segment: ValueFilter? = nil, channels: Set<String>? = nil, answeredSince: Timestamp? = nil,
        answeredBefore: Timestamp? = nil, asOf: Timestamp? = nil, windowDays: Int = 365, limit: Int? = nil, include: [String] = []
    ) {
        self.rule = rule
        self.segment = segment
        self.channels = channels
        self.answeredSince = answeredSince
        self.answeredBefore = answeredBefore
        self.asOf = asOf
        self.windowDays = windowDays
        self.limit = limit
        self.include = include
    }
}

/// The customers to call back, most revenue at risk first.
public struct FollowUpList: Sendable {
    /// The columns of every follow-up list, in this order; a column whose role is absent is all null.
    /// The customer ID column keeps its name in the customers table.
    public static let columns = [
        "segment", "latest_nps", "revenue_at_risk", "last_answer_at", "latest_channel", "latest_comment",
        "latest_order_id", "latest_order_at", "latest_order_amount", "latest_order_status", "latest_order_returned",
        "order_count", "revenue", "return_rate", "cart_count",
    ]
    /// The date the list was drawn up at, and the start of the revenue window (excluded).
    public let analysisDate: Timestamp, windowStart: Timestamp
    /// Customers that met the rule and the filters (the list may be cut at the limit).
    public let matched: Int
    /// The columns a rule or a filter may use: the profile's, the follow-up columns and the customers table's.
    public let candidateColumns: [String]
    /// One row per customer: the customer ID, then ``columns``, then the included columns. Sorted by
    /// `revenue_at_risk` (the customer's completed-order revenue in the window: what their loss would cost)
    /// descending, then by customer ID.
    public let table: Table

    /// The list as CSV (header row, then one record per customer; see ``CSVWriter``).
    ///
    /// - Complexity: O(rows × columns).
    public func csv() -> String { CSVWriter.string(from: table) }

    /// The list as one JSON document: `{"version": 1, "analysisDate", "windowStart", "matched", "columns": [...],
    /// "rows": [{...}, ...]}`, keys of each row in column order.
    ///
    /// - Complexity: O(rows × columns).
    public func json() -> JSONValue {
        .object([
            ("version", .int(1)),
            ("analysisDate", .string(analysisDate.description)),
            ("windowStart", .string(windowStart.description)),
            ("matched", .int(matched)),
            ("columns", .array(table.schema.names.map { .string($0) })),
            ("rows", .rows(of: table)),
        ])
    }
}

extension Fusion {
    /// The follow-up list (closing the loop): detractors, or the customers meeting any rule over the profile,
    /// filtered by segment, channel and answer window, ranked by revenue at risk, with their latest comment,
    /// latest answer and latest order.
    ///
    /// The candidates are the rows of ``customerProfile(options:)`` at the analysis date, with the columns
    /// `revenue_at_risk`, `latest_channel`, `latest_comment` (the latest non-empty comment), `latest_order_id`,
    /// `latest_order_at`, `latest_order_amount`, `latest_order_status`, `latest_order_returned` (the latest order of any
    /// status) and the customers table's own columns.
    ///
    /// ```swift
    /// let list = try fusion.followUp(options: FollowUpOptions(channels: ["app"], limit: 50))
    /// try list.csv().write(toFile: "call-back.csv", atomically: true, encoding: .utf8)
    /// ```
    ///
    /// - Throws: ``FusionError`` for an unknown column in the rule, a filter or `include` (nearest names suggested),
    ///   a default rule without an NPS column, a window under one day, a negative limit, or no date to work at.
    /// - Complexity: O(customers log customers + answers + orders + returns + carts).
    public func followUp(options: FollowUpOptions = FollowUpOptions()) throws(FusionError) -> FollowUpList {
        _ = try Fusion.windowStart(days: options.windowDays, before: 0)  // a bad window fails before anything else
        if let limit = options.limit, limit < 0 { throw .badOption("the follow-up limit must not be negative, not \(limit)") }
        if options.rule == nil && columns.nps == nil {
            throw .missingColumn(role: .answers, field: "nps (the default rule picks detractors)", column: nil, suggestions: [])
        }
        let latestAnswer = answerFacts.time.max() ?? .min
        guard let date = options.asOf?.microsecondsSinceEpoch ?? [latestOrderTime() ?? .min, latestAnswer].max().flatMap({ $0 == .min ? nil : $0 }) else {
            throw .badOption("the follow-up list needs an analysis date: no answer or order has a time")
        }
        let start = try Fusion.windowStart(days: options.windowDays, before: date)
        let n = customerCount
        let profile = try customerProfile(options: ProfileOptions(asOf: Timestamp(microsecondsSinceEpoch: date))).table

        // Follow-up columns.
        var candidate = profile.schema.names.map { ($0, profile[$0]!) }
        var has = Set(profile.schema.names)
        func add(_ name: String, _ column: Column) {
            candidate.append((name, column))
            has.insert(name)
        }
        add("revenue_at_risk", orders == nil ? .double([Double?](repeating: nil, count: n)) : .double(windowRevenue(after: start, upTo: date)))
        let latest = try latestAnswerRows(withValueIn: nil, asOf: date)
        add("latest_channel", try answerText(columns.channel, rows: latest))
        let commented = columns.comment == nil ? latest : try latestAnswerRows(withValueIn: columns.comment, asOf: date, nonEmptyText: true)
        add("latest_comment", try answerText(columns.comment, rows: commented))
        let lastOrder = latestOrders(upTo: date)
        if let orders {
            let lastOrderRows = lastOrder.map { $0 < 0 ? nil : Int(orderFacts.runs.rows[Int($0)]) }
            func fromOrders(_ name: String?) -> Column {
                guard let name, let column = orders[name] else { return Fusion.nullText(n) }
                return column.gathered(rows: lastOrderRows)
            }
            add("latest_order_id", fromOrders(columns.orderID))
            add("latest_order_at", fromOrders(columns.orderTime))
            add("latest_order_amount", fromOrders(columns.orderAmount))
            add("latest_order_status", fromOrders(columns.orderStatus))
            add("latest_order_returned", .bool(lastOrder.map { $0 < 0 ? nil : orderFacts.returned[Int($0)] }))
        }
        for name in customers.schema.names where !has.contains(name) { add(name, customers[name]!) }
        let candidates = try FusionError.wrap { try Table(columns: candidate) }
        func check(_ name: String, _ field: String) throws(FusionError) {
            guard candidates[name] == nil else { return }
            throw .missingColumn(role: .customers, field: field, column: name, suggestions: NameSuggestions.nearest(to: name, in: candidates.schema.names))
        }

        // Rule and filters.
        var conditions = [options.rule ?? .compare("segment", .equal, .string(CustomerSegment.detractor.rawValue))]
        if let channels = options.channels {
            guard columns.channel != nil else { throw .missingColumn(role: .answers, field: "channel (filtering by channel)", column: nil, suggestions: []) }
            conditions.append(.isIn("latest_channel", channels.sorted().map { .string($0) }))
        }
        if let since = options.answeredSince { conditions.append(.compare("last_answer_at", .greaterOrEqual, .timestamp(since))) }
        if let before = options.answeredBefore { conditions.append(.compare("last_answer_at", .less, .timestamp(before))) }
        for name in options.include { try check(name, "included column") }
        var rows = try FusionError.wrap { try candidates.selection(where: .and(conditions), options: self.options) }
        if let segment = options.segment {
            // Compared as text, so that a filter reads the same for any kind of column.
            try check(segment.column, "segment filter")
            let column = candidates[segment.column]!
            rows = rows.filter { !column.isNull($0) && segment.values.contains(column[$0].description) }
        }

        // Most revenue at risk first, then by customer ID.
        let risk = candidates["revenue_at_risk"]!.doubleValues!
        // The IDs of the matched customers only: the candidates are every customer.
        var ranked = rows.map { (row: $0, risk: risk[$0] ?? -.infinity, id: keys.key(UInt32($0))) }
        ranked.sort { a, b in a.risk != b.risk ? a.risk > b.risk : a.id.utf8.lexicographicallyPrecedes(b.id.utf8) }
        rows = ranked.map(\.row)
        let matched = rows.count
        if let limit = options.limit { rows = Array(rows.prefix(limit)) }
        var out: [(String, Column)] = [(self.columns.customerID, profile[self.columns.customerID]!.gathered(rows: rows))]
        for name in FollowUpList.columns + options.include {
            out.append((name, candidates[name]?.gathered(rows: rows) ?? Fusion.nullText(rows.count)))
        }
        let table = try FusionError.wrap { try Table(columns: out) }
        return FollowUpList(
            analysisDate: Timestamp(microsecondsSinceEpoch: date), windowStart: Timestamp(microsecondsSinceEpoch: start),
            matched: matched, candidateColumns: candidates.schema.names, table: table)
    }

    /// A text column of the answers gathered at `rows` (-1: null); all null without the column.
    private func answerText(_ name: String?, rows: [Int32]) throws(FusionError) -> Column {
        guard let name else { return Fusion.nullText(rows.count) }
        let column = try FusionError.wrap { try answers.kernelColumn(name) }
        let gathered = column.gathered(rows: rows.map { $0 < 0 ? nil : Int($0) })
        if gathered.kind == .string { return gathered }
        return try FusionError.wrap { try Column.string((0..<gathered.count).map { gathered.isNull($0) ? nil : gathered[$0].description }) }
    }

    /// An all-null text column (it holds no bytes, so building it cannot fail).
    static func nullText(_ count: Int) -> Column { try! Column.string([String?](repeating: nil, count: count)) }

    /// Each customer's latest order of any status at or before `end`, as a position in run order (-1: none);
    /// ties to the later row.
    private func latestOrders(upTo end: Int64) -> [Int32] {
        var latest = [Int32](repeating: -1, count: customerCount)
        let o = orderFacts
        for c in 0..<customerCount {
            let run = o.runs.run(c)
            var i = run.upperBound
            while i > run.lowerBound {
                i -= 1
                let t = o.time[i]
                if t == .min { break }  // null times sort first
                if t <= end {
                    latest[c] = Int32(i)
                    break
                }
            }
        }
        return latest
    }
}
