import Testing
@testable import XOFusionCore

/// An int64 column read with a declared range inside -127...126 (a score, a count of items) is stored
/// one byte a value. These tests hold it to what an eight-byte column would read: the same values,
/// nulls and rejects, with every number outside a byte still rejected as out of range, by its text.
@Suite struct SmallIntColumnTests {
    @Test func onlyRangesWhoseWholeNumbersFitAByteAreStoredInOne() {
        #expect(SmallInt64Parser.holds(0...10) && SmallInt64Parser.holds(-127...126) && SmallInt64Parser.holds(0.5...10.5))
        #expect(SmallInt64Parser.holds(5.2...5.7), "no whole number at all: every value is rejected, whatever its width")
        #expect(!SmallInt64Parser.holds(nil) && !SmallInt64Parser.holds(-128...0) && !SmallInt64Parser.holds(0...127))
        #expect(!SmallInt64Parser.holds(0...1000) && !SmallInt64Parser.holds(-1e300...1e300))
    }

    /// What a field of the score column should read as.
    enum Expected: Equatable { case value(Int64), null, reject(RejectKind, String) }

    /// Texts around every edge: the range's, a byte's (127 and -128 are where the stored byte
    /// saturates; 256, 266 and -250 would wrap into the range), Int64's, and some that are no whole number at all.
    static let awkward = [
        "11", "-1", "126", "-127", "127", "-128", "128", "-129", "256", "266", "-250", "300", "-200", "1000",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", "x", "1.5", "",
    ]

    @Test(arguments: [1, 2, 3])
    func readsTheValuesNullsAndRejectsOfAnEightByteColumn(threads: Int) throws {
        let schema = CSVSchema([ColumnSpec("id", .int64), ColumnSpec("score", .int64, allowedRange: 0...10)])
        for seed in 0..<8 {
            var g = SeededGenerator(seed: UInt64(seed))
            let rows = Int.random(in: 1...5_000, using: &g)
            var text = "id,score\n"
            var expected: [Expected] = []
            for row in 0..<rows {
                let field = Int.random(in: 0..<100, using: &g) < 80 ? String(Int.random(in: 0...10, using: &g)) : Self.awkward.randomElement(using: &g)!
                text += "\(row),\(field)\n"
                if field.isEmpty {
                    expected.append(.null)
                } else if let v = Int64(field) {
                    expected.append((0...10).contains(v) ? .value(v) : .reject(.outOfRange, "\(field) is outside the allowed range 0.0...10.0"))
                } else {
                    expected.append(.reject(.type, "'\(field)' is not an int64 (a whole number within ±9.2e18)"))
                }
            }
            var options = CSVReadOptions(policy: .collect(), schema: schema, threads: threads)
            options.minimumBytesPerThread = 1
            let result = try CSVReader.read(string: text, options: options)
            let label = "seed \(seed), \(threads) threads"
            let rejects: [(line: Int, kind: RejectKind, message: String)] = expected.enumerated().compactMap { row, e in
                if case .reject(let kind, let message) = e { (row + 2, kind, message) } else { nil }
            }
            #expect(result.rejects.map(\.line) == rejects.map(\.line), "\(label)")
            #expect(result.rejects.map(\.kind) == rejects.map(\.kind), "\(label)")
            #expect(result.rejects.map(\.message) == rejects.map(\.message), "\(label)")
            let kept = expected.filter { if case .reject = $0 { false } else { true } }
            let column = try #require(result.table["score"])
            #expect(column.smallInt64Values != nil, "\(label): one byte a value")
            #expect(column.kind == .int64 && result.report.columns[1].kind == .int64, "\(label)")
            let values = try result.table.int64("score")
            #expect(values.map { $0.map(Expected.value) ?? .null } == kept, "\(label)")
            // Equal to the same values in an eight-byte column, either way round.
            let wide = Column.int64(values.map { $0 })
            #expect(column == wide && wide == column, "\(label)")
        }
    }

    @Test func aRangeWiderThanAByteKeepsEightBytes() throws {
        let options = CSVReadOptions(schema: CSVSchema([ColumnSpec("n", .int64, allowedRange: 0...1000)]))
        let table = try CSVReader.read(string: "n\n300\n7\n", options: options).table
        #expect(table["n"]?.smallInt64Values == nil)
        #expect(try table.int64("n").map { $0 } == [300, 7])
    }

    /// The column's views, slices, gathers, cells and written forms are those of the eight-byte column.
    @Test func viewsSlicesAndOutputsMatchTheEightByteColumn() throws {
        let cells: [Int64?] = [3, nil, -127, 126, 0, 9, nil, 1]
        let wide = Column.int64(cells), small = wide.storedInOneByte()
        #expect(small.smallInt64Values != nil && small.kind == .int64 && small.nullCount == 2)
        #expect(small.int64Values.map { Array($0) } == cells)
        for range in [0..<8, 2..<5, 6..<8, 4..<4] {
            let slice = small.slice(range)
            #expect(slice.int64Values.map { Array($0) } == Array(cells[range]), "\(range)")
            #expect(slice == wide.slice(range), "\(range)")
            #expect((0..<range.count).map { slice[$0] } == (0..<range.count).map { wide.slice(range)[$0] }, "\(range)")
        }
        let rows: [Int?] = [7, nil, 0, 2, 2]
        #expect(small.gathered(rows: rows) == wide.gathered(rows: rows))
        #expect(small.gathered(rows: rows).smallInt64Values != nil, "a gather keeps one byte a value")
        let narrowTable = try Table(columns: [("n", small)]), wideTable = try Table(columns: [("n", wide)])
        #expect(CSVWriter.bytes(from: narrowTable) == CSVWriter.bytes(from: wideTable))
        #expect(JSONValue.rows(of: narrowTable).serialized() == JSONValue.rows(of: wideTable).serialized())
        #expect(narrowTable == wideTable)
    }
}
