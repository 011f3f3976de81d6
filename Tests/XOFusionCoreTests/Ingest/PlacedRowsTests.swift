import Testing
@testable import XOFusionCore

/// `PlacedRows` against plain arrays: whatever a range does (batches, runs of one value,
/// rejected rows, more rows than its block holds, ranges that keep rows of their own), the
/// joined rows are every range's rows in range order.
@Suite struct PlacedRowsTests {
    @Test(arguments: 0..<40) func joinedRowsAreEveryRangesRowsInOrder(seed: Int) {
        var g = SeededGenerator(seed: UInt64(seed))
        let ranges = Int.random(in: 1...4, using: &g)
        let capacities = (0..<ranges).map { _ in Int.random(in: 0...40, using: &g) }
        let starts = capacities.indices.map { k in capacities[..<k].reduce(0, +) }
        let column = PlacedColumn<Int64>(capacity: capacities.reduce(0, +))
        var expected: [[Int64]] = Array(repeating: [], count: ranges)
        var next: Int64 = 1
        // Finished after the block addresses are out of use, as a read finishes its columns.
        var first = PlacedRows<Int64>()
        column.withBase { base in
            var rows: [PlacedRows<Int64>] = (0..<ranges).map { k in
                // Some ranges keep rows of their own, as a builder without a placement does.
                Int.random(in: 0..<5, using: &g) == 0
                    ? PlacedRows(capacity: 4)
                    : PlacedRows(placement: PlacedBlock(column: column, base: base, start: starts[k], capacity: capacities[k]))
            }
            for k in 0..<ranges {
                // Usually within the block; sometimes past it (the rows then move to an array of their own).
                let target = Int.random(in: 0..<4, using: &g) == 0 ? capacities[k] + Int.random(in: 1...10, using: &g) : capacities[k]
                while expected[k].count < target {
                    let n = min(target - expected[k].count, Int.random(in: 1...9, using: &g))
                    if Int.random(in: 0..<3, using: &g) == 0 {
                        rows[k].append(repeating: -next, count: n)
                        expected[k] += Array(repeating: -next, count: n)
                        next += 1
                    } else {
                        let batch = (0..<n).map { i in next + Int64(i) }
                        // Written in place where the block has room (as a fixed-width builder does), else appended.
                        if Bool.random(using: &g), let out = rows[k].writableRows(n) {
                            for i in 0..<n { out[i] = batch[i] }
                            rows[k].commitWritten(n)
                        } else {
                            batch.withUnsafeBufferPointer { rows[k].append(contentsOf: $0) }
                        }
                        expected[k] += batch
                        next += Int64(n)
                    }
                    if Int.random(in: 0..<6, using: &g) == 0 && !expected[k].isEmpty {
                        // Rejected rows: drop every row whose position is a multiple of a step.
                        let step = Int.random(in: 2...4, using: &g)
                        rows[k].compact { buffer in
                            var write = 0
                            for read in 0..<buffer.count where read % step != 0 {
                                buffer[write] = buffer[read]
                                write += 1
                            }
                            return write
                        }
                        expected[k] = expected[k].enumerated().filter { $0.offset % step != 0 }.map(\.element)
                    }
                    #expect(rows[k].count == expected[k].count, "seed \(seed), range \(k)")
                }
            }
            first = rows[0]
            for k in 1..<ranges {
                first.append(contentsOf: &rows[k])
                // Appending after a joined block, as a merge of a null-only range does.
                if Int.random(in: 0..<8, using: &g) == 0 {
                    first.append(repeating: 0, count: 2)
                    expected[k] += [0, 0]
                }
            }
            #expect(first.count == expected.reduce(0) { $0 + $1.count }, "seed \(seed)")
        }
        let joined = first.finished()
        #expect(Array(joined) == expected.flatMap { $0 }, "seed \(seed)")
    }
}
