import Foundation

/// Options of ``AnalysisReport``.
public struct ReportOptions: Hashable, Sendable {
    /// The trend's and revenue-at-risk's dimension (`nil`: `region` when the answers or customers table has it).
    public var dimension: String?
    /// The trend's period (default month).
    public var period: TrendPeriod
    /// The drivers' outcome (default `return_rate`; `latest_nps` without orders).
    public var driversOutcome: String?
    /// Follow-up rows kept in the report (default 100); the text shows the first ``followUpShown``.
    public var followUpLimit: Int, followUpShown: Int

    public init(dimension: String? = nil, period: TrendPeriod = .month, driversOutcome: String? = nil, followUpLimit: Int = 100, followUpShown: Int = 10) {
        self.dimension = dimension
        self.period = period
        self.driversOutcome = driversOutcome
        self.followUpLimit = followUpLimit
        self.followUpShown = followUpShown
    }
}

/// Every analysis of a fusion, run once, as text a CX lead reads in a terminal and as one versioned
/// JSON document (`xofusion demo` and `xofusion report` print it).
public struct AnalysisReport: Sendable {
    /// The version of the JSON document's shape.
    public static let version = 1

    public let fusion: Fusion
    public let options: ReportOptions
    /// NPS, CSAT and CES over every answer.
    public let nps: NPSSummary?, csat: TopBoxSummary?, ces: TopBoxSummary?
    public let scorecard: Scorecard?
    public let profile: ProfileSummary
    public let attribution: Attribution?
    public let trend: Trend?
    public let drivers: DriverAnalysis?
    public let revenueAtRisk: RevenueAtRisk?
    public let followUp: FollowUpList?
    public let journey: JourneyBreakdown?

    /// Runs the analyses the fusion's roles and columns allow (an analysis whose role or column is
    /// missing is left out, and its section is `null` in the JSON).
    ///
    /// - Throws: ``FusionError`` for bad data (a score outside its scale) or a dimension that does not exist.
    /// - Complexity: that of the analyses: O(total rows) plus sorting the follow-up candidates.
    public init(fusion: Fusion, options: ReportOptions = ReportOptions()) throws(FusionError) {
        self.fusion = fusion
        self.options = options
        let c = fusion.columns, hasOrders = fusion.orders != nil
        let dimension = options.dimension ?? (fusion.answers["region"] != nil || fusion.customers["region"] != nil ? "region" : nil)
        nps = try c.nps.map { (name) throws(FusionError) in try fusion.answers.npsSummary(name, scale: fusion.mapping.answers.npsScale) }
        csat = try c.csat.map { (name) throws(FusionError) in try fusion.answers.topBoxSummary(name, scale: fusion.mapping.answers.csatScale) }
        ces = try c.ces.map { (name) throws(FusionError) in try fusion.answers.topBoxSummary(name, scale: fusion.mapping.answers.cesScale) }
        scorecard = hasOrders && c.nps != nil ? try fusion.scorecard() : nil
        profile = try fusion.customerProfile().summary
        attribution = hasOrders && c.nps != nil ? try fusion.attribution() : nil
        trend = c.nps != nil ? try fusion.trend(options: TrendOptions(period: options.period, dimension: dimension)) : nil
        let outcome = options.driversOutcome ?? (hasOrders ? "return_rate" : "latest_nps")
        drivers = c.nps != nil || c.csat != nil || c.ces != nil || c.sentiment != nil || options.driversOutcome != nil
            ? try fusion.drivers(of: outcome) : nil
        let grouping = dimension.flatMap { fusion.customers[$0] != nil ? Segmentation.customerColumn($0) : nil }
        revenueAtRisk = hasOrders && c.nps != nil ? try fusion.revenueAtRisk(by: grouping) : nil
        followUp = c.nps != nil ? try fusion.followUp(options: FollowUpOptions(limit: options.followUpLimit)) : nil
        journey = c.channel != nil && (c.nps != nil || c.csat != nil || c.ces != nil) ? try fusion.journey() : nil
    }
}

// MARK: - Text

