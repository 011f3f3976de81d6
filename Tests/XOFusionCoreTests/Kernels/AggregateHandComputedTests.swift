import Testing
@testable import XOFusionCore

/// One small table per aggregate, with the answer worked out by hand in a comment.
@Suite struct KernelsHandComputedTests {
    /// The rows of `table` as cells.
    func rows(_ table: Table) -> [[CellValue]] { (0..<table.rowCount).map { row in table.columns.map { $0[row] } } }

    let s = CellValue.string, i = CellValue.int64, d = CellValue.double, null = CellValue.null
    func dec(_ units: Int64) -> CellValue { .decimal(ScaledDecimal(units: units, scale: 2)) }

    @Test func countAndCountNonNull() throws {
        // row  k     v
        // 0    x     1
        // 1    y     null
        // 2    x     null
        // 3    null  4
        // 4    y     5
        // 5    x     6
        // Groups by first appearance: x {0,2,5}, y {1,4}, null {3}.
        // count:          x 3, y 2, null 1
        // countNonNull(v): x 2 (1, 6), y 1 (5), null 1 (4)
        let table = try Table(["k": try .string(["x", "y", "x", nil, "y", "x"]), "v": .int64([1, nil, nil, 4, 5, 6])])
        let result = try table.grouped(by: ["k"], aggregates: [.count(as: "n"), .countNonNull("v")])
        #expect(result.schema.names == ["k", "n", "count_v"])
        #expect(rows(result) == [[s("x"), i(3), i(2)], [s("y"), i(2), i(1)], [null, i(1), i(1)]])
    }

    @Test func sumOfInt64() throws {
        // row  k  v
        // 0    1  10
        // 1    2  -3
        // 2    1  null
        // 3    2  7
        // 4    1  5
        // 5    3  null
        // sum(v): k=1: 10 + 5 = 15; k=2: -3 + 7 = 4; k=3: no values → null.
        let table = try Table(["k": .int64([1, 2, 1, 2, 1, 3]), "v": .int64([10, -3, nil, 7, 5, nil])])
        let result = try table.grouped(by: ["k"], aggregates: [.sum("v")])
        #expect(result.schema.map(\.kind) == [.int64, .int64])
        #expect(rows(result) == [[i(1), i(15)], [i(2), i(4)], [i(3), null]])
    }

    @Test func sumOfDecimalIsExact() throws {
        // row  k  amount
        // 0    A  18.50
        // 1    B   9.99
        // 2    A  null
        // 3    A  -2.50
        // 4    B   0.01
        // 5    C   1.00
        // sum(amount): A 18.50 - 2.50 = 16.00; B 9.99 + 0.01 = 10.00 (exactly); C 1.00.
        let table = try Table([
            "k": try .string(["A", "B", "A", "A", "B", "C"], layout: .dictionary),
            "amount": .decimal(units: [1850, 999, nil, -250, 1, 100], scale: 2),
        ])
        let result = try table.grouped(by: ["k"], aggregates: [.sum("amount")])
        #expect(result.schema.map(\.kind) == [.string, .decimal(scale: 2)])
        #expect(rows(result) == [[s("A"), dec(1600)], [s("B"), dec(1000)], [s("C"), dec(100)]])
        #expect(try result.decimal("sum_amount").units[1] == 1000)
    }

    @Test func sumOfDouble() throws {
        // row  k  x
        // 0    a  0.5
        // 1    a  0.25
        // 2    b  NaN
        // 3    b  1
        // 4    c  2.5
        // 5    c  null
        // 6    c  -1
        // sum(x): a 0.75; b NaN (NaN poisons the sum); c 2.5 - 1 = 1.5. (Binary fractions: exact.)
        let table = try Table(["k": try .string(["a", "a", "b", "b", "c", "c", "c"]), "x": .double([0.5, 0.25, .nan, 1, 2.5, nil, -1])])
        let result = try table.grouped(by: ["k"], aggregates: [.sum("x")])
        let sums = Array(try result.double("sum_x"))
        #expect(sums[0] == 0.75 && sums[1]!.isNaN && sums[2] == 1.5)
    }

