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
                // IDs of one pattern, and now and then "x", which makes a numbered column plain.
                let pool = Int.random(in: 0..<5, using: &g) == 0 ? ["C000001", "C000002", "x"] : ["C000001", "C000002"]
                let k2 = (0..<n).map { _ in RandomValues.optional(pool.randomElement(using: &g)!, nullRate: rate / 2, &g) }
                let layout = [StringLayout.plain, .dictionary, .numbered].randomElement(using: &g)!
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

    /// Dates past what 64-bit microseconds hold count as the nearest end of that range
    /// (no trap, order kept); a tolerance of too many days is a typed error.
    @Test func extremeDatesAndHugeTolerancesDoNotTrap() throws {
        let perDay = Timestamp.microsecondsPerDay
        let most = Int64.max / perDay  // 106,751,991 days
        #expect(try AsOfOptions.days(30) == 2_592_000_000_000)
        #expect(try AsOfOptions.days(most) == most * perDay)
        #expect(try AsOfOptions.days(-most) == -most * perDay)
        #expect(throws: KernelError.badArgument(argument: "n", reason: "106751992 days do not fit a 64-bit count of microseconds")) {
            try AsOfOptions.days(most + 1)
        }
        #expect(throws: KernelError.badArgument(argument: "n", reason: "\(Int64.min) days do not fit a 64-bit count of microseconds")) {
            try AsOfOptions.days(.min)
        }
        // Left: Int32.max and Int32.min days (beyond the range both ways), 0, the last day in range, the first day past its low end.
        let days = try Table(["d": .date([Int32.max, Int32.min, 0, Int32(most), -Int32(most) - 1].map { CivilDate(daysSinceEpoch: $0) })])
        let stamps = try Table([
            "t": .timestamp([Int64.min, 0, Int64.max, most * perDay + 1].map { Timestamp(microsecondsSinceEpoch: $0) }),
            "n": .int64([1, 2, 3, 4]),
        ])
        func n(_ options: AsOfOptions) throws -> [Int64?] {
            Array(try days.asOfJoined(with: stamps, leftTime: "d", rightTime: "t", by: [String](), options: options).int64("n"))
        }
        #expect(try n(AsOfOptions()) == [3, 1, 2, 2, 1])
        #expect(try n(AsOfOptions(direction: .forward)) == [3, 1, 2, 4, 1])
        #expect(try n(AsOfOptions(direction: .nearest, toleranceMicroseconds: try AsOfOptions.days(most))) == [3, 1, 2, 4, 1])
        #expect(try n(AsOfOptions(direction: .nearest, toleranceMicroseconds: 0)) == [3, 1, 2, nil, 1])
        // Dates on the right side go through the same conversion.
        let flipped = try stamps.asOfMatches(with: days, leftTime: "t", rightTime: "d", options: AsOfOptions(direction: .forward))
        #expect(flipped == [1, 2, 0, 0])  // ties at the low end: forward takes the first right row
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
                    expected = KernelRef.asOfPick(candidates, leftTime: t.microsecondsSinceEpoch, options: options)
                }
                #expect(got[l] == expected, "seed \(seed) row \(l) \(direction) exact \(exact) tolerance \(String(describing: tolerance))")
            }
            // The dense-code path over the same rows in time order (its in-place sweep) agrees, mapped back to the original rows.
            let leftOrder = try left.sortOrder(by: [SortKey("t")]), rightOrder = try right.sortOrder(by: [SortKey("t")])
            let sortedLeft = left.gathered(rows: leftOrder), sortedRight = right.gathered(rows: rightOrder)
            var keys = KeySpace()
            let (leftCodes, _) = try keys.encode(sortedLeft, column: "k")
            let (rightCodes, _) = try keys.encode(sortedRight, column: "k")
            let dense = try sortedLeft.asOfMatches(
                with: sortedRight, leftTime: "t", rightTime: "t", leftCodes: leftCodes, rightCodes: rightCodes, options: options)
            var mapped = [Int?](repeating: nil, count: left.rowCount)
            for (position, row) in leftOrder.enumerated() { mapped[row] = dense[position].map { rightOrder[$0] } }
            #expect(mapped == got, "seed \(seed): dense path on time-ordered rows, \(direction) exact \(exact) tolerance \(String(describing: tolerance))")
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
            // Both sides in time order: the dense in-place sweep, keys split over 1, 2 or 4 threads.
            let leftOrder = try left.sortOrder(by: [SortKey("t")])
            let sortedLeft = left.gathered(rows: leftOrder)
            var sortedKeys = KeySpace()
            let (sortedLeftCodes, _) = try sortedKeys.encode(sortedLeft, column: "k")
            let (sortedRightCodes, _) = try sortedKeys.encode(sortedRight, column: "k")
            for threads in [1, 2, 4] {
                let swept = try sortedLeft.asOfMatches(
                    with: sortedRight, leftTime: "t", rightTime: "t", leftCodes: sortedLeftCodes, rightCodes: sortedRightCodes,
                    options: options, kernelOptions: KernelOptions(threads: threads))
                var mapped = [Int?](repeating: nil, count: left.rowCount)
                for (position, row) in leftOrder.enumerated() { mapped[row] = swept[position].map { order[$0] } }
                #expect(mapped == general, "\(direction), \(threads) threads")
            }
        }
    }

    /// Each partition of the right side in time order but the second half earlier than the first:
    /// the order check must see the boundary between partitions and fall back to the general sweep.
    @Test func sortedPartitionsOutOfOrderAtTheirBoundary() throws {
        let half = 40_000
        #expect(Partitions.ranges(2 * half).count == 4)
        let rightTimes = (0..<half).map { Int64(half + $0) } + (0..<half).map { Int64($0) }
        let right = try Table([
            "k": try .string((0..<(2 * half)).map { "C\($0 % 300)" }),
            "t": .timestamp(rightTimes.map { Timestamp(microsecondsSinceEpoch: $0 * 10) }),
        ])
        let left = try Table([
            "k": try .string((0..<half).map { "C\(($0 * 7) % 300)" }),
            "t": .timestamp((0..<half).map { Timestamp(microsecondsSinceEpoch: Int64($0) * 20 + 5) }),
        ])
        var keys = KeySpace()
        let (leftCodes, _) = try keys.encode(left, column: "k")
        let (rightCodes, _) = try keys.encode(right, column: "k")
        let general = try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", by: [(left: "k", right: "k")])
        for threads in [1, 2] {
            let dense = try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", leftCodes: leftCodes, rightCodes: rightCodes,
                                             kernelOptions: KernelOptions(threads: threads))
            #expect(dense == general, "\(threads) threads")
        }
        #expect(general.contains { $0 != nil && $0! >= half } && general.contains { $0 != nil && $0! < half })
    }

    /// Filters as row masks keep row positions: masked key codes give the same
    /// matches as filtering the tables first.
    @Test func maskedCodesEqualFilteredTables() throws {
        let answers = try Table([
            "customer": try .string(["a", "b", "a", "c", "b"]),
            "at": .timestamp([10, 20, 30, 40, 50].map { Timestamp(microsecondsSinceEpoch: $0) }),
            "nps": .int64([9, nil, 3, 7, 10]),
        ])
        let orders = try Table([
            "customer": try .string(["a", "b", "a", "b", "c"]),
            "at": .timestamp([5, 15, 25, 35, 45].map { Timestamp(microsecondsSinceEpoch: $0) }),
            "status": try .string(["completed", "completed", "cancelled", "completed", nil], layout: .dictionary),
        ])
        var keys = KeySpace()
        let answered = try answers.rowMask(where: .isNotNull("nps"))
        let completed = try orders.rowMask(where: .compare("status", .equal, .string("completed")))
        #expect((0..<5).map { answered[$0] } == [true, false, true, true, true])
        #expect((0..<5).map { completed[$0] } == [true, true, false, true, false])
        let answerCodes = try keys.encode(answers, column: "customer").0.keeping(answered)
        let orderCodes = try keys.encode(orders, column: "customer").0.keeping(completed)
        #expect(answerCodes.nullCount == 1 && orderCodes.nullCount == 2)
        let matches = try answers.asOfMatches(with: orders, leftTime: "at", rightTime: "at", leftCodes: answerCodes, rightCodes: orderCodes)
        // a@10 → order 0 (a@5); b@20 has no NPS; a@30 → order 0 (a@25 is cancelled); c@40 → none (c's order is at 45
        // and has no status); b@50 → order 3 (b@35).
        #expect(matches == [0, nil, 0, nil, 3])
        #expect(answerCodes == (try keys.encode(answers, column: "customer").0.keeping(rows: [0, 2, 3, 4])))
    }
}

