import Testing
@testable import XOFusionCore

/// `selection(where:)` and `filtered(_:)` against a row-at-a-time evaluation in
/// SQL three-valued logic, over random tables and random predicate trees.
@Suite struct KernelsFilterTests {
    /// What the reference says a predicate gives: selected rows, or the column
    /// of the first literal (depth-first) that does not fit its column.
    enum Outcome: Equatable {
        case rows([Int])
        case badValue(column: String)
        /// Any other error (never expected).
        case failed(String)
    }

    /// What a filter gives: its rows, its refusal of a literal, or another error.
    static func outcome(_ rows: () throws -> [Int]) -> Outcome {
        do { return .rows(try rows()) } catch {
            guard let error = error as? KernelError, case .badValue(let column, _) = error else { return .failed("\(error)") }
            return .badValue(column: column)
        }
    }

    // MARK: Reference

    /// Truth of `predicate` at each row: true, false, or nil (unknown). Evaluated
    /// node by node; each comparison row by row on cells.
    static func truths(_ predicate: Predicate, _ data: KernelRandomTable) -> [Bool?] {
        let n = data.rowCount
        func rowwise(_ terms: [[Bool?]], _ combine: ([Bool?]) -> Bool?) -> [Bool?] {
            (0..<n).map { row in combine(terms.map { $0[row] }) }
        }
        switch predicate {
        case .isNull(let name):
            return data.cells(name).map { $0.isNull }
        case .isNotNull(let name):
            return data.cells(name).map { !$0.isNull }
        case .compare(let name, let op, let literal):
            let value = KernelRef.coerce(literal, to: data.kind(name))!
            return data.cells(name).map { cell -> Bool? in
                if cell.isNull { return nil }  // comparison with null: unknown
                let c = KernelRef.compare(cell, value)
                switch op {
                case .equal: return c == 0
                case .notEqual: return c != 0
                case .less: return c < 0
                case .lessOrEqual: return c <= 0
                case .greater: return c > 0
                case .greaterOrEqual: return c >= 0
                }
            }
        case .isIn(let name, let values):
            // x IN (a, b, …) is x = a OR x = b OR … (and an empty OR is false).
            return rowwise(values.map { truths(.compare(name, .equal, $0), data) }, or3)
        case .between(let name, let low, let high):
            return rowwise([truths(.compare(name, .greaterOrEqual, low), data), truths(.compare(name, .lessOrEqual, high), data)], and3)
        case .and(let terms):
            return rowwise(terms.map { truths($0, data) }, and3)
        case .or(let terms):
            return rowwise(terms.map { truths($0, data) }, or3)
        case .not(let term):
            return truths(term, data).map { $0.map { !$0 } }  // not unknown is unknown
        }
    }

    static func and3(_ values: [Bool?]) -> Bool? {
        if values.contains(false) { return false }
        if values.contains(nil) { return nil }
        return true
    }

    static func or3(_ values: [Bool?]) -> Bool? {
        if values.contains(true) { return true }
        if values.contains(nil) { return nil }
        return false
    }

    /// The column of the first literal, depth-first, that cannot be converted to its column's kind.
    static func firstBadLiteral(_ predicate: Predicate, _ data: KernelRandomTable) -> String? {
        switch predicate {
        case .isNull, .isNotNull: return nil
        case .compare(let name, _, let v): return KernelRef.coerce(v, to: data.kind(name)) == nil ? name : nil
        case .isIn(let name, let values): return values.contains { KernelRef.coerce($0, to: data.kind(name)) == nil } ? name : nil
        case .between(let name, let low, let high):
            return KernelRef.coerce(low, to: data.kind(name)) == nil || KernelRef.coerce(high, to: data.kind(name)) == nil ? name : nil
        case .and(let terms), .or(let terms):
            for term in terms { if let bad = firstBadLiteral(term, data) { return bad } }
            return nil
        case .not(let term): return firstBadLiteral(term, data)
        }
    }

    static func reference(_ predicate: Predicate, _ data: KernelRandomTable) -> Outcome {
        if let bad = firstBadLiteral(predicate, data) { return .badValue(column: bad) }
        let t = truths(predicate, data)
        return .rows((0..<data.rowCount).filter { t[$0] == true })
    }

    // MARK: Random predicates

