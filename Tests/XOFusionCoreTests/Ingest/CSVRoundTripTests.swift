import Testing
@testable import XOFusionCore

@Suite struct CSVRoundTripTests {
    /// A random table of every kind, with nulls, empty strings, quotes, delimiters, CR/LF and emoji.
    static func randomTable(seed: UInt64) throws -> Table {
        var g = SeededGenerator(seed: seed)
        let n = Int.random(in: 0...60, using: &g)
        let rate = [0.0, 0.25, 1.0].randomElement(using: &g)!
        func column<T>(_ make: (inout SeededGenerator) -> T) -> [T?] {
            (0..<n).map { _ in RandomValues.optional(make(&g), nullRate: rate, &g) }
        }
        let layout: StringLayout = Bool.random(using: &g) ? .plain : .dictionary
        return try Table([
            "i": .int64(column { Int64.random(in: .min ... .max, using: &$0) }),
            "d": .double(column { Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &$0)) }.map { $0.flatMap { $0.isNaN ? 0.5 : $0 } }),
            "b": .bool(column { Bool.random(using: &$0) }),
            "m": .decimal(units: column { Int64.random(in: -1_000_000_000...1_000_000_000, using: &$0) }, scale: 3),
            "t": .timestamp(column { RandomValues.timestamp(&$0) }),
            "day": .date(column { CivilDate(daysSinceEpoch: Int32.random(in: -700_000...2_900_000, using: &$0)) }),
            "s": try .string(column { RandomValues.string(&$0) }, layout: layout),
            "s2": try .string(column { RandomValues.string(&$0) }),
        ])
    }

    static func schema(of table: Table) -> CSVSchema {
        CSVSchema(table.schema.map { ColumnSpec($0.name, $0.kind) })
    }

    @Test func randomTablesRoundTripOverManySeeds() throws {
        for seed in 0..<300 {
            let table = try CSVRoundTripTests.randomTable(seed: UInt64(seed))
            for delimiter in [",", ";"] as [Character] {
                let text = CSVWriter.string(from: table, delimiter: delimiter)
                let result = try readCSV(text, CSVReadOptions(delimiter: delimiter, schema: CSVRoundTripTests.schema(of: table)))
                #expect(result.table == table, "seed \(seed) delimiter \(delimiter)")
            }
        }
    }

    @Test func nullAndEmptyStringStayDistinct() throws {
        let table = try Table(["s": try .string(["", nil, "x", ""])])
        let text = CSVWriter.string(from: table)
        #expect(text == "s\n\"\"\n\nx\n\"\"\n")
        let back = try readCSV(text).table
        #expect(back == table)
    }

    @Test func oneColumnNullsSurviveAsEmptyLines() throws {
        let table = try Table(["n": .int64([1, nil, nil])])
        let back = try readCSV(CSVWriter.string(from: table)).table
        #expect(back == table)
    }

    @Test func inferenceRecoversKindsFromWrittenText() throws {
        let table = try Table([
            "id": try .string(["C001", "C002"]), "zip": try .string(["01151", "02139"]),
            "n": .int64([1, -2]), "money": .decimal(units: [1850, 5], scale: 2), "x": .double([1.5e300, -0.25]),
            "ok": .bool([true, false]), "at": .timestamp([Timestamp("2025-03-01T12:00:00Z"), Timestamp("2025-03-01T12:00:00.5Z")]),
            "day": .date([CivilDate("2024-02-29"), nil]),
        ])
        let result = try readCSV(CSVWriter.string(from: table))
        #expect(result.table == table)
        #expect(result.report.columns.allSatisfy { $0.inferred })
    }
}

extension CSVRoundTripTests {
    /// Plain strings pass through a 64 KiB stage: values longer than it, and batches
    /// that fill it many times over, must come out whole and in order.
    @Test func longAndManyPlainStringsSurviveTheStage() throws {
        var g = SeededGenerator(seed: 77)
        let values: [String?] = (0..<5000).map { i in
            if i % 97 == 0 { return nil }
            if i % 1000 == 1 { return String(repeating: "é", count: 40_000) }  // 80 KB, larger than the stage
            return String(repeating: "x", count: Int.random(in: 0...40, using: &g)) + "\(i)"
        }
        let table = try Table(["s": try .string(values)])
        let schema = CSVSchema([ColumnSpec("s", .string, layout: .plain)])
        let back = try readCSV(CSVWriter.string(from: table), CSVReadOptions(schema: schema)).table
        #expect(back == table)
        #expect(back.column(at: 0).stringLayout == .plain)
    }
}
