/// A calendar period of a trend (UTC).
public enum TrendPeriod: String, Hashable, Sendable, CaseIterable {
    /// `2025-03-14`
    case day
    /// ISO week, Monday first: `2025-W11`
    case week
    /// `2025-03`
    case month
    /// `2025-Q1`
    case quarter

    /// The ordinal of the period holding `days` since the epoch (consecutive periods differ by 1).
    func ordinal(days: Int) -> Int {
        switch self {
        case .day: return days
        case .week: return Int((Double(days + 3) / 7).rounded(.down))  // 1970-01-01 is a Thursday; weeks start on Monday
        case .month, .quarter:
            let (y, m, _) = CivilDate.civil(fromDays: days)
            return self == .month ? y * 12 + (m - 1) : y * 4 + (m - 1) / 3
        }
    }

    /// The label of the period with this ordinal.
    func label(_ ordinal: Int) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch self {
        case .day:
            let (y, m, d) = CivilDate.civil(fromDays: ordinal)
            return "\(y)-\(two(m))-\(two(d))"
        case .week:
            // The ISO year and week of the Thursday of this Monday-first week.
            let thursday = ordinal * 7 - 3 + 3
            let (y, _, _) = CivilDate.civil(fromDays: thursday)
            let firstThursday = Self.firstThursday(of: y)
            return "\(y)-W\(two((thursday - firstThursday) / 7 + 1))"
        case .month:
            let y = Int((Double(ordinal) / 12).rounded(.down))
            return "\(y)-\(two(ordinal - y * 12 + 1))"
        case .quarter:
            let y = Int((Double(ordinal) / 4).rounded(.down))
            return "\(y)-Q\(ordinal - y * 4 + 1)"
        }
    }

    private static func firstThursday(of year: Int) -> Int {
        let jan1 = CivilDate.days(year: year, month: 1, day: 1)
        let weekday = ((jan1 + 3) % 7 + 7) % 7  // 0 = Monday
        return jan1 + (3 - weekday + 7) % 7
    }
}

/// Options of ``Fusion/trend(options:)``.
public struct TrendOptions: Hashable, Sendable {
    /// The period of the rows (default: month).
    public var period: TrendPeriod
    /// The dimension: a column of the answers table, else of the customers table (`nil`: no dimension).
    public var dimension: String?
    /// The incident finder's significance level, after Holm's correction over every cell (default 0.05).
    public var alpha: Double
    /// The smallest shortfall, in NPS points, that counts as an incident (default 10): significance alone
    /// would flag tiny dips in very large samples.
    public var minimumDrop: Double
    /// Cells with fewer NPS answers are not tested (default 30).
    public var minimumResponses: Int
    /// Whether a cell is compared with the others after removing the value's usual gap to them over every
    /// other period (default `true`: a difference in differences). With `false` the finder runs the plain
    /// two-sample test of the cell against the other values of its period, which also flags a value that is
    /// always lower (on the bench data, MEA in every month); with `minimumDrop: 0` as well, a cell is flagged
    /// on significance alone.
    public var removesUsualGap: Bool

    public init(
        period: TrendPeriod = .month, dimension: String? = nil, alpha: Double = 0.05, minimumDrop: Double = 10,
        minimumResponses: Int = smallSampleSize, removesUsualGap: Bool = true
    ) {
        self.removesUsualGap = removesUsualGap
        self.period = period
        self.dimension = dimension
        self.alpha = alpha
        self.minimumDrop = minimumDrop
        self.minimumResponses = minimumResponses
    }
}

/// A cell whose NPS fell below the other values of its dimension in the same period,
/// by more than the value usually stands apart from them.
public struct Incident: Hashable, Sendable, CustomStringConvertible {
    public var value: String, period: String
    /// The cell's NPS and answers; the other values' pooled NPS in the same period.
    public var nps: NPSSummary, othersNPS: Double
    /// How far the value usually stands from the others (all other periods), in NPS points.
    public var usualGap: Double
    /// (cell − others) − usual gap: the shortfall, in NPS points (negative).
    public var effect: Double
    /// One-sided p-value of the shortfall and its Holm-adjusted value.
    public var pValue: Double, adjustedP: Double