    /// A literal for column `name`: often a value present in the column, sometimes
    /// spelled as another kind that converts exactly, rarely one that must be refused.
    static func literal(_ name: String, _ data: KernelRandomTable, _ g: inout SeededGenerator) -> CellValue {
        let kind = data.kind(name)
        if Int.random(in: 0..<100, using: &g) < 3 { return badLiteral(kind, &g) }
        let present = data.cells(name).filter { !$0.isNull }
        var v = !present.isEmpty && Bool.random(using: &g) ? present.randomElement(using: &g)! : KernelRandomTable.value(kind, &g)
        if Int.random(in: 0..<4, using: &g) == 0 {
            // Another spelling of the same number.
            switch v {
            case .int64(let x): v = Bool.random(using: &g) ? .double(Double(x)) : .decimal(ScaledDecimal(units: x * 100, scale: 2))
            case .decimal(let d):
                v = d.units % 100 == 0 && Bool.random(using: &g) ? .int64(d.units / 100) : .decimal(ScaledDecimal(units: d.units * 10, scale: 3))
            case .double(let x):
                if x.isFinite, x == x.rounded() { v = .int64(Int64(x)) }
                else if x.isFinite, (x * 100) == (x * 100).rounded(), abs(x) < 1e6 { v = .decimal(ScaledDecimal(units: Int64(x * 100), scale: 2)) }
            default: break
            }
        }
        return v
    }

    static func badLiteral(_ kind: ColumnKind, _ g: inout SeededGenerator) -> CellValue {
        if Int.random(in: 0..<5, using: &g) == 0 { return .null }
        switch kind {
        case .int64: return Bool.random(using: &g) ? .double(2.5) : .decimal(ScaledDecimal(units: 15, scale: 1))
        case .decimal: return Bool.random(using: &g) ? .decimal(ScaledDecimal(units: 1, scale: 3)) : .double(1)
        case .double: return Bool.random(using: &g) ? .string("1") : .bool(true)
        case .string: return .int64(1)
        case .timestamp: return .date(CivilDate(daysSinceEpoch: 0))
        case .date: return .timestamp(Timestamp(microsecondsSinceEpoch: 0))
        case .bool: return .int64(1)
        }
    }

    static let operators: [Predicate.Comparison] = [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual]

    /// A random leaf, on column `only` when it is given.
    static func leaf(_ data: KernelRandomTable, only: String? = nil, _ g: inout SeededGenerator) -> Predicate {
        let name = only ?? KernelRandomTable.names.randomElement(using: &g)!
        switch Int.random(in: 0..<10, using: &g) {
        case 0: return .isNull(name)
        case 1: return .isNotNull(name)
        case 2...5: return .compare(name, operators.randomElement(using: &g)!, literal(name, data, &g))
        case 6, 7: return .isIn(name, (0..<Int.random(in: 0...3, using: &g)).map { _ in literal(name, data, &g) })
        default: return .between(name, literal(name, data, &g), literal(name, data, &g))
        }
    }

    /// A random predicate tree, its leaves all on column `only` when it is given.
    static func predicate(_ data: KernelRandomTable, only: String? = nil, depth: Int = 0, _ g: inout SeededGenerator) -> Predicate {
        if depth >= 3 || Int.random(in: 0..<100, using: &g) < 45 { return leaf(data, only: only, &g) }
        switch Int.random(in: 0..<3, using: &g) {
        case 0: return .and((0..<Int.random(in: 0...3, using: &g)).map { _ in predicate(data, only: only, depth: depth + 1, &g) })
        case 1: return .or((0..<Int.random(in: 0...3, using: &g)).map { _ in predicate(data, only: only, depth: depth + 1, &g) })
        default: return .not(predicate(data, only: only, depth: depth + 1, &g))
        }
    }

    // MARK: Tests

