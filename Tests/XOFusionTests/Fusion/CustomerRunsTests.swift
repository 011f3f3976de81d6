import Testing
@testable import XOFusion

/// Grouping rows by customer (the counting sort behind every role's runs), in one pass or two,
/// on any number of shares, against a plain grouping: each customer's rows in row order, the rows
/// that reach no customer last.
@Suite struct CustomerRunsTests {
    /// Numbers in `0 ..< n` from a seed (a linear congruential generator: the same on every platform).
    struct Draws {
        var state: UInt64

        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
    }

    /// The grouping a reader checks by eye: offsets from the counts, rows customer by customer.
    static func reference(_ customer: [Int32], customers n: Int) -> (offsets: [Int32], rows: [Int32]) {
        var groups = [[Int32]](repeating: [], count: n + 1)
        for (row, c) in customer.enumerated() { groups[c < 0 ? n : Int(c)].append(Int32(row)) }
        var offsets: [Int32] = [0]
        for g in groups { offsets.append(offsets.last! + Int32(g.count)) }
        return (offsets, groups.flatMap { $0 })
    }

    @Test(arguments: 0..<120)
    func twoPassesOnAnySharesMatchAPlainGrouping(seed: Int) {
        var draws = Draws(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 7)
        func next(_ n: Int) -> Int { draws.next(n) }
        let n = [0, 1, 5, 37, 300][seed % 5]
        let count = [0, 1, 17, 800, 5_000][(seed / 5) % 5]
        // Uniform customers, one customer with most rows, or many rows of no customer.
        let customer: [Int32] = (0..<count).map { _ in
            switch seed % 3 {
            case 0: return n == 0 || next(10) == 0 ? -1 : Int32(next(n))
            case 1: return n == 0 ? -1 : Int32(next(4) == 0 ? next(n) : n - 1)
            default: return n == 0 || next(2) == 0 ? -1 : Int32(next(n))
            }
        }
        let expected = Self.reference(customer, customers: n)
        for shares in 1...3 {
            for width in [1, 2, 8, 64, 8192] {
                let runs = CustomerRuns(customer: customer, customers: n, shares: shares, bucketWidth: width)
                #expect(runs.offsets == expected.offsets, "seed \(seed), \(shares) shares, width \(width)")
                #expect(runs.rows == expected.rows, "seed \(seed), \(shares) shares, width \(width)")
            }
        }
        let serial = CustomerRuns(customer: customer, customers: n)
        #expect(serial.offsets == expected.offsets && serial.rows == expected.rows, "seed \(seed), one pass")

        // Values carried through the grouping land where a gather by row puts them.
        let values = (0..<count).map { _ in Int64(next(1_000_000)) - 500_000 }
        let expectedValues = expected.rows.map { values[Int($0)] }
        let expectedAmounts = expected.rows.map { Double(values[Int($0)]) / 100 }
        values.withUnsafeBufferPointer { v in
            let base = v.baseAddress ?? UnsafePointer(bitPattern: 8)!
            for threads in [1, 2] {
                let (runs, carried, amounts) = CustomerRuns.carrying(
                    RowValues(base), AmountDoubles(units: base, divisor: 100), customer: customer, customers: n, threads: threads)
                #expect(runs.rows == expected.rows && carried == expectedValues && amounts == expectedAmounts, "seed \(seed), \(threads) threads")
            }
            for shares in 1...3 {
                for width in [1, 4, 64] {
                    var out = [Int64](repeating: 0, count: count)
                    let runs = out.withUnsafeMutableBufferPointer { out in
                        CustomerRuns(customer: customer, customers: n, shares: shares, bucketWidth: width,
                                     carrying: Carried(RowValues(base), into: out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!))
                    }
                    #expect(runs.rows == expected.rows && out == expectedValues, "seed \(seed), \(shares) shares, width \(width), carried")
                }
            }
        }
    }

