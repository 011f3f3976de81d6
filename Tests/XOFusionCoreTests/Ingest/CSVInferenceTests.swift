import Foundation
import Testing
@testable import XOFusionCore

@Suite struct CSVInferenceTests {
    func kinds(_ text: String, _ options: CSVReadOptions = CSVReadOptions()) throws -> [ColumnKind] {
        try readCSV(text, options).table.schema.map(\.kind)
    }

    @Test func picksTheNarrowestKindThatHoldsEveryValue() throws {
        let text = """
            int,dec,dbl,bool,date,ts,zip,mixed,empty
            1,18.50,1e3,true,2024-02-29,2025-03-01T12:00:00Z,01151,1,
            -2,3,0.5,FALSE,2025-01-01,2025-03-01 12:00:00+02:00,02139,x,
            +3,0.125,nan,false,2025-12-31,2025-03-01T12:00:00.123Z,90210,2.5,

            """
        #expect(try kinds(text) == [.int64, .decimal(scale: 3), .double, .bool, .date, .timestamp, .string, .string, .string])
    }

    @Test func leadingZerosKeepIdentifiersAsText() throws {
        let result = try readCSV("zip,n\n01151,0\n12345,0.5\n")
        #expect(Array(try result.table.string("zip")) == ["01151", "12345"])
        #expect(result.table.schema[1].kind == .decimal(scale: 1))  // a lone 0 is a number
    }

    @Test func decimalsThatOverflowAtTheCommonScaleWidenToDouble() throws {
        let result = try readCSV("x\n9223372036854775807\n0.5\n")
        #expect(result.table.schema[0].kind == .double)
        #expect(result.report.restarts == 1)
    }

    @Test func aSampledGuessWidensAndRestartsInsteadOfRejecting() throws {
        var options = CSVReadOptions()
        options.inferenceSampleRecords = 2
        let result = try readCSV("a,b\n1,x\n2,y\n3.5,z\nfour,w\n", options)
        #expect(result.table.schema[0].kind == .string)
        #expect(Array(try result.table.string("a")) == ["1", "2", "3.5", "four"])
        #expect(result.rejects.isEmpty)
        #expect(result.report.restarts >= 1)
    }

    @Test func allNullColumnsAreStrings() throws {
        let result = try readCSV("a,b\n1,\n2,\n")
        #expect(result.table.schema[1].kind == .string)
        #expect(result.report.columns[1].nulls == 2)
    }

    @Test func aQuotedEmptyStringMakesANumberColumnText() throws {
        #expect(try kinds("n\n1\n\"\"\n") == [.string])
    }

    @Test func reportNamesKindsNullsAndLayouts() throws {
        var text = "region,id\n"
        for i in 0..<100 { text += "\(["EU", "NA"][i % 2]),ID\(i)\n" }
        text += ",\n"
        let result = try readCSV(text)
        #expect(result.report.columns.map(\.kind) == [.string, .string])
        #expect(result.report.columns.map(\.layout) == [.dictionary, .plain])
        #expect(result.report.columns.map(\.nulls) == [1, 1])
        #expect(result.report.records == 101)
    }
}

@Suite struct CSVTimestampTests {
    func timestamps(_ values: [String], zone: TimeZoneRule) throws -> [String] {
        let schema = CSVSchema([ColumnSpec("at", .timestamp, timeZone: zone)])
        let result = try readCSV("at\n" + values.joined(separator: "\n") + "\n", CSVReadOptions(schema: schema))
        return Array(try result.table.timestamp("at")).map { $0!.description }
    }

    @Test func isoWithZOrOffsetTOrSpaceAndFractions() throws {
        let values = ["2025-03-01T12:00:00Z", "2025-03-01 13:00:00+01:00", "2025-03-01T07:00:00-05:00", "2025-03-01T12:00:00.5Z", "2025-03-01T12:00:00.000001Z"]
        #expect(try timestamps(values, zone: .utc) == [
            "2025-03-01T12:00:00Z", "2025-03-01T12:00:00Z", "2025-03-01T12:00:00Z", "2025-03-01T12:00:00.500000Z", "2025-03-01T12:00:00.000001Z",
        ])
    }

    @Test func naiveTimestampsInAFixedOffset() throws {
        #expect(try timestamps(["2025-03-01 12:00:00", "2025-03-01T12:00:00Z"], zone: .fixedOffset(seconds: 3600)) == ["2025-03-01T11:00:00Z", "2025-03-01T12:00:00Z"])
    }

    @Test func naiveTimestampsInANamedZoneFollowDaylightSaving() throws {
        // Europe/Berlin: CET (+1) in winter, CEST (+2) from 2025-03-30 02:00 local.
        let values = ["2025-01-15 12:00:00", "2025-07-15 12:00:00", "2025-03-30 01:30:00", "2025-03-30 02:30:00", "2025-03-30 03:30:00", "2025-10-26 02:30:00"]
        #expect(try timestamps(values, zone: .named("Europe/Berlin")) == [
            "2025-01-15T11:00:00Z", "2025-07-15T10:00:00Z", "2025-03-30T00:30:00Z",
            "2025-03-30T01:30:00Z",  // skipped by the change: the offset before it (+1)
            "2025-03-30T01:30:00Z",
            "2025-10-26T00:30:00Z",  // repeated: the offset before the change (+2)
        ])
        // The same answers through Foundation for the unambiguous times.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Berlin")!
        let july = calendar.date(from: DateComponents(year: 2025, month: 7, day: 15, hour: 12))!
        #expect(Timestamp(july).description == "2025-07-15T10:00:00Z")
    }

    @Test func datesAreNotTimestamps() throws {
        let schema = CSVSchema([ColumnSpec("at", .timestamp)])
        let result = try readCSV("at\n2025-03-01\n", CSVReadOptions(policy: .collect(), schema: schema))
        #expect(result.rejects.map(\.kind) == [.type])
    }
}

