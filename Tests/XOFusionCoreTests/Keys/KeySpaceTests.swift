import Testing
@testable import XOFusionCore

@Suite struct KeySpaceTests {
    @Test func codesAreDenseInFirstSeenOrderAndSharedAcrossTables() throws {
        var keys = KeySpace()
        let customers = try Table(["customer_id": try .string(["C3", "C1", "C2"])])
        let orders = try Table(["customer_id": try .string(["C1", "C1", nil, "C9", "C3"], layout: .dictionary)])
        let (a, ra) = try keys.encode(customers, column: "customer_id")
        #expect(Array(a.codes) == [0, 1, 2] && a.keyCount == 3 && ra.newKeys == 3)
        let (b, rb) = try keys.encode(orders, column: "customer_id")
        #expect((0..<5).map { b[$0] } == [1, 1, nil, 3, 0])
        #expect(rb.newKeys == 1 && rb.nulls == 1 && b.nullCount == 1 && b.keyCount == 4)
        #expect(keys.key(3) == "C9" && keys.code(of: "C2") == 2 && keys.code(of: "nope") == nil)
    }

    @Test func unknownIDsAreReportedNotAdded() throws {
        var keys = KeySpace()
        _ = try keys.encode(try Table(["id": try .string(["A", "B"])]), column: "id")
        for layout in [StringLayout.plain, .dictionary] {
            let (codes, report) = try keys.encode(try Table(["id": try .string(["B", "X", "X", "Y", nil], layout: layout)]), column: "id", unknown: .reportAsNull)
            #expect((0..<5).map { codes[$0] } == [1, nil, nil, nil, nil])
            #expect(report.unknown == 3 && report.nulls == 1 && report.newKeys == 0)
            #expect(Set(report.unknownExamples).isSubset(of: ["X", "Y"]))
        }
        #expect(keys.count == 2)
    }

    @Test func normalisationIsReportedWithCollisions() throws {
        var keys = KeySpace(normalization: KeyNormalization(trimWhitespace: true, caseFolding: true, unicodeNFC: true, stripLeadingZeros: true))
        let ids: [String?] = ["C001", " C001", "c001", "Jos\u{E9}", "Jose\u{301}", "00123", "123", "0", "00", "plain"]
        let (codes, report) = try keys.encode(try Table(["id": try .string(ids)]), column: "id")
        #expect(report.changed == 6)  // all but "c001", "123", "0", "plain"
        #expect(codes[0] == codes[1] && codes[1] == codes[2])
        #expect(codes[3] == codes[4])
        #expect(codes[5] == codes[6] && codes[7] == codes[8])
        #expect(keys.count == 5)
        let collisions = Dictionary(report.collisions.map { ($0.key, $0.rawValues) }, uniquingKeysWith: { a, _ in a })
        #expect(collisions["c001"] == [" C001", "C001", "c001"])
        #expect(collisions["123"] == ["00123", "123"])
        #expect(collisions["0"] == ["0", "00"])
        let jose = try #require(report.collisions.first { Array($0.key.utf8) == Array("jos\u{E9}".utf8) })
        #expect(jose.rawValues.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) } == [Array("Jose\u{301}".utf8), Array("Jos\u{E9}".utf8)].sorted { $0.lexicographicallyPrecedes($1) })
        #expect(report.collisionCount == 4)
    }

    @Test func collisionsAcrossTablesAreFound() throws {
        var keys = KeySpace(normalization: KeyNormalization(caseFolding: true))
        _ = try keys.encode(try Table(["id": try .string(["abc"])]), column: "id")
        let (_, report) = try keys.encode(try Table(["id": try .string(["ABC"])]), column: "id")
        #expect(report.collisions == [KeyCollision(key: "abc", rawValues: ["ABC", "abc"])])
    }

    @Test func withoutNormalisationNothingChanges() throws {
        var keys = KeySpace()
        let (codes, report) = try keys.encode(try Table(["id": try .string([" a", "a", "A"])]), column: "id")
        #expect(Set(codes.codes).count == 3 && report.changed == 0 && report.collisionCount == 0)
    }

