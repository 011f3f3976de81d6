import Testing
@testable import XOFusionCore

/// The numbered string layout: IDs of one pattern kept as numbers.
@Suite struct NumberedLayoutTests {
    @Test func aPatternIsTheTrailingDigitsAndWhatPrecedesThem() throws {
        let c = try #require(IDPattern(of: "C000000497"))
        #expect(c == IDPattern(prefix: "C", digits: 9))
        #expect(c.length == 10 && c.largestNumber == 999_999_999)
        #expect(IDPattern(of: "O0000000001") == IDPattern(prefix: "O", digits: 10))
        // Digits inside the prefix belong to it; only the trailing run counts.
        #expect(IDPattern(of: "AB12C0000001") == IDPattern(prefix: "AB12C", digits: 7))
        #expect(IDPattern(of: "é-000123") == IDPattern(prefix: "é-", digits: 6))
        #expect(IDPattern(of: "000123") == IDPattern(prefix: "", digits: 6))
        // Too few digits (small sets of values), too many for an Int64, none, a long prefix.
        #expect(IDPattern(of: "tier1") == nil)
        #expect(IDPattern(of: "C12345") == nil)
        #expect(IDPattern(of: "C" + String(repeating: "7", count: 19)) == nil)
        #expect(IDPattern(of: "") == nil && IDPattern(of: "EU-North") == nil)
        #expect(IDPattern(of: String(repeating: "x", count: 25) + "123456") == nil)
        #expect(IDPattern(of: "C000001 ") == nil)
    }

    @Test func numbersAndTextRoundTrip() throws {
        let p = IDPattern(prefix: "O", digits: 10)
        #expect(p.number(of: "O0000000012") == 12)
        #expect(p.string(12) == "O0000000012")
        #expect(p.string(9_999_999_999) == "O9999999999")
        #expect(p.string(0) == "O0000000000")
        // Another width, another prefix, a letter among the digits, a sign: other shapes.
        for other in ["O000000012", "P0000000012", "O00000000x2", "O0000x00012", "O000:000012", "O0000000/12", "O-000000012", "o0000000012", ""] {
            #expect(p.number(of: other) == nil, "\(other)")
        }
        #expect(IDPattern(prefix: "C", digits: 9).number(of: "C123456789") == 123_456_789)
        #expect(IDPattern(prefix: "", digits: 18).number(of: "987654321012345678") == 987_654_321_012_345_678)
    }

