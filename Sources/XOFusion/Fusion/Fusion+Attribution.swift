/// Options of ``Fusion/attribution(options:)``.
public struct AttributionOptions: Hashable, Sendable {
    /// The longest time from an order to the answer it explains, inclusive (default 30 days).
    public var toleranceMicroseconds: Int64 = AsOfOptions.days(30)
    /// Upper edges of the order-value bands, ascending (default 25, 50, 100, 250: five bands).
    public var valueBands: [Double] = [25, 50, 100, 250]
    public init(toleranceMicroseconds: Int64 = AsOfOptions.days(30), valueBands: [Double] = [25, 50, 100, 250]) {
        self.toleranceMicroseconds = toleranceMicroseconds
        self.valueBands = valueBands
    }
}

/// Answers attributed to the order that explains them.
public struct Attribution: Sendable {
    /// Three rows in this order: (`no`, `NA`) unattributed, (`yes`, `no`) attributed to an order that was not
    /// returned, (`yes`, `yes`) returned. Columns `has_order`, `returned`, `responses`, `mean_nps`, `nps_score`,
    /// `nps_margin`, `nps_low`, `nps_high`, `csat_n`, `csat`, `mean_csat`, `mean_amount`.
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
    /// - Complexity: O(answers × log(orders per customer) + orders + customers).
    public func attribution(options: AttributionOptions = AttributionOptions()) throws(FusionError) -> Attribution {
        _ = try require(.orders, for: "attribution")
        guard options.toleranceMicroseconds >= 0 else { throw .kernel(.negativeTolerance(microseconds: options.toleranceMicroseconds)) }
        guard zip(options.valueBands, options.valueBands.dropFirst()).allSatisfy({ $0 < $1 }), options.valueBands.allSatisfy(\.isFinite) else {
            throw .badOption("value bands must be finite and strictly ascending, not \(options.valueBands)")
        }
        guard let npsColumn = columns.nps else { throw .missingColumn(role: .answers, field: "nps", column: nil, suggestions: []) }
        let nps = try ScoreColumn.integers(answers, npsColumn, role: .answers)
        let csat = try columns.csat.map { (name) throws(FusionError) in try ScoreColumn.integers(answers, name, role: .answers) }
        let npsScale = mapping.answers.npsScale, csatScale = mapping.answers.csatScale
        let index = CompletedOrderIndex(self)

        // Cells: 0 (no, NA), 1 (yes, no), 2 (yes, yes). Band slots: 0 unattributed, 1 attributed to an
        // order without an amount, 2 + k the k-th value band.
        let bands = options.valueBands
        var cells = [Tally](repeating: Tally(), count: 3), slots = [Tally](repeating: Tally(), count: bands.count + 3)
        var population = 0, attributed = 0, withoutCustomer = 0
        for row in 0..<answerCustomer.count {
            guard let score = nps[row] else { continue }
            let c = Int(answerCustomer[row]), t = answerTime[row]
            guard c >= 0, t != .min else { withoutCustomer += 1; continue }
            guard let cls = npsScale.npsClass(of: score) else {
                throw .outOfScale(role: .answers, column: npsColumn, row: row, value: String(score), scale: npsScale.description)
            }
            var csatScore: Int64?
            if let csat, let v = csat[row] {
                guard csatScale.range.contains(v) else {
                    throw .outOfScale(role: .answers, column: columns.csat!, row: row, value: String(v), scale: csatScale.description)
                }
                csatScore = v
            }
            population += 1
            var cell = 0, slot = 0, amount = Double.nan
            if let order = index.latest(customer: c, atOrBefore: t), t - orderTime[order] <= options.toleranceMicroseconds {
                attributed += 1
                cell = orderReturned[order] ? 2 : 1
                amount = orderAmount[order]
                slot = amount.isNaN ? 1 : 2 + (bands.firstIndex { amount < $0 } ?? bands.count)
            }
            cells[cell].add(score, cls, csatScore, amount, csatScale)
            slots[slot].add(score, cls, csatScore, amount, csatScale)
        }
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
            ("csat_n", .int64(t.map { Int64($0.csat.n) })), ("csat", .double(t.map(\.csat.percent))), ("mean_csat", .double(t.map(\.csat.mean))),
            ("mean_amount", .double(t.map { $0.amounts > 0 ? $0.amountSum / Double($0.amounts) : nil })),
        ]
    }
}

/// Completed orders grouped by customer, each customer's run in time order
/// (a counting sort; ties in row order): the as-of index of an attribution.
struct CompletedOrderIndex {
    /// Customer c's orders are `rows[offsets[c] ..< offsets[c + 1]]`.
    let offsets: [Int32]
    let times: [Int64]
    let rows: [Int32]

    init(_ fusion: Fusion) {
        let n = fusion.customerCount
        var offsets = [Int32](repeating: 0, count: n + 1)
        let customer = fusion.orderCustomer, completed = fusion.orderCompleted, time = fusion.orderTime
        for row in 0..<customer.count where completed[row] && customer[row] >= 0 && time[row] != .min { offsets[Int(customer[row]) + 1] += 1 }
        for c in 0..<n { offsets[c + 1] += offsets[c] }
        var next = offsets
        var times = [Int64](repeating: 0, count: Int(offsets[n])), rows = [Int32](repeating: 0, count: Int(offsets[n]))
        for row in 0..<customer.count where completed[row] && customer[row] >= 0 && time[row] != .min {
            let c = Int(customer[row])
            let slot = Int(next[c])
            times[slot] = time[row]
            rows[slot] = Int32(row)
            next[c] += 1
        }
        // Runs are in row order; sort a run only if its times are not ascending (stable: ties keep row order).
        for c in 0..<n {
            let range = Int(offsets[c])..<Int(offsets[c + 1])
            guard range.count > 1, !zip(times[range], times[range].dropFirst()).allSatisfy({ $0 <= $1 }) else { continue }
            let sorted = range.map { (times[$0], rows[$0]) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            for (i, pair) in zip(range, sorted) { (times[i], rows[i]) = pair }
        }
        (self.offsets, self.times, self.rows) = (offsets, times, rows)
    }

    /// The order row of customer `c` with the greatest time ≤ `t` (the later row on ties), or `nil`.
    func latest(customer c: Int, atOrBefore t: Int64) -> Int? {
        var low = Int(offsets[c]), high = Int(offsets[c + 1])
        // First index whose time is > t.
        while low < high {
            let mid = (low + high) >> 1
            if times[mid] <= t { low = mid + 1 } else { high = mid }
        }
        return low > Int(offsets[c]) ? Int(rows[low - 1]) : nil
    }
}
