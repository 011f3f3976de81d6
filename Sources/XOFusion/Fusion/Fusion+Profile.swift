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
        // Times of returns, carts and tickets are read only when a date limits the profile.
        func times(_ facts: AmountFacts, _ table: Table?, _ column: String?, _ role: FusionRole) throws(FusionError) -> [Int64]? {
            guard limit != .max, let table, let column else { return nil }
            return facts.runs.gather(try Fusion.times(table, column, role: role), threads: options.threadCount)
        }
        let returnTimes = try times(returnFacts, returns, self.columns.returnTime, .returns)
        let cartTimes = try times(cartFacts, carts, self.columns.cartTime, .carts)
        let ticketTimes = try times(ticketFacts, tickets, self.columns.ticketTime, .tickets)

        // Customer ranges in parallel, each filling its own part; the parts are joined in order.
        let parts = Partitions.map(CustomerPartitions.ranges(n), threads: options.threadCount) { range in
            profilePart(range, limit: limit, returnTimes: returnTimes, cartTimes: cartTimes, ticketTimes: ticketTimes)
        }
        var whole = parts[0]
        for part in parts.dropFirst() { whole.append(part) }

        var summary = ProfileSummary()
        summary.customers = n
        var columns: [(name: String, column: Column)] = [(self.columns.customerID, try FusionError.wrap { try customers.kernelColumn(self.columns.customerID) })]
        if self.columns.nps != nil {
            var counts = [Int](repeating: 0, count: CustomerSegment.allCases.count)
            for code in whole.segment { counts[Int(code)] += 1 }
            for s in CustomerSegment.allCases where counts[s.nameOrder] > 0 { summary.segments[s] = counts[s.nameOrder] }
            summary.withNPS = n - counts[CustomerSegment.none.nameOrder]
            columns.append(("segment", try FusionError.wrap { try Column.string(codes: Array(whole.segment), dictionary: CustomerSegment.allCases.map(\.rawValue)) }))
            columns.append(("latest_nps", whole.latestNPS.int64))
        }
        if self.columns.csat != nil { columns.append(("mean_csat", whole.meanCSAT.double)) }
        if self.columns.ces != nil { columns.append(("mean_ces", whole.meanCES.double)) }
        if self.columns.sentiment != nil { columns.append(("mean_sentiment", whole.meanSentiment.double)) }
        summary.withAnswers = whole.responses.lazy.filter { $0 > 0 }.count
        columns.append(("response_count", .int64(values: whole.responses, validity: nil)))
        columns.append(("last_answer_at", whole.lastAnswer.timestamp))
        if orders != nil {
            summary.withOrders = whole.orders.lazy.filter { $0 > 0 }.count
            summary.completedOrders = Int(whole.orders.reduce(0, +))
            summary.returnedOrders = Int(whole.returnedOrders.reduce(0, +))
            var total = CompensatedSum()
            for r in whole.revenue { total.add(r) }
            summary.revenue = total.value
            columns.append(("order_count", .int64(values: whole.orders, validity: nil)))
            columns.append(("revenue", .double(values: whole.revenue, validity: nil)))
            columns.append(("last_order_at", whole.lastOrder.timestamp))
            columns.append(("returned_orders", .int64(values: whole.returnedOrders, validity: nil)))
            columns.append(("return_rate", whole.returnRate.double))
            columns.append(("repeat_purchase", .bool(values: whole.repeatPurchase)))
        }
        if returns != nil {
            columns.append(("return_count", .int64(values: whole.returnRows, validity: nil)))
            columns.append(("returned_amount", .double(values: whole.returnedAmount, validity: nil)))
        }
        if carts != nil {
            columns.append(("cart_count", .int64(values: whole.carts, validity: nil)))
            columns.append(("cart_value", .double(values: whole.cartValue, validity: nil)))
            if orders != nil { columns.append(("abandonment_rate", whole.abandonmentRate.double)) }
        }
        if tickets != nil { columns.append(("ticket_count", .int64(values: whole.tickets, validity: nil))) }
        let table = try FusionError.wrap { try Table(columns: columns) }
        return CustomerProfile(table: table, summary: summary)
    }

    /// The profile of the customers in `range`: one scan of each customer's runs. Every run is in time
    /// order, so the answers and orders at or before `limit` are a prefix of it; scores were checked
    /// against their scales when the fusion was built.
    private func profilePart(_ range: Range<Int>, limit: Int64, returnTimes: [Int64]?, cartTimes: [Int64]?, ticketTimes: [Int64]?) -> ProfilePart {
        var part = ProfilePart(count: range.count)
        let a = answerFacts, o = orderFacts
        let hasNPS = !a.nps.isEmpty, hasCSAT = !a.csat.isEmpty, hasCES = !a.ces.isEmpty, hasSentiment = !a.sentiment.isEmpty
        let npsScale = mapping.answers.npsScale
        for c in range {
            let k = c - range.lowerBound

            // Answers up to the limit.
            let answers = a.runs.run(c)
            var end = answers.upperBound
            while end > answers.lowerBound && a.time[end - 1] > limit { end -= 1 }
            part.responses[k] = Int64(end - answers.lowerBound)
            if end > answers.lowerBound && a.time[end - 1] != .min { part.lastAnswer.set(k, Timestamp(microsecondsSinceEpoch: a.time[end - 1])) }
            if hasNPS {
                var i = end
                while i > answers.lowerBound {
                    i -= 1
                    if a.time[i] == .min { break }  // null times sort first and have no place in time
                    guard a.nps[i] != AnswerFacts.null else { continue }
                    part.segment[k] = UInt32(CustomerSegment(npsScale.npsClass(of: a.nps[i])).nameOrder)
                    part.latestNPS.set(k, a.nps[i])
                    break
                }
            }
            var csat = (0.0, 0), ces = (0.0, 0), sentiment = (0.0, 0)
            for i in answers.lowerBound..<end {
                if hasCSAT && a.csat[i] != AnswerFacts.null { csat = (csat.0 + Double(a.csat[i]), csat.1 + 1) }
                if hasCES && a.ces[i] != AnswerFacts.null { ces = (ces.0 + Double(a.ces[i]), ces.1 + 1) }
                if hasSentiment && !a.sentiment[i].isNaN { sentiment = (sentiment.0 + a.sentiment[i], sentiment.1 + 1) }
            }
            if csat.1 > 0 { part.meanCSAT.set(k, csat.0 / Double(csat.1)) }
            if ces.1 > 0 { part.meanCES.set(k, ces.0 / Double(ces.1)) }
            if sentiment.1 > 0 { part.meanSentiment.set(k, sentiment.0 / Double(sentiment.1)) }

            // Completed orders up to the limit.
            var orders: Int64 = 0, returned: Int64 = 0, revenue = 0.0, latest = Int64.min
            for i in o.runs.run(c) where o.completed[i] {
                let t = o.time[i]
                if t > limit { break }
                orders += 1
                if o.returned[i] { returned += 1 }
                if !o.amount[i].isNaN { revenue += o.amount[i] }
                latest = t
            }
            part.orders[k] = orders
            part.returnedOrders[k] = returned
            part.revenue[k] = revenue
            part.repeatPurchase[k] = orders >= 2
            if latest != .min { part.lastOrder.set(k, Timestamp(microsecondsSinceEpoch: latest)) }
            if orders > 0 { part.returnRate.set(k, Double(returned) / Double(orders)) }

            // Return rows, carts and tickets (rows without a time count).
            (part.returnRows[k], part.returnedAmount[k]) = Fusion.rowsAndSum(returnFacts, customer: c, times: returnTimes, limit: limit)
            (part.carts[k], part.cartValue[k]) = Fusion.rowsAndSum(cartFacts, customer: c, times: cartTimes, limit: limit)
            part.tickets[k] = Fusion.rowsAndSum(ticketFacts, customer: c, times: ticketTimes, limit: limit).rows
            let shopped = part.carts[k] + orders
            if shopped > 0 { part.abandonmentRate.set(k, Double(part.carts[k]) / Double(shopped)) }
        }
        return part
    }

    /// Customer `c`'s rows of a role at or before `limit` (all of them without `times`), and the sum of their amounts (NaN skipped).
    @inline(__always)
    private static func rowsAndSum(_ facts: AmountFacts, customer c: Int, times: [Int64]?, limit: Int64) -> (rows: Int64, sum: Double) {
        let run = facts.runs.run(c)
        guard times != nil || !facts.amount.isEmpty else { return (Int64(run.count), 0) }
        var rows: Int64 = 0, sum = 0.0
        for i in run where (times?[i] ?? .min) <= limit {
            rows += 1
            if !facts.amount.isEmpty && !facts.amount[i].isNaN { sum += facts.amount[i] }
        }
        return (rows, sum)
    }
}

