import Testing
@testable import XOFusionCore

/// The aggregates a test asks for, mirrored so that the reference can compute them.
enum RefAggregate {
    case count
    case countNonNull(String)
    case sum(String)
    case mean(String)
    case min(String)
    case max(String)
    case countDistinct(String)
    case first(String, by: String, tieBreak: String?)
    case last(String, by: String, tieBreak: String?)
    case argMax(String, by: String)

    func aggregate(as name: String) -> Aggregate {
        switch self {
        case .count: .count(as: name)
        case .countNonNull(let c): .countNonNull(c, as: name)
        case .sum(let c): .sum(c, as: name)
        case .mean(let c): .mean(c, as: name)
        case .min(let c): .min(c, as: name)
        case .max(let c): .max(c, as: name)
        case .countDistinct(let c): .countDistinct(c, as: name)
        case .first(let c, let by, let tie): .first(c, by: by, tieBreak: tie, as: name)
        case .last(let c, let by, let tie): .last(c, by: by, tieBreak: tie, as: name)
        case .argMax(let c, let by): .argMax(c, by: by, as: name)
        }
    }

    /// Whether doubles of this aggregate's result are compared with a relative tolerance.
    var isTolerant: Bool {
        switch self {
        case .sum, .mean: true
        default: false
        }
    }
}

/// Row-at-a-time group-by: groups by key tuples in a dictionary, aggregates by loops over each group's rows.
enum GroupByReference {
    struct Groups {
        /// Key cells of each group (from its first row), in order of first appearance.
        var keys: [[CellValue]] = []
        /// The rows of each group, in row order.
        var rows: [[Int]] = []
    }

    static func groups(_ keyCells: [[CellValue]], rowCount: Int) -> Groups {
        var result = Groups()
        var index: [[KernelRef.Key]: Int] = [:]
        for row in 0..<rowCount {
            let key = keyCells.map { KernelRef.Key($0[row]) }  // null is a key value like any other
            if let g = index[key] {
                result.rows[g].append(row)
            } else {
                index[key] = result.rows.count
                result.keys.append(keyCells.map { $0[row] })
                result.rows.append([row])
            }
        }
        return result
    }

    /// The result kind of `aggregate` over columns of `kind(name)`.
    static func kind(_ aggregate: RefAggregate, _ kind: (String) -> ColumnKind) -> ColumnKind {
        switch aggregate {
        case .count, .countNonNull, .countDistinct: .int64
        case .mean: .double
        case .sum(let c), .min(let c), .max(let c), .first(let c, _, _), .last(let c, _, _), .argMax(let c, _): kind(c)
        }
    }

    /// `aggregate` over `rows`, reading cells with `cells(name)`.
    static func value(_ aggregate: RefAggregate, rows: [Int], _ cells: (String) -> [CellValue]) -> CellValue {
        switch aggregate {
        case .count:
            return .int64(Int64(rows.count))
        case .countNonNull(let c):
            let v = cells(c)
            return .int64(Int64(rows.filter { !v[$0].isNull }.count))
        case .countDistinct(let c):
            let v = cells(c)
            return .int64(Int64(Set(rows.filter { !v[$0].isNull }.map { KernelRef.Key(v[$0]) }).count))
        case .sum(let c), .mean(let c):
            let column = cells(c)
            let values = rows.map { column[$0] }.filter { !$0.isNull }
            guard !values.isEmpty else { return .null }
            var isMean = false
            if case .mean = aggregate { isMean = true }
            let n = Double(values.count)
            switch values[0] {
            case .int64:
                var sum: Int64 = 0
                for case .int64(let x) in values { sum += x }
                return isMean ? .double(Double(sum) / n) : .int64(sum)
            case .decimal(let first):
                var units: Int64 = 0
                for case .decimal(let x) in values { units += x.units }
                return isMean ? .double(Double(units) / Double(KernelRef.pow10(first.scale)) / n) : .decimal(ScaledDecimal(units: units, scale: first.scale))
            case .double:
                var sum = 0.0
                for case .double(let x) in values { sum += x }
                return .double(isMean ? sum / n : sum)
            default:
                fatalError("no sum of \(values[0])")
            }
        case .min(let c), .max(let c):
            var isMax = false
            if case .max = aggregate { isMax = true }
            let v = cells(c)
            var best: CellValue = .null
            for row in rows where !v[row].isNull {
                // Strictly better only: among equal values the earliest row's is kept.
                if best.isNull || (isMax ? KernelRef.compare(v[row], best) > 0 : KernelRef.compare(v[row], best) < 0) { best = v[row] }
            }
            return best
        case .first(let c, let by, let tie), .last(let c, let by, let tie):
            var isLast = false
            if case .last = aggregate { isLast = true }
            let value = cells(c), order = cells(by), ties = tie.map(cells)
            let eligible = rows.filter { !value[$0].isNull && !order[$0].isNull }
            // A total order on eligible rows: by `order`, then by the tie-break (a null
            // tie-break ranks below every value for `last` and above every value for
            // `first`, so it loses either way), then by row. `last` is the maximum,
            // `first` the minimum.
            func precedes(_ a: Int, _ b: Int) -> Bool {
                var o = KernelRef.compare(order[a], order[b])
                if o == 0, let ties {
                    switch (ties[a].isNull, ties[b].isNull) {
                    case (true, true): o = 0
                    case (true, false): o = isLast ? -1 : 1
                    case (false, true): o = isLast ? 1 : -1
                    case (false, false): o = KernelRef.compare(ties[a], ties[b])
                    }
                }
                return o != 0 ? o < 0 : a < b
            }
            let winner = isLast ? eligible.max(by: precedes) : eligible.min(by: precedes)
            return winner.map { value[$0] } ?? .null
        case .argMax(let c, let by):
            let value = cells(c), order = cells(by)
            var best: Int?
            for row in rows where !order[row].isNull {
                // Ties: the earlier row wins, so only a strictly larger `by` replaces it.
                if best == nil || KernelRef.compare(order[row], order[best!]) > 0 { best = row }
            }
            return best.map { value[$0] } ?? .null
        }
    }
}