@Suite struct MembershipTests {
    /// Order IDs of one shape take the numeric path; other shapes, nulls and `among` are honoured.
    @Test func fixedWidthIDsByHand() throws {
        let orders = try Table(["order_id": try .string(["O0000000001", "O0000000002", nil, "O0000000004", "o0000000001", "O00000000010", "O0000000099"])])
        let returns = try Table(["order_id": try .string(["O0000000004", "O0000000001", nil, "O0000000001", "O0000000050"])])
        let mask = try orders.rowMask("order_id", isIn: returns, column: "order_id")
        // Row 4 differs in case, row 5 in width, row 6 lies outside the returns' range: none can match.
        #expect((0..<7).map { mask[$0] } == [true, false, false, true, false, false, false])
        var among = ValidityBitmap(repeating: false, count: 7)
        among[3] = true
        among[1] = true
        let some = try orders.rowMask("order_id", isIn: returns, column: "order_id", among: among)
        #expect((0..<7).map { some[$0] } == [false, false, false, true, false, false, false])
    }

    @Test func hashedValuesAndBadRequests() throws {
        let left = try Table(["k": .int64([3, nil, 7, 3, 8]), "s": try .string(["x", "y", "zz", nil, "y"])])
        let right = try Table(["k": .int64([8, 3, nil]), "s": try .string(["y", "w", "x"])])
        let ints = try left.rowMask("k", isIn: right, column: "k")
        #expect((0..<5).map { ints[$0] } == [true, false, false, true, true])  // a null never matches, even a null
        let texts = try left.rowMask("s", isIn: right, column: "s")  // letters of varying width: hashed
        #expect((0..<5).map { texts[$0] } == [true, true, false, false, true])
        #expect(throws: KernelError.keyKindMismatch(left: "k", leftKind: .int64, right: "s", rightKind: .string)) {
            try left.rowMask("k", isIn: right, column: "s")
        }
        #expect(throws: KernelError.unknownColumn("kk", suggestions: ["k", "s"])) { try left.rowMask("kk", isIn: right, column: "k") }
    }

    /// Differential: a `Set` of the other side's values decides membership, over many seeds
    /// (IDs of one shape, IDs of mixed shapes, nulls, `among`), on 1 and 4 threads.
    @Test func matchesASetOverManySeeds() throws {
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 77)
            let mixed = seed % 3 == 0
            // Some seeds give the other side another prefix: a numbered column of another shape.
            let otherPrefix = seed % 7 == 0 ? "P" : "O"
            func id(_ prefix: String = "O") -> String {
                let n = Int.random(in: 0..<40, using: &g)
                return mixed && Bool.random(using: &g) ? "X\(n)" : prefix + String(repeating: "0", count: 6 - String(n).count) + String(n)
            }
            let rows = seed % 10 == 0 ? 70_000 : Int.random(in: 0...30, using: &g)
            let values = (0..<rows).map { _ in RandomValues.optional(id(), nullRate: 0.1, &g) }
            let others = (0..<Int.random(in: 0...20, using: &g)).map { _ in RandomValues.optional(id(otherPrefix), nullRate: 0.1, &g) }
            let layouts = [StringLayout.plain, .dictionary, .numbered]
            let left = try Table(["id": try .string(values, layout: layouts.randomElement(using: &g)!)])
            let right = try Table(["id": try .string(others, layout: layouts.randomElement(using: &g)!)])
            let among = ValidityBitmap((0..<rows).map { _ in Int.random(in: 0..<4, using: &g) > 0 })
            let set = Set(others.compactMap { $0 })
            let useAmong = Bool.random(using: &g)
            let expected = (0..<rows).map { values[$0].map { set.contains($0) } == true && (!useAmong || among[$0]) }
            for threads in [1, 4] {
                let mask = try left.rowMask("id", isIn: right, column: "id", among: useAmong ? among : nil, options: KernelOptions(threads: threads))
                #expect(mask.count == rows && (0..<rows).map { mask[$0] } == expected, "seed \(seed), \(threads) threads")
            }
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