    public var description: String {
        "\(value) \(period): NPS \((nps.score ?? 0).formatted(significant: 3)) (n = \(nps.n)) against \(othersNPS.formatted(significant: 3)) for the others, \(effect.formatted(significant: 3)) points below the usual gap (p = \(adjustedP.formatted(significant: 2)))"
    }
}

/// NPS, CSAT and CES per period × dimension value, and the incidents among the cells.
public struct Trend: Sendable {
    /// One row per cell with answers, sorted by dimension value and period: the dimension column (named as the
    /// dimension), the period column (`day`, `week`, `month` or `quarter`), `responses` (answers with an NPS),
    /// `nps_score`, `nps_margin`, `nps_low`, `nps_high`, `mean_csat`, `csat`, `csat_low`, `csat_high`, `csat_n`,
    /// `mean_ces`, `ces`, `ces_low`, `ces_high`, `ces_n`, `small` (CSAT and CES as top-box shares in percent, with
    /// their Wilson 95% intervals).
    public let table: Table
    /// Flagged cells, worst first.
    public let incidents: [Incident]
    /// Answers with an NPS left out because their dimension lives in the customers table and they reach no customer.
    public let withoutCustomer: Int
}

extension Fusion {
    /// NPS / CSAT / CES by period × dimension (bench Q4), over the answers with
    /// an NPS, each cell with its n and 95% interval, and the incident finder: a
    /// cell is flagged when its NPS is significantly below the other values of
    /// the dimension in the same period, beyond the gap the value usually has
    /// to them (a difference in differences, so that seasonal dips shared by
    /// everyone and a value's steady level are not incidents); one-sided
    /// z-tests, Holm's correction across every tested cell, and a minimum drop.
    ///
    /// - Throws: ``FusionError`` for an unknown dimension, a missing NPS column or bad options.
    /// - Complexity: O(answers + cells).
    public func trend(options: TrendOptions = TrendOptions()) throws(FusionError) -> Trend {
        guard options.alpha > 0, options.alpha < 1, options.minimumDrop >= 0, options.minimumResponses >= 1 else {
            throw .badOption("trend options: alpha must lie in (0, 1), minimumDrop ≥ 0 and minimumResponses ≥ 1")
        }
        guard columns.nps != nil else { throw .missingColumn(role: .answers, field: "nps", column: nil, suggestions: []) }
        let (npsScale, csatScale, cesScale) = (mapping.answers.npsScale, mapping.answers.csatScale, mapping.answers.cesScale)
        let a = answerFacts
        let hasCSAT = !a.csat.isEmpty, hasCES = !a.ces.isEmpty

        // Dimension ids per answer (-1: left out).
        var dimension = AnswerDimension.single
        if let name = options.dimension { dimension = try answerDimension(name) }

        // Period ordinals, dense between the first and the last: a table per day between the first and last answer.
        let threads = self.options.threadCount
        // (The span of answer times with an NPS is known since the fusion was built.)
        let firstTime = a.npsTimeSpan?.lowerBound ?? .max, lastTime = a.npsTimeSpan?.upperBound ?? .min
        let firstDay = firstTime <= lastTime ? Fusion.days(firstTime) : 0, lastDay = firstTime <= lastTime ? Fusion.days(lastTime) : -1
        guard lastDay - firstDay < 50_000_000 else {
            throw .badOption("the answers span \(lastDay - firstDay) days; check the answer times")
        }
        let ordinalOfDay = firstDay <= lastDay ? (firstDay...lastDay).map { options.period.ordinal(days: $0) } : []
        let first = ordinalOfDay.first ?? 0, periods = ordinalOfDay.isEmpty ? 0 : ordinalOfDay.last! - first + 1
        guard dimension.labels.count * periods <= 20_000_000 else {
            throw .badOption("the trend would have \(dimension.labels.count) × \(periods) cells; choose a coarser period or check the answer times")
        }

        // Customer ranges in parallel (then the answers that reach no customer), each into its own flat
        // counters; the counts add up in range order. Per cell: NPS n, promoters, passives, detractors, then
        // n, top box, sum and sum of squares of CSAT and of CES. Scores were checked when the fusion was built.
        let cellCount = dimension.labels.count * periods, width = 12
        let (promoter, passive) = (npsScale.promoters.lowerBound, npsScale.passives.lowerBound)
        let (csatTop, cesTop) = (csatScale.topBox.lowerBound, cesScale.topBox.lowerBound)
        let groups = CustomerPartitions.ranges(customerCount) + [customerCount..<(customerCount + 1)]
        let (time, nps, csat, ces, rows, runs) = (a.time, a.nps, a.csat, a.ces, a.runs.rows, a.runs)
        // Per cell, a histogram of the NPS, CSAT and CES values (one increment per score, so that answers of
        // one cell in a row do not wait on each other's counters); the twelve counters follow from it.
        // A null CSAT or CES counts in a bin of its own after the scale's, which nothing reads: the loop
        // then does not branch on whether the score is null (CSAT is null in about a fifth of the bench's
        // answers, and that branch missed). Scales wider than a few hundred values count the twelve
        // counters directly.
        let (npsLow, csatLow, cesLow) = (npsScale.range.lowerBound, csatScale.range.lowerBound, cesScale.range.lowerBound)
        let npsWidth = Int(npsScale.range.upperBound - npsLow) + 1
        let csatWidth = hasCSAT ? Int(csatScale.range.upperBound - csatLow) + 1 : 0, cesWidth = hasCES ? Int(cesScale.range.upperBound - cesLow) + 1 : 0
        let csatAt = npsWidth, cesAt = csatAt + csatWidth + 1
        let bins = cesAt + cesWidth + 1
        let histogram = bins <= 512
        let stride = histogram ? bins : width
        // Each day's cell offset within a value's block, and a value's block: one add per answer.
        let dayCell = ordinalOfDay.map { ($0 - first) * stride }, valueStride = periods * stride
        // Counters for one range of customers. The histogram's fit in 32 bits whenever the answers do,
        // and then they stay in the first-level cache (192 cells × 25 bins at 8 bytes did not).
        func tally<Counter: FixedWidthInteger>(_ range: Range<Int>, _: Counter.Type) -> (counts: [Int64], withoutCustomer: Int) {
            var counts = [Counter](repeating: 0, count: cellCount * stride), withoutCustomer = 0
            // Buffers, not arrays, in the loop: no bounds checks on five reads per answer.
            time.withUnsafeBufferPointer { time in nps.withUnsafeReader { nps in csat.withUnsafeReader { csat in
            ces.withUnsafeReader { ces in dayCell.withUnsafeBufferPointer { dayCell in
            counts.withUnsafeMutableBufferPointer { counts in
                for g in range {
                    let c = g < customerCount ? g : -1
                    // A customer column's value is the customer's: one lookup per run.
                    let customerValue = dimension.byRow == nil ? dimension.value(row: 0, customer: c) : nil
                    for i in runs.run(g) where time[i] != .min && nps[i] != AnswerFacts.null {
                        let v = customerValue ?? dimension.value(row: Int(rows[i]), customer: c)
                        guard v >= 0 else { withoutCustomer += 1; continue }
                        let cell = v &* valueStride &+ dayCell[Fusion.days(time[i]) &- firstDay]
                        let score = nps[i]
                        if histogram {
                            counts[cell &+ Int(truncatingIfNeeded: score &- npsLow)] &+= 1
                            if hasCSAT {
                                let x = csat[i]
                                counts[cell &+ csatAt &+ (x == AnswerFacts.null ? csatWidth : Int(truncatingIfNeeded: x &- csatLow))] &+= 1
                            }
                            if hasCES {
                                let x = ces[i]
                                counts[cell &+ cesAt &+ (x == AnswerFacts.null ? cesWidth : Int(truncatingIfNeeded: x &- cesLow))] &+= 1
                            }
                            continue
                        }
                        counts[cell] += 1
                        counts[cell + (score >= promoter ? 1 : score >= passive ? 2 : 3)] += 1
                        if hasCSAT, case let x = csat[i], x != AnswerFacts.null {
                            counts[cell + 4] += 1
                            if x >= csatTop { counts[cell + 5] += 1 }
                            counts[cell + 6] += Counter(x)
                            counts[cell + 7] += Counter(x * x)
                        }
                        if hasCES, case let x = ces[i], x != AnswerFacts.null {
                            counts[cell + 8] += 1
                            if x >= cesTop { counts[cell + 9] += 1 }
                            counts[cell + 10] += Counter(x)
                            counts[cell + 11] += Counter(x * x)
                        }
                    }
                }
            }
            } } } } }
            return (counts.map { Int64($0) }, withoutCustomer)
        }
        let narrow = histogram && a.time.count < Int(UInt32.max)
        let parts = Partitions.map(groups, threads: threads) { range in narrow ? tally(range, UInt32.self) : tally(range, Int64.self) }
        var merged = [Int64](repeating: 0, count: cellCount * stride), withoutCustomer = 0
        for part in parts {
            for k in merged.indices { merged[k] += part.counts[k] }
            withoutCustomer += part.withoutCustomer
        }
        var totals = merged
        if histogram {
            totals = [Int64](repeating: 0, count: cellCount * width)
            for cell in 0..<cellCount {
                let h = cell * stride, t = cell * width
                for k in 0..<npsWidth where merged[h + k] > 0 {
                    let score = npsLow + Int64(k), n = merged[h + k]
                    totals[t] += n
                    totals[t + (score >= promoter ? 1 : score >= passive ? 2 : 3)] += n
                }
                func topBox(_ offset: Int, _ width: Int, _ low: Int64, _ top: Int64, into slot: Int) {
                    for k in 0..<width where merged[h + offset + k] > 0 {
                        let x = low + Int64(k), n = merged[h + offset + k]
                        totals[t + slot] += n
                        if x >= top { totals[t + slot + 1] += n }
                        totals[t + slot + 2] += n * x
                        totals[t + slot + 3] += n * x * x
                    }
                }
                topBox(csatAt, csatWidth, csatLow, csatTop, into: 4)
                topBox(cesAt, cesWidth, cesLow, cesTop, into: 8)
            }
        }
        func topBox(_ k: Int) -> TopBoxSummary {
            var summary = TopBoxSummary()
            (summary.n, summary.topBox, summary.sum, summary.sumOfSquares) = (Int(totals[k]), Int(totals[k + 1]), totals[k + 2], totals[k + 3])
            return summary
        }
        let cells = (0..<cellCount).map { NPSSummary(promoters: Int(totals[$0 * width + 1]), passives: Int(totals[$0 * width + 2]), detractors: Int(totals[$0 * width + 3])) }
        let csatCells = (0..<cellCount).map { topBox($0 * width + 4) }, cesCells = (0..<cellCount).map { topBox($0 * width + 8) }
        let valueLabels = dimension.labels

        // Rows: cells with answers, by value then period.
        let present = cells.indices.filter { cells[$0].n > 0 }
        let dimensionName = options.dimension ?? "dimension"
        var tableColumns: [(name: String, column: Column)] = [
            (dimensionName, try FusionError.wrap { try Column.string(present.map { valueLabels[$0 / max(periods, 1)] }, layout: .dictionary) }),
            (options.period.rawValue, try FusionError.wrap { try Column.string(present.map { options.period.label(first + $0 % max(periods, 1)) }) }),
            ("responses", .int64(present.map { Int64(cells[$0].n) })),
            ("nps_score", .double(present.map { cells[$0].score })), ("nps_margin", .double(present.map { cells[$0].margin })),
            ("nps_low", .double(present.map { cells[$0].interval?.lowerBound })), ("nps_high", .double(present.map { cells[$0].interval?.upperBound })),
        ]
        if hasCSAT {
            tableColumns += Self.topBoxColumns("csat", present.map { csatCells[$0] })
        }
        if hasCES {
            tableColumns += Self.topBoxColumns("ces", present.map { cesCells[$0] })
        }
        tableColumns.append(("small", .bool(present.map { cells[$0].isSmall })))
        let table = try FusionError.wrap { try Table(columns: tableColumns) }

        let incidents = valueLabels.count > 1
            ? Fusion.incidents(cells: cells, values: valueLabels, periods: periods, label: { options.period.label(first + $0) }, options: options) : []
        return Trend(table: table, incidents: incidents, withoutCustomer: withoutCustomer)
    }

