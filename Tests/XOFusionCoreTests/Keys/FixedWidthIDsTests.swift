import Testing
import XOFusionCore

@Suite struct FixedWidthIDsTests {
    @Test func readsPrefixedFixedWidthNumbers() throws {
        let ids = try #require(FixedWidthIDs.parse(try .string(["O0000000012", nil, "O0000000003", "O9999999999"])))
        #expect(ids.prefix == Array("O".utf8) && ids.width == 11)
        #expect(ids.numbers == [12, FixedWidthIDs.null, 3, 9_999_999_999])
        #expect(ids.range == 3...9_999_999_999)
        // Plain digits, a dictionary layout, and a longer prefix.
        #expect(FixedWidthIDs.parse(try .string(["0042", "0007"]))?.numbers == [42, 7])
        #expect(FixedWidthIDs.parse(try .string(["ab-01", "ab-02", "ab-01"], layout: .dictionary))?.numbers == [1, 2, 1])
    }

    @Test func refusesEveryOtherShape() throws {
        #expect(FixedWidthIDs.parse(try .string(["O12", "O123"])) == nil)            // another width
        #expect(FixedWidthIDs.parse(try .string(["O12", "P12"])) == nil)             // another prefix
        #expect(FixedWidthIDs.parse(try .string(["O12", "O1x"])) == nil)             // a letter among the digits
        #expect(FixedWidthIDs.parse(try .string(["ORDER", "ORDER"])) == nil)         // no digits
        #expect(FixedWidthIDs.parse(try .string(["X" + String(repeating: "1", count: 19)])) == nil)  // past 18 digits
        #expect(FixedWidthIDs.parse(try .string([nil, nil] as [String?])) == nil)    // nothing to read
        #expect(FixedWidthIDs.parse(.int64([1, 2] as [Int64?])) == nil)              // not text
        // Equal numbers of two columns mean equal text only with the same prefix and width.
        let a = try #require(FixedWidthIDs.parse(try .string(["O01"]))), b = try #require(FixedWidthIDs.parse(try .string(["O001"])))
        #expect(!a.isComparable(with: b))
    }

    /// Many rows over several partitions (and threads): the numbers come back in row order.
    @Test func largeColumnsKeepRowOrder() throws {
        let n = 200_000
        let values: [String?] = (0..<n).map { $0 % 7 == 0 ? nil : "K" + String(String(($0 * 7919) % 1_000_003).reversed()).padding(toLength: 7, withPad: "0", startingAt: 0) }
        let ids = try #require(FixedWidthIDs.parse(try .string(values), options: KernelOptions(threads: 2)))
        for row in stride(from: 0, to: n, by: 997) {
            #expect(ids.numbers[row] == (values[row].map { Int64($0.dropFirst())! } ?? FixedWidthIDs.null))
        }
    }

