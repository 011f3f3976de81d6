import Testing
@testable import XOFusionCore

/// Joins on key columns of every kind against a nested-loop reference that
/// builds the whole expected table: merged key columns, suffixed names and the
/// indicator included.
@Suite struct JoinDifferentialTests {
    /// The expected output of one join, cell by cell, written from the
    /// documentation of ``Table/joined(with:on:kind:options:)`` with loops.
    static func reference(
        _ a: KernelRandomTable, _ b: (names: [String], cells: [[CellValue]], rowCount: Int),
        pairs: [(left: String, right: String)], kind: JoinKind, options: JoinOptions
    ) -> (names: [String], cells: [[CellValue]]) {
        let leftNames = KernelRandomTable.names
        func key(_ cells: [[CellValue]], _ names: [String], _ columns: [String], _ row: Int) -> [KernelRef.Key] {
            columns.map { KernelRef.Key(cells[names.firstIndex(of: $0)!][row]) }
        }
        func matches(_ l: Int, _ r: Int) -> Bool {
            let x = key(a.cells, leftNames, pairs.map(\.left), l), y = key(b.cells, b.names, pairs.map(\.right), r)
            return x == y && (options.nullsMatch || !x.contains(.null))
        }
        var rows: [(left: Int?, right: Int?)] = []
        switch kind {
        case .inner, .left, .full:
            for l in 0..<a.rowCount {
                let found = (0..<b.rowCount).filter { matches(l, $0) }
                if found.isEmpty && kind != .inner { rows.append((l, nil)) }
                for r in found { rows.append((l, r)) }
            }
            if kind == .full {
                for r in 0..<b.rowCount where !(0..<a.rowCount).contains(where: { matches($0, r) }) { rows.append((nil, r)) }
            }
        case .right:
            for r in 0..<b.rowCount {
                let found = (0..<a.rowCount).filter { matches($0, r) }
                if found.isEmpty { rows.append((nil, r)) }
                for l in found { rows.append((l, r)) }
            }
        case .semi, .anti:
            for l in 0..<a.rowCount where (0..<b.rowCount).contains(where: { matches(l, $0) }) == (kind == .semi) { rows.append((l, 0)) }
        }
        var names: [String] = [], cells: [[CellValue]] = []
        let shared = Set(pairs.filter { $0.left == $0.right }.map(\.left))
        let semiOrAnti = kind == .semi || kind == .anti
        for (c, name) in leftNames.enumerated() {
            let clash = !semiOrAnti && b.names.contains(name) && !shared.contains(name)
            names.append(clash ? name + options.leftSuffix : name)
            let rightColumn = shared.contains(name) ? b.names.firstIndex(of: name) : nil
            cells.append(rows.map { row in
                if let l = row.left { return a.cells[c][l] }
                if let rightColumn, let r = row.right { return b.cells[rightColumn][r] }  // the merged key
                return .null
            })
        }
        if !semiOrAnti {
            for (c, name) in b.names.enumerated() where !shared.contains(name) {
                names.append(leftNames.contains(name) ? name + options.rightSuffix : name)
                cells.append(rows.map { row in row.right.map { b.cells[c][$0] } ?? .null })
            }
        }
        if let indicator = options.indicator {
            names.append(indicator)
            cells.append(rows.map { row in
                .string(kind == .semi ? "both" : kind == .anti ? "left_only" : row.left == nil ? "right_only" : row.right == nil ? "left_only" : "both")
            })
        }
        return (names, cells)
    }

