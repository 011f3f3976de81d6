/// Options of ``Fusion/attribution(options:)``.
public struct AttributionOptions: Hashable, Sendable {
    /// The longest time from an order to the answer it explains, inclusive (default 30 days).
    public var toleranceMicroseconds: Int64 = 30 * Timestamp.microsecondsPerDay
    /// Upper edges of the order-value bands, ascending (default 25, 50, 100, 250: five bands).
    public var valueBands: [Double] = [25, 50, 100, 250]
    public init(toleranceMicroseconds: Int64 = 30 * Timestamp.microsecondsPerDay, valueBands: [Double] = [25, 50, 100, 250]) {
        self.toleranceMicroseconds = toleranceMicroseconds
        self.valueBands = valueBands
    }
}

/// Answers attributed to the order that explains them.
public struct Attribution: Sendable {
    /// Three rows in this order: (`no`, `NA`) unattributed, (`yes`, `no`) attributed to an order that was not
    /// returned, (`yes`, `yes`) returned. Columns `has_order`, `returned`, `responses`, `mean_nps`, `nps_score`,
    /// `nps_margin`, `nps_low`, `nps_high`, `csat_n`, `csat`, `csat_low`, `csat_high` (the top-box share's Wilson 95%
    /// interval, in percent), `mean_csat`, `mean_amount`.
    public let table: Table
    /// The same figures by the attributed order's value band (`unattributed` first, then the bands in order).
    public let byValueBand: Table
    /// NPS per cell of ``table``, in its row order.
    public let nps: [NPSSummary]
    /// Answers with an NPS and a customer (the population), and how many were attributed.
    public let answers: Int, attributed: Int
    /// Answers with an NPS left out because they reach no customer.
    public let withoutCustomer: Int
}

