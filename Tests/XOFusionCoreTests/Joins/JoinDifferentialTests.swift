import Testing
@testable import XOFusionCore

/// The hash join's probe on several threads.
@Suite struct JoinThreadTests {
    /// Above 65,536 probe rows the probe runs in four partitions; 1, 2, 3 and 4
    /// threads give identical tables for every join kind, and the matched pairs
    /// equal a dictionary reference.
    @Test func threadCountsGiveIdenticalTables() throws {
        #expect(Partitions.ranges(66_000).count == 4)
        // One seed: each join of this size takes a second or two in a debug build.
        for seed in 0..<1 {
            var g = SeededGenerator(seed: 7_000 + UInt64(seed))
            func side(_ n: Int, _ row: String) throws -> (table: Table, keys: [[CellValue]]) {
                let k = (0..<n).map { _ in RandomValues.optional(Int64.random(in: 0..<60_000, using: &g), nullRate: 0.05, &g) }
                let s = (0..<n).map { _ in RandomValues.optional(["a", "b"].randomElement(using: &g)!, nullRate: 0.05, &g) }
                let table = try Table(columns: [("k", .int64(k)), ("s", try .string(s, layout: .dictionary)), (row, .int64((0..<n).map { Int64($0) }))])
                return (table, (0..<n).map { i in [k[i].map(CellValue.int64) ?? .null, s[i].map(CellValue.string) ?? .null] })
            }
            let (left, leftKeys) = try side(70_000, "l"), (right, rightKeys) = try side(66_000, "r")
            let keys = ["k", "s"]
            func key(_ cells: [CellValue]) -> [CellValue]? {
                let key = Array(cells.prefix(keys.count))
                return key.contains(.null) ? nil : key
            }
            var rightRows: [[CellValue]: [Int]] = [:], leftRows: [[CellValue]: [Int]] = [:]
            for (r, cells) in rightKeys.enumerated() { if let key = key(cells) { rightRows[key, default: []].append(r) } }
            for (l, cells) in leftKeys.enumerated() { if let key = key(cells) { leftRows[key, default: []].append(l) } }
            for kind in JoinKind.allCases {
                // Reference pairs (left row, right row) from the dictionaries.
                var expected: [[Int?]] = []
                switch kind {
                case .inner, .left, .full:
                    for (l, cells) in leftKeys.enumerated() {
                        let found = key(cells).flatMap { rightRows[$0] } ?? []
                        if found.isEmpty && kind != .inner { expected.append([l, nil]) }
                        for r in found { expected.append([l, r]) }
                    }
                    if kind == .full {
                        for (r, cells) in rightKeys.enumerated() where key(cells).flatMap({ leftRows[$0] }) == nil { expected.append([nil, r]) }
                    }
                case .right:
                    for (r, cells) in rightKeys.enumerated() {
                        let found = key(cells).flatMap { leftRows[$0] } ?? []
                        if found.isEmpty { expected.append([nil, r]) }
                        for l in found { expected.append([l, r]) }
                    }
                case .semi, .anti:
                    for (l, cells) in leftKeys.enumerated() where (key(cells).flatMap { rightRows[$0] } != nil) == (kind == .semi) { expected.append([l]) }
                }
                let one = try left.joined(with: right, on: keys, kind: kind, options: JoinOptions(indicator: "_m", kernel: KernelOptions(threads: 1)))
                let l = try one.int64("l")
                let got: [[Int?]] = (0..<one.rowCount).map { row in
                    kind == .semi || kind == .anti ? [l[row].map { Int($0) }] : [l[row].map { Int($0) }, (try? one.int64("r"))?[row].map { Int($0) }]
                }
                #expect(got == expected, "seed \(seed) \(kind): pairs against the dictionary reference")
                for threads in 2...4 {
                    let many = try left.joined(with: right, on: keys, kind: kind, options: JoinOptions(indicator: "_m", kernel: KernelOptions(threads: threads)))
                    #expect(many == one, "seed \(seed) \(kind): \(threads) threads")
                }
            }
        }
    }
}