    @Test func integerIDsAndSlices() throws {
        var keys = KeySpace()
        let table = try Table(["id": .int64([7, 8, nil, 7])])
        let (codes, _) = try keys.encode(table.slice(1..<4), column: "id")
        #expect((0..<3).map { codes[$0] } == [0, nil, 1])
        #expect(keys.key(1) == "7")
        // The same IDs stored one byte a value (a read with a small declared range) encode alike.
        var small = KeySpace()
        let narrow = try Table(columns: [("id", table["id"]!.storedInOneByte())])
        let (smallCodes, _) = try small.encode(narrow.slice(1..<4), column: "id")
        #expect((0..<3).map { smallCodes[$0] } == [0, nil, 1] && small.key(1) == "7")
    }

    @Test func badRequestsNameTheColumn() throws {
        var keys = KeySpace()
        let table = try Table(["customer_id": .double([1])])
        #expect(throws: KernelError.unknownColumn("customerid", suggestions: ["customer_id"])) { try keys.encode(table, column: "customerid") }
        #expect(throws: KernelError.unsupportedKind(column: "customer_id", kind: .double, reason: "customer IDs must be strings or int64")) {
            try keys.encode(table, column: "customer_id")
        }
    }

    /// Differential: codes equal a dictionary-based reference over random columns.
    @Test func matchesANaiveReference() throws {
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed))
            var keys = KeySpace()
            var reference: [String: UInt32] = [:]
            for _ in 0..<3 {
                let ids: [String?] = (0..<Int.random(in: 0...50, using: &g)).map { _ in
                    RandomValues.optional("K\(Int.random(in: 0..<20, using: &g))" + (Bool.random(using: &g) ? "00000" : "0000"), nullRate: 0.1, &g)
                }
                // Numbered when every ID has one width (K + 6 or 7 digits), plain otherwise.
                let layout = [StringLayout.plain, .dictionary, .numbered].randomElement(using: &g)!
                let (codes, _) = try keys.encode(try Table(["id": try .string(ids, layout: layout)]), column: "id")
                for (row, id) in ids.enumerated() {
                    guard let id else {
                        #expect(codes[row] == nil)
                        continue
                    }
                    let expected = reference[id] ?? UInt32(reference.count)
                    reference[id] = expected
                    #expect(codes[row] == expected, "seed \(seed)")
                }
            }
            #expect(keys.count == reference.count)
        }
    }
}

@Suite struct DenseGroupByTests {
    /// Grouping on key codes (array-indexed) gives the same numbers as grouping on the
    /// ID column (hashed), over many seeds; empty keys appear only with `allKeys`.
    @Test func denseAndHashedGroupByAgree() throws {
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed))
            let n = Int.random(in: 0...40, using: &g)
            let ids = (0..<n).map { _ in RandomValues.optional("C\(Int.random(in: 0..<6, using: &g))", nullRate: 0.1, &g) }
            let amounts = (0..<n).map { _ in RandomValues.optional(Int64.random(in: -500...500, using: &g), nullRate: 0.2, &g) }
            let table = try Table(["id": try .string(ids), "amount": .decimal(units: amounts, scale: 2)])
            var keys = KeySpace()
            _ = try keys.encode(try Table(["id": try .string(["C9"])]), column: "id")  // a key with no rows
            let (codes, _) = try keys.encode(table, column: "id")
            let aggregates: [Aggregate] = [.count(as: "n"), .sum("amount", as: "total"), .max("amount", as: "top")]
            let dense = try table.grouped(byKeyCodes: codes, aggregates: aggregates)
            #expect(dense.rowCount == keys.count)
            let hashed = try table.grouped(by: ["id"], aggregates: aggregates)
            for row in 0..<hashed.rowCount {
                guard case .string(let id) = hashed["id"]![row] else { continue }  // the null-ID group has no code
                let code = Int(keys.code(of: id)!)
                for name in ["n", "total", "top"] {
                    #expect(dense[name]![code] == hashed[name]![row], "seed \(seed) \(id) \(name)")
                }
            }
            #expect(dense["n"]![0] == .int64(0))  // C9: no rows
            #expect(dense["total"]![0] == .null)
            let present = try table.grouped(byKeyCodes: codes, allKeys: false, aggregates: aggregates)
            #expect(present.rowCount == Set(ids.compactMap { $0 }).count)
        }
    }
}

