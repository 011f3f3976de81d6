import Foundation
import Testing
import XOFusion

@Suite struct StatisticsTests {
    @Test func wilsonMatchesPublishedValues() throws {
        // Newcombe (1998), Table I: 0 of 10 → 0.0000–0.2775; 1 of 29 (our own check): p̂ = 0.0345.
        let zero = try #require(Statistics.wilson(successes: 0, n: 10))
        #expect(zero.lowerBound == 0 && abs(zero.upperBound - 0.2775) < 5e-5)
        // 5 of 10: 0.2366–0.7634 (symmetric around 1/2).
        let half = try #require(Statistics.wilson(successes: 5, n: 10))
        #expect(abs(half.lowerBound - 0.2366) < 5e-5 && abs(half.upperBound - 0.7634) < 5e-5)
        #expect(Statistics.wilson(successes: 0, n: 0) == nil)
    }

    @Test func npsMarginFollowsTheDesignFormula() throws {
        // 50 promoters, 30 passives, 20 detractors: p − d = 0.3, p + d = 0.7, variance 0.7 − 0.09 = 0.61 → /100.
        let margin = try #require(Statistics.npsMargin(promoters: 50, detractors: 20, n: 100))
        #expect(abs(margin - 1.959963984540054 * 100 * (0.61 / 100).squareRoot()) < 1e-12)
        #expect(abs(margin - 15.308) < 0.001)
        let summary = NPSSummary(promoters: 50, passives: 30, detractors: 20)
        #expect(summary.score == 30 && summary.interval == (30 - margin)...(30 + margin))
        // All promoters: no spread, a zero margin, and the interval stays inside −100…100.
        #expect(NPSSummary(promoters: 10, passives: 0, detractors: 0).interval == 100...100)
    }

    @Test func meanIntervalUsesTheSampleVariance() throws {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        let interval = try #require(Statistics.meanInterval(n: 8, sum: values.reduce(0, +), sumOfSquares: values.map { $0 * $0 }.reduce(0, +)))
        let half = 1.959963984540054 * (32.0 / 7 / 8).squareRoot()
        #expect(abs(interval.lowerBound - (5 - half)) < 1e-12 && abs(interval.upperBound - (5 + half)) < 1e-12)
    }

    @Test func normalCDFAndPValues() {
        #expect(abs(Statistics.normalCDF(1.959963984540054) - 0.975) < 1e-12)
        #expect(abs(Statistics.pValue(z: 1.959963984540054) - 0.05) < 1e-12)
        #expect(abs(Statistics.pValue(z: -1.6448536269514722, alternative: .less) - 0.05) < 1e-12)
        #expect(abs(Statistics.pValue(z: -1.6448536269514722, alternative: .greater) - 0.95) < 1e-12)
    }

    @Test func twoProportionZ() throws {
        // 30/100 against 20/100: pooled 0.25, se = √(0.25 × 0.75 × 0.02) = 0.061237; z = 0.1 / se = 1.633.
        let z = try #require(Statistics.twoProportionZ(successes1: 30, n1: 100, successes2: 20, n2: 100))
        #expect(abs(z - 0.1 / (0.25 * 0.75 * 0.02).squareRoot()) < 1e-12)
        #expect(Statistics.twoProportionZ(successes1: 0, n1: 10, successes2: 0, n2: 10) == nil)   // no spread: no test
    }

    @Test func holmStepDown() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005×4 = 0.02, 0.01×3 = 0.03, 0.03×2 = 0.06, 0.04×1 → max(0.06, 0.04) = 0.06.
        let adjusted = Statistics.holmAdjusted([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        #expect(zip(adjusted, expected).allSatisfy { abs($0! - $1) < 1e-12 })
        #expect(Statistics.holmAdjusted([nil, 0.5]) == [nil, 0.5])
        #expect(Statistics.holmAdjusted([0.9, 0.8]).allSatisfy { $0! <= 1 })
    }

    @Test func scalesClassifyEveryAnswerOnce() {
        let classes: [NPSClass?] = (Int64(0)...10).map { NPSScale.standard.npsClass(of: $0) }
        let detractors = classes.filter { $0 == .detractor }.count
        #expect(detractors == 7)
        #expect(NPSScale.oneToFive.npsClass(of: 5) == .promoter && NPSScale.oneToFive.npsClass(of: 4) == .passive && NPSScale.oneToFive.npsClass(of: 3) == .detractor)
        #expect(NPSScale.oneToSeven.npsClass(of: 6) == .passive && NPSScale.oneToTen.npsClass(of: 1) == .detractor)
        #expect(NPSScale.standard.npsClass(of: 11) == nil && NPSScale.oneToTen.npsClass(of: 0) == nil)
        #expect(NPSScale(range: 0...10, promoters: 8...9, passives: 6...7) == nil)        // promoters must reach the top
        #expect(TopBoxScale.csat.band(of: 3) == .neutral && TopBoxScale.ces.band(of: 4) == .neutral && TopBoxScale.ces.band(of: 2) == .dissatisfied)
        #expect(SentimentScale.standard.band(of: -0.05) == .neutral && SentimentScale.standard.band(of: -0.051) == .negative)
    }

    @Test func outOfScaleScoresAreRejectedAtIngest() throws {
        let csv = "customer_id,nps\nC1,9\nC2,11\nC3,-1\nC4,\n"
        var options = CSVReadOptions()
        options.policy = .collect()
        options.schema = CSVSchema([ColumnSpec("customer_id", .string), .nps("nps")])
        let result = try CSVReader.read(string: csv, name: "answers.csv", options: options)
        #expect(result.table.rowCount == 2)                        // C1 and C4 (a null is not out of scale)
        #expect(result.rejects.map(\.line) == [3, 4])
        #expect(result.rejects.allSatisfy { $0.kind == .outOfRange && $0.column == "nps" })
    }
}
