import Testing
@testable import XOFusionCore

/// `sortOrder(by:)` and `sorted(by:)` against a stable insertion sort on cells.
@Suite struct KernelsSortTests {
    /// Order of rows `a` and `b` under `keys`: nulls placed as asked whatever
    /// the direction; values by ``KernelRef/compare(_:_:)``, reversed when descending.
    static func compareRows(_ a: Int, _ b: Int, _ keys: [SortKey], _ data: KernelRandomTable) -> Int {
        compareRows(a, b, keys.map { (key: $0, cells: data.cells($0.column)) })
    }

    static func compareRows(_ a: Int, _ b: Int, _ keys: [(key: SortKey, cells: [CellValue])]) -> Int {
        for (key, cells) in keys {
            let x = cells[a], y = cells[b]
            let c: Int
            switch (x.isNull, y.isNull) {
            case (true, true): c = 0
            case (true, false): c = key.nulls == .first ? -1 : 1
            case (false, true): c = key.nulls == .first ? 1 : -1
            case (false, false): c = key.ascending ? KernelRef.compare(x, y) : -KernelRef.compare(x, y)
            }
            if c != 0 { return c }
        }
        return 0
    }

    /// Insertion sort: stable because a row moves left only past rows that are strictly greater.
    static func referenceOrder(_ keys: [SortKey], _ data: KernelRandomTable) -> [Int] {
        let resolved = keys.map { (key: $0, cells: data.cells($0.column)) }
        var order: [Int] = []
        for row in 0..<data.rowCount {
            var position = order.count
            while position > 0 && compareRows(order[position - 1], row, resolved) > 0 { position -= 1 }
            order.insert(row, at: position)
        }
        return order
    }

    static func randomKeys(_ count: Int, _ g: inout SeededGenerator) -> [SortKey] {
        (0..<count).map { _ in
            SortKey(
                KernelRandomTable.names.randomElement(using: &g)!, ascending: Bool.random(using: &g),
                nulls: Bool.random(using: &g) ? .first : .last)
        }
    }

    @Test(arguments: [1, 2])
    func sortOrderMatchesStableReference(keyCount: Int) throws {
        var log = MismatchLog()
        var tiesSeen = 0
        for seed in 0..<250 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 4_000 &+ UInt64(keyCount) << 20)
            let data = try KernelRandomTable(&g)
            for _ in 0..<3 {
                let keys = Self.randomKeys(keyCount, &g)
                let expected = Self.referenceOrder(keys, data)
                let actual = try data.table.sortOrder(by: keys)
                if actual != expected { log.add(seed: seed, "keys \(keys)\n  expected \(expected)\n  actual   \(actual)") }
                tiesSeen += zip(expected, expected.dropFirst()).filter { Self.compareRows($0, $1, keys, data) == 0 }.count
            }
        }
        log.check("sortOrder(by:) with \(keyCount) key(s)")
        #expect(tiesSeen > 500, "stability is only tested where keys tie")
    }

    /// Every column as the only key, in all four direction/null combinations.
    @Test func everyKindEveryDirection() throws {
        var log = MismatchLog()
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 5_000)
            let data = try KernelRandomTable(&g, maxRows: 25)
            for name in KernelRandomTable.names {
                for ascending in [true, false] {
                    for nulls in [SortKey.NullPlacement.first, .last] {
                        let keys = [SortKey(name, ascending: ascending, nulls: nulls)]
                        let expected = Self.referenceOrder(keys, data)
                        let actual = try data.table.sortOrder(by: keys)
                        if actual != expected { log.add(seed: seed, "\(keys): expected \(expected), actual \(actual)") }
                    }
                }
            }
        }
        log.check("single-key sorts")
    }

    /// `sorted(by:)` holds the reference rows' values.
    @Test func sortedTableMatchesReferenceRows() throws {
        var log = MismatchLog()
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 6_000)
            let data = try KernelRandomTable(&g)
            let keys = Self.randomKeys(Int.random(in: 1...2, using: &g), &g)
            let order = Self.referenceOrder(keys, data)
            var columns: [(name: String, column: Column)] = []
            for (c, spec) in KernelRandomTable.spec.enumerated() {
                columns.append((spec.name, try KernelRef.column(order.map { data.cells[c][$0] }, kind: spec.kind, layout: spec.layout)))
            }
            let expected = try Table(columns: columns)
            let actual = try data.table.sorted(by: keys)
            if actual != expected { log.add(seed: seed, "keys \(keys): columns differing: \(KernelRandomTable.names.filter { actual[$0] != expected[$0] })") }
        }
        log.check("sorted(by:)")
    }

    @Test func smallSortByHand() throws {
        let table = try Table([
            "x": .double([2, .nan, nil, -0.0, 0.0, -1]),
            "s": try .string(["b", "a", "a", "B", "b", nil], layout: .dictionary),
        ])
        // x ascending, nulls last: -1 (5), -0.0 (3) and 0.0 (4) tie and keep their order, 2 (0), NaN (1), null (2).
        #expect(try table.sortOrder(by: [SortKey("x")]) == [5, 3, 4, 0, 1, 2])
        // Descending, nulls first: null, NaN, 2, then -0.0/0.0 in row order, then -1.
        #expect(try table.sortOrder(by: [.descending("x", nulls: .first)]) == [2, 1, 0, 3, 4, 5])
        // s ascending by bytes ("B" < "a" < "b"), nulls last; ties broken by x descending.
        #expect(try table.sortOrder(by: [SortKey("s"), .descending("x")]) == [3, 1, 2, 0, 4, 5])
    }
}
