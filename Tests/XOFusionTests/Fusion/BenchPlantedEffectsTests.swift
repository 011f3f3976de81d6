import Foundation
import Testing
import XOFusion

/// The effects `../shared/bench/gen.py` plants (its README, "How the data is generated") come out of the
/// analyses with the sign and rank it built in: detractors return and abandon more, promoters buy more,
/// and EU-South dips in 2025-03/04.
///
/// Needs generated bench data, so it runs only when `XOFUSION_BENCH_DATA` names the directory (`.ci/run`
/// generates SF0.01 with seed 42 and runs this suite; a plain `swift test` in a user's clone skips it).
private let benchDataDirectory = ProcessInfo.processInfo.environment["XOFUSION_BENCH_DATA"]

@Suite(.enabled(if: benchDataDirectory != nil, "set XOFUSION_BENCH_DATA to a bench data directory"))
struct BenchPlantedEffectsTests {
    static let fusion: Result<Fusion, any Error> = Result { try BenchQueries.fuse(try BenchDataset.load(from: benchDataDirectory ?? ".")) }

    func driver(_ outcome: String) throws -> Correlation {
        let analysis = try Self.fusion.get().drivers(of: outcome, candidates: ["latest_nps"])
        return try #require(analysis.drivers.first?.pearson)
    }

    @Test func detractorsReturnAndAbandonMorePromotersBuyMore() throws {
        for outcome in ["return_rate", "abandonment_rate", "cart_count"] {
            let r = try driver(outcome)
            #expect(r.r < 0 && r.pValue < 1e-6, "\(outcome): r = \(r.r), p = \(r.pValue)")
        }
        for outcome in ["order_count", "revenue", "repeat_purchase"] {
            let r = try driver(outcome)
            #expect(r.r > 0 && r.pValue < 1e-6, "\(outcome): r = \(r.r), p = \(r.pValue)")
        }
    }

    @Test func segmentsRankAsPlanted() throws {
        let segments = Dictionary(uniqueKeysWithValues: try Self.fusion.get().scorecard().segments.map { ($0.segment, $0) })
        let (d, p, pr) = (segments["detractor"]!, segments["passive"]!, segments["promoter"]!)
        #expect(d.returnRate! > p.returnRate! && p.returnRate! > pr.returnRate!)
        #expect(d.cartsPerCustomer! > p.cartsPerCustomer! && p.cartsPerCustomer! > pr.cartsPerCustomer!)
        #expect(d.cartAbandonmentRate! > p.cartAbandonmentRate! && p.cartAbandonmentRate! > pr.cartAbandonmentRate!)
        let ordersPerCustomer = { (s: ScorecardSegment) in Double(s.orders) / Double(s.customers) }
        #expect(ordersPerCustomer(pr) > ordersPerCustomer(p) && ordersPerCustomer(p) > ordersPerCustomer(d))
        // Every one of these differences is flagged against the rest for detractors.
        #expect(Set(d.flags.map(\.metric)).isSuperset(of: ["return_rate", "cart_abandonment_rate", "carts_per_customer"]))
    }

    @Test func promotersCarryMoreRevenueThanTheirHeadcount() throws {
        let risk = try Self.fusion.get().revenueAtRisk().overall
        // Promoters buy more, so weighting by revenue lifts the NPS; detractors still hold revenue at risk.
        #expect(risk.revenueWeightedNPS! > risk.customerNPS!)
        #expect(risk.revenueAtRisk > 0 && risk.shareAtRisk! < Double(risk.classes.detractors) / Double(risk.customers))
    }

    @Test func theEUSouthIncidentLeadsTheJourneyInItsMonths() throws {
        let journey = try Self.fusion.get().journey(options: JourneyOptions(
            dimension: "region", since: Timestamp(year: 2025, month: 3, day: 1)!, before: Timestamp(year: 2025, month: 5, day: 1)!))
        let first = try #require(journey.steps.first)
        #expect(first.value == "EU-South" && first.isBelow)
    }

    @Test func theFollowUpListPutsTheBiggestDetractorAccountsFirst() throws {
        let list = try Self.fusion.get().followUp(options: FollowUpOptions(limit: 20))
        let risk = list.table["revenue_at_risk"]!.doubleValues!.map { $0! }
        #expect(list.table.rowCount == 20 && risk == risk.sorted(by: >) && risk[0] > 0)
        #expect(list.table["segment"]!.stringValues!.allSatisfy { $0 == "detractor" })
        #expect(list.matched == (try Self.fusion.get().revenueAtRisk(options: RevenueAtRiskOptions(asOf: list.analysisDate)).overall.classes.detractors))
    }
}
