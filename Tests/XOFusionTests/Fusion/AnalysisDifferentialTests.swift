import Testing
import XOFusion

/// The analyses against plain, literal reference implementations on random
/// fusions: many ties in time, null scores, cancelled orders, returns of
/// unknown, cancelled or twice-returned orders, guest carts, unknown customers.
@Suite struct AnalysisDifferentialTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct World {
        var customers: [String], regions: [String]
        var answers: [(id: String, customer: String, time: Int64, nps: Int64?, csat: Int64?)]
        var orders: [(id: String, customer: String, time: Int64, amount: Int64, completed: Bool)]
        var returns: [(order: String, customer: String)]
        var carts: [String?]
        /// Whether the answers reach the fusion as a read stores scores with a declared range: one byte each.
        var scoresInOneByte: Bool

        static let hour: Int64 = 3_600_000_000

        init(seed: UInt64) {
            var g = Generator(state: seed)
            scoresInOneByte = seed % 2 == 1
            let n = Int.random(in: 1...12, using: &g)
            customers = (0..<n).map { "C\($0)" }
            regions = customers.map { _ in ["EU", "NA", "APAC"].randomElement(using: &g)! }
            let known = customers + ["X1"]  // X1 is nobody
            // Times on a coarse grid of hours across ~3 months: many exact ties; tolerance checks hit the edges.
            func time() -> Int64 { 1_735_689_600_000_000 + Int64.random(in: 0...(24 * 90), using: &g) * 12 * World.hour }
            answers = (0..<Int.random(in: 0...40, using: &g)).map { i in
                (String(format: "S%03d", Int.random(in: 0...999, using: &g)) + "-\(i)", known.randomElement(using: &g)!, time(),
                 Bool.random(using: &g) || Bool.random(using: &g) ? Int64.random(in: 0...10, using: &g) : nil,
                 Bool.random(using: &g) ? Int64.random(in: 1...5, using: &g) : nil)
            }
            orders = (0..<Int.random(in: 0...40, using: &g)).map { i in
                ("O\(i)", known.randomElement(using: &g)!, time(), Int64.random(in: 100...50_000, using: &g), Int.random(in: 0..<5, using: &g) > 0)
            }
            let placed = orders
            returns = (0..<Int.random(in: 0...12, using: &g)).map { _ in
                let order = Int.random(in: 0...(placed.count), using: &g)   // sometimes past the end: an unknown order
                return (order < placed.count ? placed[order].id : "O999", order < placed.count ? placed[order].customer : "C0")
            }
            carts = (0..<Int.random(in: 0...20, using: &g)).map { _ in Int.random(in: 0..<6, using: &g) == 0 ? nil : known.randomElement(using: &g)! }
        }

        func fusion() throws -> Fusion {
            let t = try tables()
            return try Fusion(customers: t.customers, answers: t.answers, orders: t.orders, returns: t.returns, carts: t.carts, options: KernelOptions(threads: 1))
        }

        /// The world's tables, as a fusion takes them.
        func tables() throws -> (customers: Table, answers: Table, orders: Table, returns: Table, carts: Table) {
            let customerTable = try Table(["customer_id": try .string(customers), "region": try .string(regions, layout: .dictionary)])
            var answerTable = try Table([
                "response_id": try .string(answers.map(\.id)), "customer_id": try .string(answers.map(\.customer)),
                "responded_at": .timestamp(answers.map { Timestamp(microsecondsSinceEpoch: $0.time) }),
                "nps": .int64(answers.map(\.nps)), "csat": .int64(answers.map(\.csat)),
            ])
            if scoresInOneByte {
                // Written out and read back with the scores' ranges declared, as a service reads a survey export.
                let schema = CSVSchema([
                    ColumnSpec("response_id", .string), ColumnSpec("customer_id", .string), ColumnSpec("responded_at", .timestamp),
                    ColumnSpec("nps", .int64, allowedRange: 0...10), ColumnSpec("csat", .int64, allowedRange: 1...5),
                ])
                let read = try CSVReader.read(bytes: CSVWriter.bytes(from: answerTable), name: "answers.csv", options: CSVReadOptions(schema: schema)).table
                #expect(read == answerTable && read["nps"]?.smallInt64Values != nil && read["csat"]?.smallInt64Values != nil)
                answerTable = read
            }
            let orderTable = try Table([
                "order_id": try .string(orders.map(\.id)), "customer_id": try .string(orders.map(\.customer)),
                "ordered_at": .timestamp(orders.map { Timestamp(microsecondsSinceEpoch: $0.time) }),
                "amount": .decimal(units: orders.map(\.amount), scale: 2), "status": try .string(orders.map { $0.completed ? "completed" : "cancelled" }),
            ])
            let returnTable = try Table(["order_id": try .string(returns.map(\.order)), "customer_id": try .string(returns.map(\.customer))])
            let cartTable = try Table(["customer_id": try .string(carts)])
            return (customerTable, answerTable, orderTable, returnTable, cartTable)
        }

