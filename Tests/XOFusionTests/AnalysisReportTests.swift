import Testing
import XOFusion

/// The report `xofusion demo` and `xofusion report` print: the JSON document's shape is pinned
/// (a change to it must change ``AnalysisReport/version`` and this golden shape together), and the
/// text carries every section with the hand example's figures.
@Suite struct AnalysisReportTests {
    /// Keys in order, recursively; an array shows its first element's shape.
    static func shape(_ value: JSONValue) -> String {
        switch value {
        case .object(let pairs): return "{" + pairs.map { "\($0.0): \(shape($0.1))" }.joined(separator: ", ") + "}"
        case .array(let items): return "[" + (items.first.map { shape($0) } ?? "") + "]"
        case .null: return "null"
        case .bool: return "bool"
        case .int, .bigInt, .double: return "number"
        case .string: return "string"
        }
    }

    static let golden = """
        {version: number, data: {customers: number, answers: number, orders: number, returns: number, carts: number}, \
        fusion: [string], overall: {nps: {n: number, promoters: number, passives: number, detractors: number, score: number, \
        margin: number, interval: [number]}, csat: {n: number, topBox: number, percent: number, interval: [number], \
        mean: number, meanInterval: [number]}, ces: {n: number, topBox: number, percent: number, interval: [number], \
        mean: number, meanInterval: [number]}}, scorecard: [{segment: string, customers: number, orders: number, \
        revenue: number, avg_order_value: number, avg_order_value_low: number, avg_order_value_high: number, \
        return_rate: number, return_rate_low: number, return_rate_high: number, carts_per_customer: number, \
        carts_per_customer_low: number, carts_per_customer_high: number, cart_abandonment_rate: number, \
        cart_abandonment_rate_low: number, cart_abandonment_rate_high: number, revenue_per_customer: number, \
        revenue_per_customer_low: number, revenue_per_customer_high: number, small: bool, flags: string}], \
        profileSummary: {customers: number, withAnswers: number, withNPS: number, withOrders: number, completedOrders: number, \
        revenue: number, returnedOrders: number, segments: {detractor: number, none: number, passive: number, \
        promoter: number}}, attribution: {answers: number, attributed: number, rows: [{has_order: string, returned: string, \
        responses: number, mean_nps: number, nps_score: number, nps_margin: number, nps_low: number, nps_high: number, \
        csat_n: number, csat: number, csat_low: number, csat_high: number, mean_csat: number, mean_amount: null}], byValueBand: [{value_band: string, \
        responses: number, mean_nps: number, nps_score: number, nps_margin: number, nps_low: number, nps_high: number, \
        csat_n: number, csat: number, csat_low: number, csat_high: number, mean_csat: number, mean_amount: null}]}, trend: [{region: string, month: string, \
        responses: number, nps_score: number, nps_margin: number, nps_low: number, nps_high: number, mean_csat: number, \
        csat: number, csat_low: number, csat_high: number, csat_n: number, mean_ces: number, ces: number, ces_low: number, \
        ces_high: number, ces_n: number, small: bool}], incidents: [], \
        drivers: {outcome: string, rSquared: null, weightRows: null, weightsIssue: string, rows: [{driver: string, \
        rank: number, n: number, pearson_r: number, pearson_low: number, pearson_high: number, pearson_p: number, \
        spearman_r: number, spearman_low: number, spearman_high: number, spearman_p: number, relative_weight: null, \
        weight_share: null, issue: null}]}, followUp: {version: number, analysisDate: string, windowStart: string, \
        matched: number, columns: [string], rows: [{customer_id: string, segment: string, latest_nps: number, \
        revenue_at_risk: number, last_answer_at: string, latest_channel: string, latest_comment: string, \
        latest_order_id: string, latest_order_at: string, latest_order_amount: number, latest_order_status: string, \
        latest_order_returned: bool, order_count: number, revenue: number, return_rate: number, cart_count: number}]}, \
        revenueAtRisk: {analysisDate: string, windowStart: string, overall: {customers: number, detractors: number, \
        revenue: number, revenueAtRisk: number, shareAtRisk: number, revenueWeightedNPS: number, customerNPS: number}, \
        groups: [{region: string, customers: number, promoters: number, passives: number, detractors: number, revenue: number, \
        promoter_revenue: number, passive_revenue: number, detractor_revenue: number, revenue_at_risk: number, \
        share_at_risk: number, revenue_weighted_nps: number, customer_nps: number}]}, journey: {dimension: string, \
        metric: string, rows: [{channel: string, nps_n: number, nps: number, nps_low: number, nps_high: number, csat_n: number, \
        csat: number, csat_low: number, csat_high: number, ces_n: number, ces: number, ces_low: number, ces_high: number, \
        gap: number, p_adjusted: number, below: bool, small: bool}]}}
        """

    @Test func theJSONDocumentKeepsItsShape() throws {
        let report = try AnalysisReport(fusion: try HandExample.fusion())
        #expect(Self.shape(report.json()) == Self.golden)
        #expect(AnalysisReport.version == 1)
    }

    @Test func theJSONCarriesTheFigures() throws {
        let json = try AnalysisReport(fusion: try HandExample.fusion()).json(extra: [("generator", .string("hand"))]).serialized()
        #expect(json.hasPrefix(#"{"version":1,"generator":"hand","data":{"customers":5,"answers":10,"orders":7,"returns":3,"carts":5}"#))
        // NPS over the nine scored answers: 4 promoters, 3 detractors.
        #expect(json.contains(#""overall":{"nps":{"n":9,"promoters":4,"passives":2,"detractors":3,"#))
        #expect(json.contains(#""revenueAtRisk":{"analysisDate":"2025-03-06T12:00:00Z""#))
    }

    @Test func theTextHasEverySection() throws {
        let text = try AnalysisReport(fusion: try HandExample.fusion()).text()
        for heading in ["Segment scorecard", "Incidents", "What drives return_rate", "Revenue at risk", "Journey by channel", "Attribution", "Follow-up"] {
            #expect(text.contains("\n\(heading)\n"), "\(heading)")
        }
        #expect(text.contains("Data: 5 customers · 10 answers · 7 orders · 3 returns · 5 abandoned carts"))
        #expect(text.contains("80.00 of 360.00 (22.2%) from 1 detractors; revenue-weighted NPS +36.7 against +25.0 one vote per customer"))
        #expect(text.contains("NPS +11.1 ± "))
    }

    @Test func sectionsWithoutTheirRolesAreNull() throws {
        // Answers only: no scorecard, attribution, revenue at risk; drivers of the latest NPS.
        let fusion = try Fusion(customers: HandExample.customers, answers: HandExample.answers)
        let report = try AnalysisReport(fusion: fusion)
        #expect(report.scorecard == nil && report.attribution == nil && report.revenueAtRisk == nil)
        #expect(report.drivers?.outcome == "latest_nps")
        let json = report.json().serialized()
        #expect(json.contains(#""scorecard":null"#) && json.contains(#""revenueAtRisk":null"#))
    }
}
