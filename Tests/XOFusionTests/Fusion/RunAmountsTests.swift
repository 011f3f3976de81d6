import Testing
@testable import XOFusion

/// The orders' times and amounts in run order are kept in four bytes each when they fit (``RunTimes``,
/// ``RunAmounts``): every analysis must read the same values as from eight-byte ones.
@Suite struct RunAmountsTests {
    /// A small world whose order amounts are given as cents: as a decimal column, and as a double column
    /// of the very doubles a decimal reads as (`Double(cents) / 100`).
    static func fusions(cents: [Int64?], seed: UInt64, subSecond: Bool = false) throws -> (units: Fusion, doubles: Fusion) {
        var g = AnalysisDifferentialTests.Generator(state: seed)
        let customers = (0..<6).map { "C\($0)" }
        let n = cents.count
        let orderCustomers = (0..<n).map { _ in customers.randomElement(using: &g)! }
        // Whole days, some of them null; one time a microsecond past its second when asked.
        var times: [Timestamp?] = (0..<n).map { _ in
            Int.random(in: 0..<9, using: &g) == 0 ? nil : Timestamp(microsecondsSinceEpoch: 1_735_689_600_000_000 + Int64.random(in: -400...90, using: &g) * 86_400_000_000)
        }
        if subSecond { times[0] = Timestamp(microsecondsSinceEpoch: 1_735_689_600_000_001) }
        let status = (0..<n).map { _ in Int.random(in: 0..<4, using: &g) == 0 ? "cancelled" : "completed" }
        let answers = try Table([
            "customer_id": try .string((0..<20).map { _ in customers.randomElement(using: &g)! }),
            "responded_at": .timestamp((0..<20).map { _ in Timestamp(microsecondsSinceEpoch: 1_735_689_600_000_000 + Int64.random(in: 0...90, using: &g) * 86_400_000_000) }),
            "nps": .int64((0..<20).map { _ in Int64.random(in: 0...10, using: &g) }),
        ])
        func orders(_ amount: Column) throws -> Table {
            try Table(["order_id": try .string((0..<n).map { "O\($0)" }), "customer_id": try .string(orderCustomers),
                       "ordered_at": .timestamp(times), "amount": amount, "status": try .string(status)])
        }
        let customerTable = try Table(["customer_id": try .string(customers), "region": try .string(customers.map { $0 < "C3" ? "EU" : "NA" })])
        let returned = (0..<n).filter { _ in Bool.random(using: &g) }
        let returns = try Table(["order_id": try .string(returned.map { "O\($0)" }), "customer_id": try .string(returned.map { orderCustomers[$0] })])
        let asUnits = try Fusion(customers: customerTable, answers: answers, orders: orders(.decimal(units: cents, scale: 2)), returns: returns)
        let asDoubles = try Fusion(customers: customerTable, answers: answers, orders: orders(.double(cents.map { $0.map { Double($0) / 100 } })), returns: returns)
        return (asUnits, asDoubles)
    }

    @Test(arguments: 0..<30)
    func unitsAndDoublesGiveTheSameAnalyses(seed: Int) throws {
        var g = AnalysisDifferentialTests.Generator(state: UInt64(seed) &+ 99)
        // Amounts with nulls; every tenth seed one amount past four bytes, so the units stay doubles.
        var cents: [Int64?] = (0..<Int.random(in: 1...60, using: &g)).map { _ in Int.random(in: 0..<7, using: &g) == 0 ? nil : Int64.random(in: -5_000...900_000, using: &g) }
        // Every tenth seed one amount past four bytes; every tenth but one a time past its second: then both stay eight bytes.
        let wideAmount = seed % 10 == 9, subSecond = seed % 10 == 8
        if wideAmount { cents[0] = Int64(Int32.max) + 1 }
        let (units, doubles) = try Self.fusions(cents: cents, seed: UInt64(seed), subSecond: subSecond)
        let narrow = !wideAmount && !subSecond
        #expect(units.orderFacts.amount.isNarrow == narrow && units.orderFacts.time.isNarrow == narrow)
        #expect(!doubles.orderFacts.amount.isNarrow && !doubles.orderFacts.time.isNarrow)
        for i in 0..<units.orderFacts.amount.count {
            let a = units.orderFacts.amount[i], b = doubles.orderFacts.amount[i]
            #expect(a == b || (a.isNaN && b.isNaN), "seed \(seed), amount \(i)")
            #expect(units.orderFacts.time[i] == doubles.orderFacts.time[i], "seed \(seed), time \(i)")
        }
        #expect(units.orderFacts.time.max() == doubles.orderFacts.time.max())
        // The follow-up list reads its order times from the facts (which order is the latest, its revenue at risk);
        // its latest order's amount comes from the orders table, whose kinds differ here by design.
        let (a, b) = (try units.followUp().table, try doubles.followUp().table)
        #expect(a.schema.names == b.schema.names && a.rowCount == b.rowCount)
        for name in a.schema.names where name != "latest_order_amount" { #expect(a[name] == b[name], "seed \(seed), \(name)") }
        #expect(try units.customerProfile().table == doubles.customerProfile().table, "seed \(seed)")
        #expect(try units.scorecard().table == doubles.scorecard().table, "seed \(seed)")
        #expect(try units.attribution().table == doubles.attribution().table, "seed \(seed)")
        #expect(try units.revenueAtRisk().table == doubles.revenueAtRisk().table, "seed \(seed)")
    }

    @Test func timesReadTheSameThroughTheReader() {
        let base: Int64 = 1_735_689_600_000_000
        let times = RunTimes(seconds: [0, .min, 86_400, Int32.max - 1], base: base)
        let read = times.withUnsafeReader { r in (0..<4).map { r[$0] } }
        #expect(read == [base, .min, base + 86_400_000_000, base + Int64(Int32.max - 1) * 1_000_000])
        #expect((0..<4).allSatisfy { read[$0] == times[$0] })
        #expect(times.max() == base + Int64(Int32.max - 1) * 1_000_000)
        #expect(RunTimes(seconds: [.min], base: base).max() == .min && RunTimes(micros: []).max() == nil)
    }

    @Test func theReaderAndTheSubscriptAgree() {
        let amounts = RunAmounts(units: [1050, .min, -3, Int32.max], divisor: 100)
        let read = amounts.withUnsafeReader { r in (0..<4).map { r[$0] } }
        #expect(read[0] == 10.5 && read[1].isNaN && read[2] == -0.03 && read[3] == Double(Int32.max) / 100)
        #expect((0..<4).allSatisfy { read[$0] == amounts[$0] || (read[$0].isNaN && amounts[$0].isNaN) })
        let none = RunAmounts(doubles: [])
        #expect(none.count == 0 && none.withUnsafeReader { $0.units == nil })
    }
}
