import Testing
import XOFusion

/// The scorecard's segment flags and the trend's incident finder on data built to have exactly one effect.
@Suite struct FlagsAndIncidentsTests {
    /// Answers for a customer per answer: `cells[(region, month)] = (promoters, passives, detractors)`.
    static func world(_ cells: [(region: String, month: Int, p: Int, pa: Int, d: Int)]) throws -> Fusion {
        var customers: [String] = [], regions: [String] = [], times: [Timestamp] = [], scores: [Int64?] = []
        for cell in cells {
            for (count, score) in [(cell.p, Int64(10)), (cell.pa, 8), (cell.d, 3)] {
                for _ in 0..<count {
                    customers.append("C\(customers.count)")
                    regions.append(cell.region)
                    times.append(Timestamp(year: 2025, month: cell.month, day: 15, hour: 12)!)
                    scores.append(score)
                }
            }
        }
        let customerTable = try Table(["customer_id": try .string(customers), "region": try .string(regions, layout: .dictionary)])
        let answers = try Table(["customer_id": try .string(customers), "responded_at": .timestamp(times), "nps": .int64(scores)])
        return try Fusion(customers: customerTable, answers: answers)
    }

    @Test func onlyTheDipOfOneRegionIsAnIncident() throws {
        var cells: [(region: String, month: Int, p: Int, pa: Int, d: Int)] = []
        for month in 1...8 {
            for region in ["EU-North", "EU-South", "NA-East", "MEA"] {
                var (p, pa, d) = (150, 100, 50)                      // NPS +33
                if region == "MEA" { (p, pa, d) = (100, 100, 100) }  // a steady, lower level: NPS 0, every month
                if month == 6 { (p, pa, d) = (p - 40, pa, d + 40) }  // a seasonal dip shared by everyone
                if region == "EU-South" && month == 3 { (p, pa, d) = (60, 100, 140) }   // the incident: NPS −27
                cells.append((region, month, p, pa, d))
            }
        }
        let trend = try Self.world(cells).trend(options: TrendOptions(period: .month, dimension: "region"))
        #expect(trend.incidents.map { "\($0.value) \($0.period)" } == ["EU-South 2025-03"])
        let incident = try #require(trend.incidents.first)
        #expect(abs(incident.nps.score! - (-80.0 / 3)) < 1e-9)
        #expect(incident.effect < -50 && incident.adjustedP < 1e-6)
        // A plain "below the others" test flags MEA (0 against +33) in every month but March, where the EU-South
        // incident pulls the others down to +13: z ≈ 13.3 / 5.4 ≈ 2.5, one-sided p ≈ 0.007, short of Holm's bar
        // over 32 cells. The usual gap removes MEA altogether.
        #expect(trend.table.rowCount == 32)
        let plain = try Self.world(cells).trend(options: TrendOptions(period: .month, dimension: "region", removesUsualGap: false))
        #expect(Set(plain.incidents.map { "\($0.value) \($0.period)" }) == Set([1, 2, 4, 5, 6, 7, 8].map { "MEA 2025-0\($0)" } + ["EU-South 2025-03"]))
        #expect(plain.incidents.allSatisfy { $0.usualGap == 0 && abs($0.effect - ($0.nps.score! - $0.othersNPS)) < 1e-9 })
    }

    @Test func smallDipsAreNotIncidents() throws {
        // A 6-point dip with 5,000 answers a cell is significant but below the 10-point minimum.
        var cells: [(region: String, month: Int, p: Int, pa: Int, d: Int)] = []
        for month in 1...4 {
            for region in ["A", "B"] {
                cells.append((region, month, region == "A" && month == 2 ? 2_350 : 2_500, 1_500, region == "A" && month == 2 ? 1_150 : 1_000))
            }
        }
        let fusion = try Self.world(cells)
        #expect(try fusion.trend(options: TrendOptions(dimension: "region")).incidents.isEmpty)
        #expect(try fusion.trend(options: TrendOptions(dimension: "region", minimumDrop: 2)).incidents.map(\.period) == ["2025-02"])
    }

