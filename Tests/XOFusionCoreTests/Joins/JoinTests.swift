import Testing
@testable import XOFusionCore

@Suite struct JoinTests {
    let left = try! Table(["id": .int64([1, 1, 2, 3, nil]), "l": try! .string(["a", "b", "c", "d", "e"])])
    let right = try! Table(["id": .int64([1, 2, 2, 4, nil]), "r": .int64([10, 20, 21, 40, 50])])

    func rows(_ t: Table) -> [[CellValue]] { (0..<t.rowCount).map { row in t.columns.map { $0[row] } } }

    /// The diagram in `joined(with:on:kind:options:)`'s documentation, value by value.
    @Test func everyKindByHand() throws {
        let i = CellValue.int64, s = CellValue.string, null = CellValue.null
        #expect(rows(try left.joined(with: right, on: ["id"], kind: .inner)) == [[i(1), s("a"), i(10)], [i(1), s("b"), i(10)], [i(2), s("c"), i(20)], [i(2), s("c"), i(21)]])
        #expect(rows(try left.joined(with: right, on: ["id"], kind: .left)) == [
            [i(1), s("a"), i(10)], [i(1), s("b"), i(10)], [i(2), s("c"), i(20)], [i(2), s("c"), i(21)], [i(3), s("d"), null], [null, s("e"), null],
        ])
        #expect(rows(try left.joined(with: right, on: ["id"], kind: .right)) == [
            [i(1), s("a"), i(10)], [i(1), s("b"), i(10)], [i(2), s("c"), i(20)], [i(2), s("c"), i(21)], [i(4), null, i(40)], [null, null, i(50)],
        ])
        #expect(rows(try left.joined(with: right, on: ["id"], kind: .full)) == [
            [i(1), s("a"), i(10)], [i(1), s("b"), i(10)], [i(2), s("c"), i(20)], [i(2), s("c"), i(21)], [i(3), s("d"), null], [null, s("e"), null],
            [i(4), null, i(40)], [null, null, i(50)],
        ])
        #expect(rows(try left.joined(with: right, on: ["id"], kind: .semi)) == [[i(1), s("a")], [i(1), s("b")], [i(2), s("c")]])
        #expect(rows(try left.joined(with: right, on: ["id"], kind: .anti)) == [[i(3), s("d")], [null, s("e")]])
    }

    @Test func nullKeysMatchOnlyWhenAsked() throws {
        let joined = try left.joined(with: right, on: ["id"], kind: .inner, options: JoinOptions(nullsMatch: true))
        #expect(rows(joined).last == [.null, .string("e"), .int64(50)])
        #expect(joined.rowCount == 5)
    }

    @Test func indicatorAndSuffixes() throws {
        let a = try Table(["k": .int64([1, 2]), "v": .int64([1, 2])])
        let b = try Table(["key": .int64([2, 3]), "v": .int64([20, 30])])
        let joined = try a.joined(with: b, on: [(left: "k", right: "key")], kind: .full, options: JoinOptions(indicator: "_merge"))
        #expect(joined.schema.names == ["k", "v_left", "key", "v_right", "_merge"])
        #expect(Array(try joined.string("_merge")) == ["left_only", "both", "right_only"])
    }

    @Test func validationNamesTheOffendingKeys() throws {
        #expect(throws: KernelError.validationFailed(rule: "many-to-one", side: "right", offending: [.init(key: "2", count: 2)])) {
            try left.joined(with: right, on: ["id"], options: JoinOptions(validate: .manyToOne))
        }
        #expect(throws: KernelError.validationFailed(rule: "one-to-many", side: "left", offending: [.init(key: "1", count: 2)])) {
            try left.joined(with: right, on: ["id"], options: JoinOptions(validate: .oneToMany))
        }
        let twoKeys = try Table(["a": try .string(["x", "x", "y"]), "b": .int64([1, 1, 1])])
        #expect(throws: KernelError.validationFailed(rule: "one-to-one", side: "right", offending: [.init(key: "(x, 1)", count: 2)])) {
            try twoKeys.joined(with: twoKeys, on: ["a", "b"], options: JoinOptions(validate: .oneToOne))
        }
        _ = try right.slice(0..<2).joined(with: left.slice(3..<4), on: ["id"], options: JoinOptions(validate: .oneToOne))
    }

    @Test func fanOutGuardRefusesBeforeBuilding() throws {
        #expect(throws: KernelError.fanOutExceeded(limit: 3, wouldProduce: 4)) {
            try left.joined(with: right, on: ["id"], options: JoinOptions(maxRows: 3))
        }
        #expect(try left.joined(with: right, on: ["id"], options: JoinOptions(maxRows: 4)).rowCount == 4)
    }

    @Test func badRequestsAreTypedErrors() throws {
        let strings = try Table(["id": try .string(["1"])])
        #expect(throws: KernelError.keyKindMismatch(left: "id", leftKind: .int64, right: "id", rightKind: .string)) {
            try left.joined(with: strings, on: ["id"])
        }
        #expect(throws: KernelError.unknownColumn("idd", suggestions: ["id"])) { try left.joined(with: right, on: ["idd"]) }
        #expect(throws: KernelError.badKeys("a join needs at least one key pair")) { try left.joined(with: right, on: [String]()) }
    }

    /// Differential: every kind of join against a nested-loop reference.
    @Test func matchesANestedLoopReferenceOverManySeeds() throws {
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed))
            func side(_ n: Int) throws -> Table {
                let rate = [0.0, 0.2, 1.0].randomElement(using: &g)!
                let k1 = (0..<n).map { _ in RandomValues.optional(Int64.random(in: 0..<4, using: &g), nullRate: rate, &g) }
                let k2 = (0..<n).map { _ in RandomValues.optional(["x", "y"].randomElement(using: &g)!, nullRate: rate / 2, &g) }
                let layout: StringLayout = Bool.random(using: &g) ? .plain : .dictionary
                return try Table(["k1": .int64(k1), "k2": try .string(k2, layout: layout), "v": .int64((0..<n).map { Int64($0) })])
            }
            let a = try side(Int.random(in: 0...12, using: &g)), b = try side(Int.random(in: 0...12, using: &g))
            let keys = Bool.random(using: &g) ? ["k1"] : ["k1", "k2"]
            let nullsMatch = Bool.random(using: &g)
            func key(_ t: Table, _ row: Int) -> [CellValue] { keys.map { t[$0]![row] } }
            func matches(_ x: [CellValue], _ y: [CellValue]) -> Bool { x == y && (nullsMatch || !x.contains(.null)) }
            for kind in JoinKind.allCases {
                var expected: [[Int?]] = []  // (left v, right v)
                switch kind {
                case .inner, .left, .full:
                    for l in 0..<a.rowCount {
                        let found = (0..<b.rowCount).filter { matches(key(a, l), key(b, $0)) }
                        if found.isEmpty { if kind != .inner { expected.append([l, nil]) } }
                        for r in found { expected.append([l, r]) }
                    }
                    if kind == .full {
                        for r in 0..<b.rowCount where !(0..<a.rowCount).contains(where: { matches(key(a, $0), key(b, r)) }) { expected.append([nil, r]) }
                    }
                case .right:
                    for r in 0..<b.rowCount {
                        let found = (0..<a.rowCount).filter { matches(key(a, $0), key(b, r)) }
                        if found.isEmpty { expected.append([nil, r]) }
                        for l in found { expected.append([l, r]) }
                    }
                case .semi, .anti:
                    for l in 0..<a.rowCount where (0..<b.rowCount).contains(where: { matches(key(a, l), key(b, $0)) }) == (kind == .semi) {
                        expected.append([l])
                    }
                }
                let joined = try a.joined(with: b, on: keys, kind: kind, options: JoinOptions(nullsMatch: nullsMatch))
                func ints(_ name: String) throws -> [Int?] {
                    let values = try joined.int64(name)
                    return (0..<values.count).map { (i: Int) -> Int? in values[i].map { Int($0) } }
                }
                let got: [[Int?]]
                if kind == .semi || kind == .anti {
                    got = try ints("v").map { [$0] }
                } else {
                    got = zip(try ints("v_left"), try ints("v_right")).map { [$0, $1] }
                }
                #expect(got == expected, "seed \(seed) \(kind) keys \(keys) nullsMatch \(nullsMatch)")
            }
        }
    }
}

