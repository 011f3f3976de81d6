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

        // Answers: each run is in time order, so the answers at or before the limit are a prefix of it.
        let a = answerFacts
        var answered = [Int](repeating: 0, count: n + 1)  // customer c's answers up to the limit end at answered[c]
        var responses = ContiguousArray<Int64>(repeating: 0, count: n)
        var lastAnswer = NullableColumn<Timestamp>(count: n, zero: Timestamp(microsecondsSinceEpoch: 0))
        for c in 0..<n {
            let run = a.runs.run(c)
            var end = run.upperBound
            while end > run.lowerBound && a.time[end - 1] > limit { end -= 1 }
            answered[c] = end
            responses[c] = Int64(end - run.lowerBound)
            if end > run.lowerBound && a.time[end - 1] != .min { lastAnswer.set(c, Timestamp(microsecondsSinceEpoch: a.time[end - 1])) }
        }
        if self.columns.nps != nil {
            let (segment, latest) = try segments(asOf: profileOptions.asOf?.microsecondsSinceEpoch)
            var counts = [Int](repeating: 0, count: CustomerSegment.allCases.count)
            var codes = [UInt32](repeating: 0, count: n)
            var latestNPS = NullableColumn<Int64>(count: n, zero: 0)
            for c in 0..<n {
                let k = segment[c].nameOrder
                counts[k] += 1
                codes[c] = UInt32(k)
                if latest[c] >= 0 { latestNPS.set(c, latest[c]) }
            }
            for s in CustomerSegment.allCases where counts[s.nameOrder] > 0 { summary.segments[s] = counts[s.nameOrder] }
            summary.withNPS = n - counts[CustomerSegment.none.nameOrder]
            columns.append(("segment", try FusionError.wrap { try Column.string(codes: codes, dictionary: CustomerSegment.allCases.map(\.rawValue)) }))
            columns.append(("latest_nps", latestNPS.int64))
        }
        // Means over all of a customer's answers (scores were checked against their scales when the fusion was built).
        func mean(_ value: (Int) -> Double?) -> Column {
            var out = NullableColumn<Double>(count: n, zero: 0)
            for c in 0..<n {
                var sum = 0.0, count = 0
                for i in a.runs.run(c).lowerBound..<answered[c] {
                    guard let v = value(i) else { continue }
                    sum += v
                    count += 1
                }
                if count > 0 { out.set(c, sum / Double(count)) }
            }
            return out.double
        }
        if self.columns.csat != nil { columns.append(("mean_csat", a.csat.withUnsafeBufferPointer { v in mean { v[$0] == AnswerFacts.null ? nil : Double(v[$0]) } })) }
        if self.columns.ces != nil { columns.append(("mean_ces", a.ces.withUnsafeBufferPointer { v in mean { v[$0] == AnswerFacts.null ? nil : Double(v[$0]) } })) }
        if self.columns.sentiment != nil { columns.append(("mean_sentiment", a.sentiment.withUnsafeBufferPointer { v in mean { v[$0].isNaN ? nil : v[$0] } })) }
        summary.withAnswers = responses.lazy.filter { $0 > 0 }.count
        columns.append(("response_count", .int64(values: responses, validity: nil)))
        columns.append(("last_answer_at", lastAnswer.timestamp))

        // Orders: completed ones at or before the limit (a time-ordered prefix of each run).
        var completed: ContiguousArray<Int64>?
        if orders != nil {
            let o = orderFacts
            var count = ContiguousArray<Int64>(repeating: 0, count: n), returned = ContiguousArray<Int64>(repeating: 0, count: n)
            var revenue = ContiguousArray<Double>(repeating: 0, count: n)
            var last = NullableColumn<Timestamp>(count: n, zero: Timestamp(microsecondsSinceEpoch: 0))
            var rate = NullableColumn<Double>(count: n, zero: 0)
            var repeatPurchase = ContiguousArray<Bool>(repeating: false, count: n)
            var total = CompensatedSum()
            o.time.withUnsafeBufferPointer { time in
                o.amount.withUnsafeBufferPointer { amount in
                    o.completed.withUnsafeBufferPointer { isCompleted in
                        o.returned.withUnsafeBufferPointer { isReturned in
                            for c in 0..<n {
                                var orders: Int64 = 0, returns: Int64 = 0, sum = 0.0, latest = Int64.min
                                for i in o.runs.run(c) where isCompleted[i] {
                                    let t = time[i]
                                    if t > limit { break }
                                    orders += 1
                                    if isReturned[i] { returns += 1 }
                                    if !amount[i].isNaN { sum += amount[i] }
                                    latest = t
                                }
                                count[c] = orders
                                returned[c] = returns
                                revenue[c] = sum
                                total.add(sum)
                                repeatPurchase[c] = orders >= 2
                                if latest != .min { last.set(c, Timestamp(microsecondsSinceEpoch: latest)) }
                                if orders > 0 { rate.set(c, Double(returns) / Double(orders)) }
                            }
                        }
                    }
                }
            }
            summary.withOrders = count.lazy.filter { $0 > 0 }.count
            summary.completedOrders = Int(count.reduce(0, +))
            summary.returnedOrders = Int(returned.reduce(0, +))
            summary.revenue = total.value
            columns.append(("order_count", .int64(values: count, validity: nil)))
            columns.append(("revenue", .double(values: revenue, validity: nil)))
            columns.append(("last_order_at", last.timestamp))
            columns.append(("returned_orders", .int64(values: returned, validity: nil)))
            columns.append(("return_rate", rate.double))
            columns.append(("repeat_purchase", .bool(values: repeatPurchase)))
            completed = count
        }
        if let returns {
            let (count, amount) = try perCustomer(returnFacts, returns, self.columns.returnTime, .returns, limit: limit)
            columns.append(("return_count", .int64(values: count, validity: nil)))
            columns.append(("returned_amount", .double(values: amount, validity: nil)))
        }
        if let carts {
            let (count, value) = try perCustomer(cartFacts, carts, self.columns.cartTime, .carts, limit: limit)
            columns.append(("cart_count", .int64(values: count, validity: nil)))
            columns.append(("cart_value", .double(values: value, validity: nil)))
            if let completed {
                var rate = NullableColumn<Double>(count: n, zero: 0)
                for c in 0..<n where count[c] + completed[c] > 0 { rate.set(c, Double(count[c]) / Double(count[c] + completed[c])) }
                columns.append(("abandonment_rate", rate.double))
            }
        }
        if let tickets {
            columns.append(("ticket_count", .int64(values: try perCustomer(ticketFacts, tickets, self.columns.ticketTime, .tickets, limit: limit).count, validity: nil)))
        }
        let table = try FusionError.wrap { try Table(columns: columns) }
        return CustomerProfile(table: table, summary: summary)
    }

    /// Rows per customer and the sum of their amounts (NaN skipped), counting rows at or before `limit`
    /// when the table has a time column (rows without a time count).
    private func perCustomer(
        _ facts: AmountFacts, _ table: Table, _ timeColumn: String?, _ role: FusionRole, limit: Int64
    ) throws(FusionError) -> (count: ContiguousArray<Int64>, sum: ContiguousArray<Double>) {
        // Times are read only when a date limits the profile.
        let times = limit == .max ? nil : try timeColumn.map { (name) throws(FusionError) in facts.runs.gather(try Fusion.times(table, name, role: role)) }
        var count = ContiguousArray<Int64>(repeating: 0, count: customerCount), sum = ContiguousArray<Double>(repeating: 0, count: customerCount)
        let amounts = facts.amount
        for c in 0..<customerCount {
            let run = facts.runs.run(c)
            var rows: Int64 = 0, total = 0.0
            for i in run where (times?[i] ?? .min) <= limit {
                rows += 1
                if !amounts.isEmpty && !amounts[i].isNaN { total += amounts[i] }
            }
            count[c] = rows
            sum[c] = total
        }
        return (count, sum)
    }
}

/// A column's values and validity filled slot by slot: every slot starts null (holding `zero`).
struct NullableColumn<Value> {
    private(set) var values: ContiguousArray<Value>
    private(set) var validity: ValidityBitmap

    init(count: Int, zero: Value) {
        values = ContiguousArray(repeating: zero, count: count)
        validity = ValidityBitmap(repeating: false, count: count)
    }

    @inline(__always) mutating func set(_ i: Int, _ value: Value) {
        values[i] = value
        validity[i] = true
    }
}

extension NullableColumn where Value == Double {
    var double: Column { .double(values: values, validity: validity) }
}

extension NullableColumn where Value == Int64 {
    var int64: Column { .int64(values: values, validity: validity) }
}

extension NullableColumn where Value == Timestamp {
    var timestamp: Column { .timestamp(values: values, validity: validity) }
}