    /// Enough customers and rows for the two passes through the threads' entry point: the same
    /// grouping on one thread and on two.
    @Test func manyCustomersTakeTheTwoPassesOnAnyThreads() {
        let n = 4 * CustomerRuns.bucketWidth + 123
        var state: UInt64 = 11
        let customer: [Int32] = (0..<150_000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let r = Int(state >> 33)
            return r % 50 == 0 ? -1 : Int32(r % n)
        }
        let expected = Self.reference(customer, customers: n)
        let times = (0..<customer.count).map { Timestamp(microsecondsSinceEpoch: Int64($0) * 1_000_003) }
        for threads in [1, 2] {
            let runs = CustomerRuns(customer: customer, customers: n, threads: threads)
            #expect(runs.offsets == expected.offsets && runs.rows == expected.rows, "\(threads) threads")
            #expect(runs.customers == n && runs.unplaced.count == customer.count { $0 < 0 })
            let (carriedRuns, micros, rows) = times.withUnsafeBufferPointer { t in
                Array(0..<Int32(customer.count)).withUnsafeBufferPointer { r in
                    CustomerRuns.carrying(TimeMicroseconds(timestamps: t.baseAddress!), RowValues(r.baseAddress!), customer: customer, customers: n, threads: threads)
                }
            }
            #expect(carriedRuns.rows == expected.rows && rows == expected.rows, "\(threads) threads, carried")
            #expect(micros == expected.rows.map { Int64($0) * 1_000_003 }, "\(threads) threads, carried")
        }
    }

    /// Sorting each run by time, against sorting each customer's rows by hand: runs already in
    /// order give `nil`; otherwise every run is in time order (equal times by the tie-break, or by
    /// row), and the times in run order follow their rows.
    @Test(arguments: 0..<60)
    func runsSortByTimeWithTheirTimes(seed: Int) {
        var draws = Draws(state: UInt64(seed) &* 0xD1B5_4A32_D192_ED03 &+ 11)
        func next(_ n: Int) -> Int { draws.next(n) }
        // Past 65,536 rows the runs out of order are looked for on several threads.
        let n = [1, 4, 30][seed % 3], count = [0, 2, 50, 400, 70_000][(seed / 3) % 5], threads = [1, 2, 3, 4][seed % 4]
        let customer: [Int32] = (0..<count).map { _ in next(8) == 0 ? -1 : Int32(next(n)) }
        // Few distinct times, so that ties are common; sometimes already increasing by row.
        let increasing = seed % 4 == 0
        let rowTime: [Int64] = (0..<count).map { row in increasing ? Int64(row / 3) : [Int64.min, 5, 7, 7, 9, 100][next(6)] }
        // The tie-break puts greater keys later.
        let key: [Int] = (0..<count).map { _ in next(5) }
        let tieBreak: (Int, Int) -> Bool = { a, b in key[a] != key[b] ? key[a] < key[b] : a < b }
        let runs = CustomerRuns(customer: customer, customers: n)
        for useTieBreak in [false, true] {
            var time = runs.rows.map { rowTime[Int($0)] }
            let sorted = runs.sortedByTime(&time, threads: threads, tieBreak: useTieBreak ? tieBreak : nil)
            var expected = Self.reference(customer, customers: n)
            for g in 0...n {
                let range = Int(expected.offsets[g])..<Int(expected.offsets[g + 1])
                expected.rows[range].sort { a, b in
                    let (ta, tb) = (rowTime[Int(a)], rowTime[Int(b)])
                    if ta != tb { return ta < tb }
                    return useTieBreak ? tieBreak(Int(a), Int(b)) : a < b
                }
            }
            let label = "seed \(seed), tie-break \(useTieBreak), \(threads) threads"
            if expected.rows == runs.rows {
                #expect(sorted == nil, "\(label): every run was in order")
            } else {
                #expect(sorted?.rows == expected.rows && sorted?.offsets == expected.offsets, "\(label)")
            }
            #expect(time == expected.rows.map { rowTime[Int($0)] }, "\(label): times follow their rows")
        }
    }
}
