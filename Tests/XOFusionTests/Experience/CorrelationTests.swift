import Foundation
import Testing
@testable import XOFusion

/// Correlations, Student's t and Johnson's relative weights: cases worked by hand, values computed
/// independently with SciPy 1.17.1 / NumPy 2.4.6 by `scripts/reference-statistics.py` (its output is quoted
/// where used), and differential checks against literal reference implementations over many seeds.
@Suite struct CorrelationTests {
    func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-12) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= tolerance
    }

    // Dataset A: x = 1…5, y = 2 4 5 4 5. By hand: means 3 and 4; dx = −2 −1 0 1 2, dy = −2 0 1 0 1;
    // Σdxdy = 6, Σdx² = 10, Σdy² = 6, so r = 6 / √60 = √0.6.
    let ax: [Double] = [1, 2, 3, 4, 5], ay: [Double] = [2, 4, 5, 4, 5]

    @Test func pearsonByHandAndAgainstSciPy() throws {
        let c = try Statistics.pearson(ax, ay).get()
        #expect(close(c.r, 0.6.squareRoot()))
        #expect(c.n == 5)
        // Fisher: tanh(atanh r ± 1.96 / √2).
        let z = atanh(0.6.squareRoot()), half = Statistics.z95 / 2.0.squareRoot()
        #expect(close(c.interval?.lowerBound, tanh(z - half)) && close(c.interval?.upperBound, tanh(z + half)))
        // scipy.stats.pearsonr: p = 0.124027062657555; Fisher interval (-0.34008203518751, 0.984235755150727).
        #expect(close(c.pValue, 0.124027062657555, 1e-12))
        #expect(close(c.interval?.lowerBound, -0.34008203518751, 1e-12) && close(c.interval?.upperBound, 0.984235755150727, 1e-12))
    }

    @Test func spearmanByHandAndAgainstSciPy() throws {
        // Ranks of y: 2 → 1; the two 4s → 2.5; the two 5s → 4.5. Against 1…5: Σdxdy = 7, Σdx² = 10, Σdy² = 9.
        #expect(Statistics.ranks(ay) == [1, 2.5, 4.5, 2.5, 4.5])
        let c = try Statistics.spearman(ax, ay).get()
        #expect(close(c.r, 7 / 90.0.squareRoot()))
        // scipy.stats.spearmanr: rho = 0.737864787372622, p = 0.154618523128449.
        #expect(close(c.pValue, 0.154618523128449, 1e-12))
        // Fisher interval of rho with n − 3 (the script's "spearman 95% Fisher-z CI", here from Python's math module):
        // tanh(atanh(rho) ± 1.959963984540054 / √2) = (-0.413750366926402, 0.9813069411044).
        #expect(close(c.interval?.lowerBound, -0.413750366926402, 1e-12) && close(c.interval?.upperBound, 0.9813069411044, 1e-12))
    }

    @Test func studentTAgainstSciPy() {
        // scipy.stats.t.sf(|t|, df) * 2.
        let cases: [(t: Double, df: Double, p: Double)] = [
            (1.5, 1, 0.374334083621998), (2.0, 3, 0.139325968558843), (2.5, 8, 0.0369420377136241),
            (0.3, 20, 0.76727300324376), (4.0, 100, 0.000121523644300762),
        ]
        for c in cases { #expect(close(Statistics.studentTPValue(t: c.t, degreesOfFreedom: c.df), c.p, 1e-12), "t = \(c.t), df = \(c.df)") }
        // One degree of freedom is the Cauchy distribution: p = 1 − 2·atan(|t|)/π.
        #expect(close(Statistics.studentTPValue(t: -3, degreesOfFreedom: 1), 1 - 2 * atan(3) / .pi))
        #expect(Statistics.studentTPValue(t: 0, degreesOfFreedom: 5) == 1)
    }

    // Dataset B: three correlated drivers of y (n = 10).
    let x1: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    let x2: [Double] = [2, 1, 4, 3, 6, 5, 8, 7, 10, 9]
    let x3: [Double] = [5, 3, 4, 1, 2, 6, 9, 7, 8, 10]
    let y: [Double] = [3, 4, 6, 5, 8, 7, 11, 10, 12, 14]

    @Test func relativeWeightsAgainstNumPy() throws {
        let w = try Statistics.relativeWeights(outcome: y, drivers: [x1, x2, x3], names: ["x1", "x2", "x3"]).get()
        // Johnson's SVD formulation and the correlation-matrix formulation in NumPy agree to 4e-16:
        // raw weights 0.373253526162211, 0.368583514618103, 0.223296389593291; R² (OLS with intercept) 0.965133430373605.
        #expect(close(w.weights[0], 0.373253526162211) && close(w.weights[1], 0.368583514618103) && close(w.weights[2], 0.223296389593291))
        #expect(close(w.rSquared, 0.965133430373605))
        #expect(close(w.rSquared, Self.olsRSquared(y, [x1, x2, x3])))
        #expect(close(w.shares.reduce(0, +), 1))
        // Pearson of x3 with y (scipy): 0.793979874054777, p = 0.0060954514892645.
        let r3 = try Statistics.pearson(x3, y).get()
        #expect(close(r3.r, 0.793979874054777) && close(r3.pValue, 0.0060954514892645, 1e-12))
    }

    @Test func orthogonalDriversWeighTheirSquaredCorrelation() throws {
        // Uncorrelated drivers: Johnson's weight is exactly r², and R² is their sum.
        let a: [Double] = [1, -1, 1, -1, 1, -1, 1, -1], b: [Double] = [1, 1, -1, -1, 1, 1, -1, -1]
        let out: [Double] = [3, 1, 2, -1, 4, 0, 1, -2]
        let w = try Statistics.relativeWeights(outcome: out, drivers: [a, b], names: ["a", "b"]).get()
        let ra = try Statistics.pearson(a, out).get().r, rb = try Statistics.pearson(b, out).get().r
        #expect(close(w.weights[0], ra * ra) && close(w.weights[1], rb * rb))
    }

    @Test func problemsAreReportedNotNaN() {
        #expect(Statistics.pearson([1, 2], [3, 4]) == .failure(.tooFewRows(n: 2, needed: 3)))
        #expect(Statistics.pearson([1, 1, 1], [3, 4, 5], names: ("flat", "y")) == .failure(.constant(column: "flat")))
        #expect(Statistics.pearson([1, 2, 3], [7, 7, 7], names: ("x", "outcome")) == .failure(.constant(column: "outcome")))
        // n = 3: a coefficient and a p-value, but no Fisher interval (it needs n > 3).
        let three = try? Statistics.pearson([1, 2, 3], [1, 3, 2]).get()
        #expect(three?.interval == nil && close(three?.r, 0.5) && three?.pValue.isFinite == true)
        // |r| = 1: p = 0 and a point interval.
        let perfect = try? Statistics.pearson([1, 2, 3, 4, 5], [-2, -4, -6, -8, -10]).get()
        #expect(perfect?.r == -1 && perfect?.pValue == 0 && perfect?.interval == -1...(-1))
        // x3 = x1 + 2·x2 exactly: collinear, and the independent driver x4 is not blamed.
        let x4: [Double] = [0, 1, 0, 0, 1, 1, 0, 1, 0, 0]
        let combo = zip(x1, x2).map { $0 + 2 * $1 }
        #expect(Statistics.relativeWeights(outcome: y, drivers: [x1, x2, combo, x4], names: ["x1", "x2", "x3", "x4"])
                == .failure(.collinear(["x1", "x2", "x3"])))
        #expect(Statistics.relativeWeights(outcome: [1, 2, 3], drivers: [[1, 2, 4], [2, 1, 1]], names: ["a", "b"]) == .failure(.tooFewRows(n: 3, needed: 4)))
        #expect(Statistics.relativeWeights(outcome: y, drivers: [x1, [Double](repeating: 2, count: 10)], names: ["a", "b"]) == .failure(.constant(column: "b")))
    }

    @Test(arguments: 0..<200) func differentialAgainstLiteralReferences(seed: Int) throws {
        var g = AnalysisDifferentialTests.Generator(state: UInt64(seed) &* 7919 &+ 17)
        let n = Int.random(in: 8...40, using: &g), p = Int.random(in: 2...5, using: &g)
        // Small integer values, so that ties are frequent.
        var drivers = (0..<p).map { _ in (0..<n).map { _ in Double(Int.random(in: 0...6, using: &g)) } }
        drivers[p - 1] = zip(drivers[0], drivers[p - 1]).map { $0 * 0.5 + $1 }  // correlated drivers
        let outcome = (0..<n).map { i in drivers.indices.reduce(Double.random(in: -3...3, using: &g)) { $0 + Double($1 + 1) * 0.3 * drivers[$1][i] } }

        for x in drivers {
            guard let c = try? Statistics.pearson(x, outcome).get() else { continue }
            #expect(close(c.r, Self.naivePearson(x, outcome), 1e-10))
            if let s = try? Statistics.spearman(x, outcome).get() {
                #expect(close(s.r, Self.naivePearson(Self.naiveRanks(x), Self.naiveRanks(outcome)), 1e-10))
            }
        }
        switch Statistics.relativeWeights(outcome: outcome, drivers: drivers, names: (0..<p).map { "x\($0)" }) {
        case .success(let w):
            #expect(close(w.rSquared, Self.olsRSquared(outcome, drivers), 1e-9))
            #expect(w.weights.allSatisfy { $0 >= -1e-12 })
        case .failure(let issue):
            // Only a constant draw may fail here.
            guard case .constant = issue else { Issue.record("unexpected \(issue)"); return }
        }
    }

    // MARK: - Literal references

    static func naivePearson(_ x: [Double], _ y: [Double]) -> Double {
        var sx = 0.0, sy = 0.0, sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sx += x[i]; sy += y[i]
            sxy += x[i] * y[i]; sxx += x[i] * x[i]; syy += y[i] * y[i]
        }
        let n = Double(x.count)
        let numerator: Double = n * sxy - sx * sy
        let denominator: Double = (n * sxx - sx * sx) * (n * syy - sy * sy)
        return numerator / denominator.squareRoot()
    }

    /// Rank = 1 + (values below) + (ties − 1) / 2.
    static func naiveRanks(_ v: [Double]) -> [Double] {
        v.map { a in 1 + Double(v.filter { $0 < a }.count) + Double(v.filter { $0 == a }.count - 1) / 2 }
    }

    /// R² of least squares with an intercept, through the normal equations and Gaussian elimination.
    static func olsRSquared(_ y: [Double], _ xs: [[Double]]) -> Double {
        let n = y.count, k = xs.count + 1
        var design: [[Double]] = []
        for i in 0..<n { design.append([1.0] + xs.map { $0[i] }) }
        // The augmented normal equations [XᵀX | Xᵀy].
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for r in 0..<k {
            for i in 0..<n {
                for c in 0..<k { a[r][c] += design[i][r] * design[i][c] }
                a[r][k] += design[i][r] * y[i]
            }
        }
        for col in 0..<k {
            let pivot = (col..<k).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            for r in 0..<k where r != col {
                let f = a[r][col] / a[col][col]
                for c in col...k { a[r][c] -= f * a[col][c] }
            }
        }
        var residual = 0.0, total = 0.0
        let mean = y.reduce(0, +) / Double(n)
        for i in 0..<n {
            var fitted = 0.0
            for c in 0..<k { fitted += design[i][c] * a[c][k] / a[c][c] }
            residual += (y[i] - fitted) * (y[i] - fitted)
            total += (y[i] - mean) * (y[i] - mean)
        }
        return 1 - residual / total
    }
}
