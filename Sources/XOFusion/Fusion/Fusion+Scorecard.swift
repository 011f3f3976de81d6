import Foundation

/// How a scorecard splits customers into segments.
public enum Segmentation: Hashable, Sendable {
    /// The class of the customer's latest NPS answer (ties to the greater response id); `none` without one.
    case npsClass
    /// The band of the customer's latest CSAT answer (`satisfied`, `neutral`, `dissatisfied`); `none` without one.
    case csatBand
    /// The band of the customer's mean sentiment (`negative`, `neutral`, `positive`); `none` without one.
    case sentimentBand
    /// Any column of the customers table (region, tier); null values form the segment `none`.
    case customerColumn(String)
    /// A column of the customer's latest answer (channel); `none` without an answer or with a null value.
    case latestAnswerColumn(String)

    var label: String {
        switch self {
        case .npsClass: "segment"
        case .csatBand: "csat_band"
        case .sentimentBand: "sentiment_band"
        case .customerColumn(let name), .latestAnswerColumn(let name): name
        }
    }
}

/// Options of ``Fusion/scorecard(by:options:)``.
public struct ScorecardOptions: Hashable, Sendable {
    /// The significance level of the segment-versus-rest flags, after Holm's correction over every test of the scorecard.
    public var alpha = 0.05
    public init(alpha: Double = 0.05) { self.alpha = alpha }
}

/// A segment's figure that differs from the rest of the customers.
public struct ScorecardFlag: Hashable, Sendable, CustomStringConvertible {
    /// The metric: `return_rate`, `cart_abandonment_rate`, `avg_order_value`, `carts_per_customer`, `revenue_per_customer`.
    public var metric: String
    /// Whether the segment is higher than the rest.
    public var higher: Bool
    /// The raw and the Holm-adjusted p-value (two-sided).
    public var pValue: Double, adjustedP: Double
    public var description: String { "\(metric) \(higher ? "higher" : "lower") (p = \(adjustedP.formatted(significant: 2)))" }
}

/// One segment of a scorecard.
public struct ScorecardSegment: Hashable, Sendable {
    public var segment: String
    /// Customers, their completed orders, the orders' revenue, and how many orders were returned.
    public var customers = 0, orders = 0, revenue = 0.0, returnedOrders = 0, carts = 0
    /// revenue / orders, with a normal 95% interval over the order amounts.
    public var averageOrderValue: Double?, averageOrderValueInterval: ClosedRange<Double>?
    /// returned orders / orders, with a Wilson interval.
    public var returnRate: Double?, returnRateInterval: ClosedRange<Double>?
    /// abandoned carts / customers, with a normal interval over the customers' cart counts.
    public var cartsPerCustomer: Double?, cartsPerCustomerInterval: ClosedRange<Double>?
    /// carts / (carts + orders), with a Wilson interval.
    public var cartAbandonmentRate: Double?, cartAbandonmentRateInterval: ClosedRange<Double>?
    /// revenue / customers, with a normal interval over the customers' revenue.
    public var revenuePerCustomer: Double?, revenuePerCustomerInterval: ClosedRange<Double>?
    /// Fewer than ``smallSampleSize`` customers.
    public var isSmall: Bool { customers < smallSampleSize }
    /// Figures that differ from the rest at the scorecard's α (Holm).
    public var flags: [ScorecardFlag] = []
}

/// A segment scorecard: a table and the typed segments behind it.
public struct Scorecard: Sendable {
    /// What the segments are.
    public let segmentation: Segmentation
    /// One row per segment, sorted by segment name: `segment` (or the column's name), `customers`, `orders`,
    /// `revenue`, `avg_order_value`, `return_rate`, `carts_per_customer`, `cart_abandonment_rate`,
    /// `revenue_per_customer`, each figure followed by `_low` and `_high`, then `small` and `flags`.
    /// Without a returns (carts) table the return (cart) figures are null: unknown, not zero.
    public let table: Table
    /// The same, typed.
    public let segments: [ScorecardSegment]
}