@Suite struct CSVFileTests {
    @Test func readsAMappedFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-\(UInt64.random(in: 0...UInt64.max)).csv").path
        try Data("id,amount\nC1,18.50\nC2,\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try CSVReader.read(file: path)
        #expect(result.table == (try Table(["id": try .string(["C1", "C2"]), "amount": .decimal(units: [1850, nil], scale: 2)])))
        #expect(result.report.file == path)
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: IngestError.unreadable(file: "/nonexistent/x.csv", reason: "No such file or directory")) {
            try CSVReader.read(file: "/nonexistent/x.csv")
        }
        #expect(throws: IngestError.unreadable(file: "/tmp", reason: "not a regular file")) { try CSVReader.read(file: "/tmp") }
    }
}

@Suite struct FieldParserTests {
    func decimal(_ text: String) -> FieldParsers.DecimalText? {
        var text = text
        return text.withUTF8 { FieldParsers.decimal($0.baseAddress!, $0.count) }
    }

    /// The short-text fast path and the checked path agree with ScaledDecimal's own parser.
    @Test func decimalsAgreeWithTheReferenceParser() {
        var g = SeededGenerator(seed: 5)
        for _ in 0..<5000 {
            let length = Int.random(in: 1...24, using: &g)
            let text = String((0..<length).map { _ in Array("0123456789.-+")[Int.random(in: 0..<13, using: &g)] })
            let reference = ScaledDecimal(text)
            let ours = decimal(text)
            #expect(ours.map { ScaledDecimal(units: $0.units, scale: $0.scale) } == reference && (ours == nil) == (reference == nil), "\(text)")
        }
        #expect(decimal("9223372036854775807")?.units == .max)
        #expect(decimal("9999999999999999999") == nil)
        #expect(decimal("5.") == nil)
    }

