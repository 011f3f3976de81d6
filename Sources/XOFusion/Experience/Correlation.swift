import Foundation

/// A correlation coefficient with its sample size, 95% interval and p-value.
public struct Correlation: Hashable, Sendable {
    /// The coefficient, −1…1.
    public var r: Double
    /// The pairs it was computed on.
    public var n: Int
    /// The 95% interval from Fisher's z transform, tanh(atanh r ± 1.96 / √(n − 3));
    /// `nil` for n = 3 (the transform needs n > 3); a point for |r| = 1.
    public var interval: ClosedRange<Double>?
    /// The two-sided p-value of r = 0, from Student's t with n − 2 degrees of freedom
    /// (as `scipy.stats.pearsonr` and `spearmanr` compute it); 0 for |r| = 1.
    public var pValue: Double
}

/// Why a correlation or a set of relative weights could not be computed: reported, never NaN.
public enum DriverIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer rows than the statistic needs (3 for a correlation; drivers + 2 for relative weights).
    case tooFewRows(n: Int, needed: Int)
    /// The column takes a single value over the rows used.
    case constant(column: String)
    /// The drivers are perfectly collinear: these ones are an exact linear combination of each other.
    case collinear([String])

    public var description: String {
        switch self {
        case .tooFewRows(let n, let needed): "\(n) rows with every value present; at least \(needed) are needed"
        case .constant(let column): "'\(column)' takes a single value over the rows used"
        case .collinear(let names): "perfectly collinear drivers: \(names.map { "'\($0)'" }.joined(separator: ", "))"
        }
    }
}

/// Johnson's relative weights: how much of the explained variance (R²) each driver carries,
/// with correlated drivers sharing credit instead of one taking it all.
public struct RelativeWeights: Hashable, Sendable {
    /// The raw weight of each driver, in the order given; they add up to ``rSquared``.
    public var weights: [Double]
    /// R² of the least-squares fit of the outcome on every driver.
    public var rSquared: Double
    /// The rows used (every value present).
    public var n: Int
    /// Each weight as a share of R² (0…1); all zero when R² is 0.
    public var shares: [Double] { weights.map { rSquared > 0 ? $0 / rSquared : 0 } }
}

extension Statistics {
    /// Pearson's correlation of paired values.
    ///
    /// - Returns: the correlation, or the reason it does not exist (fewer than 3 pairs, a constant column).
    /// - Complexity: O(n).
    public static func pearson(_ x: [Double], _ y: [Double], names: (x: String, y: String) = ("x", "y")) -> Result<Correlation, DriverIssue> {
        precondition(x.count == y.count, "pearson needs pairs")
        let n = x.count
        guard n >= 3 else { return .failure(.tooFewRows(n: n, needed: 3)) }
        let mx = mean(x), my = mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0 else { return .failure(.constant(column: names.x)) }
        guard syy > 0 else { return .failure(.constant(column: names.y)) }
        return .success(correlation(r: sxy / (sxx * syy).squareRoot(), n: n))
    }

    /// Spearman's rank correlation: Pearson's on the ranks, ties sharing their mean rank.
    ///
    /// - Returns: the correlation, or the reason it does not exist.
    /// - Complexity: O(n log n).
    public static func spearman(_ x: [Double], _ y: [Double], names: (x: String, y: String) = ("x", "y")) -> Result<Correlation, DriverIssue> {
        pearson(ranks(x), ranks(y), names: names)
    }