        /// The latest scored answer of each customer: greatest time, then greatest id.
        func latestNPS(_ c: String) -> Int64? {
            answers.filter { $0.customer == c && $0.nps != nil }.max { ($0.time, $0.id) < ($1.time, $1.id) }?.nps
        }

        func segment(_ c: String, asOf: Int64 = .max) -> String {
            let scored = answers.filter { $0.customer == c && $0.nps != nil && $0.time <= asOf }
            guard let v = scored.max(by: { ($0.time, $0.id) < ($1.time, $1.id) })?.nps else { return "none" }
            return v >= 9 ? "promoter" : v >= 7 ? "passive" : "detractor"
        }

        func returned(_ orderIndex: Int) -> Bool { orders[orderIndex].completed && returns.contains { $0.order == orders[orderIndex].id } }
    }

    @Test(arguments: 0..<200)
    func analysesMatchReference(seed: Int) throws {
        let w = World(seed: UInt64(seed))
        let fusion = try w.fusion()

        // Profile.
        let profile = try fusion.customerProfile().table
        for (i, c) in w.customers.enumerated() {
            let mine = w.orders.indices.filter { w.orders[$0].customer == c && w.orders[$0].completed }
            #expect(try profile.int64("latest_nps")[i] == w.latestNPS(c))
            #expect(try profile.int64("order_count")[i] == Int64(mine.count))
            // Money sums are doubles: equal to the exact cents within far less than a cent.
            let cents = Double(mine.map { w.orders[$0].amount }.reduce(0, +))
            #expect(abs(try profile.double("revenue")[i]! - cents / 100) <= 1e-9 * max(1, cents / 100))
            #expect(try profile.int64("returned_orders")[i] == Int64(mine.filter(w.returned).count))
            #expect(try profile.int64("return_count")[i] == Int64(w.returns.filter { $0.customer == c }.count))
            #expect(try profile.int64("cart_count")[i] == Int64(w.carts.filter { $0 == c }.count))
            #expect(try profile.int64("response_count")[i] == Int64(w.answers.filter { $0.customer == c }.count))
        }

        // Scorecard.
        let card = try fusion.scorecard().table
        for (k, segment) in ["detractor", "none", "passive", "promoter"].enumerated() {
            let members = Set(w.customers.filter { w.segment($0) == segment })
            let orders = w.orders.indices.filter { members.contains(w.orders[$0].customer) && w.orders[$0].completed }
            #expect(try card.int64("customers")[k] == Int64(members.count))
            #expect(try card.int64("orders")[k] == Int64(orders.count))
            let returnRate = orders.isEmpty ? nil : Double(orders.filter(w.returned).count) / Double(orders.count)
            #expect(try card.double("return_rate")[k] == returnRate)
            let carts = w.carts.filter { $0.map(members.contains) ?? false }.count
            #expect(try card.double("carts_per_customer")[k] == (members.isEmpty ? nil : Double(carts) / Double(members.count)))
        }

        // Attribution: brute force, the later order row on equal times.
        var responses = [0, 0, 0], scoreSums: [Int64] = [0, 0, 0]
        for a in w.answers where a.nps != nil && w.customers.contains(a.customer) {
            let candidates = w.orders.indices.filter { w.orders[$0].customer == a.customer && w.orders[$0].completed && w.orders[$0].time <= a.time }
            let best = candidates.max { (w.orders[$0].time, $0) < (w.orders[$1].time, $1) }
            var cell = 0
            if let best, a.time - w.orders[best].time <= 30 * Timestamp.microsecondsPerDay { cell = w.returned(best) ? 2 : 1 }
            responses[cell] += 1
            scoreSums[cell] += a.nps!
        }
        let attribution = try fusion.attribution().table
        #expect(try attribution.int64("responses").map { Int($0!) } == responses)
        #expect(try attribution.double("mean_nps").map { $0 } == (0..<3).map { responses[$0] > 0 ? Double(scoreSums[$0]) / Double(responses[$0]) : nil })

        // Trend by region and month: answers with an NPS of known customers.
        let trend = try fusion.trend(options: TrendOptions(period: .month, dimension: "region")).table
        var cells: [String: Int] = [:]
        for a in w.answers where a.nps != nil {
            guard let i = w.customers.firstIndex(of: a.customer) else { continue }
            let ym = Timestamp(microsecondsSinceEpoch: a.time).civilDate.components
            cells["\(w.regions[i]) \(ym.year)-\(ym.month < 10 ? "0" : "")\(ym.month)", default: 0] += 1
        }
        var mine: [String: Int] = [:]
        for row in 0..<trend.rowCount { mine["\(try trend.string("region")[row]!) \(try trend.string("month")[row]!)"] = Int(try trend.int64("responses")[row]!) }
        #expect(mine == cells)
    }

    @Test func theAnswerDoesNotDependOnTheThreadCount() throws {
        // The bench-sized path is exercised by `.ci/run`; here a large enough random world for the partitioned kernels.
        var w = World(seed: 7)
        w.customers = (0..<3000).map { "C\($0)" }
        w.regions = w.customers.indices.map { ["EU", "NA"][$0 % 2] }
        var g = Generator(state: 99)
        w.orders = (0..<70_000).map { i in ("O\(i)", "C\(Int.random(in: 0..<3000, using: &g))", 1_735_689_600_000_000 + Int64.random(in: 0...5_000_000, using: &g) * 1_000_000, 100, true) }
        let one = try World.fusionWith(w, threads: 1), two = try World.fusionWith(w, threads: 2)
        #expect(try one.customerProfile().table == two.customerProfile().table)
        #expect(try one.scorecard().table == two.scorecard().table)
    }

    @Test(arguments: 0..<200)
    func actionAnalysesMatchReference(seed: Int) throws {
        let w = World(seed: UInt64(seed))
        let fusion = try w.fusion()
        guard !w.orders.isEmpty else {
            #expect(throws: FusionError.badOption("revenue at risk needs an analysis date: the orders have no time")) { try fusion.revenueAtRisk() }
            return
        }
        var g = Generator(state: UInt64(seed) &+ 99)
        // A date on an event (so that "at or before" is exercised) or the default; a window of 1–60 days.
        let events = w.orders.map { $0.time } + w.answers.map { $0.time }
        let date = Bool.random(using: &g) ? events.randomElement(using: &g)! : w.orders.map { $0.time }.max()!
        let days = Int.random(in: 1...60, using: &g)
        let start = date - Int64(days) * 86_400_000_000
        func revenue(_ c: String) -> Int64 {
            w.orders.filter { $0.customer == c && $0.completed && $0.time > start && $0.time <= date }.reduce(Int64(0)) { $0 + $1.amount }
        }

        // Revenue at risk and revenue-weighted NPS.
        let risk = try fusion.revenueAtRisk(options: RevenueAtRiskOptions(asOf: Timestamp(microsecondsSinceEpoch: date), windowDays: days)).overall
        var bySegment: [String: Int64] = [:]
        for c in w.customers { bySegment[w.segment(c, asOf: date), default: 0] += revenue(c) }
        #expect(abs(risk.revenueAtRisk - Double(bySegment["detractor"] ?? 0) / 100) < 1e-6)
        let rAll = (bySegment["promoter"] ?? 0) + (bySegment["passive"] ?? 0) + (bySegment["detractor"] ?? 0)
        let expectedRW = rAll > 0 ? 100 * Double((bySegment["promoter"] ?? 0) - (bySegment["detractor"] ?? 0)) / Double(rAll) : nil
        #expect(expectedRW == nil ? risk.revenueWeightedNPS == nil : abs(risk.revenueWeightedNPS! - expectedRW!) < 1e-9)

        // Follow-up: the detractors at the date, most window revenue first, then by ID.
        let list = try fusion.followUp(options: FollowUpOptions(asOf: Timestamp(microsecondsSinceEpoch: date), windowDays: days))
        let expected = w.customers.filter { w.segment($0, asOf: date) == "detractor" }.sorted { (revenue($0), $1) > (revenue($1), $0) }
        #expect(list.table["customer_id"]!.stringValues!.map { $0! } == expected)

        // Journey by region: NPS over the answers of known customers; the others are counted apart.
        let journey = try fusion.journey(options: JourneyOptions(dimension: "region"))
        #expect(journey.withoutCustomer == w.answers.filter { !w.customers.contains($0.customer) }.count)
        for step in journey.steps {
            let scores = w.answers.compactMap { a -> Int64? in
                guard let i = w.customers.firstIndex(of: a.customer), w.regions[i] == step.value else { return nil }
                return a.nps
            }
            let score = scores.isEmpty ? nil : 100 * Double(scores.filter { $0 >= 9 }.count - scores.filter { $0 <= 6 }.count) / Double(scores.count)
            #expect(step.nps.score == score, "\(step.value)")
        }
        let gaps = journey.steps.compactMap(\.gap)
        #expect(gaps == gaps.sorted())

        // Drivers: Pearson of the return rate against the latest NPS, over the customers with both.
        let pairs = w.customers.compactMap { c -> (Double, Double)? in
            let mine = w.orders.indices.filter { w.orders[$0].customer == c && w.orders[$0].completed }
            guard let nps = w.latestNPS(c), !mine.isEmpty else { return nil }
            return (Double(nps), Double(mine.filter(w.returned).count) / Double(mine.count))
        }
        let result = try fusion.drivers(of: "return_rate", candidates: ["latest_nps"]).drivers[0]
        #expect(result.n == pairs.count)
        if let r = result.pearson?.r { #expect(abs(r - CorrelationTests.naivePearson(pairs.map(\.0), pairs.map(\.1))) < 1e-9) }
    }
}

extension AnalysisDifferentialTests.World {
    static func fusionWith(_ w: Self, threads: Int) throws -> Fusion {
        let f = try w.fusion()
        return try Fusion(customers: f.customers, answers: f.answers, orders: f.orders, returns: f.returns, carts: f.carts, options: KernelOptions(threads: threads))
    }
}
