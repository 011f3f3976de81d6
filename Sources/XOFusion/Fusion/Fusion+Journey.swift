/// The experience figure a journey breakdown ranks by.
public enum JourneyMetric: String, Hashable, Sendable, CaseIterable {
    /// NPS, in points.
    case nps
    /// CSAT top-2-box, in percent.
    case csat
    /// CES top-box, in percent.
    case ces
}

/// Options of ``Fusion/journey(options:)``.
public struct JourneyOptions: Hashable, Sendable {
    /// The channel or touchpoint column, of the answers table or else of the customers table
    /// (`nil`: the mapping's channel column).
    public var dimension: String?
    /// The figure to rank by (`nil`: NPS when there is an NPS column, else CSAT, else CES).
    public var metric: JourneyMetric?
    /// The significance level of "below the rest", after Holm's correction over the steps (default 0.05).
    public var alpha: Double
    /// Only answers in [since, before) count (`nil`: no bound).
    public var since: Timestamp?, before: Timestamp?

    public init(dimension: String? = nil, metric: JourneyMetric? = nil, alpha: Double = 0.05, since: Timestamp? = nil, before: Timestamp? = nil) {
        self.dimension = dimension
        self.metric = metric
        self.alpha = alpha
        self.since = since
        self.before = before
    }
}

/// One channel or touchpoint of a journey breakdown.
public struct JourneyStep: Hashable, Sendable {
    /// The value of the dimension (`all` for the overall figures).
    public var value: String
    /// NPS, CSAT and CES of the step's answers (a metric without a column stays empty).
    public var nps = NPSSummary(), csat = TopBoxSummary(), ces = TopBoxSummary()
    /// The ranked figure minus the overall figure (points for NPS, percentage points for CSAT and CES).
    public var gap: Double?
    /// The two-sided p-value of the step against the rest of the answers, and its Holm-adjusted value.
    public var pValue: Double?, adjustedP: Double?
    /// The step is significantly below the rest of the answers at the breakdown's α (Holm).
    public var isBelow = false

    /// The figure of `metric`.
    public func figure(_ metric: JourneyMetric) -> Double? {
        switch metric {
        case .nps: nps.score
        case .csat: csat.percent
        case .ces: ces.percent
        }
    }
}

/// NPS, CSAT and CES per channel or touchpoint, ranked by how far each is below the overall figure.
public struct JourneyBreakdown: Sendable {
    /// The dimension column and the figure the steps are ranked by.
    public let dimension: String, metric: JourneyMetric
    /// Every answer in the window.
    public let overall: JourneyStep
    /// The steps, furthest below the overall figure first (ties by value; steps without the figure last).
    public let steps: [JourneyStep]
    /// Answers left out because the dimension lives in the customers table and they reach no customer.
    public let withoutCustomer: Int
    /// One row per step, in that order: the dimension column, `nps_n`, `nps`, `nps_low`, `nps_high`, `csat_n`,
    /// `csat`, `csat_low`, `csat_high`, `ces_n`, `ces`, `ces_low`, `ces_high`, `gap`, `p_adjusted`, `below`, `small`.
    public let table: Table
}

