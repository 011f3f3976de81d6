import Testing
import XOFusion
import XOFusionSampleData

/// The sample generator: deterministic, internally consistent, and carrying the effects it promises.
@Suite struct SampleDataTests {
    static let data = SampleData.generate(SampleDataOptions(customers: 12_000, seed: 3))

    @Test func sameSeedSameTablesOtherSeedOtherTables() {
        let a = SampleData.generate(SampleDataOptions(customers: 500, seed: 9)), b = SampleData.generate(SampleDataOptions(customers: 500, seed: 9))
        #expect(a.customers == b.customers && a.answers == b.answers && a.orders == b.orders && a.returns == b.returns && a.carts == b.carts)
        let c = SampleData.generate(SampleDataOptions(customers: 500, seed: 10))
        #expect(c.orders != a.orders)
        // A customer's data does not depend on how many customers follow: the first 500 of a larger set are the same people.
        let larger = SampleData.generate(SampleDataOptions(customers: 800, seed: 9))
        #expect(larger.customers.slice(0..<500) == a.customers)
    }

    @Test func blocksOfCustomersJoinTheSameOnAnyThreadCount() throws {
        // Customers are generated in blocks of 16,384: 20,000 span two, 16,500 end just past the first.
        let one = SampleData.generate(SampleDataOptions(customers: 20_000, seed: 4, threads: 1))
        let three = SampleData.generate(SampleDataOptions(customers: 20_000, seed: 4, threads: 3))
        #expect(one.customers == three.customers && one.answers == three.answers && one.orders == three.orders)
        #expect(one.returns == three.returns && one.carts == three.carts)
        let fewer = SampleData.generate(SampleDataOptions(customers: 16_500, seed: 4, threads: 2))
        #expect(one.orders.slice(0..<fewer.orders.rowCount) == fewer.orders)
        #expect(one.returns.slice(0..<fewer.returns.rowCount) == fewer.returns)
        // Returns of the second block name orders of their own customer, numbered past the first block's.
        let owner = Dictionary(uniqueKeysWithValues: zip(try one.orders.string("order_id"), try one.orders.string("customer_id")))
        let returnOrder = try one.returns.string("order_id"), returnCustomer = try one.returns.string("customer_id")
        #expect((0..<one.returns.rowCount).allSatisfy { owner[returnOrder[$0]] == returnCustomer[$0] })
        #expect(try one.orders.string("order_id")[one.orders.rowCount - 1] == "O" + String(repeating: "0", count: 9 - String(one.orders.rowCount).count) + String(one.orders.rowCount))
    }

    @Test func rowsAreConsistent() throws {
        let d = Self.data
        let customers = Set(try d.customers.string("customer_id").map { $0! })
        #expect(customers.count == 12_000)
        #expect(try d.answers.string("customer_id").allSatisfy { customers.contains($0!) })
        #expect(try d.orders.string("customer_id").allSatisfy { customers.contains($0!) })
        let cartCustomers = try d.carts.string("customer_id")
        #expect(d.carts["customer_id"]!.nullCount > 0 && cartCustomers.allSatisfy { $0.map(customers.contains) ?? true })
        // Scores within their scales, with the promised share of nulls.
        let nps = try d.answers.int64("nps"), csat = try d.answers.int64("csat"), ces = try d.answers.int64("ces")
        #expect(nps.allSatisfy { $0.map { (0...10).contains($0) } ?? true } && csat.allSatisfy { $0.map { (1...5).contains($0) } ?? true })
        #expect(ces.allSatisfy { $0.map { (1...7).contains($0) } ?? true })
        let nullShare = Double(nps.nullCount) / Double(nps.count)
        #expect(nullShare > 0.03 && nullShare < 0.07)
        // Every return names a completed order of the same customer, after it, for at most its amount.
        var orderRow: [String: Int] = [:]
        let ids = try d.orders.string("order_id"), status = try d.orders.string("status"), owner = try d.orders.string("customer_id")
        let orderedAt = try d.orders.timestamp("ordered_at"), orderAmount = try d.orders.decimal("amount"), returnAmount = try d.returns.decimal("amount")
        for row in 0..<d.orders.rowCount { orderRow[ids[row]!] = row }
        let returnOrder = try d.returns.string("order_id"), returnCustomer = try d.returns.string("customer_id"), returnedAt = try d.returns.timestamp("returned_at")
        for row in 0..<d.returns.rowCount {
            let order = try #require(orderRow[returnOrder[row]!])
            #expect(status[order] == "completed" && owner[order] == returnCustomer[row] && returnedAt[row]! > orderedAt[order]!)
            #expect(returnAmount.units[row]! > 0 && returnAmount.units[row]! <= orderAmount.units[order]!)
        }
        #expect(Set(returnOrder.map { $0! }).count == d.returns.rowCount)  // at most one return per order
        // Every ID column is numbered (4 bytes a value), and reads back as its text.
        for (table, column) in [(d.customers, "customer_id"), (d.answers, "response_id"), (d.orders, "order_id"), (d.returns, "return_id"), (d.carts, "customer_id")] {
            #expect(table[column]?.stringLayout == .numbered, "\(column)")
        }
        let firstCustomer = try d.customers.string("customer_id")[0]
        #expect(ids[0] == "O000000001" && firstCustomer == "C0000001")
    }

    @Test func theFusionFindsThePlantedEffects() throws {
        let fusion = try Self.data.fusion()
        #expect(fusion.report.unmatched.values.allSatisfy { $0 == 0 })
        let s = Dictionary(uniqueKeysWithValues: try fusion.scorecard().segments.map { ($0.segment, $0) })
        #expect(s["detractor"]!.returnRate! > s["passive"]!.returnRate! && s["passive"]!.returnRate! > s["promoter"]!.returnRate!)
        #expect(s["detractor"]!.cartsPerCustomer! > s["promoter"]!.cartsPerCustomer!)
        #expect(Double(s["promoter"]!.orders) / Double(s["promoter"]!.customers) > Double(s["detractor"]!.orders) / Double(s["detractor"]!.customers))
        let r = try #require(try fusion.drivers(of: "return_rate", candidates: ["latest_nps"]).drivers.first?.pearson)
        #expect(r.r < 0 && r.pValue < 0.001)
        let risk = try fusion.revenueAtRisk().overall
        #expect(risk.revenueWeightedNPS! > risk.customerNPS!)
        // The incident region leads the journey by region in the incident's months.
        let journey = try fusion.journey(options: JourneyOptions(dimension: "region", since: Timestamp(year: 2025, month: 3, day: 1)!, before: Timestamp(year: 2025, month: 5, day: 1)!))
        #expect(journey.steps.first?.value == "EU-South")
        // Detractors abandon more of their carts; and the whole business dips in November and December.
        #expect(s["detractor"]!.cartAbandonmentRate! > s["passive"]!.cartAbandonmentRate! && s["passive"]!.cartAbandonmentRate! > s["promoter"]!.cartAbandonmentRate!)
        let months = try fusion.trend(options: TrendOptions(period: .month)).table
        func nps(inMonths wanted: Set<Substring>) throws -> Double {
            let labels = try months.string("month"), n = try months.int64("responses"), score = try months.double("nps_score")
            let rows = (0..<months.rowCount).filter { wanted.contains(labels[$0]!.suffix(2)) }
            return rows.reduce(0.0) { $0 + score[$1]! * Double(n[$1]!) } / Double(rows.reduce(0) { $0 + n[$1]! })
        }
        #expect(try nps(inMonths: ["11", "12"]) < nps(inMonths: ["09", "10"]) - 5)
    }
}
