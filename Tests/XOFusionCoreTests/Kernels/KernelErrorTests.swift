import Testing
@testable import XOFusionCore

/// Requests the kernels must refuse, with the exact typed error.
@Suite struct KernelsErrorTests {
    let table = try! Table([
        "customer_id": try! .string(["C1", "C2", "C1"]),
        "nps": .int64([9, nil, 3]),
        "amount": .decimal(units: [1850, 999, nil], scale: 2),
        "note": try! .string(["a", nil, "b"], layout: .dictionary),
        "flag": .bool([true, false, nil]),
    ])

    @Test func unknownColumnSuggestsTheNearestName() throws {
        let typo = KernelError.unknownColumn("custmer_id", suggestions: ["customer_id"])
        #expect(throws: typo) { try table.selection(where: .compare("custmer_id", .equal, .string("C1"))) }
        #expect(throws: typo) { try table.filtered(.and([.isNotNull("nps"), .isNull("custmer_id")])) }
        #expect(throws: KernelError.unknownColumn("amout", suggestions: ["amount"])) { try table.sortOrder(by: [SortKey("nps"), SortKey("amout")]) }
        #expect(throws: KernelError.unknownColumn("customer", suggestions: ["customer_id"])) {
            try table.grouped(by: ["customer"], aggregates: [.count()])
        }
        #expect(throws: KernelError.unknownColumn("NPS", suggestions: ["nps"])) {
            try table.grouped(by: ["customer_id"], aggregates: [.sum("NPS")])
        }
        #expect(throws: KernelError.unknownColumn("zzzzzzzz", suggestions: [])) {
            try table.grouped(by: ["customer_id"], aggregates: [.last("note", by: "nps", tieBreak: "zzzzzzzz")])
        }
        let error = KernelError.unknownColumn("custmer_id", suggestions: ["customer_id"])
        #expect(error.description == "no column named 'custmer_id'; did you mean 'customer_id'?")
    }

    @Test func comparingAnInt64ColumnWithAFractionIsABadValue() throws {
        let expected = KernelError.badValue(column: "nps", reason: "cannot compare int64 with 2.5: not a whole number")
        #expect(throws: expected) { try table.selection(where: .compare("nps", .greater, .double(2.5))) }
        #expect(throws: expected) { try table.selection(where: .isIn("nps", [.int64(9), .double(2.5)])) }
        #expect(throws: expected) { try table.selection(where: .not(.between("nps", .int64(1), .double(2.5)))) }
        #expect(throws: expected) { try table.slice(0..<0).selection(where: .compare("nps", .equal, .double(2.5))) }  // even with no rows
        // The same number spelled exactly is accepted.
        #expect(try table.selection(where: .compare("nps", .greater, .double(3.0))) == [0])
        #expect(try table.selection(where: .compare("nps", .equal, .decimal(ScaledDecimal(units: 300, scale: 2)))) == [2])
        // Other refusals of the same case.
        #expect(throws: KernelError.badValue(column: "amount", reason: "cannot compare decimal(2) with 0.001: more than 2 decimal places or out of range")) {
            try table.selection(where: .compare("amount", .less, .decimal(ScaledDecimal(units: 1, scale: 3))))
        }
        #expect(throws: KernelError.badValue(column: "nps", reason: "cannot compare int64 with null: compare with null using isNull or isNotNull")) {
            try table.selection(where: .compare("nps", .equal, .null))
        }
        #expect(throws: KernelError.badValue(column: "note", reason: "cannot compare string with 1: kinds differ")) {
            try table.selection(where: .compare("note", .equal, .int64(1)))
        }
    }

    @Test func sumOverAStringColumnIsAnUnsupportedKind() throws {
        #expect(throws: KernelError.unsupportedKind(column: "note", kind: .string, reason: "a sum needs int64, decimal or double")) {
            try table.grouped(by: ["customer_id"], aggregates: [.count(), .sum("note")])
        }
        #expect(throws: KernelError.unsupportedKind(column: "customer_id", kind: .string, reason: "a mean needs int64, decimal or double")) {
            try table.grouped(by: ["nps"], aggregates: [.mean("customer_id")])
        }
    }

    @Test func sortWithoutKeysIsBadKeys() throws {
        #expect(throws: KernelError.badKeys("a sort needs at least one key")) { try table.sortOrder(by: []) }
        #expect(throws: KernelError.badKeys("a sort needs at least one key")) { try Table.empty.sorted(by: []) }
        #expect(throws: KernelError.badKeys("at least one key column is needed")) { try table.grouped(by: [], aggregates: [.count()]) }
    }

    @Test func integerSumOverflowIsAnErrorButAMeanIsNot() throws {
        let big = try Table(["k": .int64([1, 1, 2]), "v": .int64([.max, 1, 5])])
        #expect(throws: KernelError.overflow(column: "v", reason: "a group's sum passes the 64-bit range")) {
            try big.grouped(by: ["k"], aggregates: [.sum("v")])
        }
        // A mean needs no 64-bit sum: (2⁶³ − 1 + 1) / 2 = 2⁶², and (−2⁶³ − 2⁶³) / 2 = −2⁶³ below.
        let means = try big.grouped(by: ["k"], aggregates: [.mean("v")]).double("mean_v")
        #expect(Array(means) == [0x1p62, 5])
        let low = try Table(["k": .int64([1, 1, 1]), "v": .decimal(units: [.min, .min, nil], scale: 2)])
        #expect(Array(try low.grouped(by: ["k"], aggregates: [.mean("v")]).double("mean_v")) == [-0x1p63 / 100])
    }
}

