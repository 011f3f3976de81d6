/// The customer profile (customer 360): one row per customer with their
/// experience and operational facts.
public struct CustomerProfile: Sendable {
    /// One row per row of the customers table, in its order. Columns (those of absent roles are left out):
    /// `customer_id` (named as in the customers table), `segment`, `latest_nps`, `mean_csat`, `mean_ces`,
    /// `mean_sentiment`, `response_count`, `last_answer_at`, `order_count`, `revenue`, `last_order_at`,
    /// `returned_orders`, `return_rate`, `repeat_purchase` (at least 2 completed orders), `return_count`, `returned_amount`,
    /// `cart_count`, `cart_value`, `abandonment_rate` (carts / (carts + completed orders)), `ticket_count`.
    public let table: Table
    /// Totals over the profile.
    public let summary: ProfileSummary
}

/// Totals of a ``CustomerProfile``.
public struct ProfileSummary: Hashable, Sendable {
    /// Customers (rows).
    public var customers = 0
    /// Customers with at least one answer, and with a latest NPS.
    public var withAnswers = 0, withNPS = 0
    /// Customers with at least one completed order.
    public var withOrders = 0
    /// Customers per NPS segment.
    public var segments: [CustomerSegment: Int] = [:]
    /// Completed orders, their revenue, and how many of them were returned.
    public var completedOrders = 0, revenue = 0.0, returnedOrders = 0
}

/// Options of ``Fusion/customerProfile(options:)``.
public struct ProfileOptions: Hashable, Sendable {
    /// Only facts at or before this time count (`nil`: everything).
    public var asOf: Timestamp?
    public init(asOf: Timestamp? = nil) { self.asOf = asOf }
}

extension Fusion {
    /// The customer 360 (bench Q2): per customer, the latest NPS (ties to the
    /// greater response id), mean CSAT, CES and sentiment over all their answers,
    /// answer count, completed orders (count, revenue, latest time), returned
    /// completed orders and return rate, return rows (count, amount), abandoned
    /// carts (count, value) and tickets.
    ///
    /// - Throws: ``FusionError`` for a score outside its scale.
    /// - Complexity: O(customers + answers + orders + returns + carts + tickets).
    public func customerProfile(options profileOptions: ProfileOptions = ProfileOptions()) throws(FusionError) -> CustomerProfile {
        let n = customerCount
        let limit = profileOptions.asOf?.microsecondsSinceEpoch ?? .max
        var columns: [(name: String, column: Column)] = [(self.columns.customerID, try FusionError.wrap { try customers.kernelColumn(self.columns.customerID) })]
        var summary = ProfileSummary()
        summary.customers = n

        // Answers.
        var responses = [Int64](repeating: 0, count: n)
        var lastAnswer = [Int64](repeating: .min, count: n)
        for row in 0..<answerCustomer.count {
            let c = Int(answerCustomer[row]), t = answerTime[row]
            guard c >= 0, t <= limit else { continue }
            responses[c] += 1
            if t > lastAnswer[c] { lastAnswer[c] = t }
        }
        if self.columns.nps != nil {
            let (segment, latest) = try segments(asOf: profileOptions.asOf?.microsecondsSinceEpoch)
            var counts: [CustomerSegment: Int] = [:]
            for s in segment { counts[s, default: 0] += 1 }
            summary.segments = counts
            summary.withNPS = n - (counts[.none] ?? 0)
            let codes = segment.map { UInt32($0.nameOrder) }
            columns.append(("segment", try FusionError.wrap { try Column.string(codes: codes, dictionary: CustomerSegment.allCases.map(\.rawValue)) }))
            columns.append(("latest_nps", .int64(latest.map { $0 < 0 ? nil : $0 })))
        }
        // Means over all of a customer's answers; the scores' kinds were checked when the fusion was built.
        let scales = mapping.answers
        let means: [(name: String, column: String?, range: ClosedRange<Double>)] = [
            ("mean_csat", self.columns.csat, Double(scales.csatScale.range.lowerBound)...Double(scales.csatScale.range.upperBound)),
            ("mean_ces", self.columns.ces, Double(scales.cesScale.range.lowerBound)...Double(scales.cesScale.range.upperBound)),
            ("mean_sentiment", self.columns.sentiment, scales.sentimentScale.range),
        ]
        for (name, column, range) in means {
            guard let column else { continue }
            let values = try ScoreColumn.numbers(answers, column, role: .answers)
            var sum = [Double](repeating: 0, count: n), count = [Int32](repeating: 0, count: n)
            for row in 0..<answerCustomer.count {
                let c = Int(answerCustomer[row])
                guard c >= 0, answerTime[row] <= limit, let v = values[row] else { continue }
                guard range.contains(v) else { throw .outOfScale(role: .answers, column: column, row: row, value: v.formatted(significant: 6), scale: "\(range)") }
                sum[c] += v
                count[c] += 1
            }
            columns.append((name, .double((0..<n).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : nil })))
        }
        summary.withAnswers = responses.lazy.filter { $0 > 0 }.count
        columns.append(("response_count", .int64(responses)))
        columns.append(("last_answer_at", .timestamp(lastAnswer.map { $0 == .min ? nil : Timestamp(microsecondsSinceEpoch: $0) })))