extension Fusion {
    /// The segment scorecard (bench Q1): per segment, customers, completed orders,
    /// revenue, average order value, return rate (returned completed orders over
    /// completed orders; an order with several return rows counts once), carts per
    /// customer and cart abandonment rate, each with its 95% interval, and a flag
    /// where a segment differs from the rest of the customers at α with Holm's correction.
    ///
    /// - Throws: ``FusionError/missingRole(_:neededBy:)`` without orders; column errors of the segmentation.
    /// - Complexity: O(customers + orders + carts + answers).
    public func scorecard(by segmentation: Segmentation = .npsClass, options: ScorecardOptions = ScorecardOptions()) throws(FusionError) -> Scorecard {
        _ = try require(.orders, for: "the scorecard")
        guard options.alpha > 0, options.alpha < 1 else { throw .badOption("the scorecard's alpha must lie between 0 and 1, not \(options.alpha)") }
        let (labels, segmentOf) = try segmentIndexes(segmentation)
        let s = labels.count
        var segments = labels.map { ScorecardSegment(segment: $0) }
        var orderSumSquares = [Double](repeating: 0, count: s), amounts = [Int](repeating: 0, count: s)
        // One pass customer by customer: each customer's orders are contiguous (see `CustomerRuns`), so the
        // orders stream in order and the per-segment counters stay flat arrays of a few slots.
        var orderCount = [Int](repeating: 0, count: s), returnedCount = [Int](repeating: 0, count: s), revenue = [Double](repeating: 0, count: s)
        var members = [Int](repeating: 0, count: s), cartCount = [Int](repeating: 0, count: s), cartSquares = [Double](repeating: 0, count: s), revenueSquares = [Double](repeating: 0, count: s)
        let o = orderFacts, cartRuns = cartFacts.runs
        o.amount.withUnsafeReader { amount in
            o.completed.withUnsafeBufferPointer { completed in
                o.returned.withUnsafeBufferPointer { returned in
                    for c in 0..<customerCount {
                        let k = segmentOf[c]
                        members[k] += 1
                        var orders = 0, returns = 0, sum = 0.0, squares = 0.0, valued = 0
                        for i in o.runs.run(c) where completed[i] {
                            orders += 1
                            if returned[i] { returns += 1 }
                            let value = amount[i]
                            if !value.isNaN {
                                sum += value
                                squares += value * value
                                valued += 1
                            }
                        }
                        orderCount[k] += orders
                        returnedCount[k] += returns
                        revenue[k] += sum
                        orderSumSquares[k] += squares
                        amounts[k] += valued
                        revenueSquares[k] += sum * sum
                        let carts = cartRuns.run(c).count
                        cartCount[k] += carts
                        cartSquares[k] += Double(carts) * Double(carts)
                    }
                }
            }
        }
        for k in 0..<s {
            segments[k].customers = members[k]
            segments[k].orders = orderCount[k]
            segments[k].returnedOrders = returnedCount[k]
            segments[k].revenue = revenue[k]
            segments[k].carts = cartCount[k]
        }
        if returns != nil, columns.returnOrderID == nil || columns.orderID == nil {
            // Returns cannot be tied to orders: count return rows (the report says so).
            for k in 0..<s { segments[k].returnedOrders = 0 }
            for c in 0..<customerCount { segments[segmentOf[c]].returnedOrders += returnFacts.runs.run(c).count }
        }

        // Figures and intervals. Without a carts (returns) table, cart (return) figures are unknown, not zero.
        let hasCarts = carts != nil, hasReturns = returns != nil
        struct Moments { var n = 0, sum = 0.0, squares = 0.0 }
        var aov = [Moments](repeating: Moments(), count: s), cpc = aov, rpc = aov
        for k in 0..<s {
            let g = segments[k]
            aov[k] = Moments(n: amounts[k], sum: g.revenue, squares: orderSumSquares[k])
            cpc[k] = Moments(n: g.customers, sum: Double(g.carts), squares: cartSquares[k])
            rpc[k] = Moments(n: g.customers, sum: g.revenue, squares: revenueSquares[k])
            if g.orders > 0 {
                segments[k].averageOrderValue = amounts[k] > 0 ? g.revenue / Double(g.orders) : nil
                segments[k].averageOrderValueInterval = Statistics.meanInterval(n: amounts[k], sum: g.revenue, sumOfSquares: orderSumSquares[k])
                if hasReturns {
                    segments[k].returnRate = Double(g.returnedOrders) / Double(g.orders)
                    segments[k].returnRateInterval = Statistics.wilson(successes: min(g.returnedOrders, g.orders), n: g.orders)
                }
            }
            if g.customers > 0 && hasCarts {
                segments[k].cartsPerCustomer = Double(g.carts) / Double(g.customers)
                segments[k].cartsPerCustomerInterval = Statistics.meanInterval(n: g.customers, sum: Double(g.carts), sumOfSquares: cartSquares[k])
            }
            if g.customers > 0 {
                segments[k].revenuePerCustomer = g.revenue / Double(g.customers)
                segments[k].revenuePerCustomerInterval = Statistics.meanInterval(n: g.customers, sum: g.revenue, sumOfSquares: revenueSquares[k])
            }
            if g.carts + g.orders > 0 && hasCarts {
                segments[k].cartAbandonmentRate = Double(g.carts) / Double(g.carts + g.orders)
                segments[k].cartAbandonmentRateInterval = Statistics.wilson(successes: g.carts, n: g.carts + g.orders)
            }
        }

        // Segment versus the rest, every metric, Holm over all tests.
        var tests: [(segment: Int, metric: String, z: Double?)] = []
        func total(_ m: [Moments]) -> Moments { m.reduce(into: Moments()) { $0.n += $1.n; $0.sum += $1.sum; $0.squares += $1.squares } }
        func meanZ(_ m: [Moments], _ k: Int) -> Double? {
            let all = total(m)
            let rest = Moments(n: all.n - m[k].n, sum: all.sum - m[k].sum, squares: all.squares - m[k].squares)
            guard m[k].n > 1, rest.n > 1 else { return nil }
            return Statistics.differenceZ(
                m[k].sum / Double(m[k].n), se1: Statistics.standardError(n: m[k].n, sum: m[k].sum, sumOfSquares: m[k].squares),
                rest.sum / Double(rest.n), se2: Statistics.standardError(n: rest.n, sum: rest.sum, sumOfSquares: rest.squares))
        }
        if s > 1 {
            let orders = segments.map(\.orders).reduce(0, +), returned = segments.map(\.returnedOrders).reduce(0, +)
            let carts = segments.map(\.carts).reduce(0, +)
            for k in 0..<s {
                let g = segments[k]
                if hasReturns {
                    tests.append((k, "return_rate", Statistics.twoProportionZ(
                        successes1: min(g.returnedOrders, g.orders), n1: g.orders, successes2: min(returned - g.returnedOrders, orders - g.orders), n2: orders - g.orders)))
                }
                if hasCarts {
                    tests.append((k, "cart_abandonment_rate", Statistics.twoProportionZ(
                        successes1: g.carts, n1: g.carts + g.orders, successes2: carts - g.carts, n2: carts + orders - g.carts - g.orders)))
                }
                tests.append((k, "avg_order_value", meanZ(aov, k)))
                if hasCarts { tests.append((k, "carts_per_customer", meanZ(cpc, k))) }
                tests.append((k, "revenue_per_customer", meanZ(rpc, k)))
            }
        }
        let raw = tests.map { $0.z.map { Statistics.pValue(z: $0) } }
        let adjusted = Statistics.holmAdjusted(raw)
        for (i, test) in tests.enumerated() {
            guard let z = test.z, let p = raw[i], let q = adjusted[i], q <= options.alpha else { continue }
            segments[test.segment].flags.append(ScorecardFlag(metric: test.metric, higher: z > 0, pValue: p, adjustedP: q))
        }

        // The table.
        func figure(_ name: String, _ value: KeyPath<ScorecardSegment, Double?>, _ interval: KeyPath<ScorecardSegment, ClosedRange<Double>?>) -> [(name: String, column: Column)] {
            [(name, .double(segments.map { $0[keyPath: value] })), (name + "_low", .double(segments.map { $0[keyPath: interval]?.lowerBound })),
             (name + "_high", .double(segments.map { $0[keyPath: interval]?.upperBound }))]
        }
        var tableColumns: [(name: String, column: Column)] = [
            (segmentation.label, try FusionError.wrap { try Column.string(labels) }),
            ("customers", .int64(segments.map { Int64($0.customers) })), ("orders", .int64(segments.map { Int64($0.orders) })),
            ("revenue", .double(segments.map(\.revenue))),
        ]
        tableColumns += figure("avg_order_value", \.averageOrderValue, \.averageOrderValueInterval)
        tableColumns += figure("return_rate", \.returnRate, \.returnRateInterval)
        tableColumns += figure("carts_per_customer", \.cartsPerCustomer, \.cartsPerCustomerInterval)
        tableColumns += figure("cart_abandonment_rate", \.cartAbandonmentRate, \.cartAbandonmentRateInterval)
        tableColumns += figure("revenue_per_customer", \.revenuePerCustomer, \.revenuePerCustomerInterval)
        tableColumns.append(("small", .bool(segments.map(\.isSmall))))
        tableColumns.append(("flags", try FusionError.wrap { try Column.string(segments.map { $0.flags.map(\.description).joined(separator: "; ") }) }))
        let table = try FusionError.wrap { try Table(columns: tableColumns) }
        return Scorecard(segmentation: segmentation, table: table, segments: segments)
    }

