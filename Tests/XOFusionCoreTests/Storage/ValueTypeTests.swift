import Foundation
import Testing
@testable import XOFusionCore

@Suite struct ColumnKindTests {
    @Test(arguments: [
        ColumnKind.int64, .double, .bool, .decimal(scale: 0), .decimal(scale: 2), .decimal(scale: 18),
        .timestamp, .date, .string,
    ])
    func nameRoundTrips(kind: ColumnKind) {
        #expect(ColumnKind(name: kind.description) == kind)
    }

    @Test(arguments: ["decimal(19)", "decimal(-1)", "decimal()", "decimal", "int", "Int64", "", "string "])
    func badNamesAreRejected(name: String) {
        #expect(ColumnKind(name: name) == nil)
    }

    @Test func decimalNameHasScale() {
        #expect(ColumnKind.decimal(scale: 2).description == "decimal(2)")
    }
}

@Suite struct ScaledDecimalTests {
    @Test func parsesExactly() throws {
        let d = try #require(ScaledDecimal("18.50"))
        #expect(d.units == 1850 && d.scale == 2)
        #expect(ScaledDecimal("-0.857") == ScaledDecimal(units: -857, scale: 3))
        #expect(ScaledDecimal("42")?.scale == 0)
        #expect(ScaledDecimal("+7.0")?.units == 70)
        #expect(ScaledDecimal(".5") == ScaledDecimal(units: 5, scale: 1))
    }

    @Test(arguments: ["", "-", ".", "1.2.3", "1e5", "12a", "99999999999999999999", "0.0000000000000000001", " 1"])
    func rejectsNonDecimals(text: String) {
        #expect(ScaledDecimal(text) == nil)
    }

    @Test func formatsWithScaleDigits() {
        #expect(ScaledDecimal(units: 1850, scale: 2).description == "18.50")
        #expect(ScaledDecimal(units: -5, scale: 3).description == "-0.005")
        #expect(ScaledDecimal(units: 42, scale: 0).description == "42")
        #expect(ScaledDecimal(units: .min, scale: 0).description == "-9223372036854775808")
    }

    @Test func equalityAndHashAreNumeric() {
        let a = ScaledDecimal(units: 15, scale: 1), b = ScaledDecimal(units: 150, scale: 2)
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(ScaledDecimal(units: 149, scale: 2) < a)
        #expect(ScaledDecimal(units: .max, scale: 0) > ScaledDecimal(units: .max, scale: 18))
    }

    @Test func rescalesOnlyWithoutLoss() {
        let d = ScaledDecimal(units: 1850, scale: 2)
        #expect(d.rescaled(to: 4)?.units == 185_000)
        #expect(d.rescaled(to: 1)?.units == 185)
        #expect(d.rescaled(to: 0) == nil)  // 18.5 is not whole
        #expect(ScaledDecimal(units: .max / 2, scale: 0).rescaled(to: 1) == nil)  // overflow
    }

    @Test func convertsToFoundationDecimalExactly() {
        #expect(ScaledDecimal(units: -1850, scale: 2).decimalValue == Decimal(string: "-18.5"))
    }
}

