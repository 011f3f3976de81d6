import Testing
@testable import XOFusionCore

@Suite struct CSVReaderRejectTests {
    let scores = CSVSchema([
        ColumnSpec("id", .string, required: true),
        ColumnSpec("nps", .int64, allowedRange: 0...10),
        ColumnSpec("channel", .string, allowedValues: ["web", "app"]),
        ColumnSpec("amount", .decimal(scale: 2)),
        ColumnSpec("at", .timestamp),
    ])

    func options(_ policy: RejectPolicy) -> CSVReadOptions {
        CSVReadOptions(policy: policy, schema: scores)
    }

    /// One fixture with every reject kind; each line below the header is numbered in its text.
    let fixture = """
        id,nps,channel,amount,at
        A1,9,web,18.50,2025-03-01T12:00:00Z
        A2,11,web,1.00,2025-03-01T12:00:00Z
        A3,7,fax,1.00,2025-03-01T12:00:00Z
        ,7,web,1.00,2025-03-01T12:00:00Z
        A5,seven,web,1.00,2025-03-01T12:00:00Z
        A6,7,web,1.005,2025-03-01T12:00:00Z
        A7,7,web
        A8,7,"web" x,1.00,2025-03-01T12:00:00Z
        A9,0,app,,2025-03-01 12:00:00
        A10,7,\u{FF}\u{FE},1.00,2025-03-01T12:00:00Z
        A11,3,"app,"unclosed

        """