extension Fusion {
    /// The journey breakdown: NPS, CSAT and CES by channel or touchpoint, each with its n and 95% interval,
    /// ranked by how far each is below the overall figure, with a flag where a step is significantly below
    /// the rest of the answers (two-sided test, Holm's correction over the steps).
    ///
    /// ```swift
    /// let journey = try fusion.journey()                  // by the answers' channel, ranked by NPS
    /// for step in journey.steps where step.isBelow { print(step.value, step.gap!) }
    /// ```
    ///
    /// - Throws: ``FusionError`` without a dimension column (none named and no channel column), for an unknown
    ///   column, a metric without its column, no score column at all, a score outside its scale, or a bad α.
    /// - Complexity: O(answers + steps log steps).
    public func journey(options: JourneyOptions = JourneyOptions()) throws(FusionError) -> JourneyBreakdown {
        guard options.alpha > 0, options.alpha < 1 else { throw .badOption("the journey's alpha must lie between 0 and 1, not \(options.alpha)") }
        guard let dimension = options.dimension ?? columns.channel else {
            throw .missingColumn(role: .answers, field: "channel (the journey's dimension)", column: nil, suggestions: [])
        }
        let metric: JourneyMetric
        if let chosen = options.metric {
            metric = chosen
            let column = [JourneyMetric.nps: columns.nps, .csat: columns.csat, .ces: columns.ces][chosen]!
            guard column != nil else { throw .missingColumn(role: .answers, field: chosen.rawValue, column: nil, suggestions: []) }
        } else if columns.nps != nil {
            metric = .nps
        } else if columns.csat != nil {
            metric = .csat
        } else if columns.ces != nil {
            metric = .ces
        } else {
            throw .missingColumn(role: .answers, field: "nps, csat or ces (the journey's figures)", column: nil, suggestions: [])
        }
        let values = try answerDimension(dimension)
        let (npsScale, csatScale, cesScale) = (mapping.answers.npsScale, mapping.answers.csatScale, mapping.answers.cesScale)
        let since = options.since?.microsecondsSinceEpoch ?? .min, before = options.before?.microsecondsSinceEpoch ?? .max
        let windowed = options.since != nil || options.before != nil
        let a = answerFacts

        var steps = values.labels.map { JourneyStep(value: $0) }
        var overall = JourneyStep(value: "all")
        var withoutCustomer = 0
        // Customer by customer, then the answers that reach no customer (scores were checked when the fusion was built).
        for g in 0...customerCount {
            let c = g < customerCount ? g : -1
            for i in a.runs.run(g) {
                let t = a.time[i]
                if windowed { guard t != .min, t >= since, t < before else { continue } }
                let v = values.value(row: Int(a.runs.rows[i]), customer: c)
                guard v >= 0 else { withoutCustomer += 1; continue }
                if !a.nps.isEmpty && a.nps[i] != AnswerFacts.null {
                    let cls = npsScale.npsClass(of: a.nps[i])!
                    steps[v].nps.add(cls)
                    overall.nps.add(cls)
                }
                if !a.csat.isEmpty && a.csat[i] != AnswerFacts.null {
                    steps[v].csat.add(a.csat[i], scale: csatScale)
                    overall.csat.add(a.csat[i], scale: csatScale)
                }
                if !a.ces.isEmpty && a.ces[i] != AnswerFacts.null {
                    steps[v].ces.add(a.ces[i], scale: cesScale)
                    overall.ces.add(a.ces[i], scale: cesScale)
                }
            }
        }
        steps.removeAll { $0.nps.n == 0 && $0.csat.n == 0 && $0.ces.n == 0 }

        // Gap to the overall figure, and each step against the rest.
        var z: [Double?] = []
        for k in steps.indices {
            if let figure = steps[k].figure(metric), let all = overall.figure(metric) { steps[k].gap = figure - all }
            switch metric {
            case .nps:
                var rest = overall.nps
                rest.merge(NPSSummary(promoters: -steps[k].nps.promoters, passives: -steps[k].nps.passives, detractors: -steps[k].nps.detractors))
                if let a = steps[k].nps.score, let b = rest.score, let se1 = steps[k].nps.standardError, let se2 = rest.standardError {
                    z.append(Statistics.differenceZ(a, se1: se1, b, se2: se2))
                } else {
                    z.append(nil)
                }
            case .csat, .ces:
                let (step, all) = metric == .csat ? (steps[k].csat, overall.csat) : (steps[k].ces, overall.ces)
                z.append(Statistics.twoProportionZ(successes1: step.topBox, n1: step.n, successes2: all.topBox - step.topBox, n2: all.n - step.n))
            }
        }
        let raw = z.map { $0.map { Statistics.pValue(z: $0) } }
        let adjusted = Statistics.holmAdjusted(raw)
        for k in steps.indices {
            steps[k].pValue = raw[k]
            steps[k].adjustedP = adjusted[k]
            steps[k].isBelow = (z[k] ?? 0) < 0 && (adjusted[k] ?? 1) <= options.alpha
        }
        steps.sort { a, b in
            switch (a.gap, b.gap) {
            case let (x?, y?) where x != y: x < y
            case (nil, _?): false
            case (_?, nil): true
            default: a.value < b.value
            }
        }

        func triple<S>(_ name: String, _ summary: (JourneyStep) -> S, _ n: (S) -> Int, _ figure: (S) -> Double?, _ interval: (S) -> ClosedRange<Double>?) -> [(String, Column)] {
            [(name + "_n", .int64(steps.map { Int64(n(summary($0))) })), (name, .double(steps.map { figure(summary($0)) })),
             (name + "_low", .double(steps.map { interval(summary($0))?.lowerBound })), (name + "_high", .double(steps.map { interval(summary($0))?.upperBound }))]
        }
        var tableColumns: [(String, Column)] = [(dimension, try FusionError.wrap { try Column.string(steps.map(\.value)) })]
        tableColumns += triple("nps", \.nps, \.n, \.score, \.interval)
        tableColumns += triple("csat", \.csat, \.n, \.percent, \.interval)
        tableColumns += triple("ces", \.ces, \.n, \.percent, \.interval)
        tableColumns += [
            ("gap", .double(steps.map(\.gap))), ("p_adjusted", .double(steps.map(\.adjustedP))), ("below", .bool(steps.map(\.isBelow))),
            ("small", .bool(steps.map { step in
                switch metric {
                case .nps: step.nps.isSmall
                case .csat: step.csat.isSmall
                case .ces: step.ces.isSmall
                }
            })),
        ]
        let table = try FusionError.wrap { try Table(columns: tableColumns) }
        return JourneyBreakdown(dimension: dimension, metric: metric, overall: overall, steps: steps, withoutCustomer: withoutCustomer, table: table)
    }
}