@Suite struct AsOfJoinTests {
    let answers = try! Table([
        "customer": try! .string(["A", "A", "A", "B", "C", "A"]),
        "at": .timestamp(([10, 20, 30, 15, 5, nil] as [Int64?]).map { $0.map { Timestamp(microsecondsSinceEpoch: $0) } }),
    ])
    let orders = try! Table([
        "customer": try! .string(["A", "A", "A", "A", "B"]),
        "at": .timestamp([31, 19, 8, 19, 15].map { Timestamp(microsecondsSinceEpoch: $0) }),
        "order": .int64([1, 2, 3, 4, 5]),
    ])

    func orderIDs(_ options: AsOfOptions) throws -> [Int64?] {
        Array(try answers.asOfJoined(with: orders, leftTime: "at", rightTime: "at", by: ["customer"], options: options).int64("order"))
    }

    /// The diagram in the documentation: unsorted right input, ties on the same time (orders 2 and 4 at 19).
    @Test func directionsTiesAndExactMatchesByHand() throws {
        #expect(try orderIDs(AsOfOptions()) == [3, 4, 4, 5, nil, nil])
        #expect(try orderIDs(AsOfOptions(direction: .forward)) == [2, 1, 1, 5, nil, nil])
        #expect(try orderIDs(AsOfOptions(direction: .nearest)) == [3, 4, 1, 5, nil, nil])
        #expect(try orderIDs(AsOfOptions(allowExactMatches: false)) == [3, 4, 4, nil, nil, nil])
        #expect(try orderIDs(AsOfOptions(toleranceMicroseconds: 1)) == [nil, 4, nil, 5, nil, nil])
        #expect(try orderIDs(AsOfOptions(direction: .nearest, toleranceMicroseconds: 1)) == [nil, 4, 1, 5, nil, nil])
    }

