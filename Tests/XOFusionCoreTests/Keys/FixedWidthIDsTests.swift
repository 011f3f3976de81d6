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
}