/// The profile columns of a range of customers (see ``Fusion/customerProfile(options:)``).
private struct ProfilePart {
    var responses: ContiguousArray<Int64>, lastAnswer: NullableColumn<Timestamp>
    var segment: ContiguousArray<UInt32>, latestNPS: NullableColumn<Int64>
    var meanCSAT: NullableColumn<Double>, meanCES: NullableColumn<Double>, meanSentiment: NullableColumn<Double>
    var orders: ContiguousArray<Int64>, returnedOrders: ContiguousArray<Int64>, revenue: ContiguousArray<Double>
    var lastOrder: NullableColumn<Timestamp>, returnRate: NullableColumn<Double>, repeatPurchase: ContiguousArray<Bool>
    var returnRows: ContiguousArray<Int64>, returnedAmount: ContiguousArray<Double>
    var carts: ContiguousArray<Int64>, cartValue: ContiguousArray<Double>, abandonmentRate: NullableColumn<Double>
    var tickets: ContiguousArray<Int64>

    init(count n: Int) {
        let zeros = ContiguousArray<Int64>(repeating: 0, count: n), noAmounts = ContiguousArray<Double>(repeating: 0, count: n)
        let noTime = NullableColumn<Timestamp>(count: n, zero: Timestamp(microsecondsSinceEpoch: 0)), noValue = NullableColumn<Double>(count: n, zero: 0)
        (responses, lastAnswer) = (zeros, noTime)
        (segment, latestNPS) = (ContiguousArray(repeating: UInt32(CustomerSegment.none.nameOrder), count: n), NullableColumn(count: n, zero: 0))
        (meanCSAT, meanCES, meanSentiment) = (noValue, noValue, noValue)
        (orders, returnedOrders, revenue) = (zeros, zeros, noAmounts)
        (lastOrder, returnRate, repeatPurchase) = (noTime, noValue, ContiguousArray(repeating: false, count: n))
        (returnRows, returnedAmount, carts, cartValue, abandonmentRate, tickets) = (zeros, noAmounts, zeros, noAmounts, noValue, zeros)
    }