    func fixtureBytes() -> [UInt8] {
        // \u{FF}\u{FE} above became valid UTF-8 in the Swift string; put raw invalid bytes in its place.
        var bytes = Array(fixture.utf8)
        let marker = Array("\u{FF}\u{FE}".utf8)
        if let i = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }) {
            bytes.replaceSubrange(i..<(i + marker.count), with: [0xFF, 0xFE])
        }
        return bytes
    }

    @Test func collectModeKeepsEveryRejectWithItsFacts() throws {
        let result = try CSVReader.read(bytes: fixtureBytes(), name: "answers.csv", options: options(.collect()))
        #expect(result.report.records == 11)
        #expect(result.report.rows == 2)
        #expect(result.report.rejected == 9)
        #expect(Array(try result.table.string("id")) == ["A1", "A9"])
        #expect(Array(try result.table.decimal("amount")) == [ScaledDecimal("18.50"), nil])
        #expect(try result.table.timestamp("at")[1] == Timestamp("2025-03-01T12:00:00Z"))  // naive read as UTC
        let facts = result.rejects.map { "\($0.line) \($0.kind.rawValue) \($0.column ?? "-") \($0.columnIndex.map(String.init) ?? "-")" }
        #expect(facts == [
            "3 out_of_range nps 1",
            "4 out_of_range channel 2",
            "5 missing_required id 0",
            "6 type nps 1",
            "7 type amount 3",
            "8 field_count - -",
            "9 unterminated_quote - -",
            "11 invalid_utf8 channel 2",
            "12 unterminated_quote - -",
        ])
        #expect(result.rejects.allSatisfy { $0.file == "answers.csv" })
        let firstByte = "id,nps,channel,amount,at\nA1,9,web,18.50,2025-03-01T12:00:00Z\n".utf8.count
        #expect(result.rejects[0].byte == firstByte)
        #expect(result.rejects[0].text == "A2,11,web,1.00,2025-03-01T12:00:00Z")
        #expect(result.rejects[3].message == "'seven' is not an int64 (a whole number within ±9.2e18)")
        #expect(result.rejects[4].message == "'1.005' is not a decimal(2) (plain digits with at most 2 after the point)")
        #expect(result.rejects[5].message == "expected 5 fields, found 3")
    }

    @Test func strictModeThrowsAtTheFirstBadRecord() throws {
        let error = #expect(throws: IngestError.self) {
            try CSVReader.read(bytes: fixtureBytes(), name: "answers.csv", options: options(.strict))
        }
        guard case .badRecord(let reject)? = error else {
            Issue.record("expected badRecord, got \(String(describing: error))")
            return
        }
        #expect(reject.line == 3 && reject.kind == .outOfRange && reject.column == "nps" && reject.columnIndex == 1)
        #expect("\(error!)".hasPrefix("answers.csv:3 (byte 61): out_of_range in column 'nps' (index 1)"))
    }

    /// A required numbered column (IDs read as numbers) over several batches of 2,048 records,
    /// with empty IDs in some batches only, first in a batch, and before any ID sets the
    /// pattern: each empty one is rejected at its line, every other row kept, on one thread
    /// and split over three.
    @Test func emptyRequiredIDsAreRejectedInEveryBatch() throws {
        let schema = CSVSchema([ColumnSpec("id", .string, required: true, layout: .numbered), ColumnSpec("n", .int64)])
        for seed in 0..<6 {
            var g = SeededGenerator(seed: UInt64(seed))
            var text = "id,n\n", empty: [Int] = []
            for row in 0..<9_000 {
                // Empty IDs only in the second and fourth batches, and in the very first row for some seeds.
                let inSparseBatch = (2_048..<4_096).contains(row) || (6_144..<8_192).contains(row)
                if (row == 0 && seed % 2 == 0) || (inSparseBatch && Int.random(in: 0..<300, using: &g) == 0) || row == 6_144 {
                    text += ",\(row)\n"
                    empty.append(row + 2)
                } else {
                    text += "C\(String(100_000_000 + row)),\(row)\n"
                }
            }
            for threads in [1, 3] {
                var options = CSVReadOptions(policy: .collect(), schema: schema, threads: threads)
                options.minimumBytesPerThread = 1
                let result = try readCSV(text, options)
                #expect(result.rejects.map(\.line) == empty, "seed \(seed), \(threads) threads")
                #expect(result.rejects.allSatisfy { $0.kind == .missingRequired && $0.column == "id" })
                #expect(result.table.rowCount == 9_000 - empty.count)
                #expect(result.table.column(at: 0).stringLayout == .numbered && result.table.column(at: 0).nullCount == 0)
            }
        }
    }

    @Test func collectLimitThrowsPastIt() throws {
        let third = try CSVReader.read(bytes: fixtureBytes(), name: "answers.csv", options: options(.collect())).rejects[2]
        #expect(throws: IngestError.tooManyRejects(limit: 2, last: third)) {
            try CSVReader.read(bytes: fixtureBytes(), name: "answers.csv", options: options(.collect(limit: 2)))
        }
        let within = try CSVReader.read(bytes: fixtureBytes(), name: "answers.csv", options: options(.collect(limit: 9)))
        #expect(within.rejects.count == 9)
    }

    @Test func anUnterminatedQuoteDoesNotSwallowTheRest() throws {
        let text = "id,comment\n1,\"never closed\n2,fine\n3,\"ok\"\n4,also fine\n"
        let result = try readCSV(text, collecting())
        #expect(Array(try result.table.int64("id")) == [2, 3, 4])
        #expect(result.rejects.count == 1)
        #expect(result.rejects[0].kind == .unterminatedQuote && result.rejects[0].line == 2)
        #expect(result.rejects[0].text == "1,\"never closed")
        let atEnd = try readCSV("id,comment\n1,ok\n2,\"open to the end\n", collecting())
        #expect(atEnd.rejects.map(\.kind) == [.unterminatedQuote])
        #expect(atEnd.table.rowCount == 1)
    }

    @Test func rejectTextIsTruncated() throws {
        let long = String(repeating: "x", count: 500)
        let result = try readCSV("a,b\n\(long)\n", collecting())
        #expect(result.rejects[0].text == String(repeating: "x", count: 200) + "…")
    }

    @Test func unknownSchemaColumnSuggestsHeaderNames() throws {
        let options = CSVReadOptions(schema: CSVSchema([ColumnSpec("customerid", .string)]))
        #expect(throws: IngestError.schemaColumnNotFound(file: "t.csv", column: "customerid", suggestions: ["customer_id"])) {
            try readCSV("customer_id,nps\nC1,9\n", options)
        }
    }

    @Test func badOptionsAreNamed() throws {
        #expect(throws: IngestError.badOptions("nameRow must be between 1 and headerRows (2), not 3")) {
            try readCSV("a\n1\n", CSVReadOptions(headerRows: 2, nameRow: 3))
        }
        #expect(throws: IngestError.self) { try readCSV("a\n1\n", CSVReadOptions(delimiter: "\"")) }
        var zone = CSVReadOptions()
        zone.defaultTimeZone = .named("Mars/Olympus_Mons")
        #expect(throws: IngestError.badOptions("unknown time zone 'Mars/Olympus_Mons'")) { try readCSV("a\n1\n", zone) }
        let range = CSVReadOptions(schema: CSVSchema([ColumnSpec("a", .string, allowedRange: 0...1)]))
        #expect(throws: IngestError.badOptions("column 'a': an allowed range needs a numeric kind, not string")) { try readCSV("a\n1\n", range) }
    }

    @Test func headerWithUnterminatedQuoteIsABadHeader() throws {
        #expect(throws: IngestError.self) { try readCSV("a,\"b\n") }
        #expect(throws: IngestError.badHeader(file: "t.csv", reason: "the file ends after 1 of 3 header rows")) {
            try readCSV("a,b\n", CSVReadOptions(headerRows: 3))
        }
    }

    @Test func schemaRenamesAndIgnoresUnlisted() throws {
        let schema = CSVSchema([ColumnSpec("Q1", .int64, rename: "nps"), ColumnSpec("ResponseId", .string, rename: "response_id")], ignoreUnlisted: true)
        let result = try readCSV("ResponseId,Q1,Q2\nR1,9,x\n", CSVReadOptions(schema: schema))
        #expect(result.table.schema.names == ["response_id", "nps"])
        #expect(result.report.ignoredColumns == ["Q2"])
        #expect(result.report.columns.map(\.sourceName) == ["ResponseId", "Q1"])
    }

    @Test func renamesThatClashAreRefused() throws {
        let schema = CSVSchema([ColumnSpec("a", .int64, rename: "b")])
        #expect(throws: IngestError.badOptions("two columns would be named 'b' (check the schema's renames)")) {
            try readCSV("a,b\n1,2\n", CSVReadOptions(schema: schema))
        }
    }

    /// Range checks on integers and decimals compare stored whole numbers; the bounds between them
    /// (fractional, or holding no whole number at all) reject exactly what the check on numbers did.
    @Test func rangesBetweenWholeNumbersRejectExactly() throws {
        let schema = CSVSchema([
            ColumnSpec("n", .int64, allowedRange: 0.5...10.25),
            ColumnSpec("d", .decimal(scale: 2), allowedRange: -1...1),
            ColumnSpec("none", .int64, allowedRange: 0.2...0.8),
        ])
        let text = "n,d,none\n0,-1.00,\n1,-1.01,\n10,1.00,\n11,1.01,\n5,0.5,1\n"
        let result = try readCSV(text, collecting(CSVReadOptions(schema: schema)))
        #expect(result.table["n"]!.int64Values.map(Array.init) == [10])
        #expect(result.table["d"]!.decimalValues.map { Array($0.units) } == [100])
        #expect(result.rejects.map(\.line) == [2, 3, 5, 6])
        #expect(result.rejects.map(\.column) == ["n", "d", "n", "none"])
        #expect(result.rejects.allSatisfy { $0.kind == .outOfRange })
    }

    /// A timestamp whose date repeats the row before's is read from its time of day alone; a bad time
    /// of day on such a row is still rejected, and the rows after it read correctly.
    @Test func aRepeatedDateWithABadTimeIsRejected() throws {
        let schema = CSVSchema([ColumnSpec("at", .timestamp)])
        let text = "at\n2025-03-01T12:00:00Z\n2025-03-01T24:00:00Z\n2025-03-01T12:60:00Z\n2025-03-01X12:00:01Z\n2025-03-01T12:00:02Z\n2025-03-02T00:00:00Z\n"
        let result = try readCSV(text, collecting(CSVReadOptions(schema: schema)))
        let expected = [
            Timestamp(year: 2025, month: 3, day: 1, hour: 12), Timestamp(year: 2025, month: 3, day: 1, hour: 12, second: 2),
            Timestamp(year: 2025, month: 3, day: 2),
        ]
        #expect(result.table["at"]!.timestampValues.map(Array.init) == expected)
        #expect(result.rejects.map(\.line) == [3, 4, 5])
        #expect(result.rejects.allSatisfy { $0.kind == .type })
    }
}