extension Fusion {
    /// Attribution (bench Q3): each answer with an NPS is linked to the same
    /// customer's latest completed order at or before it (equal times match),
    /// attributed when that order lies within the tolerance (inclusive). NPS
    /// and CSAT by attributed or not, returned or not, and order-value band.
    ///
    /// Ties (two completed orders of one customer at the same time): the later
    /// row of the orders table wins. Orders need not be sorted.
    ///
    /// - Throws: ``FusionError/missingRole(_:neededBy:)`` without orders, ``FusionError/badOption(_:)`` for a
    ///   negative tolerance or unsorted bands.
    /// - Complexity: O(answers + orders + customers): one merge of each customer's time-ordered runs.
    public func attribution(options: AttributionOptions = AttributionOptions()) throws(FusionError) -> Attribution {
        _ = try require(.orders, for: "attribution")
        guard options.toleranceMicroseconds >= 0 else { throw .kernel(.negativeTolerance(microseconds: options.toleranceMicroseconds)) }
        guard zip(options.valueBands, options.valueBands.dropFirst()).allSatisfy({ $0 < $1 }), options.valueBands.allSatisfy(\.isFinite) else {
            throw .badOption("value bands must be finite and strictly ascending, not \(options.valueBands)")
        }
        guard columns.nps != nil else { throw .missingColumn(role: .answers, field: "nps", column: nil, suggestions: []) }
        let npsScale = mapping.answers.npsScale, csatScale = mapping.answers.csatScale
        let tolerance = options.toleranceMicroseconds

        // Cells: 0 (no, NA), 1 (yes, no), 2 (yes, yes). Band slots: 0 unattributed, 1 attributed to an
        // order without an amount, 2 + k the k-th value band.
        let bands = options.valueBands
        var cells = [Tally](repeating: Tally(), count: 3), slots = [Tally](repeating: Tally(), count: bands.count + 3)
        var population = 0, attributed = 0, withoutCustomer = 0
        let a = answerFacts, o = orderFacts
        let hasCSAT = !a.csat.isEmpty
        // Both runs of a customer are in time order: one merge finds every answer's latest completed order
        // at or before it (scores were checked against their scales when the fusion was built).
        for c in 0..<customerCount {
            let orders = o.runs.run(c)
            var next = orders.lowerBound, latest = -1
            for i in a.runs.run(c) where a.nps[i] != AnswerFacts.null {
                let t = a.time[i]
                guard t != .min else { withoutCustomer += 1; continue }
                while next < orders.upperBound && o.time[next] <= t {
                    if o.completed[next] && o.time[next] != .min { latest = next }
                    next += 1
                }
                population += 1
                var cell = 0, slot = 0, amount = Double.nan
                if latest >= 0 && t - o.time[latest] <= tolerance {
                    attributed += 1
                    cell = o.returned[latest] ? 2 : 1
                    amount = o.amount[latest]
                    slot = amount.isNaN ? 1 : 2 + (bands.firstIndex { amount < $0 } ?? bands.count)
                }
                let score = a.nps[i], cls = npsScale.npsClass(of: score)!
                let csatScore = hasCSAT && a.csat[i] != AnswerFacts.null ? a.csat[i] : nil
                cells[cell].add(score, cls, csatScore, amount, csatScale)
                slots[slot].add(score, cls, csatScore, amount, csatScale)
            }
        }
        for i in a.runs.unplaced where a.nps[i] != AnswerFacts.null { withoutCustomer += 1 }
        var labels = ["unattributed", "no amount"]
        var lower = "0"
        for edge in bands {
            let upper = edge == edge.rounded() && abs(edge) < 1e15 ? String(Int64(edge)) : String(edge)
            labels.append("\(lower)–<\(upper)")
            lower = upper
        }
        labels.append("≥\(lower)")
        let kept = slots.indices.filter { $0 != 1 || slots[1].nps.n > 0 }

        let table = try FusionError.wrap {
            try Table(columns: [
                ("has_order", try Column.string(["no", "yes", "yes"], layout: .dictionary)),
                ("returned", try Column.string(["NA", "no", "yes"], layout: .dictionary)),
            ] + Tally.columns(cells))
        }
        let byValueBand = try FusionError.wrap {
            try Table(columns: [("value_band", try Column.string(kept.map { labels[$0] }))] + Tally.columns(kept.map { slots[$0] }))
        }
        return Attribution(table: table, byValueBand: byValueBand, nps: cells.map(\.nps), answers: population, attributed: attributed, withoutCustomer: withoutCustomer)
    }
}

/// NPS, CSAT and order amounts of one cell of an attribution.
struct Tally {
    var nps = NPSSummary(), csat = TopBoxSummary()
    var scoreSum: Int64 = 0, amountSum = 0.0, amounts = 0

    mutating func add(_ score: Int64, _ cls: NPSClass, _ csatScore: Int64?, _ amount: Double, _ scale: TopBoxScale) {
        nps.add(cls)
        scoreSum += score
        if let csatScore { csat.add(csatScore, scale: scale) }
        if !amount.isNaN {
            amountSum += amount
            amounts += 1
        }
    }

    static func columns(_ t: [Tally]) -> [(name: String, column: Column)] {
        [
            ("responses", .int64(t.map { Int64($0.nps.n) })),
            ("mean_nps", .double(t.map { $0.nps.n > 0 ? Double($0.scoreSum) / Double($0.nps.n) : nil })),
            ("nps_score", .double(t.map(\.nps.score))), ("nps_margin", .double(t.map(\.nps.margin))),
            ("nps_low", .double(t.map { $0.nps.interval?.lowerBound })), ("nps_high", .double(t.map { $0.nps.interval?.upperBound })),
            ("csat_n", .int64(t.map { Int64($0.csat.n) })), ("csat", .double(t.map(\.csat.percent))),
            ("csat_low", .double(t.map { $0.csat.interval?.lowerBound })), ("csat_high", .double(t.map { $0.csat.interval?.upperBound })), ("mean_csat", .double(t.map(\.csat.mean))),
            ("mean_amount", .double(t.map { $0.amounts > 0 ? $0.amountSum / Double($0.amounts) : nil })),
        ]
    }
}