    /// Ranks 1…n, ties sharing the mean of their ranks.
    ///
    /// - Complexity: O(n log n).
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var out = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 1) / 2  // mean of the ranks start+1 … end
            for k in start..<end { out[order[k]] = rank }
            start = end
        }
        return out
    }

    /// A coefficient with its Fisher interval and t-test p-value.
    static func correlation(r raw: Double, n: Int) -> Correlation {
        let r = min(1, max(-1, raw))
        let interval: ClosedRange<Double>?
        if abs(r) == 1 {
            interval = r...r
        } else if n > 3 {
            let z = atanh(r), half = z95 / Double(n - 3).squareRoot()
            interval = tanh(z - half)...tanh(z + half)
        } else {
            interval = nil
        }
        let p: Double
        if abs(r) == 1 {
            p = 0
        } else {
            let df = Double(n - 2)
            p = studentTPValue(t: r * (df / (1 - r * r)).squareRoot(), degreesOfFreedom: df)
        }
        return Correlation(r: r, n: n, interval: interval, pValue: p)
    }

    /// The two-sided p-value of Student's t: P(|T| ≥ |t|) with `degreesOfFreedom` degrees of freedom.
    ///
    /// - Complexity: O(1) (a continued fraction of at most 300 terms).
    public static func studentTPValue(t: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0, t.isFinite else { return t.isFinite ? 1 : 0 }
        return min(1, max(0, regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)))
    }

    /// I_x(a, b), the regularized incomplete beta function, by its continued fraction (modified Lentz).
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(x: 1 - x, a: b, b: a) }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...300 {
            let m = Double(m)
            for step in 0..<2 {
                let numerator = step == 0
                    ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                    : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                d = 1 + numerator * d
                if abs(d) < tiny { d = tiny }
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                d = 1 / d
                f *= d * c
            }
            if abs(d * c - 1) < 1e-15 { break }
        }
        return front * f / a
    }

    /// Johnson's (2000) relative weights of the drivers (columns of `drivers`, one array per driver) for `outcome`.
    ///
    /// With R the drivers' correlation matrix and r their correlations with the outcome:
    /// Λ = R^½ (through R's eigendecomposition), β = Λ⁻¹ r, and driver j's raw weight is
    /// Σₖ Λⱼₖ² βₖ². The weights add up to R² = rᵀ R⁻¹ r.
    ///
    /// - Returns: the weights, or why they do not exist (too few rows, a constant column, perfect collinearity).
    /// - Complexity: O(n p² + p³) for n rows and p drivers.
    public static func relativeWeights(outcome: [Double], drivers: [[Double]], names: [String], outcomeName: String = "outcome") -> Result<RelativeWeights, DriverIssue> {
        let p = drivers.count, n = outcome.count
        precondition(p >= 1 && names.count == p && drivers.allSatisfy { $0.count == n }, "relative weights need one name and n values per driver")
        guard n >= p + 2 else { return .failure(.tooFewRows(n: n, needed: p + 2)) }
        // Centred columns and their norms.
        func centred(_ v: [Double]) -> [Double] { let m = mean(v); return v.map { $0 - m } }
        let y = centred(outcome), xs = drivers.map(centred)
        let normY = dot(y, y).squareRoot()
        guard normY > 0 else { return .failure(.constant(column: outcomeName)) }
        var norms = [Double](repeating: 0, count: p)
        for j in 0..<p {
            norms[j] = dot(xs[j], xs[j]).squareRoot()
            guard norms[j] > 0 else { return .failure(.constant(column: names[j])) }
        }
        var rxx = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        var rxy = [Double](repeating: 0, count: p)
        for j in 0..<p {
            rxy[j] = dot(xs[j], y) / (norms[j] * normY)
            rxx[j][j] = 1
            for k in 0..<j {
                rxx[j][k] = dot(xs[j], xs[k]) / (norms[j] * norms[k])
                rxx[k][j] = rxx[j][k]
            }
        }
        let (values, vectors) = symmetricEigen(rxx)
        // An eigenvalue near zero: a combination of drivers with (almost) no variance of its own.
        let tolerance = 1e-10 * Double(p)
        let null = values.indices.filter { values[$0] <= tolerance }
        if !null.isEmpty {
            let involved = (0..<p).filter { j in null.contains { abs(vectors[j][$0]) > 1e-6 } }
            return .failure(.collinear(involved.map { names[$0] }))
        }
        // Λ = V diag(√λ) Vᵀ; Λ⁻¹ = V diag(1/√λ) Vᵀ.
        var lambda = rxx, inverse = rxx
        for j in 0..<p {
            for k in 0..<p {
                var a = 0.0, b = 0.0
                for m in 0..<p {
                    let v = vectors[j][m] * vectors[k][m]
                    a += v * values[m].squareRoot()
                    b += v / values[m].squareRoot()
                }
                lambda[j][k] = a
                inverse[j][k] = b
            }
        }
        var beta = [Double](repeating: 0, count: p), weights = beta
        for j in 0..<p {
            for k in 0..<p { beta[j] += inverse[j][k] * rxy[k] }
        }
        for j in 0..<p {
            for k in 0..<p {
                let part: Double = lambda[j][k] * beta[k]
                weights[j] += part * part
            }
        }
        return .success(RelativeWeights(weights: weights, rSquared: weights.reduce(0, +), n: n))
    }

    /// The eigenvalues and eigenvectors (as columns: `vectors[row][k]` belongs to `values[k]`) of a
    /// symmetric matrix, by cyclic Jacobi rotations.
    ///
    /// - Complexity: O(p³) per sweep; a few sweeps.
    static func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let p = matrix.count
        var a = matrix
        var v = (0..<p).map { j in (0..<p).map { $0 == j ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for j in 0..<p { for k in 0..<p where k != j { off += a[j][k] * a[j][k] } }
            if off < 1e-30 { break }
            for j in 0..<p {
                for k in (j + 1)..<max(j + 1, p) where a[j][k] != 0 {
                    // The rotation that zeroes a[j][k].
                    let theta = (a[k][k] - a[j][j]) / (2 * a[j][k])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for m in 0..<p {
                        let amj = a[m][j], amk = a[m][k]
                        a[m][j] = c * amj - s * amk
                        a[m][k] = s * amj + c * amk
                    }
                    for m in 0..<p {
                        let ajm = a[j][m], akm = a[k][m]
                        a[j][m] = c * ajm - s * akm
                        a[k][m] = s * ajm + c * akm
                    }
                    for m in 0..<p {
                        let vmj = v[m][j], vmk = v[m][k]
                        v[m][j] = c * vmj - s * vmk
                        v[m][k] = s * vmj + c * vmk
                    }
                }
            }
        }
        return ((0..<p).map { a[$0][$0] }, v)
    }

    private static func mean(_ v: [Double]) -> Double {
        var sum = CompensatedSum()
        for x in v { sum.add(x) }
        return sum.value / Double(v.count)
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<a.count { sum += a[i] * b[i] }
        return sum
    }
}
