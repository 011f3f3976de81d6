/// An experience metric computed in a group-by: NPS, a top-box metric (CSAT,
/// CES) or sentiment, over a score column, on an explicit scale.
///
/// ```swift
/// let byRegion = try answers.experienceGrouped(by: ["region"], metrics: [.nps("nps"), .csat("csat")])
/// // region, nps, nps_n, nps_promoters, nps_passives, nps_detractors, nps_margin, nps_low, nps_high, csat, csat_n, …
/// ```
public struct ExperienceMetric: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case nps(NPSScale)
        case topBox(TopBoxScale)
        case sentiment(SentimentScale)
    }

    let kind: Kind
    /// The score column.
    public let column: String
    /// The prefix of the result columns.
    public let name: String

    /// NPS of `column` (int64) on `scale`. Result columns: `name` (the score), `name_n`,
    /// `name_promoters`, `name_passives`, `name_detractors`, `name_margin`, `name_low`, `name_high`.
    public static func nps(_ column: String, scale: NPSScale = .standard, as name: String = "nps") -> ExperienceMetric {
        ExperienceMetric(kind: .nps(scale), column: column, name: name)
    }

    /// CSAT% (top-box share) of `column` (int64) on `scale`. Result columns: `name` (percent),
    /// `name_n`, `name_top`, `name_low`, `name_high` (Wilson), `name_mean`, `name_mean_low`, `name_mean_high`.
    public static func csat(_ column: String, scale: TopBoxScale = .csat, as name: String = "csat") -> ExperienceMetric {
        ExperienceMetric(kind: .topBox(scale), column: column, name: name)
    }

    /// CES% (top-box share) of `column` on `scale`; columns as ``csat(_:scale:as:)``.
    public static func ces(_ column: String, scale: TopBoxScale = .ces, as name: String = "ces") -> ExperienceMetric {
        ExperienceMetric(kind: .topBox(scale), column: column, name: name)
    }

    /// Mean sentiment of `column` (double, decimal or int64). Result columns: `name` (the mean),
    /// `name_n`, `name_negative`, `name_neutral`, `name_positive`, `name_low`, `name_high`.
    public static func sentiment(_ column: String, scale: SentimentScale = .standard, as name: String = "sentiment") -> ExperienceMetric {
        ExperienceMetric(kind: .sentiment(scale), column: column, name: name)
    }
}

/// One metric's summaries for a list of groups.
enum MetricSummaries {
    case nps([NPSSummary])
    case topBox([TopBoxSummary])
    case sentiment([SentimentSummary])

    /// The result columns for these summaries, named after `name`.
    func columns(named name: String) -> [(name: String, column: Column)] {
        func d(_ values: [Double?]) -> Column { .double(values) }
        func i(_ values: [Int]) -> Column { .int64(values.map { Int64($0) }) }
        switch self {
        case .nps(let s):
            return [
                (name, d(s.map(\.score))), (name + "_n", i(s.map(\.n))), (name + "_promoters", i(s.map(\.promoters))),
                (name + "_passives", i(s.map(\.passives))), (name + "_detractors", i(s.map(\.detractors))),
                (name + "_margin", d(s.map(\.margin))), (name + "_low", d(s.map { $0.interval?.lowerBound })),
                (name + "_high", d(s.map { $0.interval?.upperBound })),
            ]
        case .topBox(let s):
            return [
                (name, d(s.map(\.percent))), (name + "_n", i(s.map(\.n))), (name + "_top", i(s.map(\.topBox))),
                (name + "_low", d(s.map { $0.interval?.lowerBound })), (name + "_high", d(s.map { $0.interval?.upperBound })),
                (name + "_mean", d(s.map(\.mean))), (name + "_mean_low", d(s.map { $0.meanInterval?.lowerBound })),
                (name + "_mean_high", d(s.map { $0.meanInterval?.upperBound })),
            ]
        case .sentiment(let s):
            return [
                (name, d(s.map(\.mean))), (name + "_n", i(s.map(\.n))), (name + "_negative", i(s.map(\.negative))),
                (name + "_neutral", i(s.map(\.neutral))), (name + "_positive", i(s.map(\.positive))),
                (name + "_low", d(s.map { $0.meanInterval?.lowerBound })), (name + "_high", d(s.map { $0.meanInterval?.upperBound })),
            ]
        }
    }
}