    /// Appends the next range's part.
    mutating func append(_ next: ProfilePart) {
        responses += next.responses
        lastAnswer.append(next.lastAnswer)
        segment += next.segment
        latestNPS.append(next.latestNPS)
        meanCSAT.append(next.meanCSAT)
        meanCES.append(next.meanCES)
        meanSentiment.append(next.meanSentiment)
        orders += next.orders
        returnedOrders += next.returnedOrders
        revenue += next.revenue
        lastOrder.append(next.lastOrder)
        returnRate.append(next.returnRate)
        repeatPurchase += next.repeatPurchase
        returnRows += next.returnRows
        returnedAmount += next.returnedAmount
        carts += next.carts
        cartValue += next.cartValue
        abandonmentRate.append(next.abandonmentRate)
        tickets += next.tickets
    }
}

/// Customer ranges for the analyses' parallel passes: a fixed number for a given customer count (so
/// that no answer depends on the thread count), each starting on a multiple of 64 so that the parts'
/// validity bitmaps join word by word.
enum CustomerPartitions {
    static func ranges(_ n: Int) -> [Range<Int>] {
        let k = n < Partitions.minimumRows ? 1 : 8
        var bounds = (0...k).map { ($0 * n / k) & ~63 }
        bounds[k] = n
        return (0..<k).map { bounds[$0]..<bounds[$0 + 1] }
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

    /// Appends another column's slots.
    mutating func append(_ other: NullableColumn) {
        values += other.values
        validity.append(contentsOf: other.validity)
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
