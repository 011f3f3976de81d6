import Testing
@testable import XOFusionCore

@Suite struct TableTests {
    func sample() throws -> Table {
        try Table([
            "customer_id": try .string(["C1", "C2", "C3"]),
            "nps": .int64([9, nil, 3]),
            "amount": .decimal(units: [1850, 999, nil], scale: 2),
        ])
    }

    @Test func columnsByNameWithTypedAccess() throws {
        let table = try sample()
        #expect(table.rowCount == 3 && table.columnCount == 3)
        #expect(table.schema.names == ["customer_id", "nps", "amount"])
        #expect(table.schema.map(\.kind) == [.string, .int64, .decimal(scale: 2)])
        #expect(Array(try table.int64("nps")) == [9, nil, 3])
        #expect(Array(try table.string("customer_id")) == ["C1", "C2", "C3"])
        #expect(try table.value("amount", row: 0) == .decimal(ScaledDecimal(units: 1850, scale: 2)))
        #expect(table["nope"] == nil)
    }

    @Test func unknownColumnsSuggestNearestNames() throws {
        let table = try sample()
        #expect(throws: TableError.unknownColumn("customerid", suggestions: ["customer_id"])) { try table.column("customerid") }
        #expect(throws: TableError.unknownColumn("NPS", suggestions: ["nps"])) { try table.int64("NPS") }
        #expect(throws: TableError.unknownColumn("zzzzzzzz", suggestions: [])) { try table.column("zzzzzzzz") }
    }

    @Test func wrongKindIsATypedError() throws {
        let table = try sample()
        #expect(throws: TableError.kindMismatch(column: "nps", expected: "double", actual: .int64)) { try table.double("nps") }
        #expect(throws: TableError.kindMismatch(column: "amount", expected: "string", actual: .decimal(scale: 2))) {
            try table.string("amount")
        }
    }

    @Test func badConstructionThrows() throws {
        #expect(throws: TableError.duplicateColumnName("a")) { try Table(columns: [("a", .int64([1])), ("a", .int64([2]))]) }
        #expect(throws: TableError.lengthMismatch(column: "b", expected: 1, actual: 2)) {
            try Table(["a": .int64([1]), "b": .int64([1, 2])])
        }
        #expect(throws: TableError.emptyColumnName(index: 0)) { try Table(["": .int64([1])]) }
        let schema = try Schema([.init("a", .double)])
        #expect(throws: TableError.kindMismatch(column: "a", expected: "double", actual: .int64)) {
            try Table(schema: schema, columns: [.int64([1])])
        }
    }

    @Test func emptyTables() throws {
        #expect(Table.empty.rowCount == 0 && Table.empty.columnCount == 0)
        let noRows = try Table(["a": .int64([]), "s": try .string([])])
        #expect(noRows.rowCount == 0 && noRows.columnCount == 2)
        #expect(noRows.slice(0..<0) == noRows)
        #expect(noRows.prefix(5) == noRows)
        #expect(noRows.description == "a      s\nint64  string\n─────  ──────\n(0 rows × 2 columns)")
    }

    @Test func oneRowTable() throws {
        let table = try Table(["x": .double([nil])])
        #expect(table.rowCount == 1)
        #expect(table.column(at: 0).nullCount == 1)
        #expect(table.slice(0..<1) == table)
        #expect(table.slice(1..<1).rowCount == 0)
    }

    @Test func slicingAtTheEdges() throws {
        let table = try sample()
        for lower in 0...3 {
            for upper in lower...3 {
                let slice = table.slice(lower..<upper)
                #expect(slice.rowCount == upper - lower)
                for row in 0..<slice.rowCount {
                    for name in table.schema.names {
                        #expect(try slice.value(name, row: row) == table.value(name, row: row + lower))
                    }
                }
                #expect(slice._invariantViolations().isEmpty)
            }
        }
        #expect(table.slice(1..<2).column(at: 1).nullCount == 1)
        #expect(table.slice(0..<1).column(at: 1).nullCount == 0)
        #expect(table.suffix(2) == table.slice(1..<3))
        #expect(table.prefix(10) == table)
    }

    /// Differential over many seeds: a slice equals a table built from the sliced input.
    @Test func slicesEqualTablesBuiltFromSlicedValues() throws {
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed))
            let n = Int.random(in: 0...150, using: &g)
            let rate = [0.0, 0.3, 1.0].randomElement(using: &g)!
            let ints = (0..<n).map { _ in RandomValues.optional(Int64.random(in: -9...9, using: &g), nullRate: rate, &g) }
            let layout = [StringLayout.plain, .dictionary, .numbered].randomElement(using: &g)!
            let strings = (0..<n).map { _ in
                RandomValues.optional(layout == .numbered ? "R-" + String(100_000 + Int.random(in: 0...9, using: &g)) : RandomValues.string(&g), nullRate: rate, &g)
            }
            let times = (0..<n).map { _ in RandomValues.optional(RandomValues.timestamp(&g), nullRate: rate, &g) }
            let table = try Table(["i": .int64(ints), "s": try .string(strings, layout: layout), "t": .timestamp(times)])
            let a = Int.random(in: 0...n, using: &g), b = Int.random(in: 0...n, using: &g)
            let range = min(a, b)..<max(a, b)
            let expected = try Table([
                "i": .int64(Array(ints[range])), "s": try .string(Array(strings[range])), "t": .timestamp(Array(times[range])),
            ])
            let slice = table.slice(range)
            #expect(slice == expected, "seed \(seed)")
            #expect(slice.columns.map { $0.nullCount } == expected.columns.map { $0.nullCount }, "seed \(seed)")
            #expect(Array(try slice.string("s")) == Array(strings[range]), "seed \(seed)")
        }
    }

    @Test func slicingSharesBuffers() throws {
        let big = Column.int64(Array(0..<1000).map { Int64($0) })
        let slice = big.slice(10..<20)
        guard case .int64(let a) = big.storage, case .int64(let b) = slice.storage else {
            Issue.record("wrong storage")
            return
        }
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in #expect(pa.baseAddress == pb.baseAddress) } }
        #expect(slice.offset == 10)
    }

    @Test func equalityComparesSchemaAndValues() throws {
        let a = try sample()
        #expect(a == (try sample()))
        let renamed = try Table(["customer_id": try .string(["C1", "C2", "C3"]), "score": .int64([9, nil, 3]), "amount": .decimal(units: [1850, 999, nil], scale: 2)])
        #expect(a != renamed)
        let reordered = try Table(["nps": .int64([9, nil, 3]), "customer_id": try .string(["C1", "C2", "C3"]), "amount": .decimal(units: [1850, 999, nil], scale: 2)])
        #expect(a != reordered)
    }

    @Test func descriptionIsAnAlignedTextTable() throws {
        let expected = """
            customer_id  nps    amount
            string       int64  decimal(2)
            ───────────  ─────  ──────────
            C1               9       18.50
            C2            null        9.99
            C3               3        null
            (3 rows × 3 columns)
            """
        #expect(try sample().description == expected)
        let two = try sample().formatted(maxRows: 1)
        #expect(two.hasSuffix("C1               9       18.50\n(3 rows × 3 columns, first 1 shown)"))
    }

    @Test func descriptionShowsLineBreaksAndCutsLongText() throws {
        let table = try Table(["note": try .string(["a\nb", String(repeating: "x", count: 50)])])
        let lines = table.formatted(maxWidth: 10).split(separator: "\n")
        #expect(lines[3] == "a⏎b")
        #expect(lines[4] == "xxxxxxxxx…")
    }

    @Test func tablesAreSendableValues() async throws {
        let table = try sample()
        let rows = await Task.detached { table.slice(1..<3).rowCount }.value
        #expect(rows == 2)
    }
}