    /// Segment labels (sorted) and each customer's segment index; only answers at or before `asOf` count when it is given.
    func segmentIndexes(_ segmentation: Segmentation, asOf: Int64? = nil) throws(FusionError) -> (labels: [String], segmentOf: [Int]) {
        var labelOf: [String?]
        switch segmentation {
        case .npsClass:
            // Every class, even an empty one, in name order (the order of `CustomerSegment.allCases`).
            return (CustomerSegment.allCases.map(\.rawValue), try segments(asOf: asOf).segment.map(\.nameOrder))
        case .csatBand:
            guard let column = columns.csat else { throw .missingColumn(role: .answers, field: "csat", column: nil, suggestions: []) }
            let latest = try latestAnswerRows(withValueIn: column, asOf: asOf)
            let values = try ScoreColumn.integers(answers, column, role: .answers)
            let scale = mapping.answers.csatScale
            labelOf = try latest.map { (row) throws(FusionError) -> String? in
                guard row >= 0, let v = values[Int(row)] else { return nil }
                guard let band = scale.band(of: v) else { throw .outOfScale(role: .answers, column: column, row: Int(row), value: String(v), scale: scale.description) }
                return band.rawValue
            }
        case .sentimentBand:
            guard columns.sentiment != nil else { throw .missingColumn(role: .answers, field: "sentiment", column: nil, suggestions: []) }
            let a = answerFacts, limit = asOf ?? .max, scale = mapping.answers.sentimentScale
            labelOf = (0..<customerCount).map { c in
                var sum = 0.0, count = 0
                for i in a.runs.run(c) where a.time[i] <= limit && !a.sentiment[i].isNaN {
                    sum += a.sentiment[i]
                    count += 1
                }
                return count > 0 ? scale.band(of: sum / Double(count))?.rawValue : nil
            }
        case .customerColumn(let name):
            let column = try FusionError.wrap { try customers.kernelColumn(name) }
            labelOf = (0..<customerCount).map { column.isNull($0) ? nil : column[$0].description }
        case .latestAnswerColumn(let name):
            let column = try FusionError.wrap { try answers.kernelColumn(name) }
            let latest = try latestAnswerRows(withValueIn: nil, asOf: asOf)
            labelOf = latest.map { $0 < 0 || column.isNull(Int($0)) ? nil : column[Int($0)].description }
        }
        var index: [String: Int] = [:]
        for label in labelOf { index[label ?? "none"] = 0 }
        let labels = index.keys.sorted()
        for (i, label) in labels.enumerated() { index[label] = i }
        return (labels, labelOf.map { index[$0 ?? "none"]! })
    }
}

extension Double {
    /// The value with `significant` significant digits, for messages.
    func formatted(significant: Int) -> String {
        guard isFinite, self != 0 else { return String(self) }
        let digits = Swift.max(0, significant - 1 - Int(Foundation.floor(Foundation.log10(abs(self)))))
        if digits > 12 { return String(format: "%.\(significant - 1)e", self) }
        return String(format: "%.\(digits)f", self)
    }
}