@Suite struct KernelsGroupByTests {
    /// All aggregates over a random table: every applicable aggregate on every
    /// column, plus random first/last/argMax combinations.
    static func randomAggregates(_ g: inout SeededGenerator) -> [RefAggregate] {
        let names = KernelRandomTable.names
        var list: [RefAggregate] = [.count]
        for name in names {
            list.append(.countNonNull(name))
            list.append(.countDistinct(name))
            list.append(.min(name))
            list.append(.max(name))
        }
        for name in ["i", "d", "m", "si"] {
            list.append(.sum(name))
            list.append(.mean(name))
        }
        for _ in 0..<4 {
            let value = names.randomElement(using: &g)!, order = names.randomElement(using: &g)!
            let tie = Bool.random(using: &g) ? names.randomElement(using: &g)! : nil
            list.append(.first(value, by: order, tieBreak: tie))
            list.append(.last(value, by: order, tieBreak: tie))
        }
        for _ in 0..<3 {
            list.append(.argMax(names.randomElement(using: &g)!, by: names.randomElement(using: &g)!))
        }
        return list
    }

    /// Compares the kernel with the reference for one table, key set and aggregate list.
    ///
    /// Group *order* (the key columns, row by row) and the *values* per group are
    /// checked separately: values are matched to reference groups by key, so a
    /// wrong group order does not hide (or masquerade as) wrong aggregates.
    static func check(
        _ data: KernelRandomTable, keys: [String], aggregates: [RefAggregate], options: KernelOptions,
        seed: Int, order orderLog: inout MismatchLog, values valueLog: inout MismatchLog
    ) throws {
        let named = aggregates.enumerated().map { (name: "agg\($0.offset)", aggregate: $0.element) }
        let actual = try data.table.grouped(by: keys, aggregates: named.map { $0.aggregate.aggregate(as: $0.name) }, options: options)
        let groups = GroupByReference.groups(keys.map { data.cells($0) }, rowCount: data.rowCount)

        // Schema: the keys, then one column per aggregate, with the documented kinds.
        let expectedNames = keys + named.map(\.name)
        let expectedKinds = keys.map { data.kind($0) } + aggregates.map { GroupByReference.kind($0, data.kind) }
        if actual.schema.names != expectedNames || actual.schema.map(\.kind) != expectedKinds {
            valueLog.add(seed: seed, "schema \(actual.schema.map { "\($0.name):\($0.kind)" }) expected kinds \(expectedKinds)")
            return
        }
        if actual.rowCount != groups.rows.count {
            valueLog.add(seed: seed, "keys \(keys): \(actual.rowCount) groups, expected \(groups.rows.count)")
            return
        }
        let actualCells = KernelRef.cells(of: actual)

        // 1. Groups in order of first appearance, with the first row's key values.
        let actualKeys = (0..<actual.rowCount).map { row in keys.indices.map { actualCells[$0][row] } }
        if !zip(actualKeys, groups.keys).allSatisfy({ zip($0, $1).allSatisfy { KernelRef.same($0, $1) } }) {
            orderLog.add(seed: seed, "keys \(keys)\n  expected group order \(groups.keys.map { $0.map(\.description) })\n  actual   group order \(actualKeys.map { $0.map(\.description) })")
        }

        // 2. Each group's aggregates, found by key.
        var rowOfKey: [[KernelRef.Key]: Int] = [:]
        for (row, key) in actualKeys.enumerated() { rowOfKey[key.map(KernelRef.Key.init)] = row }
        for (g, rows) in groups.rows.enumerated() {
            guard let row = rowOfKey[groups.keys[g].map(KernelRef.Key.init)] else {
                valueLog.add(seed: seed, "keys \(keys): group \(groups.keys[g]) missing")
                continue
            }
            for (a, entry) in named.enumerated() {
                let expected = GroupByReference.value(entry.aggregate, rows: rows, data.cells)
                let got = actualCells[keys.count + a][row]
                if !KernelRef.same(got, expected, tolerance: entry.aggregate.isTolerant ? 1e-9 : 0) {
                    valueLog.add(seed: seed, "keys \(keys) group \(groups.keys[g]) rows \(rows): \(entry.aggregate) = \(got), expected \(expected)")
                }
            }
        }
    }