    @Test func outputColumns() throws {
        let joined = try answers.asOfJoined(with: orders, leftTime: "at", rightTime: "at", by: ["customer"])
        #expect(joined.schema.names == ["customer", "at_left", "at_right", "order"])
        #expect(joined.rowCount == answers.rowCount)
    }

    @Test func badRequests() throws {
        #expect(throws: KernelError.notATime(column: "order", kind: .int64)) {
            try answers.asOfJoined(with: orders, leftTime: "at", rightTime: "order", by: ["customer"])
        }
        #expect(throws: KernelError.negativeTolerance(microseconds: -1)) {
            try answers.asOfJoined(with: orders, leftTime: "at", rightTime: "at", by: ["customer"], options: AsOfOptions(toleranceMicroseconds: -1))
        }
        #expect(throws: KernelError.unknownColumn("costumer", suggestions: ["customer"])) {
            try answers.asOfJoined(with: orders, leftTime: "at", rightTime: "at", by: ["costumer"])
        }
    }

    @Test func datesAndTimestampsMix() throws {
        let days = try Table(["d": .date([CivilDate("2025-03-02"), CivilDate("2025-03-01")])])
        let stamps = try Table(["t": .timestamp([Timestamp("2025-03-01T00:00:00Z"), Timestamp("2025-03-01T12:00:00Z")]), "n": .int64([1, 2])])
        let joined = try days.asOfJoined(with: stamps, leftTime: "d", rightTime: "t", by: [String]())
        #expect(Array(try joined.int64("n")) == [2, 1])
    }

    /// Differential: a brute-force as-of over random tables (unsorted, ties, nulls).
    @Test func matchesABruteForceReferenceOverManySeeds() throws {
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed))
            func side(_ n: Int) throws -> Table {
                try Table([
                    "k": .int64((0..<n).map { _ in RandomValues.optional(Int64.random(in: 0..<3, using: &g), nullRate: 0.1, &g) }),
                    "t": .timestamp((0..<n).map { _ in RandomValues.optional(Timestamp(microsecondsSinceEpoch: Int64.random(in: 0..<20, using: &g)), nullRate: 0.1, &g) }),
                ])
            }
            let left = try side(Int.random(in: 0...15, using: &g)), right = try side(Int.random(in: 0...15, using: &g))
            let direction = [AsOfDirection.backward, .forward, .nearest].randomElement(using: &g)!
            let exact = Bool.random(using: &g)
            let tolerance: Int64? = Bool.random(using: &g) ? Int64.random(in: 0...5, using: &g) : nil
            let options = AsOfOptions(direction: direction, toleranceMicroseconds: tolerance, allowExactMatches: exact)
            let got = try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", by: [(left: "k", right: "k")], options: options)
            for l in 0..<left.rowCount {
                var expected: Int?
                if case .int64(let k) = left["k"]![l], case .timestamp(let t) = left["t"]![l] {
                    let candidates = (0..<right.rowCount).compactMap { r -> (row: Int, t: Int64)? in
                        guard case .int64(k) = right["k"]![r], case .timestamp(let rt) = right["t"]![r] else { return nil }
                        return (r, rt.microsecondsSinceEpoch)
                    }
                    let lt = t.microsecondsSinceEpoch
                    let back = candidates.filter { exact ? $0.t <= lt : $0.t < lt }.max { $0.t != $1.t ? $0.t < $1.t : $0.row < $1.row }
                    let fwd = candidates.filter { exact ? $0.t >= lt : $0.t > lt }.min { $0.t != $1.t ? $0.t < $1.t : $0.row < $1.row }
                    var pick: (row: Int, t: Int64)?
                    switch direction {
                    case .backward: pick = back
                    case .forward: pick = fwd
                    case .nearest:
                        if let b = back, let f = fwd { pick = lt - b.t <= f.t - lt ? b : f } else { pick = back ?? fwd }
                    }
                    if let p = pick, tolerance == nil || abs(p.t - lt) <= tolerance! { expected = p.row }
                }
                #expect(got[l] == expected, "seed \(seed) row \(l) \(direction) exact \(exact) tolerance \(String(describing: tolerance))")
            }
        }
    }
}

