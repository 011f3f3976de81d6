/// One candidate driver of an outcome: its correlations and, with several drivers, its relative weight.
public struct DriverResult: Hashable, Sendable {
    /// The driver's column.
    public var driver: String
    /// 1 for the strongest driver: by relative weight when the weights exist, else by |Pearson r|;
    /// drivers whose correlation could not be computed come last.
    public var rank = 0
    /// Rows where both the outcome and the driver are present.
    public var n = 0
    /// Pearson's and Spearman's correlation with the outcome; `nil` with an ``issue``.
    public var pearson: Correlation?, spearman: Correlation?
    /// Why the correlations could not be computed (fewer than 3 rows, a constant column).
    public var issue: DriverIssue?
    /// Johnson's raw relative weight (a part of R²) and its share of R² (0…1).
    public var relativeWeight: Double?, weightShare: Double?
}

/// What drives an outcome: each driver's correlations and Johnson's relative weights.
public struct DriverAnalysis: Sendable {
    /// The outcome column.
    public let outcome: String
    /// The drivers, ranked (see ``DriverResult/rank``).
    public let drivers: [DriverResult]
    /// Johnson's relative weights over the rows where the outcome and every driver are present
    /// (two or more drivers); `nil` with a ``weightsIssue`` or for a single driver.
    public let weights: RelativeWeights?
    /// Why the relative weights could not be computed (too few rows, a constant column, perfect collinearity).
    public let weightsIssue: DriverIssue?
    /// One row per driver, ranked: `driver`, `rank`, `n`, `pearson_r`, `pearson_low`, `pearson_high`, `pearson_p`,
    /// `spearman_r`, `spearman_low`, `spearman_high`, `spearman_p`, `relative_weight`, `weight_share`, `issue`.
    public let table: Table

    /// The drivers of `outcome` among the columns of `table` (numeric or bool, true = 1).
    ///
    /// Correlations use the rows where the outcome and that driver are present (n per driver;
    /// a NaN counts as absent); relative weights use the rows where every value is present.
    ///
    /// - Parameters:
    ///   - table: one row per unit (a customer profile, for ``Fusion/drivers(of:candidates:options:)``).
    ///   - outcome: the column to explain.
    ///   - drivers: the candidate columns, distinct and other than the outcome.
    ///   - relativeWeights: compute Johnson's relative weights when two or more drivers are given.
    ///   - role: the role named in errors about the columns.
    /// - Throws: ``FusionError/missingColumn(role:field:column:suggestions:)`` for an unknown column (nearest names
    ///   suggested), ``FusionError/wrongKind(role:column:kind:expected:)`` for a column that is neither numeric nor bool,
    ///   ``FusionError/badOption(_:)`` for no drivers, a repeated driver or the outcome among the drivers.
    /// - Complexity: O(n·p log n + p³) for n rows and p drivers.
    public init(table: Table, outcome: String, drivers names: [String], relativeWeights: Bool = true, role: FusionRole = .customers) throws(FusionError) {
        guard !names.isEmpty else { throw .badOption("a driver analysis needs at least one driver") }
        guard Set(names).count == names.count else { throw .badOption("each driver may be named once; repeated: \(Dictionary(grouping: names) { $0 }.filter { $1.count > 1 }.keys.sorted())") }
        guard !names.contains(outcome) else { throw .badOption("'\(outcome)' is the outcome; it cannot also be a driver") }
        func values(_ name: String, _ field: String) throws(FusionError) -> [Double?] {
            guard table[name] != nil else {
                throw .missingColumn(role: role, field: field, column: name, suggestions: NameSuggestions.nearest(to: name, in: table.schema.names))
            }
            let column = try ScoreColumn.numbersOrBools(table, name, role: role)
            return (0..<table.rowCount).map { row in column[row].flatMap { $0.isNaN ? nil : $0 } }
        }
        let y = try values(outcome, "outcome")
        var xs: [[Double?]] = []
        for name in names { xs.append(try values(name, "driver")) }

        var results: [DriverResult] = []
        for (j, name) in names.enumerated() {
            var pairs: (x: [Double], y: [Double]) = ([], [])
            for row in 0..<table.rowCount {
                if let x = xs[j][row], let v = y[row] { pairs.x.append(x); pairs.y.append(v) }
            }
            var result = DriverResult(driver: name, n: pairs.x.count)
            switch Statistics.pearson(pairs.x, pairs.y, names: (name, outcome)) {
            case .success(let r):
                result.pearson = r
                result.spearman = try? Statistics.spearman(pairs.x, pairs.y, names: (name, outcome)).get()
            case .failure(let issue):
                result.issue = issue
            }
            results.append(result)
        }

        var weights: RelativeWeights?, weightsIssue: DriverIssue?
        if relativeWeights && names.count > 1 {
            let complete = (0..<table.rowCount).filter { row in y[row] != nil && xs.allSatisfy { $0[row] != nil } }
            let outcomeValues = complete.map { y[$0]! }
            let driverValues = xs.map { x in complete.map { x[$0]! } }
            switch Statistics.relativeWeights(outcome: outcomeValues, drivers: driverValues, names: names, outcomeName: outcome) {
            case .success(let w):
                weights = w
                for j in names.indices {
                    results[j].relativeWeight = w.weights[j]
                    results[j].weightShare = w.shares[j]
                }
            case .failure(let issue):
                weightsIssue = issue
            }
        }

        // Rank: weight, else |r|; drivers without a correlation last; ties by name.
        let strength: (DriverResult) -> Double = { weights != nil ? ($0.relativeWeight ?? -1) : ($0.pearson.map { abs($0.r) } ?? -1) }
        results.sort { (strength($0), $1.driver) > (strength($1), $0.driver) }
        for i in results.indices { results[i].rank = i + 1 }

        self.outcome = outcome
        self.drivers = results
        self.weights = weights
        self.weightsIssue = weightsIssue
        self.table = try FusionError.wrap {
            try Table(columns: [
                ("driver", try Column.string(results.map(\.driver))),
                ("rank", .int64(results.map { Int64($0.rank) })),
                ("n", .int64(results.map { Int64($0.n) })),
                ("pearson_r", .double(results.map { $0.pearson?.r })),
                ("pearson_low", .double(results.map { $0.pearson?.interval?.lowerBound })),
                ("pearson_high", .double(results.map { $0.pearson?.interval?.upperBound })),
                ("pearson_p", .double(results.map { $0.pearson?.pValue })),
                ("spearman_r", .double(results.map { $0.spearman?.r })),
                ("spearman_low", .double(results.map { $0.spearman?.interval?.lowerBound })),
                ("spearman_high", .double(results.map { $0.spearman?.interval?.upperBound })),
                ("spearman_p", .double(results.map { $0.spearman?.pValue })),
                ("relative_weight", .double(results.map(\.relativeWeight))),
                ("weight_share", .double(results.map(\.weightShare))),
                ("issue", try Column.string(results.map { $0.issue?.description })),
            ])
        }
    }
}