    @Test(arguments: [1, 2])
    func groupedMatchesReference(keyCount: Int) throws {
        var orderLog = MismatchLog(), valueLog = MismatchLog()
        var nullGroups = 0, multiRowGroups = 0
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 7_000 &+ UInt64(keyCount) << 20)
            let data = try KernelRandomTable(&g)
            var keys: [String] = []
            while keys.count < keyCount {
                let name = KernelRandomTable.names.randomElement(using: &g)!
                if !keys.contains(name) { keys.append(name) }
            }
            let aggregates = Self.randomAggregates(&g)
            let options = KernelOptions(threads: Int.random(in: 1...2, using: &g))
            try Self.check(data, keys: keys, aggregates: aggregates, options: options, seed: seed, order: &orderLog, values: &valueLog)
            let groups = GroupByReference.groups(keys.map { data.cells($0) }, rowCount: data.rowCount)
            nullGroups += groups.keys.filter { $0.contains(.null) }.count
            multiRowGroups += groups.rows.filter { $0.count > 1 }.count
        }
        orderLog.check("group order with \(keyCount) key(s)")
        valueLog.check("aggregate values with \(keyCount) key(s)")
        #expect(nullGroups > 50 && multiRowGroups > 300, "\(nullGroups) \(multiRowGroups)")
    }

    /// Every column as the single key, so that each kind (doubles with NaN and
    /// -0.0, both string layouts, bool, …) is grouped on.
    @Test func everyKindAsTheKey() throws {
        var orderLog = MismatchLog(), valueLog = MismatchLog()
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 8_000)
            let data = try KernelRandomTable(&g, maxRows: 25)
            let aggregates: [RefAggregate] = [
                .count, .countNonNull("d"), .sum("d"), .mean("m"), .min("s"), .max("t"), .countDistinct("d"),
                .last("t", by: "ts", tieBreak: "i"), .first("s", by: "dt", tieBreak: "d"), .argMax("m", by: "d"),
            ]
            for key in KernelRandomTable.names {
                try Self.check(data, keys: [key], aggregates: aggregates, options: .default, seed: seed, order: &orderLog, values: &valueLog)
            }
        }
        orderLog.check("group order, one key of each kind")
        valueLog.check("aggregate values, one key of each kind")
    }
}

/// The answer does not depend on the thread count: 4 partitions for ≥ 2¹⁶ rows.
@Suite struct KernelsThreadCountTests {
    static func bigTable(seed: UInt64, rows n: Int) throws -> Table {
        var g = SeededGenerator(seed: seed)
        let names = (0..<40).map { "name\($0)" }
        func maybe<T>(_ value: T, _ nullPercent: UInt64) -> T? { g.next() % 100 < nullPercent ? nil : value }
        var k: [Int64?] = [], s: [String?] = [], x: [Double?] = [], m: [Int64?] = [], v: [Int64?] = [], t: [Timestamp?] = []
        for _ in 0..<n {
            k.append(maybe(Int64(g.next() % 300), 5))
            s.append(maybe(names[Int(g.next() % 40)], 5))
            // Magnitudes from 1e-3 to 1e12: the order of additions changes the rounding.
            let magnitude = [1e-3, 1, 1e3, 1e6, 1e9, 1e12][Int(g.next() % 6)]
            x.append(maybe((Double(g.next() >> 11) / Double(1 << 53) * 2 - 1) * magnitude, 10))
            m.append(maybe(Int64(g.next() % 200_001) - 100_000, 10))
            v.append(maybe(Int64(g.next() % 11) - 5, 10))
            t.append(maybe(Timestamp(microsecondsSinceEpoch: Int64(g.next() % 51)), 10))
        }
        return try Table([
            "k": .int64(k), "s": try .string(s, layout: .dictionary), "x": .double(x),
            "m": .decimal(units: m, scale: 2), "v": .int64(v), "t": .timestamp(t),
        ])
    }

