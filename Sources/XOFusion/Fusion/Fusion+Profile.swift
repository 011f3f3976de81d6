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
            return Fusion.gather(try Fusion.timeValues(table, column, role: role), facts.runs, threads: options.threadCount)
        }
        let returnTimes = try times(returnFacts, returns, self.columns.returnTime, .returns)
        let cartTimes = try times(cartFacts, carts, self.columns.cartTime, .carts)
        let ticketTimes = try times(ticketFacts, tickets, self.columns.ticketTime, .tickets)

        // Two independent groups of columns, each one pass per role in run order (answers with return rows and
        // tickets; orders with carts, which hold about as many bytes), on up to two threads: every column is
        // computed by one loop, whatever the thread count.
        var answers: AnswerColumns?, bought: OrderColumns?, returned: AmountColumns?, carted: AmountColumns?, ticketed: AmountColumns?
        let tasks = Partitions.map([0..<1, 1..<2], threads: options.threadCount) { task -> ProfileTask in
            task.lowerBound == 0
                ? .answers(answerColumns(limit: limit), returns: amountColumns(returnFacts, of: returns, times: returnTimes, limit: limit),
                           tickets: amountColumns(ticketFacts, of: tickets, times: ticketTimes, limit: limit))
                : .orders(orderColumns(limit: limit), carts: amountColumns(cartFacts, of: carts, times: cartTimes, limit: limit))
        }
        for task in tasks {
            switch task {
            case .answers(let a, let r, let t): (answers, returned, ticketed) = (a, r, t)
            case .orders(let o, let c): (bought, carted) = (o, c)
            }
        }
        let rows = RowColumns(returns: returned!, carts: carted!, tickets: ticketed!)

        var summary = ProfileSummary()
        summary.customers = n
        var columns: [(name: String, column: Column)] = [(self.columns.customerID, try FusionError.wrap { try customers.kernelColumn(self.columns.customerID) })]
        if self.columns.nps != nil {
            var counts = [Int](repeating: 0, count: CustomerSegment.allCases.count)
            for code in answers!.segment { counts[Int(code)] += 1 }
            for s in CustomerSegment.allCases where counts[s.nameOrder] > 0 { summary.segments[s] = counts[s.nameOrder] }
            summary.withNPS = n - counts[CustomerSegment.none.nameOrder]
            columns.append(("segment", try FusionError.wrap { try Column.string(codes: Array(answers!.segment), dictionary: CustomerSegment.allCases.map(\.rawValue)) }))
            columns.append(("latest_nps", answers!.latestNPS.int64))
        }
        if self.columns.csat != nil { columns.append(("mean_csat", answers!.meanCSAT.double)) }
        if self.columns.ces != nil { columns.append(("mean_ces", answers!.meanCES.double)) }
        if self.columns.sentiment != nil { columns.append(("mean_sentiment", answers!.meanSentiment.double)) }
        summary.withAnswers = answers!.responses.lazy.filter { $0 > 0 }.count
        columns.append(("response_count", .int64(values: answers!.responses, validity: nil)))
        columns.append(("last_answer_at", answers!.lastAnswer.timestamp))
        if orders != nil {
            summary.withOrders = bought!.orders.lazy.filter { $0 > 0 }.count
            summary.completedOrders = Int(bought!.orders.reduce(0, +))
            summary.returnedOrders = Int(bought!.returnedOrders.reduce(0, +))
            var total = CompensatedSum()
            for r in bought!.revenue { total.add(r) }
            summary.revenue = total.value
            columns.append(("order_count", .int64(values: bought!.orders, validity: nil)))
            columns.append(("revenue", .double(values: bought!.revenue, validity: nil)))
            columns.append(("last_order_at", bought!.lastOrder.timestamp))
            columns.append(("returned_orders", .int64(values: bought!.returnedOrders, validity: nil)))
            columns.append(("return_rate", bought!.returnRate.double))
            columns.append(("repeat_purchase", .bool(values: bought!.repeatPurchase)))
        }
        if returns != nil {
            columns.append(("return_count", .int64(values: rows.returnRows, validity: nil)))
            columns.append(("returned_amount", .double(values: rows.returnedAmount, validity: nil)))
        }
        if carts != nil {
            columns.append(("cart_count", .int64(values: rows.carts, validity: nil)))
            columns.append(("cart_value", .double(values: rows.cartValue, validity: nil)))
            if orders != nil {
                var rate = NullableColumn<Double>(count: n, zero: 0)
                for c in 0..<n where rows.carts[c] + bought!.orders[c] > 0 { rate.set(c, Double(rows.carts[c]) / Double(rows.carts[c] + bought!.orders[c])) }
                columns.append(("abandonment_rate", rate.double))
            }
        }
        if tickets != nil { columns.append(("ticket_count", .int64(values: rows.tickets, validity: nil))) }
        let table = try FusionError.wrap { try Table(columns: columns) }
        return CustomerProfile(table: table, summary: summary)
    }

    /// The answer columns: one scan of each customer's run. Runs are in time order, so the answers at or
    /// before `limit` are a prefix; scores were checked against their scales when the fusion was built.
    private func answerColumns(limit: Int64) -> AnswerColumns {
        let n = customerCount
        var out = AnswerColumns(count: n)
        let a = answerFacts
        let hasNPS = !a.nps.isEmpty, hasCSAT = !a.csat.isEmpty, hasCES = !a.ces.isEmpty, hasSentiment = !a.sentiment.isEmpty
        let npsScale = mapping.answers.npsScale
        // Buffers, not arrays, in the loop: no bounds checks on the reads (a role without a score has an empty one).
        a.time.withUnsafeBufferPointer { time in a.nps.withUnsafeReader { nps in a.csat.withUnsafeReader { csatScores in
        a.ces.withUnsafeReader { cesScores in a.sentiment.withUnsafeBufferPointer { sentiments in
            for c in 0..<n {
                let run = a.runs.run(c)
                var end = run.upperBound
                while end > run.lowerBound && time[end - 1] > limit { end -= 1 }
                out.responses[c] = Int64(end - run.lowerBound)
                if end > run.lowerBound && time[end - 1] != .min { out.lastAnswer.set(c, Timestamp(microsecondsSinceEpoch: time[end - 1])) }
                if hasNPS {
                    // The latest answer with an NPS at or before the limit: the last such of the time-ordered run
                    // (as `latestAnswer(of:atOrBefore:where:)`; answers without a time sort first and never qualify).
                    var i = end
                    while i > run.lowerBound, time[i - 1] != .min {
                        i -= 1
                        guard nps[i] != AnswerFacts.null else { continue }
                        out.segment[c] = UInt32(CustomerSegment(npsScale.npsClass(of: nps[i])).nameOrder)
                        out.latestNPS.set(c, nps[i])
                        break
                    }
                }
                var csat = (0.0, 0), ces = (0.0, 0), sentiment = (0.0, 0)
                for i in run.lowerBound..<end {
                    if hasCSAT && csatScores[i] != AnswerFacts.null { csat = (csat.0 + Double(csatScores[i]), csat.1 + 1) }
                    if hasCES && cesScores[i] != AnswerFacts.null { ces = (ces.0 + Double(cesScores[i]), ces.1 + 1) }
                    if hasSentiment && !sentiments[i].isNaN { sentiment = (sentiment.0 + sentiments[i], sentiment.1 + 1) }
                }
                if csat.1 > 0 { out.meanCSAT.set(c, csat.0 / Double(csat.1)) }
                if ces.1 > 0 { out.meanCES.set(c, ces.0 / Double(ces.1)) }
                if sentiment.1 > 0 { out.meanSentiment.set(c, sentiment.0 / Double(sentiment.1)) }
            }
        } } } } }
        return out
    }

    /// The order columns: each customer's completed orders at or before `limit` (a time-ordered prefix of the run).
    private func orderColumns(limit: Int64) -> OrderColumns {
        let n = customerCount
        var out = OrderColumns(count: n)
        let o = orderFacts
        o.time.withUnsafeReader { time in
            o.amount.withUnsafeReader { amount in
                o.completed.withUnsafeBufferPointer { completed in
                    o.returned.withUnsafeBufferPointer { isReturned in
                        for c in 0..<n {
                            var orders: Int64 = 0, returned: Int64 = 0, revenue = 0.0, latest = Int64.min
                            for i in o.runs.run(c) where completed[i] {
                                let t = time[i]
                                if t > limit { break }
                                orders += 1
                                if isReturned[i] { returned += 1 }
                                if !amount[i].isNaN { revenue += amount[i] }
                                latest = t
                            }
                            out.orders[c] = orders
                            out.returnedOrders[c] = returned
                            out.revenue[c] = revenue
                            out.repeatPurchase[c] = orders >= 2
                            if latest != .min { out.lastOrder.set(c, Timestamp(microsecondsSinceEpoch: latest)) }
                            if orders > 0 { out.returnRate.set(c, Double(returned) / Double(orders)) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Rows of a role per customer at or before `limit` (rows without a time count), and their amounts.
    private func amountColumns(_ facts: AmountFacts, of table: Table?, times: [Int64]?, limit: Int64) -> AmountColumns {
        let n = customerCount
        var out = AmountColumns(count: table == nil ? 0 : n)
        guard table != nil else { return out }
        for c in 0..<n { (out.rows[c], out.sum[c]) = Fusion.rowsAndSum(facts, customer: c, times: times, limit: limit) }
        return out
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

/// The answer columns of a profile.
private struct AnswerColumns {
    var responses: ContiguousArray<Int64>, lastAnswer: NullableColumn<Timestamp>
    var segment: ContiguousArray<UInt32>, latestNPS: NullableColumn<Int64>
    var meanCSAT: NullableColumn<Double>, meanCES: NullableColumn<Double>, meanSentiment: NullableColumn<Double>

    init(count n: Int) {
        (responses, lastAnswer) = (ContiguousArray(repeating: 0, count: n), NullableColumn(count: n, zero: Timestamp(microsecondsSinceEpoch: 0)))
        (segment, latestNPS) = (ContiguousArray(repeating: UInt32(CustomerSegment.none.nameOrder), count: n), NullableColumn(count: n, zero: 0))
        (meanCSAT, meanCES, meanSentiment) = (NullableColumn(count: n, zero: 0), NullableColumn(count: n, zero: 0), NullableColumn(count: n, zero: 0))
    }
}

/// The completed-order columns of a profile.
private struct OrderColumns {
    var orders: ContiguousArray<Int64>, returnedOrders: ContiguousArray<Int64>, revenue: ContiguousArray<Double>
    var lastOrder: NullableColumn<Timestamp>, returnRate: NullableColumn<Double>, repeatPurchase: ContiguousArray<Bool>

    init(count n: Int) {
        (orders, returnedOrders, revenue) = (ContiguousArray(repeating: 0, count: n), ContiguousArray(repeating: 0, count: n), ContiguousArray(repeating: 0, count: n))
        (lastOrder, returnRate) = (NullableColumn(count: n, zero: Timestamp(microsecondsSinceEpoch: 0)), NullableColumn(count: n, zero: 0))
        repeatPurchase = ContiguousArray(repeating: false, count: n)
    }
}

/// Rows of one role per customer, and the sum of their amounts.
private struct AmountColumns {
    var rows: ContiguousArray<Int64>, sum: ContiguousArray<Double>
    init(count n: Int) { (rows, sum) = (ContiguousArray(repeating: 0, count: n), ContiguousArray(repeating: 0, count: n)) }
}

/// The return, cart and ticket columns of a profile.
private struct RowColumns {
    var returnRows: ContiguousArray<Int64>, returnedAmount: ContiguousArray<Double>
    var carts: ContiguousArray<Int64>, cartValue: ContiguousArray<Double>, tickets: ContiguousArray<Int64>

    init(returns: AmountColumns, carts: AmountColumns, tickets: AmountColumns) {
        (returnRows, returnedAmount) = (returns.rows, returns.sum)
        (self.carts, cartValue, self.tickets) = (carts.rows, carts.sum, tickets.rows)
    }
}

/// One group of profile columns, computed on its own thread.
private enum ProfileTask {
    case answers(AnswerColumns, returns: AmountColumns, tickets: AmountColumns)
    case orders(OrderColumns, carts: AmountColumns)
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