    /// `mean_<name>`, `<name>` (the top-box share in percent), `<name>_low`, `<name>_high` (its Wilson 95%
    /// interval) and `<name>_n` for the given cells.
    static func topBoxColumns(_ name: String, _ cells: [TopBoxSummary]) -> [(name: String, column: Column)] {
        [("mean_\(name)", .double(cells.map(\.mean))), (name, .double(cells.map(\.percent))),
         ("\(name)_low", .double(cells.map { $0.interval?.lowerBound })), ("\(name)_high", .double(cells.map { $0.interval?.upperBound })),
         ("\(name)_n", .int64(cells.map { Int64($0.n) }))]
    }

    /// The values of a dimension, sorted by label (a null value is `(null)`), and each answer's value index:
    /// a column of the answers table, else of the customers table through the answer's customer.
    ///
    /// - Throws: ``FusionError/missingColumn(role:field:column:suggestions:)`` when neither table has the column.
    /// - Complexity: O(answers + customers).
    func answerDimension(_ name: String) throws(FusionError) -> AnswerDimension {
        let throughCustomer = answers[name] == nil
        guard let column = (throughCustomer ? customers : answers)[name] else {
            throw .missingColumn(role: .answers, field: "dimension", column: name,
                                 suggestions: NameSuggestions.nearest(to: name, in: answers.schema.names + customers.schema.names))
        }
        var labels: [String], ids: [Int32]
        if let (codes, dictionary) = column.stringValues?.dictionary {
            // A dictionary column has its ids already: the codes, with one more for null.
            let null = Int32(dictionary.count)
            ids = codes.withUnsafeValues { codes in
                column.nullCount == 0
                    ? (0..<column.count).map { row in Int32(truncatingIfNeeded: codes[row]) }
                    : (0..<column.count).map { row in column.isNull(row) ? null : Int32(truncatingIfNeeded: codes[row]) }
            }
            labels = (0..<dictionary.count).map { dictionary[$0] } + ["(null)"]
        } else {
            let keys = try FusionError.wrap { try RowKeys.encode(left: [(name, column)], right: nil, nullsAreValues: true) }
            ids = keys.left
            labels = [String](repeating: "", count: keys.count)
            var seen = [Bool](repeating: false, count: keys.count)
            for (row, id) in ids.enumerated() where !seen[Int(id)] {
                seen[Int(id)] = true
                labels[Int(id)] = column.isNull(row) ? "(null)" : column[row].description
            }
        }
        // Only values that occur are values of the dimension.
        var used = [Bool](repeating: false, count: labels.count)
        for id in ids { used[Int(id)] = true }
        // Sort the values by label; ids become ranks.
        let order = labels.indices.filter { used[$0] }.sorted { labels[$0] < labels[$1] }
        var rank = [Int32](repeating: 0, count: labels.count)
        for (r, id) in order.enumerated() { rank[id] = Int32(r) }
        let values = ids.map { rank[Int($0)] }
        return AnswerDimension(labels: order.map { labels[$0] }, byRow: throughCustomer ? nil : values, byCustomer: throughCustomer ? values : nil)
    }