        // Orders.
        var completed: [Int64]?
        if orders != nil {
            var count = [Int64](repeating: 0, count: n), returned = [Int64](repeating: 0, count: n)
            var revenue = [Double](repeating: 0, count: n), last = [Int64](repeating: .min, count: n)
            for row in 0..<orderCustomer.count where orderCompleted[row] {
                let c = Int(orderCustomer[row]), t = orderTime[row]
                guard c >= 0, t <= limit else { continue }
                count[c] += 1
                let amount = orderAmount[row]
                if !amount.isNaN { revenue[c] += amount }
                if t > last[c] { last[c] = t }
                if orderReturned[row] { returned[c] += 1 }
            }
            summary.withOrders = count.lazy.filter { $0 > 0 }.count
            summary.completedOrders = Int(count.reduce(0, +))
            summary.returnedOrders = Int(returned.reduce(0, +))
            var total = CompensatedSum()
            for r in revenue { total.add(r) }
            summary.revenue = total.value
            columns.append(("order_count", .int64(count)))
            columns.append(("revenue", .double(revenue)))
            columns.append(("last_order_at", .timestamp(last.map { $0 == .min ? nil : Timestamp(microsecondsSinceEpoch: $0) })))
            columns.append(("returned_orders", .int64(returned)))
            columns.append(("return_rate", .double((0..<n).map { count[$0] > 0 ? Double(returned[$0]) / Double(count[$0]) : nil })))
            columns.append(("repeat_purchase", .bool(count.map { $0 >= 2 })))
            completed = count
        }
        if let returns {
            let (count, amount) = try perCustomer(returnCustomer, returns, self.columns.returnTime, .returns, amounts: returnAmount, limit: limit)
            columns.append(("return_count", .int64(count)))
            columns.append(("returned_amount", .double(amount)))
        }
        if let carts {
            let (count, value) = try perCustomer(cartCustomer, carts, self.columns.cartTime, .carts, amounts: cartValue, limit: limit)
            columns.append(("cart_count", .int64(count)))
            columns.append(("cart_value", .double(value)))
            if let completed {
                let rate: [Double?] = (0..<n).map { c in
                    let carts = count[c], both = count[c] + completed[c]
                    return both > 0 ? Double(carts) / Double(both) : nil
                }
                columns.append(("abandonment_rate", .double(rate)))
            }
        }
        if let tickets {
            columns.append(("ticket_count", .int64(try perCustomer(ticketCustomer, tickets, self.columns.ticketTime, .tickets, amounts: nil, limit: limit).count)))
        }
        let table = try FusionError.wrap { try Table(columns: columns) }
        return CustomerProfile(table: table, summary: summary)
    }

    /// Rows per customer and the sum of their amounts (NaN skipped), counting rows at or before `limit`
    /// when the table has a time column (rows without a time count).
    private func perCustomer(
        _ customer: [Int32], _ table: Table, _ timeColumn: String?, _ role: FusionRole, amounts: [Double]?, limit: Int64
    ) throws(FusionError) -> (count: [Int64], sum: [Double]) {
        // Times are read only when a date limits the profile.
        let times = limit == .max ? nil : try timeColumn.map { (name) throws(FusionError) in try Fusion.times(table, name, role: role) }
        var count = [Int64](repeating: 0, count: customerCount), sum = [Double](repeating: 0, count: customerCount)
        for row in 0..<customer.count {
            let c = Int(customer[row])
            guard c >= 0, (times?[row] ?? .min) <= limit else { continue }
            count[c] += 1
            if let amounts, !amounts[row].isNaN { sum[c] += amounts[row] }
        }
        return (count, sum)
    }
}