    /// `firstRows(in:)` against a dictionary by number, over many seeds: both storages (text
    /// and the numbered layout), nulls on both sides, repeated target numbers, source numbers
    /// the target lacks (inside and outside its span).
    @Test func firstRowsJoinOnNumbersLikeADictionary() throws {
        for seed in 0..<60 {
            var random = SeededGenerator(seed: UInt64(seed))
            func id(_ number: Int) -> String {
                let digits = String(number)
                return "O" + String(repeating: "0", count: 6 - digits.count) + digits
            }
            // Every third seed's span starts at 0, the number a null row of the numbered layout holds.
            let targetCount = Int.random(in: 1...300, using: &random), low = seed % 3 == 0 ? 0 : Int.random(in: 1...5000, using: &random)
            let spread = Int.random(in: 1...(2 * targetCount), using: &random)
            // Every fourth seed's target is consecutive (one number per row, in row order): its own index.
            let target: [String?] = seed % 4 == 1
                ? (0..<targetCount).map { id(low + $0) }
                : (0..<targetCount).map { _ in Int.random(in: 0..<10, using: &random) == 0 ? nil : id(low + Int.random(in: 0..<spread, using: &random)) }
            let source: [String?] = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                switch Int.random(in: 0..<10, using: &random) {
                case 0: nil
                case 1: id(Int.random(in: 0...9999, using: &random))  // maybe outside the target's span
                default: target[Int.random(in: 0..<targetCount, using: &random)] ?? id(low)
                }
            }
            // The reference: each number's first target row, and the target's repeats of numbers the source names.
            var firstRow: [String: Int32] = [:], occurrences: [String: Int] = [:]
            for (row, value) in target.enumerated() {
                guard let value else { continue }
                if firstRow[value] == nil { firstRow[value] = Int32(row) }
                occurrences[value, default: 0] += 1
            }
            let named = Set(source.compactMap { $0 })
            let expectedRows = source.map { $0.flatMap { firstRow[$0] } ?? -1 }
            let expectedDuplicates = named.reduce(0) { $0 + max(0, (occurrences[$1] ?? 0) - 1) }
            for layout in [StringLayout.plain, .numbered] {
                guard let targetIDs = FixedWidthIDs.parse(try .string(target, layout: layout)),
                      let ids = FixedWidthIDs.parse(try .string(source.isEmpty ? [id(low)] : source, layout: layout))
                else { continue }  // a target of nulls only
                let joined = try #require(ids.firstRows(in: targetIDs), "seed \(seed)")
                if source.isEmpty { continue }
                #expect(joined.rows == expectedRows, "seed \(seed), \(layout)")
                #expect(joined.duplicates == expectedDuplicates, "seed \(seed), \(layout)")
            }
        }
    }

    /// A column is consecutive when row r holds the first number plus r, and only then: checked on
    /// both storages, on one thread and over partitions on two (each part consecutive on its own).
    @Test func consecutiveMeansOneNumberPerRowInRowOrder() throws {
        func id(_ number: Int) -> String {
            let digits = String(number)
            return "O" + String(repeating: "0", count: 9 - digits.count) + digits
        }
        let n = 300_000, start = 1_234
        let consecutive: [String?] = (0..<n).map { id(start + $0) }
        var gap = consecutive; gap[n / 2] = id(start + n + 5)
        var null = consecutive; null[n - 1] = nil
        var swapped = consecutive; swapped.swapAt(10, 11)
        // Two halves, each consecutive, the second starting where the first does.
        let restarted: [String?] = (0..<n).map { id(start + $0 % (n / 2)) }
        for layout in [StringLayout.plain, .numbered] {
            for threads in [1, 2] {
                let options = KernelOptions(threads: threads)
                let parsed = { (values: [String?]) in try #require(FixedWidthIDs.parse(try .string(values, layout: layout), options: options)) }
                #expect(try parsed(consecutive).isConsecutive, "\(layout), \(threads) threads")
                #expect(try parsed(consecutive).range == Int64(start)...Int64(start + n - 1))
                for (name, values) in [("gap", gap), ("null", null), ("swapped", swapped), ("restarted", restarted)] {
                    #expect(try !parsed(values).isConsecutive, "\(name), \(layout), \(threads) threads")
                }
                #expect(try parsed(["O000000007"]).isConsecutive)
            }
        }
    }

    /// Linking to a consecutive target finds each number's row by arithmetic: rows worked out by
    /// hand, and those of the general path on the same target with its last number changed.
    @Test func aConsecutiveTargetLinksLikeAnyOther() throws {
        let ids = (0..<5_000).map { "R" + String(100_000 + $0) }
        var changed = ids; changed[4_999] = "R105005"
        let source = ["R100000", "R104998", "R104999", nil, "R099999", "R105000", "R102500", "R102500"]
        for layout in [StringLayout.plain, .numbered] {
            let fast = try #require(FixedWidthIDs.parse(try .string(ids, layout: layout)))
            let general = try #require(FixedWidthIDs.parse(try .string(changed, layout: layout)))
            let names = try #require(FixedWidthIDs.parse(try .string(source, layout: layout)))
            #expect(fast.isConsecutive && !general.isConsecutive)
            let linked = try #require(names.firstRows(in: fast)), reference = try #require(names.firstRows(in: general))
            #expect(linked.rows == [0, 4_998, 4_999, -1, -1, -1, 2_500, 2_500])
            #expect(linked.duplicates == 0)
            // The general path gives the same rows, but for the number it no longer has.
            var expected = linked.rows
            expected[2] = -1
            #expect(reference.rows == expected)
        }
    }

    @Test func firstRowsRefuseSparseOrOtherShapes() throws {
        let target = try #require(FixedWidthIDs.parse(try .string(["O000001", "O900000"])))
        let ids = try #require(FixedWidthIDs.parse(try .string(["O000001"])))
        #expect(ids.firstRows(in: target) == nil)  // a span of 900,000 numbers for two rows
        let other = try #require(FixedWidthIDs.parse(try .string(["P000001"])))
        let dense = try #require(FixedWidthIDs.parse(try .string(["O000001", "O000002"])))
        #expect(other.firstRows(in: dense) == nil)  // another prefix
        #expect(ids.firstRows(in: dense).map { $0.rows } == [0])
    }
}