    @Test func meanOfEveryNumericKind() throws {
        // row  k  n     m (decimal 2)  x
        // 0    p  1     1.00           1.0
        // 1    p  2     2.50           null
        // 2    p  null  null           4.0
        // 3    q  3     null           NaN
        // 4    q  null  null           2.0
        // mean(n): p (1 + 2) / 2 = 1.5;       q 3 / 1 = 3.0
        // mean(m): p (1.00 + 2.50) / 2 = 1.75; q no values → null
        // mean(x): p (1 + 4) / 2 = 2.5;       q NaN
        let table = try Table([
            "k": try .string(["p", "p", "p", "q", "q"]), "n": .int64([1, 2, nil, 3, nil]),
            "m": .decimal(units: [100, 250, nil, nil, nil], scale: 2), "x": .double([1, nil, 4, .nan, 2]),
        ])
        let result = try table.grouped(by: ["k"], aggregates: [.mean("n"), .mean("m"), .mean("x")])
        #expect(result.schema.map(\.kind) == [.string, .double, .double, .double])
        #expect(Array(try result.double("mean_n")) == [1.5, 3.0])
        #expect(Array(try result.double("mean_m")) == [1.75, nil])
        let x = Array(try result.double("mean_x"))
        #expect(x[0] == 2.5 && x[1]!.isNaN)
    }

    @Test func minAndMax() throws {
        // row  k  x     s         day  m
        // 0    a  NaN   "b"       10   -1.00
        // 1    a  3     "Z"       null  0.50
        // 2    a  -0.0  "é"       -5    0.50
        // 3    b  null  "a"       0     0.07
        // 4    b  null  null      0     0.07
        // 5    b  null  "e\u301"  3     0.07
        // Doubles: NaN is above every number. Text by bytes: "Z" (5A) < "a" (61) < "b" < "e\u301" (65 CC 81) < "é" (C3 A9).
        // min/max x:   a -0.0 / NaN;   b null / null
        // min/max s:   a "Z" / "é";    b "a" / "e\u301"
        // min/max day: a -5 / 10;      b 0 / 3
        // min/max m:   a -1.00 / 0.50; b 0.07 / 0.07
        let table = try Table([
            "k": try .string(["a", "a", "a", "b", "b", "b"]), "x": .double([.nan, 3, -0.0, nil, nil, nil]),
            "s": try .string(["b", "Z", "\u{E9}", "a", nil, "e\u{301}"], layout: .dictionary),
            "day": .date(([10, nil, -5, 0, 0, 3] as [Int32?]).map { $0.map { CivilDate(daysSinceEpoch: $0) } }),
            "m": .decimal(units: [-100, 50, 50, 7, 7, 7], scale: 2),
        ])
        let result = try table.grouped(by: ["k"], aggregates: [
            .min("x"), .max("x"), .min("s"), .max("s"), .min("day"), .max("day"), .min("m"), .max("m"),
        ])
        let x = Array(try result.double("min_x")), xm = Array(try result.double("max_x"))
        #expect(x[0] == 0 && x[0]!.sign == .minus && x[1] == nil)
        #expect(xm[0]!.isNaN && xm[1] == nil)
        #expect(Array(try result.string("min_s")).map { $0.map { Array($0.utf8) } } == [Array("Z".utf8), Array("a".utf8)])
        #expect(Array(try result.string("max_s")).map { $0.map { Array($0.utf8) } } == [Array("\u{E9}".utf8), Array("e\u{301}".utf8)])
        #expect(Array(try result.date("min_day")).map { $0?.daysSinceEpoch } == [-5, 0])
        #expect(Array(try result.date("max_day")).map { $0?.daysSinceEpoch } == [10, 3])
        #expect(Array(try result.decimal("min_m").units) == [-100, 7])
        #expect(Array(try result.decimal("max_m").units) == [50, 7])
        // Bools order false before true (as the sort does): a true, null, false → false / true; b all true; c all null.
        let flags = try Table(["k": try .string(["a", "a", "a", "b", "b", "c"]), "f": .bool([true, nil, false, true, true, nil])])
        let extremes = try flags.grouped(by: ["k"], aggregates: [.min("f"), .max("f")])
        let (low, high) = (Array(try extremes.bool("min_f")), Array(try extremes.bool("max_f")))
        #expect(low == [false, true, nil] && high == [true, true, nil])
    }