    /// Differential: every width from 6 to 18 digits behind prefixes of 0 to 10 bytes (read a word
    /// at a time when the prefix and leading digits fit a word, byte by byte otherwise), random
    /// numbers, written and read back against Swift's own formatting.
    @Test func numbersRoundTripAtEveryWidth() {
        var g = SeededGenerator(seed: 7)
        for prefix in ["", "K", "K-", "ORD", "ABCDEFG", "ABCDEFGH", "ABCDEFGHIJ"] {
            for digits in IDPattern.minimumDigits...IDPattern.maximumDigits {
                let p = IDPattern(prefix: prefix, digits: digits)
                for _ in 0..<100 {
                    let number = Int64.random(in: 0...p.largestNumber, using: &g)
                    let text = prefix + String(repeating: "0", count: digits - String(number).count) + String(number)
                    #expect(p.string(number) == text)
                    #expect(p.number(of: text) == number, "\(text)")
                    // One byte changed to a non-digit anywhere among the digits: another shape.
                    var bytes = Array(text.utf8)
                    bytes[prefix.utf8.count + Int.random(in: 0..<digits, using: &g)] = [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "a"), 0xB0].randomElement(using: &g)!
                    #expect(bytes.withUnsafeBufferPointer { p.number(of: $0.baseAddress!, count: $0.count) } == nil)
                    // Another prefix of the same length, or one byte more or less: another shape.
                    if !prefix.isEmpty {
                        var other = Array(text.utf8)
                        other[Int.random(in: 0..<prefix.utf8.count, using: &g)] ^= 0x20
                        #expect(other.withUnsafeBufferPointer { p.number(of: $0.baseAddress!, count: $0.count) } == nil, "\(text)")
                    }
                    #expect(p.number(of: text + "0") == nil && p.number(of: String(text.dropLast())) == nil, "\(text)")
                }
            }
        }
    }

    @Test func aColumnIsNumberedOnlyWhenEveryValueFits() throws {
        let ids: [String?] = [nil, "C000123", "C999999", nil, "C000123"]
        let numbered = try Column.string(ids, layout: .numbered)
        #expect(numbered.stringLayout == .numbered)
        #expect(Array(numbered.stringValues!) == ids)
        #expect(numbered == (try Column.string(ids, layout: .plain)))
        #expect(numbered == (try Column.string(ids, layout: .dictionary)))
        #expect(numbered.nullCount == 2)
        #expect(numbered[1] == .string("C000123"))
        #expect(numbered._invariantViolations().isEmpty)
        // One value of another shape: plain, same values.
        let mixed: [String?] = ["C000123", "C0001234", nil]
        let fallback = try Column.string(mixed, layout: .numbered)
        #expect(fallback.stringLayout == .plain)
        #expect(Array(fallback.stringValues!) == mixed)
        #expect(try Column.string([nil, nil], layout: .numbered).stringLayout == .plain)
        // Numbers are stored in 32 bits: an ID numbered past 2³² − 2 makes the column plain.
        let large: [String?] = ["O0000000001", "O4294967294"]
        #expect(try Column.string(large, layout: .numbered).stringLayout == .numbered)
        let tooLarge: [String?] = ["O0000000001", "O4294967295"]
        #expect(try Column.string(tooLarge, layout: .numbered).stringLayout == .plain)
        #expect(Array(try readCSV(Self.csv(tooLarge)).table.string("id")) == tooLarge)
        #expect(try readCSV(Self.csv(tooLarge)).table.column(at: 0).stringLayout != .numbered)
        // Different values, same layout: not equal.
        #expect(numbered != (try Column.string([nil, "C000123", "C999998", nil, "C000123"], layout: .numbered)))
        #expect(numbered != (try Column.string([nil, "D000123", "D999999", nil, "D000123"], layout: .numbered)))
    }

    @Test func aColumnFromNumbersReadsAsItsText() throws {
        let pattern = IDPattern(prefix: "C", digits: 6)
        var validity = ValidityBitmap(repeating: true, count: 5)
        validity[0] = false
        validity[3] = false
        // A null slot's number is ignored, even one too wide for the pattern.
        let column = try #require(Column.string(numbers: [7, 123, 999_999, 4_000_000_000, 123], pattern: pattern, validity: validity))
        #expect(column.stringLayout == .numbered && column.nullCount == 2)
        #expect(column == (try Column.string([nil, "C000123", "C999999", nil, "C000123"], layout: .plain)))
        #expect(column._invariantViolations().isEmpty)
        #expect(Column.string(numbers: [], pattern: pattern)?.count == 0)
        // A number wider than the pattern, or past what 32 bits store, has no numbered column.
        #expect(Column.string(numbers: [1, 1_000_000], pattern: pattern) == nil)
        #expect(Column.string(numbers: [UInt32.max], pattern: IDPattern(prefix: "O", digits: 10)) == nil)
        #expect(Column.string(numbers: [UInt32.max - 1], pattern: IDPattern(prefix: "O", digits: 10))?[0] == .string("O4294967294"))
    }

    @Test func kernelsSeeTheText() throws {
        let table = try Table([
            "id": try .string(["C000300", "C000100", nil, "C000200"], layout: .numbered),
            "v": .int64([3, 1, 0, 2] as [Int64?]),
        ])
        #expect(Array(try table.sorted(by: [SortKey("id")]).string("id")) == ["C000100", "C000200", "C000300", nil])
        #expect(Array(try table.gathered(rows: [3, 0]).string("id")) == ["C000200", "C000300"])
        #expect(try table.filtered(.compare("id", .greater, .string("C000150"))).rowCount == 2)
        // A literal of another shape compares as text: every "C…" ID is below "D".
        #expect(try table.filtered(.compare("id", .less, .string("D"))).rowCount == 3)
        #expect(try table.filtered(.compare("id", .equal, .string("C00100"))).rowCount == 0)
        // A join with a plain column of the same IDs matches by text.
        let other = try Table(["id": try .string(["C000200", "C000100", "X"]), "w": .int64([20, 10, 0] as [Int64?])])
        let joined = try table.joined(with: other, on: ["id"], kind: .inner)
        #expect(Array(try joined.int64("w")) == [10, 20])
    }

    @Test func keyCodesMatchThoseOfTheSameIDsAsText() throws {
        var a = KeySpace(), b = KeySpace()
        let ids: [String?] = ["C000001", nil, "C000777", "C000001", "C000002"]
        let (numbered, numberedReport) = try a.encode(try .string(ids, layout: .numbered), name: "id")
        let (plain, plainReport) = try b.encode(try .string(ids, layout: .plain), name: "id")
        #expect(numbered == plain)
        #expect(numberedReport == plainReport)
        // Unknown IDs are reported with examples, as for text.
        let (looked, report) = try a.encode(try .string(["C000777", "C000003"], layout: .numbered), name: "other", unknown: .reportAsNull)
        #expect(looked[0] == 1 && looked[1] == nil)
        #expect(report.unknown == 1 && report.unknownExamples == ["C000003"])
        // Keys added after a lookup (here from text) are found by the next one.
        _ = try a.encode(try .string(["C000003", "D000001"]), name: "more")
        let (again, againReport) = try a.encode(try .string(["C000003", "C000004", "C000001"], layout: .numbered), name: "again", unknown: .reportAsNull)
        #expect(again[0] == 3 && again[1] == nil && again[2] == 0)
        #expect(againReport.unknownExamples == ["C000004"] && againReport.nulls == 0 && again.nullCount == 1)
        let fixed = try #require(FixedWidthIDs.parse(try .string(ids, layout: .numbered)))
        #expect(fixed.numbers == [1, FixedWidthIDs.null, 777, 1, 2] && fixed.width == 7 && fixed.range == 1...777)
    }

    /// Many rows over several blocks and threads: key codes agree with the text's.
    @Test func largeColumnsEncodeLikeText() throws {
        let n = 600_000
        let ids: [String?] = (0..<n).map { (row: Int) -> String? in
            let number: Int = 1_000_000 + (row * 7919) % 400_000
            return row % 11 == 0 ? nil : "K" + String(number)
        }
        var a = KeySpace(), b = KeySpace()
        let options = KernelOptions(threads: 2)
        let column = try Column.string(ids, layout: .numbered)
        #expect(column.stringLayout == .numbered)
        let (numbered, _) = try a.encode(column, name: "id", options: options)
        let (plain, _) = try b.encode(try .string(ids), name: "id", options: options)
        #expect(numbered == plain)
        let (looked, _) = try a.encode(column.slice(1000..<n), name: "id", unknown: .reportAsNull, options: options)
        let (lookedPlain, _) = try b.encode(try Column.string(ids).slice(1000..<n), name: "id", unknown: .reportAsNull, options: options)
        #expect(looked == lookedPlain)
    }

    // MARK: - Reading CSV

    static func csv(_ ids: [String?]) -> String {
        "id,score\n" + ids.enumerated().map { "\($0.element ?? ""),\($0.offset % 10)" }.joined(separator: "\n") + "\n"
    }

    @Test func theReaderNumbersIDColumnsByItself() throws {
        let ids: [String?] = [nil, "C000000497", "C000001916", nil, "C999999999"]
        let result = try readCSV(Self.csv(ids))
        #expect(result.table.column(at: 0).stringLayout == .numbered)
        #expect(Array(try result.table.string("id")) == ids)
        #expect(result.report.columns[0].layout == .numbered)
    }

    @Test func aValueOfAnotherShapeMakesTheColumnText() throws {
        // Low cardinality: a dictionary, as without the numbered layout.
        let few: [String?] = ["C000001", "C000002", "C000001", "north", "C000002", "C000001"]
        let read = try readCSV(Self.csv(few))
        #expect(read.table.column(at: 0).stringLayout == .dictionary)
        #expect(Array(try read.table.string("id")) == few)
        // Asked for explicitly: plain.
        let schema = CSVSchema([ColumnSpec("id", .string, layout: .numbered)])
        let explicit = try readCSV(Self.csv(few), CSVReadOptions(schema: schema))
        #expect(explicit.table.column(at: 0).stringLayout == .plain)
        #expect(Array(try explicit.table.string("id")) == few)
        // The first value decides nothing for good: a later shape change still falls back.
        let late: [String?] = ["C000001", "C000002", "C0000003"]
        #expect(Array(try readCSV(Self.csv(late)).table.string("id")) == late)
    }

    @Test func rejectedRowsLeaveTheNumbersAligned() throws {
        let text = "id,score\nC000001,1\nC000002,x\nC000003,3\n,4\nC000005,y\nC000006,6\n"
        let schema = CSVSchema([ColumnSpec("score", .int64)])
        let result = try readCSV(text, CSVReadOptions(policy: .collect(), schema: schema))
        #expect(result.rejects.count == 2)
        #expect(result.table.column(at: 0).stringLayout == .numbered)
        #expect(Array(try result.table.string("id")) == ["C000001", "C000003", nil, "C000006"])
        #expect(Array(try result.table.int64("score")) == [1, 3, 4, 6])
    }

    /// Differential over seeds: the values and the layout do not depend on the
    /// thread count, wherever a value of another shape (if any) falls.
    @Test func theLayoutIsTheSameOnAnyThreadCount() throws {
        for seed in 0..<40 {
            var g = SeededGenerator(seed: UInt64(seed))
            let n = Int.random(in: 50...400, using: &g)
            let distinct = [5, 1000].randomElement(using: &g)!
            var ids: [String?] = (0..<n).map { _ in
                Int.random(in: 0..<8, using: &g) == 0 ? nil : "S" + String(1_000_000 + Int.random(in: 0..<distinct, using: &g))
            }
            switch Int.random(in: 0..<4, using: &g) {
            case 0: break
            case 1: ids[Int.random(in: 0..<n, using: &g)] = "other"
            case 2: ids[n - 1] = "S01"
            default: for i in 0..<(n / 2) { ids[i] = nil }
            }
            if seed == 0 {
                // Ranges of nulls only, merged before the range with the first ID.
                ids = (0..<n).map { $0 < n * 3 / 4 ? nil : "S" + String(1_000_000 + $0) }
            }
            let text = Self.csv(ids)
            var one = CSVReadOptions(threads: 1)
            one.minimumBytesPerThread = 1
            let single = try readCSV(text, one)
            #expect(Array(try single.table.string("id")) == ids, "seed \(seed)")
            for threads in [2, 3, 7] {
                var many = one
                many.threads = threads
                let parallel = try readCSV(text, many)
                #expect(parallel.table == single.table, "seed \(seed), \(threads) threads")
                #expect(parallel.table.column(at: 0).stringLayout == single.table.column(at: 0).stringLayout, "seed \(seed), \(threads) threads")
                if seed == 0 { #expect(parallel.table.column(at: 0).stringLayout == .numbered) }
            }
        }
    }
}