extension ExperienceMetric {
    /// Summaries per group of the rows of `table` (`groups[row]` < 0: no group).
    ///
    /// - Throws: ``FusionError/wrongKind(role:column:kind:expected:)`` or ``FusionError/outOfScale(role:column:row:value:scale:)``.
    func summarize(_ table: Table, groups: [Int32], groupCount: Int, role: FusionRole) throws(FusionError) -> MetricSummaries {
        switch kind {
        case .nps(let scale):
            let scores = try ScoreColumn.integers(table, column, role: role)
            var out = [NPSSummary](repeating: NPSSummary(), count: groupCount)
            for row in 0..<table.rowCount where groups[row] >= 0 {
                guard let score = scores[row] else { continue }
                guard let cls = scale.npsClass(of: score) else {
                    throw .outOfScale(role: role, column: column, row: row, value: String(score), scale: scale.description)
                }
                out[Int(groups[row])].add(cls)
            }
            return .nps(out)
        case .topBox(let scale):
            let scores = try ScoreColumn.integers(table, column, role: role)
            var out = [TopBoxSummary](repeating: TopBoxSummary(), count: groupCount)
            for row in 0..<table.rowCount where groups[row] >= 0 {
                guard let score = scores[row] else { continue }
                guard scale.range.contains(score) else {
                    throw .outOfScale(role: role, column: column, row: row, value: String(score), scale: scale.description)
                }
                out[Int(groups[row])].add(score, scale: scale)
            }
            return .topBox(out)
        case .sentiment(let scale):
            let scores = try ScoreColumn.numbers(table, column, role: role)
            var out = [SentimentSummary](repeating: SentimentSummary(), count: groupCount)
            for row in 0..<table.rowCount where groups[row] >= 0 {
                guard let score = scores[row] else { continue }
                guard scale.range.contains(score) else {
                    throw .outOfScale(role: role, column: column, row: row, value: String(score), scale: "sentiment \(scale.range)")
                }
                out[Int(groups[row])].add(score, scale: scale)
            }
            return .sentiment(out)
        }
    }
}

extension Table {
    /// Experience metrics, and any ordinary aggregates beside them, per group of the `keys` columns (null keys
    /// form a group).
    ///
    /// One row per group, in order of first appearance (no keys: one row for all), the key columns, then
    /// each aggregate's column (as ``Table/grouped(by:aggregates:options:)`` computes it), then each metric's
    /// columns (see ``ExperienceMetric``). Every metric carries its n and a 95% interval; a score outside
    /// its scale is an error, never clamped.
    ///
    /// ```swift
    /// let byRegion = try answers.experienceGrouped(
    ///     by: ["region"], metrics: [.nps("nps")], aggregates: [.count(as: "answers"), .mean("sentiment")])
    /// ```
    ///
    /// - Throws: ``FusionError/kernel(_:)`` for an unknown key or aggregate column, an aggregate of the wrong
    ///   kind or clashing result names, ``FusionError/wrongKind(role:column:kind:expected:)``,
    ///   ``FusionError/outOfScale(role:column:row:value:scale:)``.
    /// - Complexity: O(rows × (keys + aggregates + metrics)).
    public func experienceGrouped(
        by keys: [String], metrics: [ExperienceMetric], aggregates: [Aggregate] = [], options: KernelOptions = .default
    ) throws(FusionError) -> Table {
        var columns: [(name: String, column: Column)] = []
        let groups: [Int32], groupCount: Int
        if keys.isEmpty {
            // One group: every row.
            (groups, groupCount) = ([Int32](repeating: 0, count: rowCount), 1)
        } else {
            let keyColumns = try keys.map { (name) throws(FusionError) in (name: name, column: try FusionError.wrap { try kernelColumn(name) }) }
            let ids = try FusionError.wrap { try RowKeys.encode(left: keyColumns, right: nil, nullsAreValues: true) }
            var firstRow = [Int](repeating: -1, count: ids.count)
            for (row, id) in ids.left.enumerated() where firstRow[Int(id)] < 0 { firstRow[Int(id)] = row }
            columns = keyColumns.map { (name: $0.name, column: $0.column.gathered(rows: firstRow)) }
            (groups, groupCount) = (ids.left, ids.count)
        }
        for aggregate in aggregates {
            columns.append((aggregate.name, try FusionError.wrap { try compute(aggregate, groups: groups, groupCount: groupCount, options: options) }))
        }
        for metric in metrics {
            columns += try metric.summarize(self, groups: groups, groupCount: groupCount, role: .answers).columns(named: metric.name)
        }
        return try FusionError.wrap { try Table(columns: columns) }
    }

    /// The NPS of the int64 column `column` over every row.
    ///
    /// - Throws: as ``experienceGrouped(by:metrics:)``.
    /// - Complexity: O(rows).
    public func npsSummary(_ column: String, scale: NPSScale = .standard) throws(FusionError) -> NPSSummary {
        guard case .nps(let s) = try ExperienceMetric.nps(column, scale: scale).summarize(self, groups: [Int32](repeating: 0, count: rowCount), groupCount: 1, role: .answers) else { return NPSSummary() }
        return s[0]
    }