    @Test func doublesAgreeWithSwiftsParser() {
        var g = SeededGenerator(seed: 6)
        for _ in 0..<5000 {
            let value = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g))
            guard value.isFinite else { continue }
            var text = "\(value)"
            let ours = text.withUTF8 { FieldParsers.double($0.baseAddress!, $0.count) }
            #expect(ours == value, "\(text)")
        }
        for text in ["1.5", "-0.25", "1e3", "1E-2", "123456789012345678901234567890", "0.1", ".5", "5."] {
            var t = text
            #expect(t.withUTF8 { FieldParsers.double($0.baseAddress!, $0.count) } == Double(text) ?? Double(text + "0"), "\(text)")
        }
    }

    /// Differential: the one-pass reading of short decimals at a fixed scale against the
    /// general one (units and scale of the text, then rescaled), on random texts of digits,
    /// points and signs up to 18 bytes, at scales 0 to 6, with the edge cases written out.
    @Test func shortDecimalsAtAScaleAgreeWithTheGeneralReading() {
        var g = SeededGenerator(seed: 21)
        var texts = ["0", "-0", "+5", "5.", ".5", "-.5", ".", "-", "+", "", "1.234", "999999999999999999", "99999999999999999.9", "-9223372036854775808",
                     "12.3.4", "1e5", " 1", "0.000001", "123456789012.123456"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 1...18, using: &g)
            texts.append(String((0..<length).map { _ in "0123456789012345678901234567890123456789.-+x".randomElement(using: &g)! }))
        }
        for text in texts {
            for scale in 0...6 {
                var bytes = Array(text.utf8) + [0]
                let fast = bytes.withUnsafeMutableBufferPointer { FieldParsers.decimal($0.baseAddress!, $0.count - 1, scale: scale) }
                let general = bytes.withUnsafeMutableBufferPointer { FieldParsers.decimalByParts($0.baseAddress!, $0.count - 1, scale: scale) }
                #expect(fast == general, "'\(text)' at scale \(scale)")
            }
        }
        let eighteen = Array("12.5".utf8)
        #expect(eighteen.withUnsafeBufferPointer { FieldParsers.decimal($0.baseAddress!, $0.count, scale: 2) } == 1250)
    }

    /// Differential: integers (with the one- and two-digit shortcut) against Swift's own parser,
    /// on random short and long texts of digits, signs, blanks and letters.
    @Test func integersAgreeWithSwiftsParser() {
        var g = SeededGenerator(seed: 22)
        var texts = ["", "0", "9", "10", "99", "-", "+", "-5", "+5", "05", "5-", " 5", "5 ", "x", "1x", "100", "-9223372036854775808",
                     "9223372036854775807", "9223372036854775808", "-9223372036854775809", "/", ":", "/0", "0:"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...(Bool.random(using: &g) ? 3 : 21), using: &g)
            texts.append(String((0..<length).map { _ in "0123456789012345678901234567890123456789-+ x/:".randomElement(using: &g)! }))
        }
        for text in texts {
            var bytes = Array(text.utf8) + [0]
            let ours = bytes.withUnsafeMutableBufferPointer { FieldParsers.int64($0.baseAddress!, $0.count - 1) }
            #expect(ours == Int64(text), "'\(text)'")
        }
    }

    /// Differential: trimming (with its shortcut for texts that start and end with no blank)
    /// against a plain loop, with and without tabs kept.
    @Test func trimmingAgreesWithAPlainLoop() {
        var g = SeededGenerator(seed: 23)
        for _ in 0..<20_000 {
            let bytes: [UInt8] = (0..<Int.random(in: 0...6, using: &g)).map { _ in [0x20, 0x09, 0x0D, 0x00, 0x21, 0x41, 0x7F, 0xC3].randomElement(using: &g)! }
            for keepTabs in [false, true] {
                func blank(_ b: UInt8) -> Bool { b == 0x20 || (b == 0x09 && !keepTabs) }
                var start = 0, end = bytes.count
                while start < end && blank(bytes[start]) { start += 1 }
                while end > start && blank(bytes[end - 1]) { end -= 1 }
                let padded = bytes + [0]
                let (p, n) = padded.withUnsafeBufferPointer { buffer in
                    let (p, n) = FieldParsers.trimmed(buffer.baseAddress!, bytes.count, keepTabs: keepTabs)
                    return (p - buffer.baseAddress!, n)
                }
                #expect(p == start && n == end - start, "\(bytes) keepTabs \(keepTabs)")
            }
        }
    }

    /// Differential: a range check on the stored whole numbers (``UnitBounds``) says exactly what the
    /// check on doubles says, for integers and decimals at scales 0 to 6, on random ranges (fractional,
    /// empty between two integers, near the ends of Int64, infinite) and on values at and around the bounds.
    @Test func unitBoundsAgreeWithTheCheckOnDoubles() {
        var g = SeededGenerator(seed: 24)
        let ends: [Double] = [-.infinity, .infinity, -9.3e18, 9.3e18, 9.223372036854775807e18, -9.223372036854775808e18, 0, -0.0, 1, 0.5, -0.5, 10, 10.25, 1e15, 1e16]
        for _ in 0..<3000 {
            func end() -> Double {
                switch Int.random(in: 0..<3, using: &g) {
                case 0: ends.randomElement(using: &g)!
                case 1: Double(Int.random(in: -1000...1000, using: &g)) / Double([1, 2, 4, 10, 100, 1000].randomElement(using: &g)!)
                default: Double.random(in: -1e19...1e19, using: &g)
                }
            }
            let (a, b) = (end(), end())
            let range = min(a, b)...max(a, b)
            for scale in 0...6 {
                let divisor = Double(ScaledDecimal.powerOf10(scale))
                let f: (Int64) -> Double = scale == 0 ? { Double($0) } : { Double($0) / divisor }
                let bounds = UnitBounds(of: range, f)
                var values: [Int64] = [.min, .max, 0, -1, 1]
                for edge in [bounds.lowest, bounds.highest] {
                    for delta: Int64 in [-2, -1, 0, 1, 2] { values.append(edge.addingReportingOverflow(delta).partialValue) }
                }
                for _ in 0..<20 { values.append(Int64.random(in: -100_000...100_000, using: &g)) }
                for _ in 0..<5 { values.append(Int64.random(in: .min ... .max, using: &g)) }
                for v in values { #expect(bounds.contains(v) == range.contains(f(v)), "\(v) in \(range) at scale \(scale)") }
            }
        }
    }
}