@Suite struct ParallelKeyLookupTests {
    /// Looking up a large column on several threads gives the codes, nulls,
    /// unknown count and examples of one thread.
    @Test func lookUpIsTheSameOnAnyThreadCount() throws {
        var g = SeededGenerator(seed: 99)
        var keys = KeySpace()
        _ = try keys.encode(try Table(["id": try .string((0..<5000).map { "C\($0)" })]), column: "id")
        let ids = (0..<80_000).map { _ in RandomValues.optional("C\(Int.random(in: 0..<5200, using: &g))", nullRate: 0.05, &g) }
        let table = try Table(["id": try .string(ids)])
        var one = keys, four = keys
        let (a, ra) = try one.encode(table, column: "id", unknown: .reportAsNull, options: KernelOptions(threads: 1))
        let (b, rb) = try four.encode(table, column: "id", unknown: .reportAsNull, options: KernelOptions(threads: 4))
        #expect(a == b)
        #expect(ra == rb)
        #expect(ra.unknown > 0 && ra.unknownExamples.count == 5)
        let expectedUnknown = ids.filter { $0 != nil && Int($0!.dropFirst())! >= 5000 }.count
        #expect(ra.unknown == expectedUnknown)
        for row in stride(from: 0, to: ids.count, by: 997) {
            #expect(a[row] == ids[row].flatMap { keys.code(of: $0) })
        }
    }
}

@Suite struct NumberedLookUpTests {
    /// Many numbered keys (enough that the index inserts them in slot order, in two
    /// rounds so the second meets a filled table), then numbered columns looked up
    /// against them: every code equals a dictionary reference's, unknown IDs are nulls.
    /// Numbers spread over a billion, and dense ones (below 30,000, then twice that:
    /// long runs of neighbouring slots).
    @Test func manyNumberedKeysMatchAReference() throws {
        for (seed, span) in [(0, 1_000_000_000), (1, 1_000_000_000), (2, 1_000_000_000), (3, 30_000), (4, 30_000), (5, 40_000)] {
            var g = SeededGenerator(seed: UInt64(seed))
            var keys = KeySpace()
            var reference: [String: UInt32] = [:]
            func id(_ number: Int) -> String {
                let digits = String(number)
                return "C" + String(repeating: "0", count: 9 - digits.count) + digits
            }
            for round in 0..<2 {
                var numbers = Set<Int>()
                while numbers.count < 9_000 + round * 3_000 { numbers.insert(Int.random(in: 0..<min(span * (round + 1), 1_000_000_000), using: &g)) }
                let ids = numbers.map(id).filter { reference[$0] == nil }
                let (added, _) = try keys.encode(try Table(["id": try .string(ids, layout: .numbered)]), column: "id")
                for (row, key) in ids.enumerated() {
                    reference[key] = UInt32(reference.count)
                    #expect(added[row] == reference[key])
                }
                let known = Array(reference.keys)
                let probes: [String?] = (0..<20_000).map { _ in
                    switch Int.random(in: 0..<10, using: &g) {
                    case 0: nil
                    case 1: id(Int.random(in: 0..<min(span * 3, 1_000_000_000), using: &g))  // mostly unknown
                    default: known.randomElement(using: &g)!
                    }
                }
                let (codes, report) = try keys.encode(try Table(["id": try .string(probes, layout: .numbered)]), column: "id", unknown: .reportAsNull)
                var unknown = 0
                for (row, probe) in probes.enumerated() {
                    let expected = probe.flatMap { reference[$0] }
                    if probe != nil && expected == nil { unknown += 1 }
                    #expect(codes[row] == expected, "seed \(seed) round \(round) row \(row)")
                }
                #expect(report.unknown == unknown)
                #expect(keys.count == reference.count)
            }
        }
    }

