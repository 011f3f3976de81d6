/// Options of ``Fusion/revenueAtRisk(by:options:)``.
public struct RevenueAtRiskOptions: Hashable, Sendable {
    /// The analysis date (`nil`: the latest order time in the data, any status).
    public var asOf: Timestamp?
    /// The revenue window: completed orders with time in (date − days, date] (default 365).
    public var windowDays: Int

    public init(asOf: Timestamp? = nil, windowDays: Int = 365) {
        self.asOf = asOf
        self.windowDays = windowDays
    }
}

/// Revenue at risk and revenue-weighted NPS of one group of customers (or of all).
public struct RevenueAtRiskGroup: Hashable, Sendable {
    /// The group's label (`all` for the whole base).
    public var group: String
    /// Customers, and their NPS classes at the analysis date (latest NPS answer at or before it).
    public var customers = 0
    public var classes = NPSSummary()
    /// Window revenue of every customer of the group, with a segment or not.
    public var revenue = 0.0
    /// Window revenue of the promoters, passives and detractors.
    public var promoterRevenue = 0.0, passiveRevenue = 0.0, detractorRevenue = 0.0
    /// The detractors' window revenue (DESIGN.md).
    public var revenueAtRisk: Double { detractorRevenue }
    /// Revenue at risk / the group's window revenue; `nil` without revenue.
    public var shareAtRisk: Double? { revenue > 0 ? detractorRevenue / revenue : nil }
    /// 100 × (R_promoters − R_detractors) / R_all over the customers with a segment; `nil` when they have no revenue.
    public var revenueWeightedNPS: Double? {
        let all = promoterRevenue + passiveRevenue + detractorRevenue
        return all > 0 ? 100 * (promoterRevenue - detractorRevenue) / all : nil
    }
    /// The plain NPS of the customers' classes (one vote per customer), for comparison.
    public var customerNPS: Double? { classes.score }
}

/// Revenue at risk and revenue-weighted NPS, overall and per group.
public struct RevenueAtRisk: Sendable {
    /// The analysis date; the window is (``windowStart``, ``analysisDate``].
    public let analysisDate: Timestamp, windowStart: Timestamp
    /// The whole customer base.
    public let overall: RevenueAtRiskGroup
    /// The groups, most revenue at risk first (ties by label); `[overall]` without a grouping.
    public let groups: [RevenueAtRiskGroup]
    /// One row per group, in that order: the group column (named as the grouping, `group` without one),
    /// `customers`, `promoters`, `passives`, `detractors`, `revenue`, `promoter_revenue`, `passive_revenue`,
    /// `detractor_revenue`, `revenue_at_risk`, `share_at_risk`, `revenue_weighted_nps`, `customer_nps`.
    public let table: Table
}

