import Foundation
import Testing
import XOFusion

/// Every analysis on ``HandExample``, against figures worked out by hand (see its table).
@Suite struct HandComputedAnalysisTests {
    func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= tolerance
    }

    @Test func fusionReportsWhatDidNotMatch() throws {
        let report = try HandExample.fusion().report
        #expect(report.unmatched[.answers] == 1)                   // R10 names C9
        #expect(report.keyReports[.answers]?.unknownExamples == ["C9"])
        #expect(report.nullCustomer[.carts] == 1)                  // K4, a guest cart
        #expect(report.ordersReturnedMoreThanOnce == 1)            // O3 has X1 and X2
        #expect(report.returnsWithoutOrder == 0 && report.returnsOfUncompletedOrders == 0 && report.returnsOfAnotherCustomer == 0)
        #expect(report.description.contains("1 rows name a customer not in the customers table (e.g. 'C9')"))
    }

    @Test func metricsOverAllAnswers() throws {
        let a = HandExample.answers
        // NPS over the 9 scored answers: promoters 10, 9, 10, 10; passives 8, 7; detractors 3, 6, 0.
        let nps = try a.npsSummary("nps")
        #expect((nps.n, nps.promoters, nps.passives, nps.detractors) == (9, 4, 2, 3))
        #expect(close(nps.score, 100.0 / 9))                                   // 100 × (4 − 3) / 9
        // p = 4/9, d = 3/9: p + d − (p − d)² = 7/9 − 1/81 = 62/81; / 9 = 62/729.
        #expect(close(nps.margin, 1.959963984540054 * 100 * (62.0 / 729).squareRoot()))
        #expect(close(nps.margin, 57.158, 0.001))
        // CSAT: 5, 4, 2, 2, 4, 3, 1, 3, 5 (R06 has none): top-2-box 5, 4, 4, 5 → 4 of 9; mean 29 / 9.
        let csat = try a.topBoxSummary("csat", scale: .csat)
        #expect((csat.n, csat.topBox) == (9, 4))
        #expect(close(csat.percent, 400.0 / 9) && close(csat.mean, 29.0 / 9))
        // CES 1–7: 7, 6, 2, 3, 5, 6, 4, 1, 4, 7 → top box (5–7): 7, 6, 5, 6, 7 → 5 of 10; mean 45 / 10.
        let ces = try a.topBoxSummary("ces", scale: .ces)
        #expect((ces.n, ces.topBox) == (10, 5) && close(ces.percent, 50) && close(ces.mean, 4.5))
        // Sentiment: negative < −0.05: −0.6, −0.2, −0.9; positive > 0.05: 0.8, 0.5, 0.1, 0.3, 0.9; neutral 0.0, 0.0.
        let sentiment = try a.sentimentSummary("sentiment")
        #expect((sentiment.negative, sentiment.neutral, sentiment.positive) == (3, 2, 5))
        #expect(close(sentiment.mean, 0.09))                                  // 0.9 / 10
    }

    @Test func metricsInAGroupBy() throws {
        // By channel, first-appearance order web, app, email.
        // web: R01 10, R03 3, R05 8, R08 0, R10 10 → P 2, Pa 1, D 2 → 0. app: R02 9, R06 10 (R07 null) → 100. email: R04 6, R09 7 → −50.
        let t = try HandExample.answers.experienceGrouped(by: ["channel"], metrics: [.nps("nps"), .csat("csat")])
        #expect(try t.string("channel").map { $0 } == ["web", "app", "email"])
        #expect(try t.double("nps").map { $0 } == [0, 100, -50])
        #expect(try t.int64("nps_n").map { $0 } == [5, 2, 2])
        #expect(try t.int64("nps_detractors").map { $0 } == [2, 0, 1])
        // CSAT web: 5, 2, 4, 1, 5 → 3 of 5 in the top box.
        #expect(try t.double("csat")[0] == 60)
        #expect(t.schema.names.contains("nps_margin") && t.schema.names.contains("csat_mean_high"))
        // Ordinary aggregates beside the metrics, in the same groups. Sentiment web: 0.8, −0.6, 0.1, −0.9, 0.9;
        // app: 0.5, 0.3, 0.0; email: −0.2, 0.0.
        let mixed = try HandExample.answers.experienceGrouped(
            by: ["channel"], metrics: [.nps("nps")], aggregates: [.count(as: "answers"), .mean("sentiment"), .max("responded_at")])
        #expect(Array(mixed.schema.names.prefix(5)) == ["channel", "answers", "mean_sentiment", "max_responded_at", "nps"])
        #expect(try mixed.int64("answers").map { $0 } == [5, 3, 2] && mixed.double("nps").map { $0 } == [0, 100, -50])
        let means = try mixed.double("mean_sentiment")
        #expect(close(means[0], 0.06) && close(means[1], 0.8 / 3) && close(means[2], -0.1))
        #expect(try mixed.timestamp("max_responded_at").map { $0 } == [7, 5, 6].map { HandExample.at($0) })
        // No keys: one row for every answer.
        let all = try HandExample.answers.experienceGrouped(by: [], metrics: [.nps("nps")], aggregates: [.count(as: "answers")])
        #expect(try all.int64("answers").map { $0 } == [10] && all.int64("nps_n").map { $0 } == [9])
        #expect(throws: FusionError.kernel(.unknownColumn("sentimnt", suggestions: ["sentiment"]))) {
            try HandExample.answers.experienceGrouped(by: ["channel"], metrics: [], aggregates: [.mean("sentimnt")])
        }
    }

    @Test func customerProfile() throws {
        let profile = try HandExample.fusion().customerProfile()
        let t = profile.table
        #expect(try t.string("customer_id").map { $0 } == ["C1", "C2", "C3", "C4", "C5"])
        #expect(try t.string("segment").map { $0 } == ["promoter", "detractor", "promoter", "none", "detractor"])
        // C3's answers R05 (8) and R06 (10) tie in time: R06 has the greater id.
        #expect(try t.int64("latest_nps").map { $0 } == [9, 6, 10, nil, 0])
        #expect(try t.double("mean_csat").map { $0 } == [4.5, 2, 4, 3, 2])
        #expect(try t.int64("response_count").map { $0 } == [2, 2, 2, 1, 2])
        #expect(try t.int64("order_count").map { $0 } == [2, 1, 1, 1, 1])            // O4 is cancelled
        #expect(try t.double("revenue").map { $0 } == [150, 80, 40, 60, 30])
        #expect(try t.timestamp("last_order_at").map { $0 } == [4, 1, 3, -40, -28].map { HandExample.at($0) })
        #expect(try t.int64("returned_orders").map { $0 } == [1, 1, 0, 0, 0])          // O3 counts once
        #expect(try t.int64("return_count").map { $0 } == [1, 2, 0, 0, 0])             // …but has two return rows
        #expect(try t.double("returned_amount").map { $0 } == [25, 90, 0, 0, 0])
        #expect(try t.double("return_rate").map { $0 } == [0.5, 1, 0, 0, 0])
        #expect(try t.int64("cart_count").map { $0 } == [0, 2, 1, 0, 1])
        #expect(try t.double("cart_value").map { $0 } == [0, 20, 9, 0, 5])
        #expect(profile.summary.segments == [.promoter: 2, .detractor: 2, .none: 1])
        #expect(profile.summary.completedOrders == 6 && profile.summary.returnedOrders == 2)
    }

    @Test func scorecardByNPSClass() throws {
        let card = try HandExample.fusion().scorecard()
        let t = card.table
        #expect(try t.string("segment").map { $0 } == ["detractor", "none", "passive", "promoter"])
        #expect(try t.int64("customers").map { $0 } == [2, 1, 0, 2])
        #expect(try t.int64("orders").map { $0 } == [2, 1, 0, 3])
        #expect(try t.double("revenue").map { $0 } == [110, 60, 0, 190])
        #expect(try close(t.double("avg_order_value")[0], 55) && close(t.double("avg_order_value")[3], 190.0 / 3))
        // Detractors: O3 is returned (two return rows, one returned order) of 2 completed orders: 1/2, not 2/2.
        #expect(try t.double("return_rate").map { $0 } == [0.5, 0, nil, 1.0 / 3])
        #expect(try t.double("carts_per_customer").map { $0 } == [1.5, 0, nil, 0.5])
        #expect(try t.double("cart_abandonment_rate").map { $0 } == [0.6, 0, nil, 0.25])   // 3 / (3 + 2), 1 / (1 + 3)
        // Wilson 95% for 1 of 2.
        let wilson = try #require(Statistics.wilson(successes: 1, n: 2))
        #expect(try t.double("return_rate_low")[0] == wilson.lowerBound && t.double("return_rate_high")[0] == wilson.upperBound)
        #expect(try t.bool("small").map { $0 } == [true, true, true, true])
        #expect(card.segments[0].returnedOrders == 1)
    }

    @Test func scorecardByRegionAndByCSATBand() throws {
        let fusion = try HandExample.fusion()
        let byRegion = try fusion.scorecard(by: .customerColumn("region")).table
        #expect(try byRegion.string("region").map { $0 } == ["EU", "NA"])
        #expect(try byRegion.int64("customers").map { $0 } == [3, 2])
        #expect(try byRegion.int64("orders").map { $0 } == [4, 2])     // C1: O1, O2; C2: O3; C5: O6 — C3: O5; C4: O7
        // Latest CSAT: C1 R02 4 satisfied, C2 R04 2 dissatisfied, C3 R05 4 (R06 has none) satisfied, C4 R07 3 neutral, C5 R08 1.
        let byBand = try fusion.scorecard(by: .csatBand).table
        #expect(try byBand.string("csat_band").map { $0 } == ["dissatisfied", "neutral", "satisfied"])
        #expect(try byBand.int64("customers").map { $0 } == [2, 1, 2])
        // Mean sentiment (neutral within ±0.05): C1 0.65 and C3 0.2 positive, C2 −0.4 and C5 −0.45 negative, C4 0.0 neutral.
        // Completed orders: C2 O3, C5 O6; C4 O7; C1 O1, O2, C3 O5.
        let bySentiment = try fusion.scorecard(by: .sentimentBand).table
        #expect(try bySentiment.string("sentiment_band").map { $0 } == ["negative", "neutral", "positive"])
        #expect(try bySentiment.int64("customers").map { $0 } == [2, 1, 2] && bySentiment.int64("orders").map { $0 } == [2, 1, 3])
        // The channel of each customer's latest answer: C1 R02 app, C2 R04 email, C3 R06 app (R05 ties; the greater
        // id wins), C4 R07 app, C5 R08 web.
        let byChannel = try fusion.scorecard(by: .latestAnswerColumn("channel")).table
        #expect(try byChannel.string("channel").map { $0 } == ["app", "email", "web"])
        #expect(try byChannel.int64("customers").map { $0 } == [3, 1, 1] && byChannel.int64("orders").map { $0 } == [4, 1, 1])
    }

    @Test func attribution() throws {
        let a = try HandExample.fusion().attribution()
        let t = a.table
        #expect(try t.string("has_order").map { $0 } == ["no", "yes", "yes"])
        #expect(try t.string("returned").map { $0 } == ["NA", "no", "yes"])
        // no/NA: R08 (O6 is 35 days earlier). yes/no: R01→O1, R05→O5 and R06→O5 (equal times), R09→O6 (exactly 30 days).
        // yes/yes: R02→O2 (returned), R03→O3, R04→O3 (O4 is cancelled).
        #expect(try t.int64("responses").map { $0 } == [1, 4, 3])
        #expect(try t.double("mean_nps").map { $0 } == [0, 8.75, 6])
        #expect(try t.double("nps_score").map { $0 }.enumerated().allSatisfy { close($1, [-100, 50, -100.0 / 3][$0]) })
        #expect(try t.double("mean_amount").map { $0 } == [nil, 52.5, 70])
        // CSAT top box (4–5): R08 1 → 0 of 1; R01 5, R05 4, R09 3 (R06 has none) → 2 of 3; R02 4, R03 2, R04 2 → 1 of 3.
        // Wilson 95% bounds computed apart in Python.
        #expect(try t.int64("csat_n").map { $0 } == [1, 3, 3])
        let low = [0, 20.765960080205, 6.149194472040], high = [79.345068562276, 93.850805527960, 79.234039919795]
        let (csatLow, csatHigh) = (try t.double("csat_low"), try t.double("csat_high"))
        #expect((0..<3).allSatisfy { close(csatLow[$0], low[$0]) && close(csatHigh[$0], high[$0]) })
        #expect((a.answers, a.attributed, a.withoutCustomer) == (8, 7, 1))
        // Order-value bands (edges 25, 50, 100, 250): O6 30 → 25–<50, O5 40 ×2 → 25–<50, O2 50 → 50–<100, O3 80 ×2, O1 100 → 100–<250.
        let bands = a.byValueBand
        #expect(try bands.string("value_band").map { $0 } == ["unattributed", "0–<25", "25–<50", "50–<100", "100–<250", "≥250"])
        #expect(try bands.int64("responses").map { $0 } == [1, 0, 3, 3, 1, 0])
    }

    @Test func attributionToleranceIsInclusiveAndOptional() throws {
        let fusion = try HandExample.fusion()
        // One second less than 30 days: R09 is no longer attributed to O6.
        let tight = try fusion.attribution(options: AttributionOptions(toleranceMicroseconds: AsOfOptions.days(30) - 1_000_000))
        #expect(try tight.table.int64("responses").map { $0 } == [2, 3, 3])
        #expect(throws: FusionError.kernel(.negativeTolerance(microseconds: -1))) { try fusion.attribution(options: AttributionOptions(toleranceMicroseconds: -1)) }
        #expect(throws: FusionError.self) { try fusion.attribution(options: AttributionOptions(valueBands: [50, 25])) }
    }

    @Test func trendByRegionAndMonth() throws {
        let trend = try HandExample.fusion().trend(options: TrendOptions(period: .month, dimension: "region"))
        let t = trend.table
        #expect(try t.string("region").map { $0 } == ["EU", "NA"])
        #expect(try t.string("month").map { $0 } == ["2025-03", "2025-03"])
        // EU: 10, 9, 3, 6, 0, 7 → P 2, D 3 → −16.67. NA: 8, 10 → 50. R10 (no customer) is left out.
        #expect(try t.int64("responses").map { $0 } == [6, 2])
        #expect(try close(t.double("nps_score")[0], -100.0 / 6) && close(t.double("nps_score")[1], 50))
        #expect(try close(t.double("mean_csat")[0], 17.0 / 6) && close(t.double("mean_csat")[1], 4))
        // Top boxes among the scored answers: EU CSAT 5, 4, 2, 2, 1, 3 → 2 of 6 (4–5); NA 4 (R06 has none) → 1 of 1.
        // EU CES 7, 6, 2, 3, 1, 4 → 2 of 6 (5–7); NA 5, 6 → 2 of 2. Wilson 95% bounds from the formula, computed apart
        // in Python (z = 1.959963984540054).
        #expect(try t.int64("csat_n").map { $0 } == [6, 1] && t.int64("ces_n").map { $0 } == [6, 2])
        #expect(try close(t.double("csat")[0], 100.0 / 3) && close(t.double("ces")[1], 100))
        #expect(try close(t.double("csat_low")[0], 9.677141110578) && close(t.double("csat_high")[0], 70.000668486161))
        #expect(try close(t.double("csat_low")[1], 20.654931437724) && close(t.double("csat_high")[1], 100))
        #expect(try close(t.double("ces_low")[0], 9.677141110578) && close(t.double("ces_high")[0], 70.000668486161))
        #expect(try close(t.double("ces_low")[1], 34.238022750665) && close(t.double("ces_high")[1], 100))
        #expect(try close(t.double("mean_ces")[0], 23.0 / 6) && close(t.double("mean_ces")[1], 5.5))
        #expect(trend.withoutCustomer == 1)
        #expect(trend.incidents.isEmpty)   // cells below 30 answers are not tested
        // By the answers' own channel and by day.
        let byDay = try HandExample.fusion().trend(options: TrendOptions(period: .day, dimension: "channel"))
        // Values sorted (app, email, web), then days: app's first scored answer is R06 on day 3.
        #expect(try byDay.table.string("channel").map { $0 }.first == "app")
        #expect(try byDay.table.string("day").map { $0 }.first == "2025-03-04")
    }

    @Test func periodLabels() throws {
        // 2025-03-14 is a Friday in ISO week 11; 2024-12-30 is a Monday in ISO week 1 of 2025; 2021-01-03 is in week 53 of 2020.
        func label(_ period: TrendPeriod, _ y: Int, _ m: Int, _ d: Int) throws -> String {
            let answers = try Table([
                "customer_id": try .string(["C1"]), "responded_at": .timestamp([Timestamp(year: y, month: m, day: d, hour: 9)!]), "nps": .int64([9] as [Int64?]),
            ])
            let fusion = try Fusion(customers: try Table(["customer_id": try .string(["C1"])]), answers: answers)
            return try #require(try fusion.trend(options: TrendOptions(period: period)).table.string(period.rawValue)[0])
        }
        #expect(try label(.week, 2025, 3, 14) == "2025-W11")
        #expect(try label(.week, 2024, 12, 30) == "2025-W01")
        #expect(try label(.week, 2021, 1, 3) == "2020-W53")
        #expect(try label(.quarter, 2025, 8, 1) == "2025-Q3")
        #expect(try label(.month, 1969, 12, 31) == "1969-12")
        #expect(try label(.day, 2024, 2, 29) == "2024-02-29")
    }
}