    /// Random predicate trees over 300 random tables (6 predicates each).
    @Test func selectionMatchesThreeValuedReference() throws {
        var log = MismatchLog()
        var properSubsets = 0, refusals = 0, unknownRows = 0
        for seed in 0..<300 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 1_000)
            let data = try KernelRandomTable(&g)
            for _ in 0..<6 {
                let predicate = Self.predicate(data, &g)
                let expected = Self.reference(predicate, data)
                let actual = Self.outcome { try data.table.selection(where: predicate) }
                if actual != expected { log.add(seed: seed, "\(predicate)\n  expected \(expected)\n  actual   \(actual)") }
                switch expected {
                case .rows(let rows):
                    if !rows.isEmpty && rows.count < data.rowCount { properSubsets += 1 }
                    unknownRows += Self.truths(predicate, data).filter { $0 == nil }.count
                case .badValue, .failed: refusals += 1
                }
            }
        }
        log.check("selection(where:)")
        // The generator must exercise the interesting cases, or this test proves little.
        #expect(properSubsets > 500 && refusals > 20 && unknownRows > 1000, "\(properSubsets) \(refusals) \(unknownRows)")
    }

    /// Every operator on every column, one leaf at a time, and its negation:
    /// `not` must keep unknown unknown (null rows are in neither result).
    @Test func everyOperatorAndItsNegationOnEveryKind() throws {
        var log = MismatchLog()
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 2_000)
            let data = try KernelRandomTable(&g, maxRows: 25)
            for name in KernelRandomTable.names {
                var leaves: [Predicate] = [.isNull(name), .isNotNull(name)]
                for op in Self.operators { leaves.append(.compare(name, op, Self.literal(name, data, &g))) }
                leaves.append(.isIn(name, (0..<Int.random(in: 0...3, using: &g)).map { _ in Self.literal(name, data, &g) }))
                leaves.append(.between(name, Self.literal(name, data, &g), Self.literal(name, data, &g)))
                for leaf in leaves {
                    var outcomes: [Outcome] = []
                    for predicate in [leaf, .not(leaf)] {
                        let expected = Self.reference(predicate, data)
                        outcomes.append(expected)
                        let actual = Self.outcome { try data.table.selection(where: predicate) }
                        if actual != expected { log.add(seed: seed, "\(predicate): expected \(expected), actual \(actual)") }
                        // The row mask holds the same rows as the selection.
                        if case .rows(let rows) = expected {
                            let mask = try data.table.rowMask(where: predicate)
                            if mask.count != data.rowCount || (0..<data.rowCount).filter({ mask[$0] }) != rows {
                                log.add(seed: seed, "\(predicate): the row mask differs from the rows \(rows)")
                            }
                        }
                    }
                    if case .rows(let yes) = outcomes[0], case .rows(let no) = outcomes[1] {
                        // Self-check of the reference: a row is in neither result exactly
                        // when the leaf is unknown there, i.e. the value is null.
                        let neither = Set(0..<data.rowCount).subtracting(yes).subtracting(no)
                        let nulls = Set((0..<data.rowCount).filter { data.cells(name)[$0].isNull })
                        let expectNeither: Set<Int>
                        switch leaf {
                        case .isNull, .isNotNull: expectNeither = []
                        case .isIn(_, let values) where values.isEmpty: expectNeither = []
                        default: expectNeither = nulls
                        }
                        if neither != expectNeither { log.add(seed: seed, "reference self-check failed for \(leaf)") }
                    }
                }
            }
        }
        log.check("single operators")
    }

    /// `rowMask(where:)` on predicate trees over the dictionary column alone, which it answers
    /// once per distinct value and then by each row's code: the reference's rows, or its
    /// refusal. Tables of up to 300 rows (several words, a partial last one), some of them
    /// slices (codes read at an offset), with 0–100 % nulls.
    @Test func rowMaskOnADictionaryColumnMatchesReference() throws {
        var log = MismatchLog()
        var properSubsets = 0, refusals = 0, withNulls = 0
        for seed in 0..<300 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 5_000)
            let data = try KernelRandomTable(&g, maxRows: 300)
            guard case .dictionaryString = data.table["t"]!.storage else {
                log.add(seed: seed, "column t is not dictionary-encoded")
                continue
            }
            for _ in 0..<6 {
                let predicate = Self.predicate(data, only: "t", &g)
                #expect(predicate.soleColumn == "t" || predicate.soleColumn == nil)
                let expected = Self.reference(predicate, data)
                let actual = Self.outcome {
                    let mask = try data.table.rowMask(where: predicate)
                    #expect(mask.count == data.rowCount)
                    return (0..<mask.count).filter { mask[$0] }
                }
                if actual != expected { log.add(seed: seed, "\(predicate)\n  expected \(expected)\n  actual   \(actual)") }
                switch expected {
                case .rows(let rows): if !rows.isEmpty && rows.count < data.rowCount { properSubsets += 1 }
                case .badValue, .failed: refusals += 1
                }
                if data.cells("t").contains(where: \.isNull) { withNulls += 1 }
            }
        }
        log.check("rowMask(where:) on a dictionary column")
        #expect(properSubsets > 300 && refusals > 10 && withNulls > 500, "\(properSubsets) \(refusals) \(withNulls)")
    }

    /// The predicates the dictionary path answers, and those it leaves to the general one.
    @Test func soleColumnOfPredicates() {
        #expect(Predicate.compare("t", .equal, .string("a")).soleColumn == "t")
        #expect(Predicate.not(.or([.isNull("t"), .isIn("t", [])])).soleColumn == "t")
        #expect(Predicate.and([.isNull("t"), .isNull("s")]).soleColumn == nil)
        #expect(Predicate.and([]).soleColumn == nil)
        #expect(Predicate.or([.and([]), .isNull("t")]).soleColumn == nil)
    }

    /// `filtered(_:)` gives exactly the reference rows' values, column by column.
    @Test func filteredTableMatchesReferenceRows() throws {
        var log = MismatchLog()
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed) &+ 3_000)
            let data = try KernelRandomTable(&g)
            let predicate = Self.predicate(data, &g)
            guard case .rows(let rows) = Self.reference(predicate, data) else { continue }
            var columns: [(name: String, column: Column)] = []
            for (c, spec) in KernelRandomTable.spec.enumerated() {
                columns.append((spec.name, try KernelRef.column(rows.map { data.cells[c][$0] }, kind: spec.kind, layout: spec.layout)))
            }
            let expected = try Table(columns: columns)
            let actual = try data.table.filtered(predicate)
            if actual != expected { log.add(seed: seed, "\(predicate): \(actual.rowCount) rows (expected \(expected.rowCount)); columns differing: \(KernelRandomTable.names.filter { actual[$0] != expected[$0] })") }
            #expect(actual._invariantViolations().isEmpty, "seed \(seed)")
        }
        log.check("filtered(_:)")
    }

    /// The double order of the brief, spelled out: NaN equals NaN and is above
    /// every number (even +inf); -0.0 equals 0.0; text by bytes.
    @Test func doubleAndTextOrderByHand() throws {
        let table = try Table([
            "x": .double([.nan, -0.0, 0.0, .infinity, -1, nil]),
            "s": try .string(["Z", "a", "\u{E9}", "e\u{301}", "", nil], layout: .dictionary),
        ])
        #expect(try table.selection(where: .compare("x", .equal, .double(.nan))) == [0])
        #expect(try table.selection(where: .compare("x", .greater, .double(.infinity))) == [0])
        #expect(try table.selection(where: .compare("x", .equal, .double(0))) == [1, 2])
        #expect(try table.selection(where: .compare("x", .equal, .int64(0))) == [1, 2])
        #expect(try table.selection(where: .compare("x", .notEqual, .double(-0.0))) == [0, 3, 4])  // row 5 (null) is unknown
        #expect(try table.selection(where: .not(.compare("x", .less, .double(0)))) == [0, 1, 2, 3])
        // "Z" (0x5A) < "a" (0x61) < "e\u{301}" (0x65 …) < "é" (0xC3 0xA9); "" is smallest.
        #expect(try table.selection(where: .compare("s", .less, .string("a"))) == [0, 4])
        #expect(try table.selection(where: .compare("s", .equal, .string("\u{E9}"))) == [2])  // not the decomposed spelling
        #expect(try table.selection(where: .compare("s", .greater, .string("e"))) == [2, 3])
        #expect(try table.selection(where: .isIn("s", [])) == [])
        #expect(try table.selection(where: .not(.isIn("s", []))) == [0, 1, 2, 3, 4, 5])  // an empty IN is false, also for null
        #expect(try table.selection(where: .not(.isIn("s", [.string("a")]))) == [0, 2, 3, 4])
        #expect(try table.selection(where: .and([])) == [0, 1, 2, 3, 4, 5])
        #expect(try table.selection(where: .or([])) == [])
        // Unknown OR true is true; unknown AND false is false; NOT(unknown OR false) stays unknown.
        #expect(try table.selection(where: .or([.compare("x", .equal, .double(1)), .isNull("s")])) == [5])
        #expect(try table.selection(where: .not(.and([.compare("x", .equal, .double(1)), .isNotNull("x")]))) == [0, 1, 2, 3, 4, 5])
        #expect(try table.selection(where: .not(.or([.compare("x", .equal, .double(1)), .isNotNull("x")]))) == [])
    }
}
