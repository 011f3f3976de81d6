import Foundation
import Testing
import XOFusion

/// Drivers, revenue at risk, the follow-up list and the journey breakdown on ``HandExample``,
/// against figures worked out by hand in the comments.
@Suite struct ActionAnalysisTests {
    func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= tolerance
    }

    // MARK: Drivers

    @Test func returnRateAgainstLatestNPS() throws {
        // Pairs (latest NPS, return rate): C1 (9, 1/2: O2 of O1, O2 returned), C2 (6, 1/1: O4 is cancelled),
        // C3 (10, 0), C5 (0, 0); C4 has no NPS. Means 6.25 and 0.375; Σdxdy = 1.125, Σdx² = 60.75, Σdy² = 0.6875.
        let analysis = try HandExample.fusion().drivers(of: "return_rate", candidates: ["latest_nps"])
        let nps = try #require(analysis.drivers.first)
        #expect(nps.driver == "latest_nps" && nps.n == 4 && nps.rank == 1)
        #expect(close(nps.pearson?.r, 1.125 / (60.75 * 0.6875).squareRoot()))
        #expect(analysis.weights == nil && analysis.weightsIssue == nil)  // one driver: no relative weights
        #expect(analysis.table.rowCount == 1 && analysis.table["pearson_r"]?[0] == .double(nps.pearson!.r))
    }

    @Test func defaultCandidatesAndRelativeWeights() throws {
        // For an operational outcome the candidates are the experience columns present.
        let analysis = try HandExample.fusion().drivers(of: "return_rate")
        #expect(Set(analysis.drivers.map(\.driver)) == ["latest_nps", "mean_csat", "mean_ces", "mean_sentiment"])
        #expect(analysis.drivers.map(\.rank) == [1, 2, 3, 4])
        // mean CSAT is present for all five customers, and so is a return rate (C4: O7 not returned).
        #expect(analysis.drivers.first { $0.driver == "mean_csat" }?.n == 5)
        // Four drivers need six complete rows; only four customers have every value.
        #expect(analysis.weights == nil && analysis.weightsIssue == .tooFewRows(n: 4, needed: 6))
        // Ranked by |r| without weights.
        let strengths = analysis.drivers.map { abs($0.pearson?.r ?? -1) }
        #expect(strengths == strengths.sorted(by: >))
    }

    @Test func driverRequestsThatCannotWork() throws {
        let fusion = try HandExample.fusion()
        #expect(throws: FusionError.missingColumn(role: .customers, field: "outcome", column: "retrun_rate", suggestions: ["return_rate"])) {
            try fusion.drivers(of: "retrun_rate")
        }
        #expect(throws: FusionError.wrongKind(role: .customers, column: "segment", kind: .string, expected: "numeric or bool")) {
            try fusion.drivers(of: "return_rate", candidates: ["segment"])
        }
        #expect(throws: FusionError.badOption("'revenue' is the outcome; it cannot also be a driver")) {
            try fusion.drivers(of: "revenue", candidates: ["revenue", "latest_nps"])
        }
        // A constant driver is reported on its row, not NaN: every customer has at most one cart… no: use the bool.
        let constant = try DriverAnalysis(
            table: try Table(columns: [("y", .double([1, 2, 3, 4])), ("flat", .bool([true, true, true, true])), ("x", .int64([1, 3, 2, 4]))]),
            outcome: "y", drivers: ["flat", "x"])
        #expect(constant.drivers.map(\.driver) == ["x", "flat"])
        #expect(constant.drivers[1].issue == .constant(column: "flat") && constant.drivers[1].pearson == nil)
        #expect(constant.weightsIssue == .constant(column: "flat"))
        #expect(constant.table["issue"]?[1] == .string("'flat' takes a single value over the rows used"))
    }

    // MARK: Revenue at risk

    @Test func revenueAtRiskAtTheLatestOrder() throws {
        // The date is day 5 (O4, cancelled, is the latest order). Classes then: C1 promoter (R02, day 5 counts),
        // C2 detractor (R03; R04 is later), C3 promoter (R06), C4 none, C5 passive (R09; R08 is later).
        // Window revenue: C1 150, C2 80, C3 40, C4 60, C5 30.
        let risk = try HandExample.fusion().revenueAtRisk()
        #expect(risk.analysisDate == HandExample.at(5))
        let all = risk.overall
        #expect(all.customers == 5 && all.classes.promoters == 2 && all.classes.passives == 1 && all.classes.detractors == 1)
        #expect(close(all.revenue, 360) && close(all.revenueAtRisk, 80) && close(all.shareAtRisk, 80.0 / 360))
        #expect(close(all.revenueWeightedNPS, 100 * (190.0 - 80) / 300))   // C4 has no segment: out of R_all
        #expect(close(all.customerNPS, 25))
        #expect(risk.groups == [all] && risk.table.rowCount == 1)
    }

    @Test func revenueAtRiskByRegionLaterAndInAShortWindow() throws {
        let fusion = try HandExample.fusion()
        // EU: C1 (P, 150), C2 (D, 80), C5 (Pa, 30); NA: C3 (P, 40), C4 (none, 60). Most at risk first.
        let byRegion = try fusion.revenueAtRisk(by: .customerColumn("region"))
        #expect(byRegion.groups.map(\.group) == ["EU", "NA"])
        #expect(close(byRegion.groups[0].revenueAtRisk, 80) && close(byRegion.groups[0].revenueWeightedNPS, 100 * 70.0 / 260))
        #expect(close(byRegion.groups[1].revenueAtRisk, 0) && close(byRegion.groups[1].revenueWeightedNPS, 100) && close(byRegion.groups[1].revenue, 100))
        #expect(byRegion.table.schema.names.first == "region")
        // At day 7, R08 makes C5 a detractor too.
        #expect(close(try fusion.revenueAtRisk(options: RevenueAtRiskOptions(asOf: HandExample.at(7))).overall.revenueAtRisk, 110))
        // The window (date − days, date] excludes its start: O6 is exactly 33 days before day 5.
        let short = try fusion.revenueAtRisk(options: RevenueAtRiskOptions(windowDays: 33)).overall
        #expect(close(short.revenue, 270) && close(short.passiveRevenue, 0) && close(short.revenueWeightedNPS, 100 * 110.0 / 270))
        #expect(close(try fusion.revenueAtRisk(options: RevenueAtRiskOptions(windowDays: 34)).overall.passiveRevenue, 30))
        #expect(throws: FusionError.badOption("the revenue window must be at least one day, not 0")) {
            try fusion.revenueAtRisk(options: RevenueAtRiskOptions(windowDays: 0))
        }
        // A window longer than 64-bit microseconds hold is refused, not trapped; one that reaches past the earliest
        // representable time holds every order (the same figures as a 100-day window here).
        let tooLong = FusionError.badOption("the revenue window of \(Int.max) days is longer than 64-bit microseconds hold")
        #expect(throws: tooLong) { try fusion.revenueAtRisk(options: RevenueAtRiskOptions(windowDays: .max)) }
        #expect(throws: tooLong) { try fusion.followUp(options: FollowUpOptions(windowDays: .max)) }
        let longest = try fusion.revenueAtRisk(options: RevenueAtRiskOptions(windowDays: 106_000_000)).overall
        #expect(longest == (try fusion.revenueAtRisk(options: RevenueAtRiskOptions(windowDays: 100)).overall))
        #expect(try fusion.followUp(options: FollowUpOptions(windowDays: 106_000_000)).table == fusion.followUp(options: FollowUpOptions(windowDays: 100)).table)
    }

    @Test func datesAtTheEndsOfTheCalendarKeepTheirOrder() throws {
        // Order dates billions of days out do not fit 64-bit microseconds: they stay first and last, never wrap.
        let customers = try Table(["customer_id": try .string(["C1"])])
        let answers = try Table(["customer_id": try .string(["C1"]), "responded_at": .date([CivilDate(daysSinceEpoch: 20_000)]), "nps": .int64([3])])
        let orders = try Table([
            "order_id": try .string(["O1", "O2", "O3"]), "customer_id": try .string(["C1", "C1", "C1"]),
            "ordered_at": .date([CivilDate(daysSinceEpoch: .max), CivilDate(daysSinceEpoch: .min), CivilDate(daysSinceEpoch: 19_990)]),
            "amount": HandExample.money([100, 200, 400]),   // 1.00, 2.00, 4.00
        ])
        let fusion = try Fusion(customers: customers, answers: answers, orders: orders)
        #expect(try fusion.customerProfile().table.double("revenue").map { $0 } == [7])
        // The latest order is O1, at the far end: the analysis date sits there, and the year before it holds only O1.
        let risk = try fusion.revenueAtRisk().overall
        #expect(close(risk.revenue, 1) && risk.classes.detractors == 1)
    }

    // MARK: Follow-up

    @Test func detractorsByRevenueAtRisk() throws {
        // The date is day 7 (R08, the latest answer). Detractors then: C2 (R04: 6) and C5 (R08: 0).
        let list = try HandExample.fusion().followUp()
        #expect(list.analysisDate == HandExample.at(7) && list.matched == 2)
        let t = list.table
        #expect(t.schema.names == ["customer_id"] + FollowUpList.columns)
        #expect(t["customer_id"]?.stringValues?.map { $0 } == ["C2", "C5"])
        #expect(t["revenue_at_risk"]?.doubleValues?.map { $0 } == [80, 30])
        #expect(t["latest_nps"]?.int64Values?.map { $0 } == [6, 0])
        #expect(t["last_answer_at"]?[0] == .timestamp(HandExample.at(6)))
        #expect(t["latest_channel"]?.stringValues?.map { $0 } == ["email", "web"])
        // C2's latest answer (R04) has no comment: the latest comment is R03's.
        #expect(t["latest_comment"]?.stringValues?.map { $0 } == ["Arrived broken", "Never again"])
        // C2's latest order is O4, cancelled on day 5; C5's is O6.
        #expect(t["latest_order_id"]?.stringValues?.map { $0 } == ["O4", "O6"])
        #expect(t["latest_order_status"]?.stringValues?.map { $0 } == ["cancelled", "completed"])
        #expect(t["latest_order_returned"]?.boolValues?.map { $0 } == [false, false])
        #expect(t["latest_order_amount"]?[0] == .decimal(ScaledDecimal(units: 2000, scale: 2)))
        #expect(t["return_rate"]?.doubleValues?.map { $0 } == [1, 0] && t["cart_count"]?.int64Values?.map { $0 } == [2, 1])
    }

    @Test func rulesFiltersAndLimits() throws {
        let fusion = try HandExample.fusion()
        func ids(_ options: FollowUpOptions) throws -> [String?] { try fusion.followUp(options: options).table["customer_id"]!.stringValues!.map { $0 } }
        #expect(try ids(FollowUpOptions(channels: ["web"])) == ["C5"])
        #expect(try ids(FollowUpOptions(segment: ValueFilter(column: "region", values: ["EU"]))) == ["C2", "C5"])
        #expect(try ids(FollowUpOptions(segment: ValueFilter(column: "region", values: ["NA"]))) == [])
        #expect(try ids(FollowUpOptions(answeredSince: HandExample.at(7))) == ["C5"])
        #expect(try ids(FollowUpOptions(answeredBefore: HandExample.at(7))) == ["C2"])
        // Any rule over the candidates: customers who returned something, most revenue first (C1 150, C2 80).
        #expect(try ids(FollowUpOptions(rule: .compare("return_rate", .greater, .double(0)))) == ["C1", "C2"])
        // Earlier, C5 was a passive (R09).
        #expect(try ids(FollowUpOptions(asOf: HandExample.at(5))) == ["C2"])
        let cut = try fusion.followUp(options: FollowUpOptions(limit: 1, include: ["region"]))
        #expect(cut.matched == 2 && cut.table.rowCount == 1 && cut.table.schema.names.last == "region")
        #expect(throws: FusionError.missingColumn(role: .customers, field: "included column", column: "regoin", suggestions: ["region"])) {
            try fusion.followUp(options: FollowUpOptions(include: ["regoin"]))
        }
        #expect(throws: FusionError.badOption("the follow-up limit must not be negative, not -1")) { try fusion.followUp(options: FollowUpOptions(limit: -1)) }
    }

    @Test func followUpAsCSVAndJSON() throws {
        let list = try HandExample.fusion().followUp()
        let csv = list.csv()
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "customer_id,segment,latest_nps,revenue_at_risk,last_answer_at,latest_channel,latest_comment,latest_order_id,latest_order_at,latest_order_amount,latest_order_status,latest_order_returned,order_count,revenue,return_rate,cart_count")
        #expect(lines[1].hasPrefix("C2,detractor,6,80.0,2025-03-07T12:00:00Z,email,Arrived broken,O4,2025-03-06T12:00:00Z,20.00,cancelled,false,1,80.0,1.0,2"))
        let back = try CSVReader.read(string: csv).table
        #expect(back.rowCount == 2 && back["latest_comment"]?[1] == .string("Never again"))
        let json = list.json().serialized()
        #expect(json.hasPrefix(#"{"version":1,"analysisDate":"2025-03-08T12:00:00Z","windowStart":"#))
        #expect(json.contains(#""rows":[{"customer_id":"C2","segment":"detractor","latest_nps":6,"revenue_at_risk":80.0,"#))
    }

    // MARK: Journey

    @Test func journeyByChannel() throws {
        // NPS per channel (every answer, R10 included): web R01 10, R03 3, R05 8, R08 0, R10 10 → P 2, D 2 of 5 → 0;
        // app R02 9, R06 10 (R07 null) → 100; email R04 6, R09 7 → −50. Overall 4 P, 3 D of 9 → 100/9.
        let journey = try HandExample.fusion().journey()
        #expect(journey.dimension == "channel" && journey.metric == .nps)
        #expect(journey.steps.map(\.value) == ["email", "web", "app"])
        #expect(close(journey.overall.nps.score, 100.0 / 9) && journey.overall.nps.n == 9)
        #expect(close(journey.steps[0].gap, -50 - 100.0 / 9) && close(journey.steps[1].gap, -100.0 / 9) && close(journey.steps[2].gap, 100 - 100.0 / 9))
        // CSAT top-2-box: web 5 2 4 1 5 → 60%; app 4 3 → 50%; email 2 3 → 0%.
        #expect(close(journey.steps[1].csat.percent, 60) && close(journey.steps[2].csat.percent, 50) && close(journey.steps[0].csat.percent, 0))
        #expect(journey.steps.allSatisfy { !$0.isBelow })  // nothing is significant on nine answers
        // Intervals per step (margins and Wilson bounds computed apart in Python, z = 1.959963984540054): web NPS 0
        // ± 1.96·100·√(0.8 / 5) = 78.398559381602; email −50 ± 1.96·100·√((0.5 − 0.25) / 2) = 69.295191217484, its
        // lower end clipped at −100; web CSAT 3 of 5 → Wilson (23.072428127601, 88.237922576735).
        let t = journey.table
        let (npsLow, npsHigh, csatLow, csatHigh) = (try t.double("nps_low"), try t.double("nps_high"), try t.double("csat_low"), try t.double("csat_high"))
        #expect(close(npsLow[1], -78.398559381602) && close(npsHigh[1], 78.398559381602))
        #expect(close(npsLow[0], -100) && close(npsHigh[0], -50 + 69.295191217484))
        #expect(close(csatLow[1], 23.072428127601) && close(csatHigh[1], 88.237922576735))
        #expect(journey.table.schema.names.prefix(3) == ["channel", "nps_n", "nps"])
        // Ranked by CSAT instead: email 0, app 50, web 60 against 4 of 9.
        let byCSAT = try HandExample.fusion().journey(options: JourneyOptions(metric: .csat))
        #expect(byCSAT.steps.map(\.value) == ["email", "app", "web"] && close(byCSAT.steps[0].gap, -400.0 / 9))
    }

    @Test func journeyByACustomerColumnAndWindow() throws {
        let fusion = try HandExample.fusion()
        // Region reaches answers through their customer: R10 (C9) is left out. EU: R01 R02 R03 R04 R08 R09 →
        // P 2, D 3 of 6; NA: R05 R06 → P 1 of 2 → 50. Overall 3 P, 3 D of 8 → 0.
        let journey = try fusion.journey(options: JourneyOptions(dimension: "region"))
        #expect(journey.withoutCustomer == 1)
        #expect(journey.steps.map(\.value) == ["EU", "NA"] && close(journey.steps[0].nps.score, -100.0 / 6) && close(journey.overall.nps.score, 0))
        // Only days 5–6: R02 (app, 9) and R04 (email, 6).
        let window = try fusion.journey(options: JourneyOptions(since: HandExample.at(5), before: HandExample.at(7)))
        #expect(window.steps.map(\.value) == ["email", "app"] && window.overall.nps.n == 2)
        #expect(throws: FusionError.missingColumn(role: .answers, field: "dimension", column: "chanel", suggestions: ["channel"])) {
            try fusion.journey(options: JourneyOptions(dimension: "chanel"))
        }
    }
}