    /// The aggregates whose partial results are merged across partitions in
    /// interesting ways: floating-point sums, exact sums, and best-row picks
    /// whose ties may sit in different partitions.
    static let aggregates: [Aggregate] = [
        .count(), .sum("x"), .sum("m"), .mean("x"), .min("x"), .max("s"), .countDistinct("v"),
        .first("v", by: "t", tieBreak: "m"), .last("x", by: "t"), .argMax("k", by: "v"),
        .min("m"), .max("t"), .max("v"),  // the typed min/max loops, with ties across partitions
    ]

    @Test func groupedIsTheSameOnOneTwoAndFourThreads() throws {
        let n = 70_000
        #expect(Partitions.ranges(n).count == 4, "the table must be large enough to be split")
        let table = try Self.bigTable(seed: 1, rows: n)
        // One key: 300 large groups, each spread over all four partitions.
        let one = try table.grouped(by: ["k"], aggregates: Self.aggregates, options: KernelOptions(threads: 1))
        let two = try table.grouped(by: ["k"], aggregates: Self.aggregates, options: KernelOptions(threads: 2))
        let four = try table.grouped(by: ["k"], aggregates: Self.aggregates, options: KernelOptions(threads: 4))
        #expect(one == two, "1 vs 2 threads")
        #expect(one == four, "1 vs 4 threads")
        // Sanity: the groups cover the table, and the double sums are real numbers.
        #expect(one.rowCount == 301)
        #expect(try one.int64("count").reduce(0) { $0 + $1! } == Int64(n))
        #expect(try one.double("sum_x").allSatisfy { $0 != nil && $0!.isFinite })
        // Two keys: many small groups.
        let pairOne = try table.grouped(by: ["s", "k"], aggregates: Self.aggregates, options: KernelOptions(threads: 1))
        let pairFour = try table.grouped(by: ["s", "k"], aggregates: Self.aggregates, options: KernelOptions(threads: 4))
        #expect(pairOne == pairFour, "two keys: 1 vs 4 threads")
        #expect(pairOne.rowCount > 10_000)
    }
}

@Suite struct PartitionsTests {
    /// Counts the instances alive; one is returned by each partition.
    final class Tracked: @unchecked Sendable {
        nonisolated(unsafe) static var alive = 0
        let range: Range<Int>
        init(_ range: Range<Int>) { self.range = range; Tracked.alive += 1 }
        deinit { Tracked.alive -= 1 }
    }

    /// The results come back in partition order and nothing is kept after they are dropped
    /// (a copy out of the results buffer once kept every partition's arrays alive: a leak per call).
    @Test func resultsComeBackInOrderAndAreReleased() {
        let ranges = Partitions.ranges(100_000)
        #expect(ranges.count == 4)
        for threads in [1, 2, 4] {
            do {
                let results = Partitions.map(ranges, threads: threads) { Tracked($0) }
                #expect(results.map(\.range) == ranges)
                #expect(Tracked.alive == ranges.count)
            }
            #expect(Tracked.alive == 0, "\(threads) threads: \(Tracked.alive) results still alive")
        }
    }
}

@Suite struct ConcurrentlyTests {
    struct Failure: Error, Equatable { let side: String }

    /// Both sides run (on two threads or one after the other) and each result or failure comes back
    /// on its own side, whichever finished first.
    @Test func bothSidesRunAndKeepTheirOutcome() {
        for threads in [1, 2, 4] {
            let (a, b) = Concurrently.run(threads: threads) { () throws(Failure) -> Int in
                (0..<100_000).reduce(0, &+)
            } _: { () throws(Failure) -> String in
                throw Failure(side: "second")
            }
            #expect((try? a.get()) == 4_999_950_000, "\(threads) threads")
            #expect(throws: Failure(side: "second")) { try b.get() }
            let (c, d) = Concurrently.run(threads: threads) { () throws(Failure) -> Int in
                throw Failure(side: "first")
            } _: { () throws(Failure) -> [Int] in
                (0..<1_000).map { $0 * 2 }
            }
            #expect(throws: Failure(side: "first")) { try c.get() }
            #expect((try? d.get()) == (0..<1_000).map { $0 * 2 })
        }
    }

    /// Every index runs exactly once, each on its own slot.
    @Test func eachRunsEveryIndexOnce() {
        for threads in [1, 2, 8] {
            for count in [0, 1, 2, 7] {
                let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, count))
                slots.initialize(repeating: 0)
                defer { slots.deallocate() }
                let shared = Box(slots)
                Concurrently.each(count, threads: threads) { k in shared.value[k] += k + 1 }
                #expect(Array(slots.prefix(count)) == (0..<count).map { $0 + 1 }, "\(count) on \(threads) threads")
            }
        }
    }
}