    /// Whole days since the epoch of a time in microseconds (rounded down).
    @inline(__always) static func days(_ t: Int64) -> Int {
        // A literal divisor, so that the division compiles to a multiplication.
        let perDay: Int64 = 86_400_000_000
        let (q, r) = t.quotientAndRemainder(dividingBy: perDay)
        return Int(r < 0 ? q - 1 : q)
    }

    /// The incident finder over a values × periods grid of NPS summaries.
    static func incidents(cells: [NPSSummary], values: [String], periods: Int, label: (Int) -> String, options: TrendOptions) -> [Incident] {
        var byPeriod = [NPSSummary](repeating: NPSSummary(), count: periods), byValue = [NPSSummary](repeating: NPSSummary(), count: values.count)
        var total = NPSSummary()
        for v in values.indices {
            for p in 0..<periods {
                let cell = cells[v * periods + p]
                byPeriod[p].merge(cell)
                byValue[v].merge(cell)
                total.merge(cell)
            }
        }
        func minus(_ a: NPSSummary, _ b: NPSSummary) -> NPSSummary {
            NPSSummary(promoters: a.promoters - b.promoters, passives: a.passives - b.passives, detractors: a.detractors - b.detractors)
        }
        var candidates: [(Incident, Double)] = []  // incident, z
        for v in values.indices {
            for p in 0..<periods {
                let cell = cells[v * periods + p]
                let others = minus(byPeriod[p], cell)
                guard cell.n >= options.minimumResponses, others.n >= options.minimumResponses,
                      let score = cell.score, let othersScore = others.score,
                      let se = cell.standardError, let othersSE = others.standardError else { continue }
                // The value's usual gap to the others, over every other period.
                let valueElsewhere = minus(byValue[v], cell)
                let othersElsewhere = minus(minus(total, byPeriod[p]), valueElsewhere)
                var gap = 0.0, gapVariance = 0.0
                if options.removesUsualGap, valueElsewhere.n >= options.minimumResponses, othersElsewhere.n >= options.minimumResponses {
                    gap = valueElsewhere.score! - othersElsewhere.score!
                    gapVariance = pow2(valueElsewhere.standardError!) + pow2(othersElsewhere.standardError!)
                }
                let effect = (score - othersScore) - gap
                let sd = (pow2(se) + pow2(othersSE) + gapVariance).squareRoot()
                guard sd > 0 else { continue }
                let z = effect / sd
                let incident = Incident(value: values[v], period: label(p), nps: cell, othersNPS: othersScore, usualGap: gap, effect: effect,
                                        pValue: Statistics.pValue(z: z, alternative: .less), adjustedP: 1)
                candidates.append((incident, z))
            }
        }
        let adjusted = Statistics.holmAdjusted(candidates.map { $0.0.pValue })
        var flagged: [Incident] = []
        for (i, candidate) in candidates.enumerated() {
            var incident = candidate.0
            incident.adjustedP = adjusted[i]!
            if incident.adjustedP <= options.alpha && incident.effect <= -options.minimumDrop { flagged.append(incident) }
        }
        return flagged.sorted { ($0.effect, $0.value, $0.period) < ($1.effect, $1.value, $1.period) }
    }
}

private func pow2(_ x: Double) -> Double { x * x }

/// The values of a trend's or journey's dimension and each answer's value.
struct AnswerDimension {
    /// Value labels, sorted.
    let labels: [String]
    /// The value index of each answers row (a column of the answers), or of each customer (a customer column).
    let byRow: [Int32]?, byCustomer: [Int32]?

    /// No dimension: every answer in one value, `all`.
    static let single = AnswerDimension(labels: ["all"], byRow: nil, byCustomer: nil)

    /// The value of the answer at `row`, whose customer is `customer` (-1: none); -1 when it has none.
    @inline(__always) func value(row: Int, customer: Int) -> Int {
        if let byRow { return Int(byRow[row]) }
        guard let byCustomer else { return 0 }
        return customer < 0 ? -1 : Int(byCustomer[customer])
    }
}