@Suite struct InvariantTests {
    @Test func soundColumnsReportNoViolations() throws {
        for kind in KindSamples.kinds {
            for nulls in [false, true] {
                #expect(try KindSamples.column(kind, withNulls: nulls).0._invariantViolations().isEmpty)
            }
        }
    }

    @Test func brokenColumnsAreDescribed() {
        let short = Column(storage: .int64([1, 2]), validity: nil, count: 2, checked: false)
        #expect(short._invariantViolations().isEmpty)
        let badCode = Column(
            storage: .dictionaryString(codes: [0, 5], dictionary: try! StringBuffer(["a"])), validity: nil, count: 2, checked: false)
        #expect(badCode._invariantViolations() == ["dictionary code 5 at slot 1 ≥ dictionary size 1"])
        let badOffsets = StringBuffer(uncheckedBytes: [97, 98], offsets: [0, 2, 1], checked: false)
        #expect(badOffsets._invariantViolations().contains("string offsets decrease at 2"))
        let badUTF8 = StringBuffer(uncheckedBytes: [0xFF], offsets: [0, 1], checked: false)
        #expect(badUTF8._invariantViolations() == ["string bytes are not valid UTF-8"])
        let table = Table(uncheckedSchema: try! Schema([.init("a", .double)]), columns: [short], rowCount: 3, checked: false)
        #expect(table._invariantViolations() == ["column 'a' is int64, schema says double", "column 'a' has 2 rows, table 3"])
    }

    #if DEBUG
        @Test func debugBuildsTrapOnBrokenInvariants() async {
            await #expect(processExitsWith: .failure) {
                _ = Column(storage: .dictionaryString(codes: [3], dictionary: StringBuffer()), validity: nil, count: 1)
            }
        }
    #endif
}
