import Testing
import XOFusion
import XOFusionSampleData

/// The fusion groups every role by customer and the analyses run over customer
/// ranges in parallel (see `CustomerRuns`). These tests use enough customers for
/// several ranges, and inputs in any row order.
@Suite struct ClusteredLayoutTests {
    static let data = SampleData.generate(SampleDataOptions(customers: 70_000, seed: 5))

    /// The profile of 70,000 customers (eight ranges, joined) against a row-by-row reference.
    @Test func aLargeProfileMatchesARowByRowReference() throws {
        let d = Self.data
        let profile = try d.fusion(options: KernelOptions(threads: 2)).customerProfile().table
        let ids = d.customers["customer_id"]!.stringValues!
        var index: [String: Int] = [:]
        for (row, id) in ids.enumerated() { index[id!] = row }
        let n = ids.count

        var responses = [Int64](repeating: 0, count: n), latest = [(time: Int64, id: String, nps: Int64)?](repeating: nil, count: n)
        var csat = [(sum: Double, n: Int)](repeating: (0, 0), count: n)
        let answerCustomer = d.answers["customer_id"]!.stringValues!, answerTime = d.answers["responded_at"]!.timestampValues!
        let responseID = d.answers["response_id"]!.stringValues!, nps = d.answers["nps"]!.int64Values!, csatValues = d.answers["csat"]!.int64Values!
        for row in 0..<d.answers.rowCount {
            let c = index[answerCustomer[row]!]!, t = answerTime[row]!.microsecondsSinceEpoch
            responses[c] += 1
            if let v = csatValues[row] { csat[c] = (csat[c].sum + Double(v), csat[c].n + 1) }
            if let v = nps[row], latest[c].map({ ($0.time, $0.id) < (t, responseID[row]!) }) ?? true { latest[c] = (t, responseID[row]!, v) }
        }
        var orders = [Int64](repeating: 0, count: n), revenue = [Double](repeating: 0, count: n), last = [Int64?](repeating: nil, count: n)
        let orderCustomer = d.orders["customer_id"]!.stringValues!, orderTime = d.orders["ordered_at"]!.timestampValues!
        let status = d.orders["status"]!.stringValues!, amount = d.orders["amount"]!.decimalValues!
        for row in 0..<d.orders.rowCount where status[row] == "completed" {
            let c = index[orderCustomer[row]!]!, t = orderTime[row]!.microsecondsSinceEpoch
            orders[c] += 1
            revenue[c] += Double(amount.units[row]!) / 100
            last[c] = max(last[c] ?? .min, t)
        }
        var carts = [Int64](repeating: 0, count: n)
        for id in d.carts["customer_id"]!.stringValues! { if let id { carts[index[id]!] += 1 } }

        #expect(profile["response_count"]!.int64Values!.map { $0! } == responses)
        #expect(profile["latest_nps"]!.int64Values!.map { $0 } == latest.map { $0?.nps })
        #expect(profile["order_count"]!.int64Values!.map { $0! } == orders)
        #expect(profile["last_order_at"]!.timestampValues!.map { $0?.microsecondsSinceEpoch } == last)
        #expect(profile["cart_count"]!.int64Values!.map { $0! } == carts)
        let meanCSAT = profile["mean_csat"]!.doubleValues!, profileRevenue = profile["revenue"]!.doubleValues!
        var mismatches = 0
        for c in 0..<n {
            let expected = csat[c].n > 0 ? csat[c].sum / Double(csat[c].n) : nil
            if (meanCSAT[c] == nil) != (expected == nil) || abs((meanCSAT[c] ?? 0) - (expected ?? 0)) > 1e-12 { mismatches += 1 }
            if abs(profileRevenue[c]! - revenue[c]) > 1e-9 * max(1, revenue[c]) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(profile.rowCount == n && n == 70_000)
    }

    /// Every analysis gives the same answer on the same rows in another order, with any thread count:
    /// each customer's runs are put in time order (ties by response id) whatever order the rows come in.
    @Test func rowOrderAndThreadCountDoNotChangeTheAnswers() throws {
        let d = Self.data
        func shuffled(_ table: Table, seed: UInt64) throws -> Table {
            var state = seed
            var rows = Array(0..<table.rowCount)
            for i in stride(from: rows.count - 1, to: 0, by: -1) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                rows.swapAt(i, Int((state >> 33) % UInt64(i + 1)))
            }
            return try Table(columns: table.schema.names.map { ($0, table[$0]!.gathered(rows: rows.map { Optional($0) })) })
        }
        let original = try d.fusion(options: KernelOptions(threads: 1))
        let mixed = try Fusion(
            customers: d.customers, answers: try shuffled(d.answers, seed: 1), orders: try shuffled(d.orders, seed: 2),
            returns: try shuffled(d.returns, seed: 3), carts: try shuffled(d.carts, seed: 4), options: KernelOptions(threads: 2))
        func close(_ a: Table, _ b: Table) -> Bool {
            guard a.schema == b.schema, a.rowCount == b.rowCount else { return false }
            for name in a.schema.names {
                let (x, y) = (a[name]!, b[name]!)
                if let u = x.doubleValues, let v = y.doubleValues {
                    // Sums in another order differ in the last bits.
                    for i in 0..<u.count where (u[i] == nil) != (v[i] == nil) || abs((u[i] ?? 0) - (v[i] ?? 0)) > 1e-9 * max(1, abs(u[i] ?? 0)) { return false }
                } else if x != y {
                    return false
                }
            }
            return true
        }
        #expect(close(try original.customerProfile().table, try mixed.customerProfile().table))
        #expect(close(try original.scorecard().table, try mixed.scorecard().table))
        #expect(close(try original.attribution().table, try mixed.attribution().table))
        #expect(close(try original.trend(options: TrendOptions(period: .month, dimension: "region")).table,
                      try mixed.trend(options: TrendOptions(period: .month, dimension: "region")).table))
        #expect(close(try original.journey().table, try mixed.journey().table))
    }
}

/// Orders timed by a date column (and one without a time, and an amount as a double) are grouped like
/// orders timed by timestamps at midnight.
@Suite struct DateTimedOrdersTests {
    @Test func dateColumnsActAsMidnightTimestamps() throws {
        let stamps = HandExample.orders["ordered_at"]!.timestampValues!
        let days: [CivilDate?] = (0..<stamps.count).map { $0 == 2 ? nil : stamps[$0]!.civilDate }
        let midnights: [Timestamp?] = days.map { $0.map { Timestamp(microsecondsSinceEpoch: Int64($0.daysSinceEpoch) * Timestamp.microsecondsPerDay) } }
        let amounts: [Double?] = HandExample.orders["amount"]!.decimalValues!.map { $0.map { Double($0.units) / 100 } }
        func orders(_ time: Column) throws -> Table {
            try Table(columns: [("order_id", HandExample.orders["order_id"]!), ("customer_id", HandExample.orders["customer_id"]!),
                                ("ordered_at", time), ("amount", .double(amounts)), ("status", HandExample.orders["status"]!)])
        }
        let byDate = try Fusion(customers: HandExample.customers, answers: HandExample.answers, orders: try orders(.date(days))).customerProfile().table
        let byStamp = try Fusion(customers: HandExample.customers, answers: HandExample.answers, orders: try orders(.timestamp(midnights))).customerProfile().table
        #expect(byDate == byStamp)
        // C2's completed order O3 has no time: it counts, but sets no last order time.
        #expect(byDate["order_count"]!.int64Values![1] == 1 && byDate["last_order_at"]!.isNull(1))
        #expect(byDate["revenue"]!.doubleValues![0] == 150)
    }
}