extension AsOfJoinTests {
    /// The dense-code path and the general path agree on a large table (unsorted sides, ties, nulls),
    /// and on the same rows in time order (the sweep's no-sort path).
    @Test func keyCodePathAndThreadCountsAgree() throws {
        var g = SeededGenerator(seed: 4242)
        func side(_ n: Int) throws -> Table {
            try Table([
                "k": try .string((0..<n).map { _ in RandomValues.optional("C\(Int.random(in: 0..<500, using: &g))", nullRate: 0.02, &g) }),
                "t": .timestamp((0..<n).map { _ in RandomValues.optional(Timestamp(microsecondsSinceEpoch: Int64.random(in: 0..<10_000, using: &g)), nullRate: 0.02, &g) }),
            ])
        }
        let left = try side(70_000), right = try side(20_000)
        var keys = KeySpace()
        let (leftCodes, _) = try keys.encode(left, column: "k")
        let (rightCodes, _) = try keys.encode(right, column: "k")
        for direction in [AsOfDirection.backward, .forward, .nearest] {
            let options = AsOfOptions(direction: direction, toleranceMicroseconds: 50)
            let general = try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", by: [(left: "k", right: "k")], options: options)
            let dense = try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", leftCodes: leftCodes, rightCodes: rightCodes, options: options)
            #expect(general == dense)
            #expect(general.contains { $0 != nil })
            // The same right rows in time order give the same matches (mapped back to original rows).
            let order = try right.sortOrder(by: [SortKey("t")])
            let sortedRight = right.gathered(rows: order)
            let viaSorted = try left.asOfMatches(with: sortedRight, leftTime: "t", rightTime: "t", by: [(left: "k", right: "k")], options: options)
            #expect(viaSorted.map { $0.map { order[$0] } } == general)
        }
    }
}

@Suite struct ParallelSortTests {
    /// Above 65,536 rows the sort runs per partition and merges; the order must equal
    /// a plain stable sort, on 1 and 4 threads alike.
    @Test func partitionedSortEqualsAStableSort() throws {
        var g = SeededGenerator(seed: 314)
        let n = 80_000
        let a = (0..<n).map { _ in RandomValues.optional(Int64.random(in: 0..<50, using: &g), nullRate: 0.05, &g) }
        let b = (0..<n).map { _ in RandomValues.optional(["x", "y", "z"].randomElement(using: &g)!, nullRate: 0.05, &g) }
        let table = try Table(["a": .int64(a), "b": try .string(b, layout: .dictionary)])
        let keys = [SortKey("a", ascending: false, nulls: .first), SortKey("b")]
        let one = try table.sortOrder(by: keys, options: KernelOptions(threads: 1))
        let four = try table.sortOrder(by: keys, options: KernelOptions(threads: 4))
        #expect(one == four)
        // Reference: a stable sort with the same rules, written out plainly.
        func rank(_ x: Int64?) -> Int64 { x.map { -$0 } ?? Int64.min }  // descending, nulls first
        func rankB(_ x: String?) -> String { x ?? "\u{10FFFF}" }  // ascending, nulls last
        let reference = (0..<n).sorted { i, j in
            if rank(a[i]) != rank(a[j]) { return rank(a[i]) < rank(a[j]) }
            if rankB(b[i]) != rankB(b[j]) { return rankB(b[i]) < rankB(b[j]) }
            return i < j
        }
        #expect(one == reference)
    }
}