    /// A null row of a numbered column holds the placeholder number 0 and is looked up with
    /// its neighbours; it must stay null even when a key has the number 0.
    @Test func aNullRowStaysNullWhenAKeyHasNumberZero() throws {
        for threads in [1, 3] {
            let options = KernelOptions(threads: threads)
            var keys = KeySpace()
            _ = try keys.encode(try Table(["id": try .string(["C000000000", "C000000007", "C000000009"] as [String?], layout: .numbered)]), column: "id")
            // Many rows, so that the look-up runs in several partitions and groups of 16.
            let known = ["C000000000", "C000000007", "C000000009"]
            let ids: [String?] = (0..<70_000).map { (row: Int) -> String? in
                if row % 5 == 0 { return nil }
                return row % 7 == 0 ? "C000000008" : known[row % 3]
            }
            let codeOf: [String: UInt32] = ["C000000000": 0, "C000000007": 1, "C000000009": 2]
            let table = try Table(["id": try .string(ids, layout: .numbered)])
            var a = keys, b = keys, c = keys
            let (codes, report) = try a.encode(table, column: "id", unknown: .reportAsNull, options: options)
            let expected: [UInt32?] = ids.map { id in id.flatMap { codeOf[$0] } }
            #expect((0..<table.rowCount).map { codes[$0] } == expected, "\(threads) threads")
            #expect(report.nulls == ids.filter { $0 == nil }.count)
            #expect(report.unknown == ids.filter { $0 == "C000000008" }.count)
            let (indexes, indexReport) = try b.lookUpIndexes(table, column: "id", options: options)
            #expect(indexes == expected.map { $0.map { Int32($0) } ?? -1 }, "\(threads) threads")
            #expect(indexReport == report)
            // Adding: the unknown ID becomes a key, the nulls stay null.
            let (added, _) = try c.encode(table, column: "id", options: options)
            var withNew = codeOf
            withNew["C000000008"] = 3
            let expectedAdded: [UInt32?] = ids.map { id in id.flatMap { withNew[$0] } }
            #expect((0..<table.rowCount).map { added[$0] } == expectedAdded)
        }
    }

    /// The fusion's look-up (codes as Int32, -1 for null or unknown) agrees with
    /// `encode(…, unknown: .reportAsNull)` on every layout, on slices, with and
    /// without normalisation, on one thread and several.
    @Test func indexesAgreeWithEncode() throws {
        for seed in 0..<100 {
            var g = SeededGenerator(seed: UInt64(seed))
            var keys = KeySpace(normalization: seed % 3 == 0 ? KeyNormalization(trimWhitespace: true, caseFolding: true) : .none)
            let known = (0..<Int.random(in: 0...30, using: &g)).map { "K\(100_000 + $0 * 7)" }
            _ = try keys.encode(try Table(["id": try .string(known, layout: .numbered)]), column: "id")
            let ids: [String?] = (0..<Int.random(in: 0...60, using: &g)).map { _ in
                RandomValues.optional("K\(100_000 + Int.random(in: 0..<250, using: &g))", nullRate: 0.15, &g)
            }
            let layout = [StringLayout.plain, .dictionary, .numbered].randomElement(using: &g)!
            var table = try Table(["id": try .string(ids, layout: layout)])
            if table.rowCount > 2 { table = table.slice(1..<table.rowCount - 1) }
            let options = KernelOptions(threads: Int.random(in: 1...3, using: &g))
            var a = keys, b = keys
            let (codes, expectedReport) = try a.encode(table, column: "id", unknown: .reportAsNull, options: options)
            let (indexes, report) = try b.lookUpIndexes(table, column: "id", options: options)
            #expect(indexes == (0..<table.rowCount).map { codes[$0].map { Int32($0) } ?? -1 }, "seed \(seed) \(layout)")
            #expect(report == expectedReport, "seed \(seed) \(layout)")
            #expect(b.count == known.count)
        }
    }