    @Test func countDistinct() throws {
        // row  k  x     s
        // 0    a  0.0   "é"       (composed, C3 A9)
        // 1    a  -0.0  "e\u301"  (decomposed: equal for Swift, different bytes)
        // 2    a  NaN   "é"
        // 3    a  NaN   null
        // 4    b  1     "x"
        // 5    b  null  "x"
        // 6    b  1     "X"
        // countDistinct(x): a {0, NaN} = 2 (-0.0 is 0.0; NaNs are one value); b {1} = 1
        // countDistinct(s): a {é, e\u301} = 2 (by bytes); b {x, X} = 2
        let table = try Table([
            "k": try .string(["a", "a", "a", "a", "b", "b", "b"]), "x": .double([0.0, -0.0, .nan, .nan, 1, nil, 1]),
            "s": try .string(["\u{E9}", "e\u{301}", "\u{E9}", nil, "x", "x", "X"]),
        ])
        let result = try table.grouped(by: ["k"], aggregates: [.countDistinct("x"), .countDistinct("s")])
        #expect(rows(result) == [[s("a"), i(2), i(2)], [s("b"), i(1), i(2)]])
    }

    @Test func lastByOrderWithTieBreak() throws {
        // row  cust  at    seq   answer
        // 0    C1    10    1     "ok"
        // 1    C1    20    1     "good"
        // 2    C1    20    2     "great"
        // 3    C1    20    null  "meh"
        // 4    C2    5     null  "bad"
        // 5    C2    5     null  "worse"
        // 6    C2    null  9     "no time"   (null order: skipped)
        // 7    C2    1     3     null        (null value: skipped)
        // last(answer, by: at, tieBreak: seq):
        //   C1: latest at = 20 (rows 1, 2, 3); larger seq wins, a null seq loses → row 2 "great".
        //   C2: latest at = 5 (rows 4, 5); both seq null → the later row → row 5 "worse".
        // last(answer, by: at) without a tie-break: C1 → the later of rows 1–3 → "meh"; C2 → "worse".
        let table = try Table([
            "cust": try .string(["C1", "C1", "C1", "C1", "C2", "C2", "C2", "C2"]),
            "at": .timestamp(([10, 20, 20, 20, 5, 5, nil, 1] as [Int64?]).map { $0.map { Timestamp(microsecondsSinceEpoch: $0) } }),
            "seq": .int64([1, 1, 2, nil, nil, nil, 9, 3]),
            "answer": try .string(["ok", "good", "great", "meh", "bad", "worse", "no time", nil]),
        ])
        let result = try table.grouped(by: ["cust"], aggregates: [
            .last("answer", by: "at", tieBreak: "seq"), .last("answer", by: "at", as: "plain"),
        ])
        #expect(rows(result) == [[s("C1"), s("great"), s("meh")], [s("C2"), s("worse"), s("worse")]])
    }

