/// An NPS-style question: its answer range and which answers make promoters,
/// passives and detractors. Every answer in `range` falls in exactly one class.
///
/// The standard question is 0–10 (promoters 9–10, passives 7–8, detractors 0–6).
/// Other scales map through an explicit, documented definition, never a formula:
///
/// | scale | promoters | passives | detractors |
/// |---|---|---|---|
/// | ``standard`` 0–10 | 9–10 | 7–8 | 0–6 |
/// | ``oneToTen`` 1–10 | 9–10 | 7–8 | 1–6 |
/// | ``oneToSeven`` 1–7 | 7 | 6 | 1–5 |
/// | ``oneToFive`` 1–5 | 5 | 4 | 1–3 |
public struct NPSScale: Hashable, Sendable, CustomStringConvertible {
    /// Every valid answer.
    public let range: ClosedRange<Int64>
    /// Answers that make a promoter (the top of `range`).
    public let promoters: ClosedRange<Int64>
    /// Answers that make a passive (just below the promoters).
    public let passives: ClosedRange<Int64>

    /// A scale; `nil` unless promoters sit at the top of `range` and passives directly below them.
    public init?(range: ClosedRange<Int64>, promoters: ClosedRange<Int64>, passives: ClosedRange<Int64>) {
        guard promoters.upperBound == range.upperBound, passives.upperBound + 1 == promoters.lowerBound,
              passives.lowerBound > range.lowerBound
        else { return nil }
        self.range = range
        self.promoters = promoters
        self.passives = passives
    }

    /// 0–10: promoters 9–10, passives 7–8, detractors 0–6.
    public static let standard = NPSScale(range: 0...10, promoters: 9...10, passives: 7...8)!
    /// 1–10: promoters 9–10, passives 7–8, detractors 1–6.
    public static let oneToTen = NPSScale(range: 1...10, promoters: 9...10, passives: 7...8)!
    /// 1–7: promoters 7, passives 6, detractors 1–5.
    public static let oneToSeven = NPSScale(range: 1...7, promoters: 7...7, passives: 6...6)!
    /// 1–5: promoters 5, passives 4, detractors 1–3.
    public static let oneToFive = NPSScale(range: 1...5, promoters: 5...5, passives: 4...4)!

    /// The class of an answer, or `nil` when it lies outside `range`.
    ///
    /// - Complexity: O(1).
    @inlinable
    public func npsClass(of score: Int64) -> NPSClass? {
        guard range.contains(score) else { return nil }
        if score >= promoters.lowerBound { return .promoter }
        if score >= passives.lowerBound { return .passive }
        return .detractor
    }

    public var description: String {
        "NPS \(range.lowerBound)–\(range.upperBound) (promoters \(promoters.lowerBound)–\(promoters.upperBound), passives \(passives.lowerBound)–\(passives.upperBound))"
    }
}

/// The class of an NPS answer; a customer's segment adds ``CustomerSegment/none``.
public enum NPSClass: String, Hashable, Sendable, CaseIterable, Comparable {
    case detractor, passive, promoter
    public static func < (a: NPSClass, b: NPSClass) -> Bool { a.rank < b.rank }
    var rank: Int { switch self { case .detractor: 0; case .passive: 1; case .promoter: 2 } }
}

/// A top-box question (CSAT, CES): its answer range and the answers that count
/// as the top box.
///
/// | scale | range | top box |
/// |---|---|---|
/// | ``csat`` | 1–5 | 4–5 (CSAT%: top-2-box) |
/// | ``ces`` | 1–7, 7 = least effort | 5–7 |
/// | ``ces5`` | 1–5, 5 = least effort | 4–5 |
public struct TopBoxScale: Hashable, Sendable, CustomStringConvertible {
    /// Every valid answer.
    public let range: ClosedRange<Int64>
    /// Answers that count as the top box (the top of `range`).
    public let topBox: ClosedRange<Int64>

    /// A scale; `nil` unless `topBox` is the top part of `range` and leaves something below it.
    public init?(range: ClosedRange<Int64>, topBox: ClosedRange<Int64>) {
        guard topBox.upperBound == range.upperBound, topBox.lowerBound > range.lowerBound else { return nil }
        self.range = range
        self.topBox = topBox
    }

    /// CSAT 1–5, top box 4–5.
    public static let csat = TopBoxScale(range: 1...5, topBox: 4...5)!
    /// CES 1–7 (7 = least effort), top box 5–7.
    public static let ces = TopBoxScale(range: 1...7, topBox: 5...7)!
    /// CES 1–5 (5 = least effort), top box 4–5.
    public static let ces5 = TopBoxScale(range: 1...5, topBox: 4...5)!

    /// The band of an answer: the top box, the answer just below it (neutral), or the rest.
    ///
    /// - Returns: `nil` outside `range`.
    public func band(of score: Int64) -> SatisfactionBand? {
        guard range.contains(score) else { return nil }
        if score >= topBox.lowerBound { return .satisfied }
        return score == topBox.lowerBound - 1 ? .neutral : .dissatisfied
    }

    public var description: String { "\(range.lowerBound)–\(range.upperBound), top box \(topBox.lowerBound)–\(topBox.upperBound)" }
}

/// Bands of a top-box answer (CSAT band): top box, the step below, the rest.
public enum SatisfactionBand: String, Hashable, Sendable, CaseIterable {
    case dissatisfied, neutral, satisfied
}

/// A sentiment score in −1…1: negative below `-threshold`, positive above it, neutral between (inclusive).
public struct SentimentScale: Hashable, Sendable {
    /// Every valid score.
    public let range: ClosedRange<Double>
    /// Scores within ±threshold are neutral.
    public let threshold: Double

    /// A scale; `threshold` must be ≥ 0.
    public init?(range: ClosedRange<Double> = -1...1, threshold: Double = 0.05) {
        guard threshold >= 0, threshold.isFinite else { return nil }
        self.range = range
        self.threshold = threshold
    }

    /// −1…1, neutral within ±0.05.
    public static let standard = SentimentScale()!

    /// The band of a score (`nil` outside `range` or NaN).
    public func band(of score: Double) -> SentimentBand? {
        guard range.contains(score) else { return nil }
        if score < -threshold { return .negative }
        return score > threshold ? .positive : .neutral
    }
}

/// Bands of a sentiment score.
public enum SentimentBand: String, Hashable, Sendable, CaseIterable {
    case negative, neutral, positive
}

extension ColumnSpec {
    /// A CSV column of NPS answers on `scale`: int64, and a value outside the scale rejects
    /// the whole record at ingest (kind `out_of_range`), never clamped.
    public static func nps(_ name: String, scale: NPSScale = .standard, rename: String? = nil, required: Bool = false) -> ColumnSpec {
        ColumnSpec(name, .int64, rename: rename, required: required, allowedRange: Double(scale.range.lowerBound)...Double(scale.range.upperBound))
    }

    /// A CSV column of top-box answers (CSAT, CES) on `scale`, checked at ingest as ``nps(_:scale:rename:required:)``.
    public static func topBox(_ name: String, scale: TopBoxScale, rename: String? = nil, required: Bool = false) -> ColumnSpec {
        ColumnSpec(name, .int64, rename: rename, required: required, allowedRange: Double(scale.range.lowerBound)...Double(scale.range.upperBound))
    }

    /// A CSV column of sentiment scores on `scale` (double), checked at ingest.
    public static func sentiment(_ name: String, scale: SentimentScale = .standard, rename: String? = nil, required: Bool = false) -> ColumnSpec {
        ColumnSpec(name, .double, rename: rename, required: required, allowedRange: scale.range)
    }
}