    /// IDs added from numbered columns (by number, text not hashed until needed) give the
    /// codes and reports of the same IDs added as text (sorted new IDs included), and every way of asking for a code
    /// afterwards (code(of:), lookUp of rows, look-ups and adds of text columns) sees them.
    @Test func numberedAddsAgreeWithTextAdds() throws {
        for seed in 0..<150 {
            var g = SeededGenerator(seed: UInt64(seed))
            var byNumber = KeySpace(), byText = KeySpace()
            func ids(_ n: Int) -> [String?] {
                (0..<n).map { _ in RandomValues.optional("C\(100_000 + Int.random(in: 0..<40, using: &g) * 37)", nullRate: 0.1, &g) }
            }
            for round in 0..<4 {
                var values = ids(Int.random(in: 0...50, using: &g))
                if round < 2 && seed % 2 == 0 {
                    // Distinct IDs in increasing order, no nulls: in round 0 all new (a master table
                    // sorted by its ID, whose codes follow its rows), in round 1 some known already.
                    values = Set(values.compactMap { $0 }).sorted().map { Optional($0) }
                }
                // Mostly numbered on one side; now and then a text column on both, which hashes the pending keys.
                let layout: StringLayout = round == 2 && Bool.random(using: &g) ? .plain : .numbered
                var numbered = try Table(["id": try .string(values, layout: layout)])
                var text = try Table(["id": try .string(values, layout: .plain)])
                if numbered.rowCount > 3 {
                    numbered = numbered.slice(1..<numbered.rowCount - 1)
                    text = text.slice(1..<text.rowCount - 1)
                }
                if layout == .numbered && values.contains(where: { $0 != nil }) {
                    guard case .numberedString = numbered["id"]!.storage else { Issue.record("not numbered"); return }
                }
                let (a, ra) = try byNumber.encode(numbered, column: "id", options: KernelOptions(threads: 1 + seed % 3))
                let (b, rb) = try byText.encode(text, column: "id")
                #expect(a == b, "seed \(seed) round \(round)")
                #expect(ra == rb, "seed \(seed) round \(round)")
                #expect(byNumber.count == byText.count)
                // Asking for codes, as text, before anything hashes the keys added by number.
                for probe in ids(10).compactMap({ $0 }) {
                    #expect(byNumber.code(of: probe) == byText.code(of: probe), "seed \(seed) \(probe)")
                }
                let probes = try Column.string(ids(12) + ["X1", "C100000 "])
                let rows = Array(0..<probes.count)
                #expect(try byNumber.lookUp(probes, rows: rows, name: "id") == byText.lookUp(probes, rows: rows, name: "id"))
                #expect((0..<byNumber.count).allSatisfy { byNumber.key(UInt32($0)) == byText.key(UInt32($0)) })
            }
            // A text column looked up, then one added: both see every key.
            let last = try Table(["id": try .string(ids(30) + ["C999999"], layout: .plain)])
            var lookedUp = byNumber
            #expect(try lookedUp.encode(last, column: "id", unknown: .reportAsNull) == byText.encode(last, column: "id", unknown: .reportAsNull))
            #expect(try byNumber.encode(last, column: "id").0 == byText.encode(last, column: "id").0)
            #expect(byNumber.count == byText.count)
        }
    }
}