    /// Random key pairs of every kind (int64, double with NaN and -0.0, decimal,
    /// text in three layouts, timestamp, date, bool), one to three of them, whose
    /// right column often has another name or another text layout; every join
    /// kind, with and without null matching, indicator and custom suffixes.
    @Test func everyKeyKindMatchesANestedLoop() throws {
        var log = MismatchLog()
        var matchedKeys: [String: Int] = [:]  // left key column → joins where some pair matched
        var nanMatches = 0, signedZeroMatches = 0
        for seed in 0..<240 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 51_500)
            let a = try KernelRandomTable(&g, maxRows: 24), other = try KernelRandomTable(&g, maxRows: 24)
            // The right side renames some columns (`d` → `d2`), so that key pairs of two names occur.
            var renamed = Set(KernelRandomTable.names.filter { _ in Int.random(in: 0..<3, using: &g) == 0 })
            // One seed in four joins on the doubles `d` = `d2` first, so that NaN and signed zeros meet often.
            let doublesFirst = seed % 4 == 0
            if doublesFirst { renamed.insert("d") }
            let rightNames = KernelRandomTable.names.map { renamed.contains($0) ? $0 + "2" : $0 }
            let right = try Table(columns: zip(rightNames, other.table.columns).map { ($0, $1) })
            let b = (names: rightNames, cells: other.cells, rowCount: other.rowCount)
            var pairs: [(left: String, right: String)] = []
            var lefts = Array(KernelRandomTable.names.shuffled(using: &g).prefix(Int.random(in: 1...3, using: &g)))
            if doublesFirst { lefts = ["d"] + lefts.filter { $0 != "d" }.prefix(Int.random(in: 0...1, using: &g)) }
            for left in lefts {
                // A right column of the same kind: the same column (maybe renamed), or for text another layout.
                let candidates = KernelRandomTable.spec.indices.filter { KernelRandomTable.spec[$0].kind == a.kind(left) }
                let own = candidates.first { KernelRandomTable.spec[$0].name == left }!
                pairs.append((left, rightNames[Int.random(in: 0..<3, using: &g) == 0 && !doublesFirst ? candidates.randomElement(using: &g)! : own]))
            }
            let nullsMatch = Int.random(in: 0..<4, using: &g) == 0
            let indicator: String? = Bool.random(using: &g) ? "_merge" : nil
            let suffixes = Bool.random(using: &g) ? ("_left", "_right") : ("_x", "_y")
            let options = JoinOptions(indicator: indicator, nullsMatch: nullsMatch, leftSuffix: suffixes.0, rightSuffix: suffixes.1)
            for kind in JoinKind.allCases {
                let expected = Self.reference(a, b, pairs: pairs, kind: kind, options: options)
                let got = try a.table.joined(with: right, on: pairs, kind: kind, options: options)
                let what = "\(kind) on \(pairs) nullsMatch \(nullsMatch)"
                guard got.schema.names == expected.names else {
                    log.add(seed: seed, "\(what): names \(got.schema.names), expected \(expected.names)")
                    continue
                }
                let rows = expected.cells.first?.count ?? 0
                guard got.rowCount == rows else {
                    log.add(seed: seed, "\(what): \(got.rowCount) rows, expected \(rows)")
                    continue
                }
                for (c, column) in got.columns.enumerated() {
                    for row in 0..<rows where !KernelRef.same(column[row], expected.cells[c][row]) {
                        log.add(seed: seed, "\(what): \(expected.names[c])[\(row)] = \(column[row]), expected \(expected.cells[c][row])")
                    }
                }
                guard kind == .inner, rows > 0 else { continue }
                for pair in pairs { matchedKeys[pair.left, default: 0] += 1 }
                // Which double keys met, where the right one has a column of its own (`d2`): NaN with NaN, -0.0 with 0.0.
                if pairs.contains(where: { $0 == (left: "d", right: "d2") }), let l = got["d"], let r = got["d2"] {
                    for row in 0..<rows {
                        guard case .double(let x) = l[row], case .double(let y) = r[row] else { continue }
                        if x.isNaN && y.isNaN { nanMatches += 1 }
                        if x == 0 && y == 0 && x.sign != y.sign { signedZeroMatches += 1 }
                    }
                }
            }
        }
        log.check("joins on every key kind against a nested loop")
        // The seeds reach every key column with rows that matched, and the awkward doubles.
        #expect(Set(matchedKeys.keys) == Set(KernelRandomTable.names), "\(matchedKeys)")
        #expect(nanMatches > 0 && signedZeroMatches > 0, "NaN matches \(nanMatches), -0.0/0.0 matches \(signedZeroMatches)")
    }

    /// Double keys by hand: -0.0 meets 0.0, NaN meets NaN, null meets nothing
    /// unless asked; the merged key keeps the left value, or the right one.
    @Test func doubleKeyEqualityByHand() throws {
        let left = try Table(["x": .double([.nan, -0.0, 1, nil]), "l": .int64([0, 1, 2, 3])])
        let right = try Table(["x": .double([0.0, .nan, nil, 5]), "r": .int64([10, 11, 12, 13])])
        let inner = try left.joined(with: right, on: ["x"])
        #expect(Array(try inner.int64("l")) == [0, 1])
        #expect(Array(try inner.int64("r")) == [11, 10])
        let full = try left.joined(with: right, on: ["x"], kind: .full)
        let x = try full.double("x")
        #expect(x[0]!.isNaN && x[1] == 0 && x[1]!.sign == .minus && x[2] == 1 && x[3] == nil && x[4] == nil && x[5] == 5)
        #expect(Array(try full.int64("r")) == [11, 10, nil, nil, 12, 13])
        #expect(try left.joined(with: right, on: ["x"], options: JoinOptions(nullsMatch: true)).rowCount == 3)
    }
}