@Suite struct CalendarTests {
    /// Differential: our civil-date arithmetic against Foundation's Gregorian calendar.
    @Test func civilDatesAgreeWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var g = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let days = Int.random(in: -135_000...200_000, using: &g)  // Foundation turns Julian before 1582
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let ours = CivilDate.civil(fromDays: days)
            #expect(ours.year == parts.year && ours.month == parts.month && ours.day == parts.day, "day \(days)")
            #expect(CivilDate.days(year: ours.year, month: ours.month, day: ours.day) == days)
        }
    }

    /// The table-free day count against the general (era) formula and a naive month length,
    /// at the first and last day of every month of years 1 to 9999, and back through civil(fromDays:).
    @Test func dayCountsAgreeWithTheGeneralFormulaForEveryMonth() {
        for year in 1...9999 {
            for month in 1...12 {
                let naiveLength = month == 2 ? (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28) : [4, 6, 9, 11].contains(month) ? 30 : 31
                #expect(CivilDate.daysInMonth(year: year, month: month) == naiveLength, "\(year)-\(month)")
                for day in [1, naiveLength] {
                    let days = CivilDate.days(year: year, month: month, day: day)
                    #expect(days == CivilDate.days(generalYear: year, month: month, day: day), "\(year)-\(month)-\(day)")
                    let back = CivilDate.civil(fromDays: days)
                    #expect(back.year == year && back.month == month && back.day == day, "\(year)-\(month)-\(day)")
                }
            }
        }
    }

    @Test func invalidDatesAreNil() {
        #expect(CivilDate(year: 2025, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2025, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 2025, month: 4, day: 31) == nil)
    }

    @Test func epochAndKnownDays() {
        #expect(CivilDate(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(CivilDate(year: 2025, month: 3, day: 1)?.daysSinceEpoch == 20148)
        #expect(CivilDate(year: 1969, month: 12, day: 31)?.description == "1969-12-31")
    }

    @Test func timestampsFormatAndParse() throws {
        let t = try #require(Timestamp(year: 2025, month: 3, day: 1, hour: 12, minute: 30, second: 5))
        #expect(t.description == "2025-03-01T12:30:05Z")
        #expect(t.microsecondsSinceEpoch == 1_740_832_205_000_000)
        #expect(Timestamp("2025-03-01T12:30:05Z") == t)
        #expect(Timestamp("2025-03-01 14:30:05+02:00") == t)
        #expect(Timestamp("2025-03-01T07:30:05-0500") == t)
        #expect(Timestamp("2025-03-01T13:30:05+01") == t)
        #expect(Timestamp("2025-03-01T12:30:05.25Z")?.microsecondsSinceEpoch == t.microsecondsSinceEpoch + 250_000)
        #expect(Timestamp("2025-03-01T12:30:05.123456789Z")?.microsecondsSinceEpoch == t.microsecondsSinceEpoch + 123_456)
        #expect(Timestamp(microsecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999999Z")
    }

    @Test(arguments: [
        "2025-02-29T00:00:00Z", "2025-03-01T24:00:00Z", "2025-03-01T12:60:00Z", "2025-03-01",
        "2025-03-01T12:00:00.Z", "2025-03-01T12:00:00ZZ", "2025-03-01X12:00:00", "2025-03-01T12:00:00+2",
        "2025-3-01T12:00:00Z", "2025-03-01T12:00:00.1234567890Z", "",
    ])
    func badTimestampsAreNil(text: String) {
        #expect(Timestamp(text) == nil)
    }

    @Test func naiveTimestampsTakeTheGivenOffset() throws {
        var text = "2025-03-01 12:00:00"
        let parsed = try #require(text.withUTF8 { TemporalParsing.parseDateTime($0) })
        #expect(parsed.offsetSeconds == nil)
        #expect(parsed.instant(naiveOffsetSeconds: 3600).description == "2025-03-01T11:00:00Z")
    }

    @Test func timestampsRoundTripThroughText() {
        var g = SeededGenerator(seed: 11)
        for _ in 0..<1000 {
            let t = RandomValues.timestamp(&g)
            let text: String = t.description
            let parsed: Timestamp? = Timestamp(text)
            #expect(parsed == t, "\(t.microsecondsSinceEpoch)")
        }
    }

    @Test func foundationDatesConvert() {
        let t = Timestamp(microsecondsSinceEpoch: 1_740_832_205_123_456)
        #expect(Timestamp(t.date) == t)
    }
}

@Suite struct ValidityBitmapTests {
    @Test func countsMatchANaiveCountOverRandomRanges() {
        var g = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let bits = (0..<Int.random(in: 0...300, using: &g)).map { _ in Bool.random(using: &g) }
            let bitmap = ValidityBitmap(bits)
            #expect(bitmap.count == bits.count)
            let a = Int.random(in: 0...bits.count, using: &g), b = Int.random(in: 0...bits.count, using: &g)
            let range = min(a, b)..<max(a, b)
            #expect(bitmap.countSetBits(in: range) == bits[range].filter { $0 }.count)
            #expect(bitmap.extracting(range) == ValidityBitmap(bits[range]))
        }
    }

    @Test func allValidBitmapsEqualAppendedOnes() {
        for n in [0, 1, 63, 64, 65, 128, 130] {
            #expect(ValidityBitmap(repeating: true, count: n) == ValidityBitmap(Array(repeating: true, count: n)))
        }
    }
}

