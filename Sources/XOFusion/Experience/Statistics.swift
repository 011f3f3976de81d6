import Foundation

/// The statistics behind every figure XOFusion reports (DESIGN.md, decision 7):
/// 95% intervals, two-sample tests and Holm's correction for many tests.
///
/// All functions are pure and total: an empty sample gives `nil`, never NaN.
public enum Statistics {
    /// The two-sided 95% normal quantile.
    public static let z95 = 1.959963984540054

    /// The Wilson score interval for `successes` out of `n` at 95%, as proportions in 0…1.
    ///
    /// - Returns: `nil` when `n` is 0.
    /// - Complexity: O(1).
    public static func wilson(successes: Int, n: Int, z: Double = z95) -> ClosedRange<Double>? {
        guard n > 0 else { return nil }
        let nn = Double(n), p = Double(successes) / nn, z2 = z * z
        let center = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z / (1 + z2 / nn) * ((p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot())
        return max(0, center - half)...min(1, center + half)
    }

    /// The 95% normal interval on a mean, from the count, sum and sum of squares of the values.
    ///
    /// Uses the sample variance (n − 1); a single value gives a zero-width interval.
    /// - Returns: `nil` when `n` is 0.
    /// - Complexity: O(1).
    public static func meanInterval(n: Int, sum: Double, sumOfSquares: Double, z: Double = z95) -> ClosedRange<Double>? {
        guard n > 0 else { return nil }
        let mean = sum / Double(n)
        let half = z * standardError(n: n, sum: sum, sumOfSquares: sumOfSquares)
        return (mean - half)...(mean + half)
    }

    /// The standard error of a mean (sample variance, n − 1); 0 for one value.
    ///
    /// - Complexity: O(1).
    public static func standardError(n: Int, sum: Double, sumOfSquares: Double) -> Double {
        guard n > 1 else { return 0 }
        let nn = Double(n), mean = sum / nn
        let variance = max(0, (sumOfSquares - nn * mean * mean) / (nn - 1))
        return (variance / nn).squareRoot()
    }

    /// The NPS margin of error at 95% (DESIGN.md): 1.96 × 100 × √((p + d − (p − d)²) / N).
    ///
    /// - Returns: `nil` when `n` is 0.
    /// - Complexity: O(1).
    public static func npsMargin(promoters: Int, detractors: Int, n: Int, z: Double = z95) -> Double? {
        guard n > 0 else { return nil }
        return z * 100 * npsVarianceShare(promoters: promoters, detractors: detractors, n: n).squareRoot()
    }

    /// (p + d − (p − d)²) / N: the variance of an NPS (as a share, −1…1) estimated from one sample.
    static func npsVarianceShare(promoters: Int, detractors: Int, n: Int) -> Double {
        let nn = Double(n), p = Double(promoters) / nn, d = Double(detractors) / nn
        return max(0, p + d - (p - d) * (p - d)) / nn
    }

    /// The standard normal cumulative distribution Φ(x).
    ///
    /// - Complexity: O(1).
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The p-value of a z statistic: two-sided, or one-sided for "below" (`Φ(z)`) or "above" (`1 − Φ(z)`).
    ///
    /// - Complexity: O(1).
    public static func pValue(z: Double, alternative: Alternative = .twoSided) -> Double {
        switch alternative {
        case .twoSided: min(1, 2 * normalCDF(-abs(z)))
        case .less: normalCDF(z)
        case .greater: normalCDF(-z)
        }
    }

    /// Which difference a test looks for.
    public enum Alternative: String, Hashable, Sendable {
        /// Any difference.
        case twoSided = "two-sided"
        /// The first sample is lower.
        case less
        /// The first sample is higher.
        case greater
    }

    /// The z statistic of two proportions (pooled standard error), or `nil`
    /// when either sample is empty or both are all successes or all failures.
    ///
    /// - Complexity: O(1).
    public static func twoProportionZ(successes1: Int, n1: Int, successes2: Int, n2: Int) -> Double? {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = Double(successes1) / Double(n1), p2 = Double(successes2) / Double(n2)
        let pooled = Double(successes1 + successes2) / Double(n1 + n2)
        let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard se > 0 else { return nil }
        return (p1 - p2) / se
    }

    /// The z statistic of a difference of two estimates with standard errors
    /// `se1`, `se2` (Welch-style, large samples), or `nil` when both are 0.
    ///
    /// - Complexity: O(1).
    public static func differenceZ(_ estimate1: Double, se1: Double, _ estimate2: Double, se2: Double) -> Double? {
        let se = (se1 * se1 + se2 * se2).squareRoot()
        guard se > 0, se.isFinite else { return nil }
        return (estimate1 - estimate2) / se
    }

    /// Holm's step-down adjusted p-values, in the order given: reject test i
    /// at level α exactly when its adjusted p-value is ≤ α. `nil` entries (tests
    /// that could not be run) are skipped and stay `nil`.
    ///
    /// - Complexity: O(m log m) for m tests.
    public static func holmAdjusted(_ pValues: [Double?]) -> [Double?] {
        let present = pValues.indices.filter { pValues[$0] != nil }.sorted { (pValues[$0]!, $0) < (pValues[$1]!, $1) }
        let m = present.count
        var adjusted = [Double?](repeating: nil, count: pValues.count)
        var running = 0.0
        for (rank, index) in present.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]!))
            adjusted[index] = running
        }
        return adjusted
    }
}

/// Floating sums that do not lose the small terms (Neumaier's compensated summation).
struct CompensatedSum {
    private(set) var sum = 0.0
    private var compensation = 0.0

    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }

    var value: Double { sum + compensation }
}