/// Validation, indicator and names, computed by hand.
@Suite struct JoinValidationAndNamesTests {
    /// Six keys repeat on the left; the error names the first five in order of first appearance, with their counts.
    @Test func validationCutsAtFiveInOrderOfFirstAppearance() throws {
        let left = try Table(["k": .int64([7, 7, 3, 3, 3, 9, 1, 1, 5, 5, 5, 5, 2, 2, 8, 8, 4]), "v": .int64(Array(0..<17))])
        let right = try Table(["k": .int64([1, 2, 3, 4, 5, 6, 7, 8, 9]), "w": .int64(Array(0..<9))])
        let firstFive: [KernelError.KeyCount] = [.init(key: "7", count: 2), .init(key: "3", count: 3), .init(key: "1", count: 2), .init(key: "5", count: 4), .init(key: "2", count: 2)]
        // The right side is unique: one-to-one fails on the left side.
        #expect(throws: KernelError.validationFailed(rule: "one-to-one", side: "left", offending: firstFive)) {
            try left.joined(with: right, on: ["k"], options: JoinOptions(validate: .oneToOne))
        }
        #expect(throws: KernelError.validationFailed(rule: "one-to-many", side: "left", offending: firstFive)) {
            try left.joined(with: right, on: ["k"], options: JoinOptions(validate: .oneToMany))
        }
        #expect(try left.joined(with: right, on: ["k"], options: JoinOptions(validate: .manyToOne)).rowCount == 17)
        // Swapped: the same keys now repeat on the right.
        #expect(throws: KernelError.validationFailed(rule: "many-to-one", side: "right", offending: firstFive)) {
            try right.joined(with: left, on: ["k"], options: JoinOptions(validate: .manyToOne))
        }
        let error = KernelError.validationFailed(rule: "one-to-one", side: "left", offending: Array(firstFive.prefix(2)))
        #expect(error.description == "join is not one-to-one: keys repeat on the left side: 7 (2 rows), 3 (3 rows)")
    }

    /// Several offenders of different counts on the right; a null key never offends;
    /// when both sides repeat, one-to-one reports the right side.
    @Test func severalOffendersWithDifferentCounts() throws {
        let left = try Table(["k": try .string(["a", "b", "c", "c"])])
        let right = try Table(["k": try .string(["d", "d", "d", "b", nil, nil, "e", "e", "a"], layout: .dictionary)])
        #expect(throws: KernelError.validationFailed(rule: "many-to-one", side: "right", offending: [.init(key: "d", count: 3), .init(key: "e", count: 2)])) {
            try left.joined(with: right, on: ["k"], options: JoinOptions(validate: .manyToOne))
        }
        #expect(throws: KernelError.validationFailed(rule: "one-to-one", side: "right", offending: [.init(key: "d", count: 3), .init(key: "e", count: 2)])) {
            try left.joined(with: right, on: ["k"], options: JoinOptions(validate: .oneToOne))
        }
        #expect(throws: KernelError.validationFailed(rule: "one-to-many", side: "left", offending: [.init(key: "c", count: 2)])) {
            try left.joined(with: right, on: ["k"], options: JoinOptions(validate: .oneToMany))
        }
    }

    @Test func indicatorOnSemiAndAntiJoins() throws {
        let left = try Table(["id": .int64([1, 2, 3, nil]), "l": try .string(["a", "b", "c", "d"])])
        let right = try Table(["id": .int64([2, 2, 4, nil])])
        let semi = try left.joined(with: right, on: ["id"], kind: .semi, options: JoinOptions(indicator: "_m"))
        #expect(semi.schema.names == ["id", "l", "_m"])
        #expect(Array(try semi.string("l")) == ["b"])
        #expect(Array(try semi.string("_m")) == ["both"])
        let anti = try left.joined(with: right, on: ["id"], kind: .anti, options: JoinOptions(indicator: "_m"))
        #expect(Array(try anti.string("l")) == ["a", "c", "d"])
        #expect(Array(try anti.string("_m")) == ["left_only", "left_only", "left_only"])
        // With null keys matching, the null row has a partner.
        let nulls = try left.joined(with: right, on: ["id"], kind: .semi, options: JoinOptions(indicator: "_m", nullsMatch: true))
        #expect(Array(try nulls.string("l")) == ["b", "d"])
    }

    @Test func customSuffixesAndClashesThatRemain() throws {
        let left = try Table(["k": .int64([1, 2]), "v": .int64([1, 2]), "w": .int64([5, 6])])
        let right = try Table(["key": .int64([2, 3]), "v": .int64([20, 30]), "w": .int64([7, 8]), "k": .int64([9, 9])])
        let joined = try left.joined(with: right, on: [(left: "k", right: "key")], kind: .left, options: JoinOptions(leftSuffix: ".a", rightSuffix: ".b"))
        // `k` is a key on the left only: the right's own `k` column clashes with it like any other.
        #expect(joined.schema.names == ["k.a", "v.a", "w.a", "key", "v.b", "w.b", "k.b"])
        #expect(Array(try joined.int64("v.b")) == [nil, 20])
        // A suffixed name that meets an existing column is refused with the names, not renamed again.
        let crowded = try Table(["k": .int64([1]), "v": .int64([1]), "v_right": .int64([2])])
        let plain = try Table(["k": .int64([1]), "v": .int64([3])])
        #expect(throws: KernelError.badKeys("the joined columns' names clash (duplicate column name 'v_right'); choose other suffixes")) {
            try crowded.joined(with: plain, on: ["k"])
        }
        #expect(try crowded.joined(with: plain, on: ["k"], options: JoinOptions(rightSuffix: "_r")).schema.names == ["k", "v_left", "v_right", "v_r"])
        // So is an indicator named like a column.
        #expect(throws: KernelError.badKeys("the joined columns' names clash (duplicate column name 'v'); choose other suffixes")) {
            try left.joined(with: right, on: [(left: "k", right: "key")], options: JoinOptions(indicator: "v", leftSuffix: "", rightSuffix: "_r"))
        }
    }
}

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