extension Fusion {
    /// Revenue at risk (DESIGN.md): the completed-order revenue of the trailing window (default 365 days up to
    /// the analysis date, the start excluded) of the customers who are detractors at the analysis date, and the
    /// revenue-weighted NPS, 100 × (R_promoters − R_detractors) / R_all, overall and per group.
    ///
    /// ```swift
    /// let risk = try fusion.revenueAtRisk(by: .customerColumn("region"))
    /// print(risk.overall.revenueAtRisk, risk.overall.revenueWeightedNPS ?? .nan)
    /// ```
    ///
    /// - Parameters:
    ///   - grouping: the groups (any ``Segmentation``; `nil`: the whole base only). Groups that depend on
    ///     answers use the answers at or before the analysis date.
    ///   - options: the analysis date and the window.
    /// - Throws: ``FusionError`` without orders or an NPS column, without any order time and no date, or for a
    ///   window under one day.
    /// - Complexity: O(customers + orders + answers).
    public func revenueAtRisk(by grouping: Segmentation? = nil, options: RevenueAtRiskOptions = RevenueAtRiskOptions()) throws(FusionError) -> RevenueAtRisk {
        _ = try require(.orders, for: "revenue at risk")
        _ = try Fusion.windowStart(days: options.windowDays, before: 0)  // a bad window fails before anything else
        guard let date = options.asOf?.microsecondsSinceEpoch ?? latestOrderTime() else {
            throw .badOption("revenue at risk needs an analysis date: the orders have no time")
        }
        let start = try Fusion.windowStart(days: options.windowDays, before: date)
        let revenue = windowRevenue(after: start, upTo: date)
        let segment = try segments(asOf: date).segment
        let (labels, groupOf) = try grouping.map { (g) throws(FusionError) in try segmentIndexes(g, asOf: date) } ?? (["all"], [Int](repeating: 0, count: customerCount))

        var groups = labels.map { RevenueAtRiskGroup(group: $0) }
        var overall = RevenueAtRiskGroup(group: "all")
        for c in 0..<customerCount {
            func add(_ g: inout RevenueAtRiskGroup) {
                g.customers += 1
                g.revenue += revenue[c]
                switch segment[c] {
                case .promoter: g.classes.add(.promoter); g.promoterRevenue += revenue[c]
                case .passive: g.classes.add(.passive); g.passiveRevenue += revenue[c]
                case .detractor: g.classes.add(.detractor); g.detractorRevenue += revenue[c]
                case .none: break
                }
            }
            add(&groups[groupOf[c]])
            add(&overall)
        }
        groups.sort { ($0.revenueAtRisk, $1.group) > ($1.revenueAtRisk, $0.group) }

        let table = try FusionError.wrap {
            try Table(columns: [
                (grouping?.label ?? "group", try Column.string(groups.map(\.group))),
                ("customers", .int64(groups.map { Int64($0.customers) })),
                ("promoters", .int64(groups.map { Int64($0.classes.promoters) })),
                ("passives", .int64(groups.map { Int64($0.classes.passives) })),
                ("detractors", .int64(groups.map { Int64($0.classes.detractors) })),
                ("revenue", .double(groups.map(\.revenue))),
                ("promoter_revenue", .double(groups.map(\.promoterRevenue))),
                ("passive_revenue", .double(groups.map(\.passiveRevenue))),
                ("detractor_revenue", .double(groups.map(\.detractorRevenue))),
                ("revenue_at_risk", .double(groups.map(\.revenueAtRisk))),
                ("share_at_risk", .double(groups.map(\.shareAtRisk))),
                ("revenue_weighted_nps", .double(groups.map(\.revenueWeightedNPS))),
                ("customer_nps", .double(groups.map(\.customerNPS))),
            ])
        }
        return RevenueAtRisk(
            analysisDate: Timestamp(microsecondsSinceEpoch: date), windowStart: Timestamp(microsecondsSinceEpoch: start),
            overall: overall, groups: groups, table: table)
    }

    /// The latest order time of any status, or `nil` without orders with a time.
    func latestOrderTime() -> Int64? {
        let latest = orderFacts.time.max() ?? .min
        return latest == .min ? nil : latest
    }

    /// Each customer's completed-order revenue with time in (`start`, `end`] (amounts that are NaN skipped).
    func windowRevenue(after start: Int64, upTo end: Int64) -> [Double] {
        var revenue = [Double](repeating: 0, count: customerCount)
        let o = orderFacts
        for c in 0..<customerCount {
            for i in o.runs.run(c) where o.completed[i] {
                let t = o.time[i], amount = o.amount[i]
                guard t > start, t <= end, !amount.isNaN else { continue }
                revenue[c] += amount
            }
        }
        return revenue
    }
}

extension Fusion {
    /// The start of a revenue window of `days` days ending at `date` (microseconds): `date − days`, or the
    /// earliest representable time when that lies before it.
    ///
    /// - Throws: ``FusionError/badOption(_:)`` for a window under one day or longer than 64-bit microseconds hold.
    static func windowStart(days: Int, before date: Int64) throws(FusionError) -> Int64 {
        guard days >= 1 else { throw .badOption("the revenue window must be at least one day, not \(days)") }
        let (length, tooLong) = Int64(days).multipliedReportingOverflow(by: Timestamp.microsecondsPerDay)
        guard !tooLong else { throw .badOption("the revenue window of \(days) days is longer than 64-bit microseconds hold") }
        let (start, overflow) = date.subtractingReportingOverflow(length)
        return overflow ? .min + 1 : max(start, .min + 1)
    }
}
