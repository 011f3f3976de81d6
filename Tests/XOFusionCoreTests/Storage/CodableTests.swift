import Foundation
import Testing
@testable import XOFusionCore

@Suite struct CodableTests {
    enum Channel: String, Codable { case web, app, email }

    struct Answer: Codable, Equatable {
        var customer: String
        var nps: Int?
        var sentiment: Double
        var promoter: Bool?
        var channel: Channel
        var at: Date
        var day: CivilDate?
        var amount: ScaledDecimal?
        var comment: String?
    }

    func answers() -> [Answer] {
        let t = Timestamp("2025-03-01T12:00:00Z")!.date
        return [
            Answer(customer: "C1", nps: 9, sentiment: 0.5, promoter: true, channel: .web, at: t, day: CivilDate("2025-03-01"), amount: ScaledDecimal("18.50"), comment: "Très bien 👍"),
            Answer(customer: "C2", nps: nil, sentiment: -1, promoter: nil, channel: .app, at: t.addingTimeInterval(60), day: nil, amount: nil, comment: ""),
            Answer(customer: "C3", nps: 0, sentiment: 0, promoter: false, channel: .email, at: t.addingTimeInterval(0.25), day: CivilDate("2024-02-29"), amount: ScaledDecimal("7.5"), comment: nil),
        ]
    }

    @Test func roundTripWithOptionals() throws {
        let table = try Table(rows: answers())
        #expect(table.schema.names == ["customer", "nps", "sentiment", "promoter", "channel", "at", "day", "amount", "comment"])
        #expect(table.schema.map(\.kind) == [.string, .int64, .double, .bool, .string, .timestamp, .date, .decimal(scale: 2), .string])
        #expect(Array(try table.int64("nps")) == [9, nil, 0])
        #expect(Array(try table.string("comment")) == ["Très bien 👍", "", nil])  // "" and nil stay distinct
        #expect(Array(try table.decimal("amount")) == [ScaledDecimal("18.50"), nil, ScaledDecimal("7.50")])
        #expect(try table.rows(as: Answer.self) == answers())
    }

    @Test func propertiesNilInEveryRowAreKept() throws {
        struct Row: Codable { var a: Int; var b: Double?; var c: Channel? }
        let rows = [Row(a: 1, b: nil, c: nil), Row(a: 2, b: nil, c: nil)]
        let table = try Table(rows: rows)  // the Decodable probe finds b and c and their kinds
        #expect(table.schema.names == ["a", "b", "c"])
        #expect(table.schema.map(\.kind) == [.int64, .double, .string])
        #expect(table.columns.map { $0.nullCount } == [0, 2, 2])
        #expect(try table.rows(as: Row.self).map(\.a) == [1, 2])
    }

    @Test func encodableOnlyRowsNeedASchemaForAllNilColumns() throws {
        struct Row: Encodable { var a: Int; var b: Double? }
        let rows = [Row(a: 1, b: nil), Row(a: 2, b: 0.5)]
        #expect(try Table(rows: rows).schema.names == ["a", "b"])
        let table = try Table(rows: [Row(a: 1, b: nil)], schema: try Schema([.init("a", .int64), .init("b", .double)]))
        #expect(table.column(at: 1).nullCount == 1)
    }

    @Test func undecidableAllNilColumnsAreNamed() throws {
        struct Opaque: Codable { var x: Int; var y: Int }
        struct Row: Codable { var a: Int; var o: Opaque? }
        #expect(throws: TableError.cannotInferKind(column: "o")) { try Table(rows: [Row(a: 1, o: nil)]) }
    }