/// Arguments that are not columns (masks, key codes, row numbers) but do not fit
/// their table: each is a typed error naming the argument, never a trap.
@Suite struct KernelArgumentErrorTests {
    let three = try! Table(["k": try! .string(["a", "b", "a"]), "t": .timestamp([1, 2, 3].map { Timestamp(microsecondsSinceEpoch: $0) })])
    let two = try! Table(["k": try! .string(["a", "b"]), "t": .timestamp([1, 2].map { Timestamp(microsecondsSinceEpoch: $0) })])

    @Test func keyCodesOfAnotherLength() throws {
        var keys = KeySpace()
        let (threeCodes, _) = try keys.encode(three, column: "k")
        let (twoCodes, _) = try keys.encode(two, column: "k")
        #expect(throws: KernelError.badArgument(argument: "codes", reason: "3 entries for a table of 2 rows")) {
            try two.grouped(byKeyCodes: threeCodes, aggregates: [.count()])
        }
        #expect(throws: KernelError.badArgument(argument: "leftCodes", reason: "2 entries for a table of 3 rows")) {
            try three.asOfMatches(with: two, leftTime: "t", rightTime: "t", leftCodes: twoCodes, rightCodes: twoCodes)
        }
        #expect(throws: KernelError.badArgument(argument: "rightCodes", reason: "3 entries for a table of 2 rows")) {
            try three.asOfMatches(with: two, leftTime: "t", rightTime: "t", leftCodes: threeCodes, rightCodes: threeCodes)
        }
        // The same calls with fitting arguments go through.
        #expect(try two.grouped(byKeyCodes: twoCodes, aggregates: [.count()]).rowCount == 2)
        #expect(try three.asOfMatches(with: two, leftTime: "t", rightTime: "t", leftCodes: threeCodes, rightCodes: twoCodes) == [0, 1, 0])
    }

    @Test func masksAndRowsOfAnotherSize() throws {
        var keys = KeySpace()
        let (codes, _) = try keys.encode(three, column: "k")
        #expect(throws: KernelError.badArgument(argument: "mask", reason: "2 entries for a table of 3 rows")) {
            try codes.keeping(ValidityBitmap([true, false]))
        }
        #expect(throws: KernelError.badArgument(argument: "rows", reason: "row 3 is outside 0..<3")) { try codes.keeping(rows: [0, 3]) }
        #expect(throws: KernelError.badArgument(argument: "rows", reason: "row -1 is outside 0..<3")) { try codes.keeping(rows: [-1]) }
        #expect(try codes.keeping(rows: [2]).nullCount == 2)
        #expect(throws: KernelError.badArgument(argument: "among", reason: "4 entries for a table of 3 rows")) {
            try three.rowMask("k", isIn: two, column: "k", among: ValidityBitmap(repeating: true, count: 4))
        }
        #expect(throws: KernelError.badArgument(argument: "rows", reason: "row 2 is outside 0..<2")) { try two.gathered(checkedRows: [1, 2, 0]) }
        #expect(try two.gathered(checkedRows: [1, 1, 0]) == two.gathered(rows: [1, 1, 0]))
        let error = KernelError.badArgument(argument: "mask", reason: "2 entries for a table of 3 rows")
        #expect(error.description == "argument 'mask': 2 entries for a table of 3 rows")
    }
}
