/// A customer's NPS segment: the class of their latest NPS answer, or `none`.
public enum CustomerSegment: String, Hashable, Sendable, CaseIterable, Comparable {
    case detractor, none, passive, promoter

    public static func < (a: CustomerSegment, b: CustomerSegment) -> Bool { a.rawValue < b.rawValue }

    /// The position in `allCases`, which is name order.
    var nameOrder: Int {
        switch self {
        case .detractor: 0
        case .none: 1
        case .passive: 2
        case .promoter: 3
        }
    }

    init(_ cls: NPSClass?) {
        switch cls {
        case .detractor: self = .detractor
        case .passive: self = .passive
        case .promoter: self = .promoter
        case nil: self = .none
        }
    }
}

extension Fusion {
    /// For each customer, the row of their latest answer with a non-null value in
    /// `column` (-1: none): the greatest time, ties to the greater response id
    /// (then to the later row). Only answers at or before `asOf` count when it is given; with `nonEmptyText`,
    /// a text value must hold more than white space.
    ///
    /// - Complexity: O(answers + customers).
    func latestAnswerRows(withValueIn column: String?, asOf: Int64? = nil, nonEmptyText: Bool = false) throws(FusionError) -> [Int32] {
        var latest = [Int32](repeating: -1, count: customerCount)
        let present: (Int) -> Bool
        if let column {
            let values = try FusionError.wrap { try answers.kernelColumn(column) }
            if nonEmptyText, values.kind == .string {
                present = { row in
                    guard case .string(let text) = values[row] else { return false }
                    return text.contains { !$0.isWhitespace }
                }
            } else {
                present = values.nullCount == 0 ? { _ in true } : { !values.isNull($0) }
            }
        } else {
            present = { _ in true }
        }
        let rows = answerFacts.runs.rows, limit = asOf ?? .max
        for c in 0..<customerCount {
            if let i = latestAnswer(of: c, atOrBefore: limit, where: { present(Int(rows[$0])) }) { latest[c] = rows[i] }
        }
        return latest
    }

    /// The position (in run order) of customer `c`'s latest answer at or before `limit` for which `qualifies`
    /// holds, or `nil`. Runs are in (time, response id) order, so it is the last such answer of the run;
    /// answers without a time sort first and never qualify.
    @inline(__always)
    func latestAnswer(of c: Int, atOrBefore limit: Int64, where qualifies: (Int) -> Bool) -> Int? {
        let run = answerFacts.runs.run(c), time = answerFacts.time
        var i = run.upperBound
        while i > run.lowerBound {
            i -= 1
            if time[i] == .min { return nil }
            if time[i] <= limit && qualifies(i) { return i }
        }
        return nil
    }

    /// Each customer's NPS segment (latest NPS answer at or before `asOf`), with that answer's score (-1: none).
    ///
    /// - Throws: ``FusionError/outOfScale(role:column:row:value:scale:)`` for a latest score outside the scale.
    func segments(asOf: Int64? = nil) throws(FusionError) -> (segment: [CustomerSegment], latestNPS: [Int64]) {
        guard columns.nps != nil else { throw .missingColumn(role: .answers, field: "nps", column: nil, suggestions: []) }
        let scale = mapping.answers.npsScale, limit = asOf ?? .max, nps = answerFacts.nps
        var segment = [CustomerSegment](repeating: .none, count: customerCount)
        var score = [Int64](repeating: -1, count: customerCount)
        for c in 0..<customerCount {
            guard let i = latestAnswer(of: c, atOrBefore: limit, where: { nps[$0] != AnswerFacts.null }) else { continue }
            // Scores were checked against the scale when the fusion was built.
            segment[c] = CustomerSegment(scale.npsClass(of: nps[i]))
            score[c] = nps[i]
        }
        return (segment, score)
    }
}

/// Which of two answers of one customer at the same time is the later one:
/// the greater response id (numbers by value, text by bytes), then the later row.
struct ResponseOrder {
    private let column: Column?

    init(_ table: Table, _ name: String?) { column = name.flatMap { table[$0] } }

    func isAfter(_ a: Int, _ b: Int) -> Bool {
        guard let column else { return a > b }
        switch (column[a], column[b]) {
        case (.int64(let x), .int64(let y)) where x != y: return x > y
        case (.string(let x), .string(let y)) where x.utf8.elementsEqual(y.utf8) == false:
            return y.utf8.lexicographicallyPrecedes(x.utf8)
        case (.null, .null): return a > b
        case (.null, _): return false
        case (_, .null): return true
        default: return a > b
        }
    }
}