extension AnalysisReport {
    /// The report as text: aligned tables, each figure with its margin or interval.
    ///
    /// - Complexity: O(rows shown).
    public func text() -> String {
        var out: [String] = []
        let f = fusion
        out.append("Data: \(grouped(f.customerCount)) customers · \(grouped(f.answers.rowCount)) answers"
            + (f.orders.map { " · \(grouped($0.rowCount)) orders" } ?? "") + (f.returns.map { " · \(grouped($0.rowCount)) returns" } ?? "")
            + (f.carts.map { " · \(grouped($0.rowCount)) abandoned carts" } ?? ""))
        out.append("Fusion: " + f.report.description.split(separator: "\n").dropFirst().joined(separator: "; "))
        var headline: [String] = []
        if let nps, let score = nps.score { headline.append("NPS \(signed(score)) ± \(fixed(nps.margin ?? 0, 1)) (n = \(grouped(nps.n)))") }
        if let csat, let p = csat.percent { headline.append("CSAT \(fixed(p, 1))% (n = \(grouped(csat.n)))") }
        if let ces, let p = ces.percent { headline.append("CES \(fixed(p, 1))% (n = \(grouped(ces.n)))") }
        if !headline.isEmpty { out.append("Overall: " + headline.joined(separator: " · ")) }

        if let scorecard {
            out.append(section("Segment scorecard", "customers by the class of their latest NPS answer; 95% intervals; flags: differs from the rest, Holm"))
            out.append(TextTable.render(
                header: ["segment", "customers", "orders/cust.", "revenue", "avg order", "return rate", "carts/cust.", "abandonment", "flags"],
                rows: scorecard.segments.map { s in
                    [s.segment, grouped(s.customers), s.customers > 0 ? fixed(Double(s.orders) / Double(s.customers), 2) : "–", money(s.revenue),
                     s.averageOrderValue.map { money($0) } ?? "–", percent(s.returnRate, s.returnRateInterval),
                     s.cartsPerCustomer.map { fixed($0, 2) } ?? "–", percent(s.cartAbandonmentRate, s.cartAbandonmentRateInterval),
                     s.flags.map { "\($0.metric) \($0.higher ? "↑" : "↓")" }.joined(separator: ", ")]
                }))
        }
        if let trend {
            out.append(section("Incidents", "a cell whose NPS fell below the other values of its period beyond their usual gap (Holm, ≥ 10 points)"))
            out.append(trend.incidents.isEmpty ? "none" : trend.incidents.map { "• \($0)" }.joined(separator: "\n"))
        }
        if let drivers {
            out.append(section("What drives \(drivers.outcome)", "per driver: Pearson r [95% interval], Spearman ρ, Johnson's relative weight"
                + (drivers.weights.map { "; R² = \(fixed($0.rSquared, 3))" } ?? "")))
            out.append(TextTable.render(
                header: ["rank", "driver", "n", "pearson r", "95% interval", "p", "spearman", "weight share"],
                rows: drivers.drivers.map { d in
                    [String(d.rank), d.driver, grouped(d.n), d.pearson.map { fixed($0.r, 3) } ?? "–",
                     d.pearson?.interval.map { "[\(fixed($0.lowerBound, 3)), \(fixed($0.upperBound, 3))]" } ?? "–",
                     d.pearson.map { pValue($0.pValue) } ?? (d.issue?.description ?? "–"), d.spearman.map { fixed($0.r, 3) } ?? "–",
                     d.weightShare.map { "\(fixed(100 * $0, 1))%" } ?? "–"]
                }))
            if let issue = drivers.weightsIssue { out.append("relative weights: \(issue)") }
        }
        if let risk = revenueAtRisk {
            let o = risk.overall
            let (start, date) = (risk.windowStart.description, risk.analysisDate.description)
            out.append(section("Revenue at risk", "detractors at \(date) by their latest NPS answer; their completed-order revenue in (\(start), \(date)]"))
            out.append("\(money(o.revenueAtRisk)) of \(money(o.revenue)) (\(o.shareAtRisk.map { fixed(100 * $0, 1) } ?? "–")%) from \(grouped(o.classes.detractors)) detractors; "
                + "revenue-weighted NPS \(o.revenueWeightedNPS.map(signed) ?? "–") against \(o.customerNPS.map(signed) ?? "–") one vote per customer")
            if risk.groups.count > 1 {
                out.append(TextTable.render(
                    header: [risk.table.schema.names[0], "customers", "detractors", "revenue", "at risk", "share", "rw-NPS", "NPS"],
                    rows: risk.groups.map { g in
                        [g.group, grouped(g.customers), grouped(g.classes.detractors), money(g.revenue), money(g.revenueAtRisk),
                         g.shareAtRisk.map { "\(fixed(100 * $0, 1))%" } ?? "–", g.revenueWeightedNPS.map(signed) ?? "–", g.customerNPS.map(signed) ?? "–"]
                    }))
            }
        }
        if let journey {
            out.append(section("Journey by \(journey.dimension)", "ranked by how far each \(journey.metric.rawValue.uppercased()) is below the overall figure"))
            out.append(TextTable.render(
                header: [journey.dimension, "NPS", "n", "CSAT", "CES", "gap", "below the rest"],
                rows: journey.steps.map { s in
                    [s.value, s.nps.score.map { "\(signed($0)) ± \(fixed(s.nps.margin ?? 0, 1))" } ?? "–", grouped(s.nps.n),
                     s.csat.percent.map { "\(fixed($0, 1))%" } ?? "–", s.ces.percent.map { "\(fixed($0, 1))%" } ?? "–",
                     s.gap.map(signed) ?? "–", s.isBelow ? "yes" : ""]
                }))
        }
        if let attribution {
            out.append(section("Attribution", "each answer → the customer's latest completed order ≤ 30 days before it"))
            let t = attribution.table
            out.append(TextTable.render(
                header: ["order", "returned", "answers", "NPS", "mean amount"],
                rows: (0..<t.rowCount).map { r in
                    [t["has_order"]![r].description, t["returned"]![r].description, grouped(attribution.nps[r].n),
                     attribution.nps[r].score.map { "\(signed($0)) ± \(fixed(attribution.nps[r].margin ?? 0, 1))" } ?? "–",
                     t["mean_amount"]?.doubleValues?[r].map { money($0) } ?? "–"]
                }))
        }
        if let followUp {
            let t = followUp.table
            let shown = min(options.followUpShown, t.rowCount)
            let (start, date) = (followUp.windowStart.description, followUp.analysisDate.description)
            out.append(section("Follow-up", "\(grouped(followUp.matched)) detractors at \(date) to call back, most revenue at risk in (\(start), \(date)] first; the first \(shown)"))
            out.append(TextTable.render(
                header: [t.schema.names[0], "NPS", "at risk", "last answer", "channel", "latest comment", "latest order"],
                rows: (0..<shown).map { r in
                    [t[t.schema.names[0]]![r].description, t["latest_nps"]![r].description, money(t["revenue_at_risk"]?.doubleValues?[r] ?? 0),
                     String(t["last_answer_at"]![r].description.prefix(10)), t["latest_channel"]![r].description,
                     String(t["latest_comment"]![r].description.prefix(36)),
                     t["latest_order_id"]!.isNull(r) ? "–" : "\(t["latest_order_id"]![r]) \(t["latest_order_status"]![r])"
                         + (t["latest_order_returned"]![r] == .bool(true) ? ", returned" : "")]
                }))
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func section(_ title: String, _ note: String) -> String { "\n\(title)\n" + String(repeating: "─", count: title.count) + "\n(\(note))" }
}

// MARK: - JSON

extension AnalysisReport {
    /// The report as one JSON document: `version`, `data`, `fusion`, `overall`, `scorecard`, `profileSummary`,
    /// `attribution`, `trend`, `incidents`, `drivers`, `followUp`, `revenueAtRisk`, `journey` (a section whose
    /// analysis could not run is `null`); `extra` sections (the demo's generator) come after `version`.
    ///
    /// - Complexity: O(size of the document).
    public func json(extra: [(String, JSONValue)] = []) -> JSONValue {
        let f = fusion
        func nullable<T>(_ value: T?, _ body: (T) -> JSONValue) -> JSONValue { value.map(body) ?? .null }
        func number(_ x: Double?) -> JSONValue { x.map { .double($0) } ?? .null }
        func interval(_ r: ClosedRange<Double>?) -> JSONValue { r.map { .array([.double($0.lowerBound), .double($0.upperBound)]) } ?? .null }
        func npsJSON(_ s: NPSSummary) -> JSONValue {
            .object([("n", .int(s.n)), ("promoters", .int(s.promoters)), ("passives", .int(s.passives)), ("detractors", .int(s.detractors)),
                     ("score", number(s.score)), ("margin", number(s.margin)), ("interval", interval(s.interval))])
        }
        func topBoxJSON(_ s: TopBoxSummary) -> JSONValue {
            .object([("n", .int(s.n)), ("topBox", .int(s.topBox)), ("percent", number(s.percent)), ("interval", interval(s.interval)),
                     ("mean", number(s.mean)), ("meanInterval", interval(s.meanInterval))])
        }
        var counts: [(String, JSONValue)] = [("customers", .int(f.customerCount)), ("answers", .int(f.answers.rowCount))]
        for (name, table) in [("orders", f.orders), ("returns", f.returns), ("carts", f.carts), ("tickets", f.tickets)] {
            if let table { counts.append((name, .int(table.rowCount))) }
        }
        var document: [(String, JSONValue)] = [("version", .int(AnalysisReport.version))] + extra
        document += [
            ("data", .object(counts)),
            ("fusion", .array(f.report.description.split(separator: "\n").dropFirst().map { .string(String($0)) })),
            ("overall", .object([("nps", nullable(nps, npsJSON)), ("csat", nullable(csat, topBoxJSON)), ("ces", nullable(ces, topBoxJSON))])),
            ("scorecard", nullable(scorecard) { .rows(of: $0.table) }),
            ("profileSummary", .object([
                ("customers", .int(profile.customers)), ("withAnswers", .int(profile.withAnswers)), ("withNPS", .int(profile.withNPS)),
                ("withOrders", .int(profile.withOrders)), ("completedOrders", .int(profile.completedOrders)), ("revenue", .double(profile.revenue)),
                ("returnedOrders", .int(profile.returnedOrders)),
                ("segments", .object(CustomerSegment.allCases.map { ($0.rawValue, .int(profile.segments[$0] ?? 0)) })),
            ])),
            ("attribution", nullable(attribution) { .object([("answers", .int($0.answers)), ("attributed", .int($0.attributed)), ("rows", .rows(of: $0.table)), ("byValueBand", .rows(of: $0.byValueBand))]) }),
            ("trend", nullable(trend) { .rows(of: $0.table) }),
            ("incidents", nullable(trend) { .array($0.incidents.map { i in
                .object([("value", .string(i.value)), ("period", .string(i.period)), ("nps", npsJSON(i.nps)), ("othersNPS", .double(i.othersNPS)),
                         ("usualGap", .double(i.usualGap)), ("effect", .double(i.effect)), ("pValue", .double(i.pValue)), ("adjustedP", .double(i.adjustedP))])
            }) }),
            ("drivers", nullable(drivers) { d in
                .object([("outcome", .string(d.outcome)), ("rSquared", number(d.weights?.rSquared)), ("weightRows", d.weights.map { .int($0.n) } ?? .null),
                         ("weightsIssue", d.weightsIssue.map { .string($0.description) } ?? .null), ("rows", .rows(of: d.table))])
            }),
            ("followUp", nullable(followUp) { $0.json() }),
            ("revenueAtRisk", nullable(revenueAtRisk) { r in
                let o = r.overall
                return .object([
                    ("analysisDate", .string(r.analysisDate.description)), ("windowStart", .string(r.windowStart.description)),
                    ("overall", .object([("customers", .int(o.customers)), ("detractors", .int(o.classes.detractors)), ("revenue", .double(o.revenue)),
                                         ("revenueAtRisk", .double(o.revenueAtRisk)), ("shareAtRisk", number(o.shareAtRisk)),
                                         ("revenueWeightedNPS", number(o.revenueWeightedNPS)), ("customerNPS", number(o.customerNPS))])),
                    ("groups", .rows(of: r.table)),
                ])
            }),
            ("journey", nullable(journey) { j in .object([("dimension", .string(j.dimension)), ("metric", .string(j.metric.rawValue)), ("rows", .rows(of: j.table))]) }),
        ]
        return .object(document)
    }
}

// MARK: - Formatting

/// Columns aligned with spaces: text left, numbers right.
private enum TextTable {
    static func render(header: [String], rows rawRows: [[String]]) -> String {
        // One line per row: line breaks and tabs inside a cell (a comment) become spaces.
        let rows = rawRows.map { $0.map { cell in String(cell.map { $0.isNewline || $0 == "\t" ? " " : $0 }) } }
        var width = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { width[i] = max(width[i], cell.count) } }
        let numeric = header.indices.map { i in !rows.isEmpty && rows.allSatisfy { row in
            row[i] == "–" || row[i].first.map { $0.isNumber || "+-−[".contains($0) } ?? true } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: width[i] - cell.count)
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header), line(width.map { String(repeating: "─", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }
}

/// 1234567 → "1,234,567".
private func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

private func fixed(_ x: Double, _ places: Int) -> String { String(format: "%.\(places)f", x) }
private func signed(_ x: Double) -> String { (x >= 0.05 ? "+" : x <= -0.05 ? "" : "") + fixed(abs(x) < 0.05 ? 0 : x, 1) }
private func money(_ x: Double) -> String {
    let cents = Int((x * 100).rounded())
    let units = abs(cents) / 100, rest = abs(cents) % 100
    return (cents < 0 ? "-" : "") + grouped(units) + "." + (rest < 10 ? "0" : "") + String(rest)
}
private func percent(_ x: Double?, _ interval: ClosedRange<Double>?) -> String {
    guard let x else { return "–" }
    return "\(fixed(100 * x, 1))%" + (interval.map { " [\(fixed(100 * $0.lowerBound, 1)), \(fixed(100 * $0.upperBound, 1))]" } ?? "")
}
private func pValue(_ p: Double) -> String { p < 0.0001 ? "<0.0001" : fixed(p, 4) }