/// The as-of join against a brute force: several `by` keys, all-null columns, dates and timestamps.
@Suite struct AsOfDifferentialTests {
    struct Side {
        var table: Table
        var k1: [Int64?], k2: [String?]
        /// Times in microseconds (dates at midnight).
        var t: [Int64?]
    }

    /// Keys and times with nulls at a random rate per column, sometimes every
    /// row (sometimes as a column built of nulls); times are dates or timestamps
    /// on half-day steps, so that the two kinds tie.
    static func side(_ n: Int, keyName: String, _ g: inout SeededGenerator) throws -> Side {
        let perDay = Timestamp.microsecondsPerDay
        var rates = (0..<3).map { _ in [0.0, 0.0, 0.1, 0.3].randomElement(using: &g)! }
        if n > 0 && Int.random(in: 0..<6, using: &g) == 0 { rates[Int.random(in: 0..<3, using: &g)] = 1.0 }
        let k1 = (0..<n).map { _ in RandomValues.optional(Int64.random(in: 0..<3, using: &g), nullRate: rates[0], &g) }
        let k2 = (0..<n).map { _ in RandomValues.optional(["x", "y"].randomElement(using: &g)!, nullRate: rates[1], &g) }
        let units = (0..<n).map { _ in RandomValues.optional(Int64.random(in: 0..<16, using: &g), nullRate: rates[2], &g) }
        let asDates = Bool.random(using: &g)
        func built(_ rate: Double, _ kind: ColumnKind, _ column: Column) -> Column {
            rate == 1.0 && Bool.random(using: &g) ? .nulls(of: kind, count: n) : column
        }
        let time = built(rates[2], asDates ? .date : .timestamp, asDates
            ? .date(units.map { $0.map { CivilDate(daysSinceEpoch: Int32($0)) } })
            : .timestamp(units.map { $0.map { Timestamp(microsecondsSinceEpoch: $0 * perDay / 2) } }))
        let table = try Table(columns: [
            ("k1", built(rates[0], .int64, .int64(k1))), (keyName, built(rates[1], .string, try .string(k2, layout: .dictionary))),
            ("t", time), ("row", .int64((0..<n).map { Int64($0) })),
        ])
        return Side(table: table, k1: k1, k2: k2, t: units.map { $0.map { asDates ? $0 * perDay : $0 * perDay / 2 } })
    }