    /// The top-box summary (CSAT, CES) of the int64 column `column` over every row.
    ///
    /// - Throws: as ``experienceGrouped(by:metrics:)``.
    /// - Complexity: O(rows).
    public func topBoxSummary(_ column: String, scale: TopBoxScale) throws(FusionError) -> TopBoxSummary {
        guard case .topBox(let s) = try ExperienceMetric.csat(column, scale: scale).summarize(self, groups: [Int32](repeating: 0, count: rowCount), groupCount: 1, role: .answers) else { return TopBoxSummary() }
        return s[0]
    }

    /// The sentiment summary of the numeric column `column` over every row.
    ///
    /// - Throws: as ``experienceGrouped(by:metrics:)``.
    /// - Complexity: O(rows).
    public func sentimentSummary(_ column: String, scale: SentimentScale = .standard) throws(FusionError) -> SentimentSummary {
        guard case .sentiment(let s) = try ExperienceMetric.sentiment(column, scale: scale).summarize(self, groups: [Int32](repeating: 0, count: rowCount), groupCount: 1, role: .answers) else { return SentimentSummary() }
        return s[0]
    }
}

/// Reading score columns as numbers, whatever their numeric kind.
enum ScoreColumn {
    /// An int64 score column (NPS, CSAT, CES).
    static func integers(_ table: Table, _ name: String, role: FusionRole) throws(FusionError) -> ColumnValues<Int64> {
        let column = try FusionError.wrap { try table.kernelColumn(name) }
        guard let values = column.int64Values else {
            throw .wrongKind(role: role, column: name, kind: column.kind, expected: "int64 (whole-number scores)")
        }
        return values
    }

    /// A numeric column read as doubles (sentiment, amounts).
    static func numbers(_ table: Table, _ name: String, role: FusionRole) throws(FusionError) -> NumericValues {
        let column = try FusionError.wrap { try table.kernelColumn(name) }
        if let v = column.doubleValues { return .double(v) }
        if let v = column.decimalValues { return .decimal(v.units, Double(ScaledDecimal.powerOf10(v.scale))) }
        if let v = column.int64Values { return .int64(v) }
        throw .wrongKind(role: role, column: name, kind: column.kind, expected: "numeric (double, decimal or int64)")
    }

    /// A numeric or bool column (true = 1) read as doubles: the outcome and drivers of a driver analysis.
    static func numbersOrBools(_ table: Table, _ name: String, role: FusionRole) throws(FusionError) -> NumericValues {
        if let v = table[name]?.boolValues { return .bool(v) }
        do { return try numbers(table, name, role: role) } catch {
            guard case .wrongKind(let role, let column, let kind, _) = error else { throw error }
            throw .wrongKind(role: role, column: column, kind: kind, expected: "numeric or bool")
        }
    }
}

/// A numeric column as `Double?` per row.
enum NumericValues {
    case double(ColumnValues<Double>)
    case decimal(ColumnValues<Int64>, Double)
    case int64(ColumnValues<Int64>)
    case bool(ColumnValues<Bool>)

    subscript(row: Int) -> Double? {
        switch self {
        case .bool(let v): v[row].map { $0 ? 1 : 0 }
        case .double(let v): v[row]
        case .decimal(let v, let divisor): v[row].map { Double($0) / divisor }
        case .int64(let v): v[row].map { Double($0) }
        }
    }

    /// The first row whose value lies outside `range` (nulls are inside), in one typed loop over
    /// the column (the subscript switches on the layout per row).
    ///
    /// - Complexity: O(rows).
    func firstRow(outside range: ClosedRange<Double>) -> Int? {
        switch self {
        case .bool(let v): v.firstRow { !range.contains($0 ? 1 : 0) }
        case .double(let v): v.firstRow { !range.contains($0) }
        case .decimal(let v, let divisor): v.firstRow { !range.contains(Double($0) / divisor) }
        case .int64(let v): v.firstRow { !range.contains(Double($0)) }
        }
    }
}

extension ColumnValues {
    /// The first non-null row whose value `isOutside` accepts.
    ///
    /// - Complexity: O(rows).
    func firstRow(where isOutside: (Element) -> Bool) -> Int? {
        withUnsafeValues { v in
            if nullCount == 0 { return v.firstIndex(where: isOutside) }
            return v.indices.first { isOutside(v[$0]) && !isNull($0) }
        }
    }
}