    @Test func schemaConvertsExactlyOrNamesTheColumn() throws {
        struct Row: Codable { var price: Int; var label: String }
        let schema = try Schema([.init("price", .decimal(scale: 2)), .init("label", .string)])
        let table = try Table(rows: [Row(price: 3, label: "x")], schema: schema, stringLayout: .dictionary)
        #expect(try table.decimal("price")[0] == ScaledDecimal("3.00"))
        #expect(table.column(at: 1).stringLayout == .dictionary)
        let wrong = try Schema([.init("price", .bool), .init("label", .string)])
        #expect(throws: TableError.kindMismatch(column: "price", expected: "bool", actual: .int64)) {
            try Table(rows: [Row(price: 3, label: "x")], schema: wrong)
        }
    }

    @Test func nestedTypesAreRefusedByName() throws {
        struct Address: Codable { var city: String }
        struct WithStruct: Codable { var id: Int; var address: Address }
        struct WithArray: Codable { var id: Int; var tags: [String] }
        #expect(throws: TableError.unsupportedType(column: "address", type: "nested keyed container", reason: "a column holds one value per row, not a nested structure")) {
            try Table(rows: [WithStruct(id: 1, address: Address(city: "Oslo"))])
        }
        #expect(throws: TableError.unsupportedType(column: "tags", type: "unkeyed container", reason: "a column holds one value per row, not an array")) {
            try Table(rows: [WithArray(id: 1, tags: ["a"])])
        }
        #expect(throws: TableError.self) { try Table(rows: [1, 2, 3]) }
    }

    @Test func integersOutOfRangeAreErrorsNotTraps() throws {
        struct Big: Codable { var n: UInt64 }
        #expect(throws: TableError.valueNotRepresentable(column: "n", row: 1, reason: "18446744073709551615 does not fit in int64")) {
            try Table(rows: [Big(n: 1), Big(n: .max)])
        }
        struct Small: Codable { var n: Int8 }
        let table = try Table(["n": .int64([1, 300])])
        #expect(throws: TableError.valueNotRepresentable(column: "n", row: 1, reason: "300 does not fit in Int8")) {
            try table.rows(as: Small.self)
        }
    }

    @Test func decodingMismatchesNameTheColumn() throws {
        struct Row: Codable { var customer_id: String; var nps: Int }
        let missing = try Table(["customer": try .string(["C1"]), "nps": .int64([1])])
        #expect(throws: TableError.unknownColumn("customer_id", suggestions: ["customer"])) { try missing.rows(as: Row.self) }
        let nulls = try Table(["customer_id": try .string(["C1", "C2"]), "nps": .int64([1, nil])])
        #expect(throws: TableError.unexpectedNull(column: "nps", row: 1)) { try nulls.rows(as: Row.self) }
        let wrongKind = try Table(["customer_id": try .string(["C1"]), "nps": .double([1.5])])
        #expect(throws: TableError.kindMismatch(column: "nps", expected: "int64", actual: .double)) { try wrongKind.rows(as: Row.self) }
        struct Nested: Codable { var nps: [Int] }
        #expect(throws: TableError.self) { try nulls.rows(as: Nested.self) }
    }

    @Test func missingOptionalColumnsDecodeAsNil() throws {
        struct Row: Codable, Equatable { var id: Int; var note: String? }
        let table = try Table(["id": .int64([1, 2])])
        #expect(try table.rows(as: Row.self) == [Row(id: 1, note: nil), Row(id: 2, note: nil)])
    }

    @Test func numbersWidenWhenDecoding() throws {
        struct Row: Codable { var x: Double; var money: Decimal; var whole: Int }
        let table = try Table(["x": .int64([2]), "money": .decimal(units: [1850], scale: 2), "whole": .decimal(units: [300], scale: 2)])
        let row = try #require(try table.rows(as: Row.self).first)
        #expect(row.x == 2 && row.money == Decimal(string: "18.5") && row.whole == 3)
    }

    @Test func mixedIntegerAndDecimalValuesWiden() throws {
        #expect(try Table.inferKind(of: [.int64(1), .decimal(ScaledDecimal("2.5")!), .null], column: "a") == .decimal(scale: 1))
        #expect(try Table.inferKind(of: [.decimal(ScaledDecimal("2.5")!), .double(1)], column: "a") == .double)
        #expect(throws: TableError.mixedKinds(column: "a", first: .int64, conflicting: .string, row: 1)) {
            try Table.inferKind(of: [.int64(1), .string("x")], column: "a")
        }
    }

    /// Over many seeds: random rows → table → rows are unchanged.
    @Test func randomRowsRoundTrip() throws {
        struct Row: Codable, Equatable { var i: Int64?; var d: Double?; var s: String?; var t: Timestamp?; var day: CivilDate?; var b: Bool? }
        let schema = try Schema([.init("i", .int64), .init("d", .double), .init("s", .string), .init("t", .timestamp), .init("day", .date), .init("b", .bool)])
        for seed in 0..<200 {
            var g = SeededGenerator(seed: UInt64(seed))
            let rate = [0.0, 0.2, 1.0].randomElement(using: &g)!
            let rows = (0..<Int.random(in: 0...40, using: &g)).map { _ in
                Row(
                    i: RandomValues.optional(Int64.random(in: .min ... .max, using: &g), nullRate: rate, &g),
                    d: RandomValues.optional(Double.random(in: -1e6...1e6, using: &g), nullRate: rate, &g),
                    s: RandomValues.optional(RandomValues.string(&g), nullRate: rate, &g),
                    t: RandomValues.optional(RandomValues.timestamp(&g), nullRate: rate, &g),
                    day: RandomValues.optional(RandomValues.date(&g), nullRate: rate, &g),
                    b: RandomValues.optional(Bool.random(using: &g), nullRate: rate, &g))
            }
            let table = try Table(rows: rows, schema: schema)
            #expect(table.rowCount == rows.count)
            #expect(try table.rows(as: Row.self) == rows, "seed \(seed)")
        }
    }
}
