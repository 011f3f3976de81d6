/// Groups below this many answers are flagged as small (their intervals are wide), never hidden.
public let smallSampleSize = 30

/// NPS over a set of answers: the score with its n, class counts and 95% interval.
public struct NPSSummary: Hashable, Sendable {
    /// Answers counted (non-null, in scale).
    public var n = 0
    /// Promoters, passives and detractors; they add up to `n`.
    public var promoters = 0, passives = 0, detractors = 0

    /// An empty summary.
    public init() {}

    /// A summary of the given class counts.
    public init(promoters: Int, passives: Int, detractors: Int) {
        (self.promoters, self.passives, self.detractors) = (promoters, passives, detractors)
        n = promoters + passives + detractors
    }

    /// Counts one answer of class `cls`.
    @inlinable public mutating func add(_ cls: NPSClass) {
        n += 1
        switch cls {
        case .promoter: promoters += 1
        case .passive: passives += 1
        case .detractor: detractors += 1
        }
    }

    /// Adds another summary's counts.
    public mutating func merge(_ other: NPSSummary) {
        n += other.n
        promoters += other.promoters
        passives += other.passives
        detractors += other.detractors
    }

    /// 100 × (promoters − detractors) / n; `nil` without answers.
    public var score: Double? { n > 0 ? 100 * Double(promoters - detractors) / Double(n) : nil }
    /// The 95% margin of error (DESIGN.md): 1.96 × 100 × √((p + d − (p − d)²) / n).
    public var margin: Double? { Statistics.npsMargin(promoters: promoters, detractors: detractors, n: n) }
    /// score ± margin, clipped to −100…100.
    public var interval: ClosedRange<Double>? {
        guard let score, let margin else { return nil }
        return max(-100, score - margin)...min(100, score + margin)
    }
    /// The standard error of the score, in NPS points.
    public var standardError: Double? {
        n > 0 ? 100 * Statistics.npsVarianceShare(promoters: promoters, detractors: detractors, n: n).squareRoot() : nil
    }
    /// Fewer than ``smallSampleSize`` answers.
    public var isSmall: Bool { n < smallSampleSize }
}

/// A top-box metric (CSAT, CES) over a set of answers: the top-box percentage
/// with its Wilson interval, and the mean with its normal interval.
public struct TopBoxSummary: Hashable, Sendable {
    /// Answers counted.
    public var n = 0
    /// Answers in the top box.
    public var topBox = 0
    /// Sum and sum of squares of the scores (exact).
    public var sum: Int64 = 0, sumOfSquares: Int64 = 0

    /// An empty summary.
    public init() {}

    /// Counts one answer.
    public mutating func add(_ score: Int64, scale: TopBoxScale) {
        n += 1
        if score >= scale.topBox.lowerBound { topBox += 1 }
        sum += score
        sumOfSquares += score * score
    }

    /// Adds another summary's counts.
    public mutating func merge(_ other: TopBoxSummary) {
        n += other.n
        topBox += other.topBox
        sum += other.sum
        sumOfSquares += other.sumOfSquares
    }

    /// 100 × top-box share; `nil` without answers.
    public var percent: Double? { n > 0 ? 100 * Double(topBox) / Double(n) : nil }
    /// The Wilson 95% interval of ``percent``, in percent.
    public var interval: ClosedRange<Double>? {
        Statistics.wilson(successes: topBox, n: n).map { ($0.lowerBound * 100)...($0.upperBound * 100) }
    }
    /// The mean score.
    public var mean: Double? { n > 0 ? Double(sum) / Double(n) : nil }
    /// The normal 95% interval of ``mean``.
    public var meanInterval: ClosedRange<Double>? {
        Statistics.meanInterval(n: n, sum: Double(sum), sumOfSquares: Double(sumOfSquares))
    }
    /// Fewer than ``smallSampleSize`` answers.
    public var isSmall: Bool { n < smallSampleSize }
}

/// Sentiment over a set of answers: the mean with its interval and the counts per band.
public struct SentimentSummary: Hashable, Sendable {
    /// Scores counted.
    public var n = 0
    /// Scores per band; they add up to `n`.
    public var negative = 0, neutral = 0, positive = 0
    /// Sum and sum of squares of the scores.
    public var sum = 0.0, sumOfSquares = 0.0

    /// An empty summary.
    public init() {}

    /// Counts one score.
    public mutating func add(_ score: Double, scale: SentimentScale) {
        n += 1
        switch scale.band(of: score) {
        case .negative: negative += 1
        case .positive: positive += 1
        default: neutral += 1
        }
        sum += score
        sumOfSquares += score * score
    }

    /// The mean score.
    public var mean: Double? { n > 0 ? sum / Double(n) : nil }
    /// The normal 95% interval of ``mean``.
    public var meanInterval: ClosedRange<Double>? { Statistics.meanInterval(n: n, sum: sum, sumOfSquares: sumOfSquares) }
    /// Fewer than ``smallSampleSize`` scores.
    public var isSmall: Bool { n < smallSampleSize }
}