    @Test func severalKeysAndAllNullColumnsMatchABruteForce() throws {
        var log = MismatchLog()
        var matched = 0, allNullSides = 0
        let perDay = Timestamp.microsecondsPerDay
        for seed in 0..<240 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 9_100)
            let left = try Self.side(Int.random(in: 0...14, using: &g), keyName: "k2", &g)
            let right = try Self.side(Int.random(in: 0...14, using: &g), keyName: "key2", &g)
            if [left, right].contains(where: { s in s.table.rowCount > 0 && (s.k1.allSatisfy { $0 == nil } || s.k2.allSatisfy { $0 == nil } || s.t.allSatisfy { $0 == nil }) }) {
                allNullSides += 1
            }
            let (useK1, useK2) = [(false, false), (true, false), (false, true), (true, true), (true, true)].randomElement(using: &g)!
            var by: [(left: String, right: String)] = []
            if useK1 { by.append((left: "k1", right: "k1")) }
            if useK2 { by.append((left: "k2", right: "key2")) }
            let direction = [AsOfDirection.backward, .forward, .nearest].randomElement(using: &g)!
            let exact = Bool.random(using: &g)
            let tolerance: Int64? = Bool.random(using: &g) ? Int64.random(in: 0...4, using: &g) * perDay / 2 : nil
            let options = AsOfOptions(direction: direction, toleranceMicroseconds: tolerance, allowExactMatches: exact)
            var expected: [Int64?] = []
            for l in 0..<left.table.rowCount {
                func sameKeys(_ r: Int) -> Bool {
                    guard right.t[r] != nil else { return false }
                    if useK1 { guard let a = left.k1[l], let b = right.k1[r], a == b else { return false } }
                    if useK2 { guard let a = left.k2[l], let b = right.k2[r], a == b else { return false } }
                    return true
                }
                guard let lt = left.t[l] else { expected.append(nil); continue }
                let candidates = (0..<right.table.rowCount).filter(sameKeys).map { (row: $0, t: right.t[$0]!) }
                expected.append(KernelRef.asOfPick(candidates, leftTime: lt, options: options).map { Int64($0) })
            }
            let joined = try left.table.asOfJoined(with: right.table, leftTime: "t", rightTime: "t", by: by, options: options)
            let got = Array(try joined.int64("row_right"))
            if got != expected { log.add(seed: seed, "by \(by) \(direction) exact \(exact) tolerance \(String(describing: tolerance)): \(got), expected \(expected)") }
            let leftRows = Array(try joined.int64("row_left"))
            if leftRows != (0..<left.table.rowCount).map({ Int64($0) }) {
                log.add(seed: seed, "the left rows are not kept in order")
            }
            matched += expected.filter { $0 != nil }.count
        }
        log.check("as-of join with several keys and all-null columns against a brute force")
        #expect(matched > 200 && allNullSides > 20, "matched \(matched), sides with an all-null column \(allNullSides)")
    }

    @Test func keysOfDifferentKindsAreRefused() throws {
        let left = try Table(["k": .int64([1]), "c": try .string(["1"]), "t": .timestamp([Timestamp(microsecondsSinceEpoch: 1)])])
        let right = try Table(["k": try .string(["1"]), "c": try .string(["1"]), "t": .timestamp([Timestamp(microsecondsSinceEpoch: 0)])])
        #expect(throws: KernelError.keyKindMismatch(left: "k", leftKind: .int64, right: "k", rightKind: .string)) {
            try left.asOfJoined(with: right, leftTime: "t", rightTime: "t", by: [(left: "c", right: "c"), (left: "k", right: "k")])
        }
        #expect(throws: KernelError.keyKindMismatch(left: "t", leftKind: .timestamp, right: "c", rightKind: .string)) {
            try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", by: [(left: "t", right: "c")])
        }
        #expect(try left.asOfMatches(with: right, leftTime: "t", rightTime: "t", by: [(left: "c", right: "c")]) == [0])
    }
}