@Suite struct ValueCodableTests {
    struct Record: Codable, Equatable { var at: Timestamp; var day: CivilDate; var amount: ScaledDecimal }

    @Test func valuesEncodeAsTheirTextInJSON() throws {
        let record = Record(at: Timestamp("2025-03-01T12:00:00.5Z")!, day: CivilDate("2024-02-29")!, amount: ScaledDecimal("18.50")!)
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(json.contains(#""at":"2025-03-01T12:00:00.500000Z""#))
        #expect(json.contains(#""day":"2024-02-29""#))
        #expect(json.contains(#""amount":"18.50""#))
        #expect(try JSONDecoder().decode(Record.self, from: Data(json.utf8)) == record)
    }

    @Test func badTextIsADecodingErrorNamingWhatWasExpected() {
        let json = #"{"at":"yesterday","day":"2024-02-29","amount":"1"}"#
        #expect {
            try JSONDecoder().decode(Record.self, from: Data(json.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription == "not an ISO 8601 timestamp: yesterday"
        }
    }
}

/// The `YYYY-MM-DDTHH:MM:SSZ` fast path against the general ISO 8601 parser.
@Suite struct TimestampFastPathTests {
    static func parse(_ text: String) -> TemporalParsing.DateTime? {
        var text = text
        return text.withUTF8 { TemporalParsing.parseDateTime($0) }
    }

    /// Differential over random texts, valid and not (month 13, 31 April, 29 February of a
    /// common year, hour 24, a wrong separator, a non-digit): the `Z` form (fast path) and
    /// the `+00:00` form (general path) agree on every one.
    @Test func agreesWithTheGeneralParser() {
        var g = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            func two(_ range: ClosedRange<Int>) -> String { String(format: "%02d", Int.random(in: range, using: &g)) }
            var chars = Array(String(format: "%04d", Int.random(in: 0...9999, using: &g)) + "-" + two(0...13) + "-" + two(0...32)
                + (Bool.random(using: &g) ? "T" : " ") + two(0...24) + ":" + two(0...60) + ":" + two(0...60))
            if Int.random(in: 0..<10, using: &g) == 0 {
                chars[Int.random(in: 0..<chars.count, using: &g)] = ["x", "/", ":", "-", " ", "T", "9"].randomElement(using: &g)!
            }
            let text = String(chars)
            let fast = Self.parse(text + "Z"), general = Self.parse(text + "+00:00")
            #expect(fast?.instant() == general?.instant(), "\(text)")
            #expect((fast == nil) == (general == nil), "\(text)")
        }
        #expect(Self.parse("2024-02-29T23:59:59Z")?.instant() == Timestamp(microsecondsSinceEpoch: 1_709_251_199_000_000))
        #expect(Self.parse("2023-02-29T00:00:00Z") == nil)
        #expect(Self.parse("1970-01-01 00:00:00Z")?.instant() == Timestamp(microsecondsSinceEpoch: 0))
    }

    /// The time of day read as one word against a byte-by-byte reference, over random bytes
    /// around the digits: the colons, other separators, bytes just outside the digits, and
    /// bytes that differ from a digit or a colon only in their high bit.
    @Test func timeOfDayAgreesWithAByteByByteReference() {
        var g = SeededGenerator(seed: 31)
        let alphabet: [UInt8] = Array("0123456789:/T ".utf8) + [0x00, 0x2F, 0x3B, 0x80, 0xB0, 0xB9, 0xBA, 0xFF]
        func reference(_ b: [UInt8]) -> Int64? {
            func digit(_ i: Int) -> Int? { b[i] >= 0x30 && b[i] <= 0x39 ? Int(b[i] - 0x30) : nil }
            guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
                let h1 = digit(11), let h2 = digit(12), let m1 = digit(14), let m2 = digit(15), let s1 = digit(17), let s2 = digit(18)
            else { return nil }
            let hour = h1 * 10 + h2, minute = m1 * 10 + m2, second = s1 * 10 + s2
            guard hour < 24, minute < 60, second < 60 else { return nil }
            return Int64(hour * 3600 + minute * 60 + second) * 1_000_000
        }
        var valid = 0
        for trial in 0..<200_000 {
            var bytes = Array("2024-05-06T".utf8) + Array(String(format: "%02d:%02d:%02d", trial % 25, (trial / 25) % 61, (trial / 7) % 61).utf8) + [UInt8(ascii: "Z")]
            for _ in 0..<(trial % 4) { bytes[Int.random(in: 10...18, using: &g)] = alphabet.randomElement(using: &g)! }
            let answer = bytes.withUnsafeBufferPointer { TemporalParsing.timeOfDay($0.baseAddress!) }
            #expect(answer == reference(bytes), "\(bytes)")
            if answer != nil { valid += 1 }
        }
        #expect(valid > 50_000 && valid < 190_000, "\(valid)")
    }

    /// The reader's parser remembers the last date it read. Over runs of texts on one date (valid
    /// or not: 31 April, hour 24, minute 60, a wrong separator or a non-digit anywhere, NUL bytes),
    /// it gives what the general parser gives for each text alone.
    @Test func theDateRememberedByTheReaderChangesNoAnswer() {
        var g = SeededGenerator(seed: 23)
        var parser = TimestampParser(rule: .utc)
        func read(_ text: String) -> Timestamp? {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { parser.parse($0.baseAddress!, $0.count) }
        }
        var hits = 0, rejected = 0
        #expect(read(String(repeating: "\0", count: 10) + "T12:00:00Z") == nil)
        for _ in 0..<3_000 {
            func two(_ range: ClosedRange<Int>) -> String { String(format: "%02d", Int.random(in: range, using: &g)) }
            let date = String(format: "%04d", Int.random(in: 1999...2001, using: &g)) + "-" + two(1...13) + "-" + two(1...31)
            for _ in 0..<Int.random(in: 1...8, using: &g) {
                var chars = Array(date + (Bool.random(using: &g) ? "T" : " ") + two(0...24) + ":" + two(0...60) + ":" + two(0...60))
                if Int.random(in: 0..<8, using: &g) == 0 {
                    chars[Int.random(in: 0..<chars.count, using: &g)] = ["x", "/", ":", "-", " ", "T", "9", "\0"].randomElement(using: &g)!
                }
                let text = String(chars)
                let expected = Self.parse(text + "+00:00")?.instant()
                #expect(read(text + "Z") == expected, "\(text)")
                if expected == nil { rejected += 1 } else if text.hasPrefix(date) { hits += 1 }
            }
        }
        #expect(hits > 5_000 && rejected > 2_000, "\(hits) \(rejected)")
    }

    /// The reader's own `Z` fast path: under every zone rule, a column of `…Z` values reads
    /// exactly like the same values with `+00:00`, rejects (same lines) included.
    @Test func theReaderReadsZAsUTCUnderEveryZoneRule() throws {
        var g = SeededGenerator(seed: 12)
        var texts: [String] = []
        for _ in 0..<2_000 {
            func two(_ range: ClosedRange<Int>) -> String { String(format: "%02d", Int.random(in: range, using: &g)) }
            texts.append(String(format: "%04d", Int.random(in: 1...2200, using: &g)) + "-" + two(1...13) + "-" + two(1...31) + "T" + two(0...24) + ":" + two(0...59) + ":" + two(0...59))
        }
        for rule in [TimeZoneRule.utc, .fixedOffset(seconds: 3600), .named("Europe/Berlin")] {
            var options = CSVReadOptions(policy: .collect(), schema: CSVSchema([ColumnSpec("t", .timestamp)]))
            options.defaultTimeZone = rule
            let z = try readCSV("t\n" + texts.map { $0 + "Z" }.joined(separator: "\n") + "\n", options)
            let offset = try readCSV("t\n" + texts.map { $0 + "+00:00" }.joined(separator: "\n") + "\n", options)
            #expect(z.table == offset.table, "\(rule)")
            #expect(z.rejects.map(\.line) == offset.rejects.map(\.line), "\(rule)")
            #expect(z.rejects.count > 0 && z.table.rowCount > 1_000, "both valid and invalid values")
        }
    }
}