/// The index of numbered keys kept as one increasing run (a guess of each number's place,
/// then a short walk) against a dictionary, and after a later add turns it into table slots.
@Suite struct RankedIndexTests {
    @Test func anIncreasingRunLooksUpLikeADictionary() {
        for seed in 0..<60 {
            var g = SeededGenerator(seed: UInt64(seed))
            // Numbers one per stretch of equal width (as IDs handed out in order with gaps: kept as a
            // run), clustered ones (too far from a straight line: the table), or uniformly random ones.
            let count = Int.random(in: 1...3_000, using: &g)
            var numbers = Set<UInt32>()
            switch seed % 3 {
            case 0:
                let step = UInt32.random(in: 1...300_000, using: &g)
                for k in 0..<UInt32(count) { numbers.insert(1 + k * step + UInt32.random(in: 0..<step, using: &g)) }
            case 1:
                while numbers.count < count { numbers.insert((Bool.random(using: &g) ? 900_000_000 : 1) + UInt32.random(in: 0..<5_000, using: &g)) }
            default:
                while numbers.count < count { numbers.insert(UInt32.random(in: 1..<999_999_999, using: &g)) }
            }
            let sorted = numbers.sorted()
            let firstCode = UInt32.random(in: 0...10, using: &g)
            var index = NumberedKeyIndex(pattern: IDPattern(prefix: "C", digits: 9))
            index.addIncreasing(sorted[...], firstCode: firstCode, upTo: Int(firstCode) + sorted.count)
            if seed % 3 == 0 { #expect(index.isRanked, "seed \(seed)") }
            if seed % 3 == 1 && count > 100 { #expect(!index.isRanked, "seed \(seed)") }
            var reference: [UInt32: UInt32] = [:]
            for (place, number) in sorted.enumerated() { reference[number] = firstCode + UInt32(place) }
            func check(_ stage: String) {
                var probes = (0..<500).map { _ in sorted.randomElement(using: &g)! }
                probes += (0..<500).map { _ in UInt32.random(in: 0...999_999_999, using: &g) }  // mostly unknown
                probes += [0, 999_999_999, sorted.first! - 1, sorted.last! + 1, sorted.first!, sorted.last!]
                for number in probes {
                    #expect(index.code(of: Int64(number)) == reference[number], "seed \(seed) \(stage) \(number)")
                }
                var out = [UInt32](repeating: 0, count: 16)
                for start in stride(from: 0, to: probes.count, by: 16) {
                    let batch = Array(probes[start..<min(start + 16, probes.count)])
                    batch.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { index.codes(of: b.baseAddress!, count: b.count, into: $0.baseAddress!) } }
                    for (k, number) in batch.enumerated() { #expect(out[k] == reference[number] ?? .max, "seed \(seed) \(stage) \(number)") }
                }
            }
            check("run")
            // A later add: the run becomes table slots, and every key is still found.
            let extra = (0..<Int.random(in: 1...50, using: &g)).map { _ in UInt32.random(in: 0...999_999_999, using: &g) }.filter { reference[$0] == nil }
            let next = Int(firstCode) + sorted.count
            let unique = Array(Set(extra))
            index.add(unique.enumerated().map { NumberedKeyIndex.entry($0.element, code: UInt32(next + $0.offset)) }, upTo: next + unique.count)
            for (k, number) in unique.enumerated() { reference[number] = UInt32(next + k) }
            #expect(!index.isRanked)
            check("after an add")
        }
    }
}

@Suite struct RadixSortTests {
    /// Sorting by the high half equals a stable sort on it, for values whose digits differ in
    /// every pass, in one pass only, and not at all.
    @Test func matchesAStableSort() {
        for seed in 0..<60 {
            var g = SeededGenerator(seed: UInt64(seed))
            let n = Int.random(in: 0...3_000, using: &g)
            let highs: UInt64 = [1 << 32, 1 << 11, 1, 50][seed % 4]
            var values = (0..<n).map { i in UInt64.random(in: 0..<highs, using: &g) << 32 | UInt64(i) }
            if seed % 5 == 0 { values.reverse() }
            let expected = values.enumerated().sorted { ($0.element >> 32, $0.offset) < ($1.element >> 32, $1.offset) }.map(\.element)
            RadixSort.sortByHighHalf(&values)
            #expect(values == expected, "seed \(seed)")
        }
    }
}