    @Test func scorecardFlagsTheSegmentThatReturnsMore() throws {
        // 300 detractors and 300 promoters, one completed order each; half the detractors' orders are returned, 5% of the promoters'.
        let n = 300
        let ids = (0..<(2 * n)).map { "C\($0)" }
        let customers = try Table(["customer_id": try .string(ids)])
        let answers = try Table([
            "customer_id": try .string(ids), "responded_at": .timestamp(ids.map { _ in Timestamp(year: 2025, month: 1, day: 2)! }),
            "nps": .int64(ids.indices.map { Int64($0 < n ? 2 : 10) }),
        ])
        let orders = try Table([
            "order_id": try .string(ids.map { "O" + $0 }), "customer_id": try .string(ids),
            "ordered_at": .timestamp(ids.map { _ in Timestamp(year: 2025, month: 1, day: 1)! }), "amount": .double(ids.map { _ in 50.0 }),
        ])
        let returned = ids.indices.filter { $0 < n ? $0 % 2 == 0 : $0 % 20 == 0 }
        let returns = try Table(["order_id": try .string(returned.map { "O" + ids[$0] }), "customer_id": try .string(returned.map { ids[$0] })])
        let card = try Fusion(customers: customers, answers: answers, orders: orders, returns: returns).scorecard()
        let detractors = try #require(card.segments.first { $0.segment == "detractor" })
        let promoters = try #require(card.segments.first { $0.segment == "promoter" })
        #expect(detractors.returnRate == 0.5 && promoters.returnRate == 15.0 / 300)
        #expect(detractors.flags.map(\.metric) == ["return_rate"] && detractors.flags[0].higher)
        #expect(promoters.flags.map(\.metric) == ["return_rate"] && !promoters.flags[0].higher)
        // Average order value is 50 for everyone: no flag there (no spread, no test).
        #expect(try card.table.string("flags")[0]!.hasPrefix("return_rate higher"))
    }
}

/// A dimension read from a dictionary column (its codes) and from a plain column (hashed) gives the same
/// values: null as `(null)`, values no answer reaches left out, labels sorted.
@Suite struct DimensionLayoutTests {
    @Test func dictionaryAndPlainColumnsGiveTheSameTrend() throws {
        let regions: [String?] = ["EU", nil, "NA", "NA", "EU"]
        let plain = try Table(["customer_id": HandExample.customers["customer_id"]!, "region": try .string(regions)])
        // A slice of a dictionary column keeps its whole dictionary: LATAM is a value no customer has.
        let sliced = try Column.string(regions + ["LATAM"], layout: .dictionary).slice(0..<5)
        let dictionary = try Table(["customer_id": HandExample.customers["customer_id"]!, "region": sliced])
        #expect(sliced.stringValues?.dictionary?.values.count == 3)
        let options = TrendOptions(period: .month, dimension: "region")
        let a = try Fusion(customers: plain, answers: HandExample.answers).trend(options: options).table
        let b = try Fusion(customers: dictionary, answers: HandExample.answers).trend(options: options).table
        #expect(a == b)
        #expect(a["region"]!.stringValues!.map { $0 } == ["(null)", "EU", "NA"])
        // C2 (null region) answered twice with an NPS: 3 and 6, both detractors.
        #expect(a["responses"]!.int64Values![0] == 2 && a["nps_score"]!.doubleValues![0] == -100)
    }
}

/// The trend counts scores through a histogram per cell; a scale too wide for one counts directly.
/// Both give the same figures: here NPS on 0–1000 (every score × 100) against the standard 0–10.
@Suite struct WideScaleTrendTests {
    @Test func aWideScaleGivesTheSameTrend() throws {
        let answers = HandExample.answers
        let wide = try Table(columns: answers.schema.names.map { name in
            let column = answers[name]!
            guard name == "nps" else { return (name, column) }
            return (name, .int64(column.int64Values!.map { $0.map { $0 * 100 } }))
        })
        var mapping = FusionMapping()
        mapping.answers.npsScale = try #require(NPSScale(range: 0...1000, promoters: 900...1000, passives: 700...899))
        let options = TrendOptions(period: .month, dimension: "region")
        let standard = try Fusion(customers: HandExample.customers, answers: answers).trend(options: options).table
        let scaled = try Fusion(customers: HandExample.customers, answers: wide, mapping: mapping).trend(options: options).table
        #expect(standard == scaled)
        #expect(standard["responses"]!.int64Values!.map { $0! }.reduce(0, +) == 8)  // the ten answers less a null NPS and C9
        // The profile reads the scores kept eight bytes a score (a scale wider than a byte) as the trend does.
        let profile = try Fusion(customers: HandExample.customers, answers: answers).customerProfile().table
        let scaledProfile = try Fusion(customers: HandExample.customers, answers: wide, mapping: mapping).customerProfile().table
        #expect(profile["segment"] == scaledProfile["segment"] && profile["mean_csat"] == scaledProfile["mean_csat"])
        #expect(profile["latest_nps"]!.int64Values!.map { $0.map { $0 * 100 } } == scaledProfile["latest_nps"]!.int64Values!.map { $0 })
        #expect(profile["latest_nps"]!.nullCount < profile.rowCount)
    }
}