/// Options of ``Fusion/drivers(of:candidates:options:)``.
public struct DriverOptions: Hashable, Sendable {
    /// The profile the rows come from (its as-of date).
    public var profile: ProfileOptions
    /// Compute Johnson's relative weights when two or more drivers are given (default true).
    public var relativeWeights: Bool

    public init(profile: ProfileOptions = ProfileOptions(), relativeWeights: Bool = true) {
        self.profile = profile
        self.relativeWeights = relativeWeights
    }
}

extension Fusion {
    /// The profile's experience columns, the usual candidate drivers of an operational outcome.
    public static let experienceDrivers = ["latest_nps", "mean_csat", "mean_ces", "mean_sentiment"]
    /// The profile's operational columns, the usual candidate drivers (or outcomes) next to an experience outcome.
    public static let operationalDrivers = ["order_count", "revenue", "return_rate", "repeat_purchase", "cart_count", "abandonment_rate", "ticket_count"]

    /// What drives an outcome of the customer profile (DESIGN.md: one row per customer; correlations on the
    /// rows where both values are present, relative weights on the rows where all are).
    ///
    /// ```swift
    /// let drivers = try fusion.drivers(of: "return_rate")           // which experience metric moves returns?
    /// let top = drivers.drivers.first!                               // ranked
    /// print(top.driver, top.pearson!.r, top.pearson!.interval!)
    /// ```
    ///
    /// - Parameters:
    ///   - outcome: a column of ``customerProfile(options:)`` (`return_rate`, `revenue`, `repeat_purchase`,
    ///     `abandonment_rate`, `latest_nps`, …) or of the customers table.
    ///   - candidates: the drivers, columns of the profile or of the customers table (numeric or bool). `nil`: the
    ///     profile's experience columns for an operational outcome, and the other experience plus the operational
    ///     columns for an experience outcome (those present).
    ///   - options: the profile's date and whether to compute relative weights.
    /// - Throws: ``FusionError`` for an unknown or non-numeric column, a name that is both outcome and driver,
    ///   or no candidate present.
    /// - Complexity: that of the profile, plus O(customers · drivers · log customers + drivers³).
    public func drivers(of outcome: String, candidates: [String]? = nil, options: DriverOptions = DriverOptions()) throws(FusionError) -> DriverAnalysis {
        let profile = try customerProfile(options: options.profile).table
        // The customers table's own columns (tenure, tier flags) may drive too: its rows are the profile's rows.
        var columns = profile.schema.names.map { ($0, profile[$0]!) }
        for name in customers.schema.names where profile[name] == nil { columns.append((name, customers[name]!)) }
        let table = try FusionError.wrap { try Table(columns: columns) }
        let names = table.schema.names
        let drivers: [String]
        if let candidates {
            drivers = candidates
        } else {
            let pool = Fusion.experienceDrivers.contains(outcome) ? Fusion.experienceDrivers + Fusion.operationalDrivers : Fusion.experienceDrivers
            drivers = pool.filter { $0 != outcome && names.contains($0) }
            guard !drivers.isEmpty else { throw .badOption("no candidate driver of '\(outcome)' is present; name the candidates") }
        }
        return try DriverAnalysis(table: table, outcome: outcome, drivers: drivers, relativeWeights: options.relativeWeights)
    }
}