    @Test func firstByOrderWithTieBreak() throws {
        // row  cust  at  seq   answer
        // 0    C1    7   5     "x"
        // 1    C1    7   null  "y"
        // 2    C1    7   4     "z"
        // 3    C1    9   1     "late"
        // 4    C2    3   null  "p"
        // 5    C2    3   null  "q"
        // 6    C2    1   0     null   (null value: skipped, though earliest)
        // first(answer, by: at, tieBreak: seq):
        //   C1: earliest at = 7 (rows 0–2); smaller seq wins, a null seq loses → row 2 "z".
        //   C2: earliest eligible at = 3 (rows 4, 5); both seq null → the earlier row → "p".
        // first(answer, by: at) without a tie-break: C1 → row 0 "x"; C2 → "p".
        let table = try Table([
            "cust": try .string(["C1", "C1", "C1", "C1", "C2", "C2", "C2"]),
            "at": .date(([7, 7, 7, 9, 3, 3, 1] as [Int32]).map { CivilDate(daysSinceEpoch: $0) }),
            "seq": .double([5, nil, 4, 1, nil, nil, 0]),
            "answer": try .string(["x", "y", "z", "late", "p", "q", nil], layout: .dictionary),
        ])
        let result = try table.grouped(by: ["cust"], aggregates: [
            .first("answer", by: "at", tieBreak: "seq"), .first("answer", by: "at", as: "plain"),
        ])
        #expect(rows(result) == [[s("C1"), s("z"), s("x")], [s("C2"), s("p"), s("p")]])
    }

    @Test func argMax() throws {
        // row  k  by    value
        // 0    a  3     "three"
        // 1    a  5     "earlier five"
        // 2    a  5     "later five"
        // 3    b  null  "no by"       (null by: skipped)
        // 4    b  2     "two"
        // 5    b  2     "two again"
        // 6    c  1     "one"
        // 7    c  4     null
        // argMax(value, by: by): a → largest by 5, tie → earlier row → "earlier five";
        //   b → by 2 tie → "two" (row 3 skipped);
        //   c → the value at the row with the largest by (row 7), which is null: only a
        //       null `by` skips a row, so "one" is not taken.
        let table = try Table([
            "k": try .string(["a", "a", "a", "b", "b", "b", "c", "c"]), "by": .int64([3, 5, 5, nil, 2, 2, 1, 4]),
            "value": try .string(["three", "earlier five", "later five", "no by", "two", "two again", "one", nil]),
        ])
        let result = try table.grouped(by: ["k"], aggregates: [.argMax("value", by: "by")])
        #expect(rows(result) == [[s("a"), s("earlier five")], [s("b"), s("two")], [s("c"), null]])
        // A group whose `by` is null on every row has no answer.
        // row  k  by    value
        // 0    x  null  "p"
        // 1    x  null  "q"
        let noBy = try Table(["k": try .string(["x", "x"]), "by": .double([nil, nil]), "value": try .string(["p", "q"])])
        #expect(rows(try noBy.grouped(by: ["k"], aggregates: [.argMax("value", by: "by")])) == [[s("x"), null]])
    }

    @Test func doubleKeysGroupNaNAndSignedZero() throws {
        // row  x     → key
        // 0    0.0   0
        // 1    -0.0  0 (equal to 0.0)
        // 2    NaN   NaN
        // 3    NaN   NaN (one key)
        // 4    1     1
        // 5    0.0   0
        // count: 0 → 3, NaN → 2, 1 → 1
        let table = try Table(["x": .double([0.0, -0.0, .nan, .nan, 1, 0.0])])
        let result = try table.grouped(by: ["x"], aggregates: [.count(as: "n")])
        #expect(Array(try result.int64("n")) == [3, 2, 1])
    }

    /// A null key is a group like any other and takes its place by first appearance.
    @Test func nullKeyGroupKeepsFirstAppearanceOrder() throws {
        // row  k     j
        // 0    null  1
        // 1    "b"   1
        // 2    "a"   1
        // 3    null  1
        // 4    "b"   1
        // Groups by k, in order of first appearance: null {0, 3}, "b" {1, 4}, "a" {2}.
        let table = try Table(["k": try .string([nil, "b", "a", nil, "b"]), "j": .int64([1, 1, 1, 1, 1])])
        let one = try table.grouped(by: ["k"], aggregates: [.count(as: "n")])
        #expect(rows(one) == [[null, i(2)], [s("b"), i(2)], [s("a"), i(1)]])
        // The same with two keys (k, j): the same groups in the same order.
        let two = try table.grouped(by: ["k", "j"], aggregates: [.count(as: "n")])
        #expect(rows(two) == [[null, i(1), i(2)], [s("b"), i(1), i(2)], [s("a"), i(1), i(1)]])
    }
}
