import Testing
@testable import XOFusionCore

/// The fixed-width builders read a batch's leading plain values in a loop of their own and hand the
/// rest to the general loop at the first other field (quoted, padded, empty, bad, out of range).
/// These tests hold both to values worked out from how each field was written, across batches.
@Suite struct FixedWidthReadTests {
    /// What a generated field should read as: a value, a null, or a reject of a kind.
    enum Expected: Equatable { case value(Int64), null, reject(RejectKind) }

    /// A field of a column whose value is `v`, written plainly most of the time and otherwise in
    /// one of the forms that leave the fast loop; `bad` and `outside` are texts that fail.
    static func field(_ v: Int64, _ text: String, bad: String, outside: String?, _ g: inout SeededGenerator, plainShare: Int) -> (String, Expected) {
        let roll = Int.random(in: 0..<100, using: &g)
        if roll < plainShare { return (text, .value(v)) }
        switch roll % 6 {
        case 0: return (" " + text, .value(v))
        case 1: return (text + " ", .value(v))
        case 2: return ("\"" + text + "\"", .value(v))
        case 3: return ("", .null)
        case 4: return (bad, .reject(.type))
        default: return outside.map { ($0, .reject(.outOfRange)) } ?? (text, .value(v))
        }
    }

    @Test(arguments: [1, 2, 3])
    func valuesAndRejectsMatchHowEachFieldWasWritten(threads: Int) throws {
        let schema = CSVSchema([
            ColumnSpec("n", .int64, allowedRange: 0...10),
            ColumnSpec("amount", .decimal(scale: 2), allowedRange: 0...500),
            ColumnSpec("at", .timestamp),
        ])
        for seed in 0..<6 {
            var g = SeededGenerator(seed: UInt64(seed))
            // Long stretches of plain rows (the fast loop) and stretches with many others.
            let plainShare = seed % 2 == 0 ? 97 : 60
            let rows = Int.random(in: 1...7_000, using: &g)
            var text = "n,amount,at\n"
            var expected: [[Expected]] = []
            let midnight: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z
            for _ in 0..<rows {
                let n = Int64.random(in: 0...10, using: &g)
                let units = Int64.random(in: 0...50_000, using: &g)
                let second = Int64.random(in: 0..<86_400, using: &g)
                let cents = units % 100 < 10 ? "0\(units % 100)" : "\(units % 100)"
                func two(_ x: Int64) -> String { x < 10 ? "0\(x)" : "\(x)" }
                let time = "2024-01-01T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
                let fields = [
                    Self.field(n, "\(n)", bad: "seven", outside: "\(Int.random(in: 11...99, using: &g))", &g, plainShare: plainShare),
                    Self.field(units, "\(units / 100).\(cents)", bad: "1.005", outside: "600.00", &g, plainShare: plainShare),
                    Self.field((midnight + second) * 1_000_000, time, bad: "2024-13-01T00:00:00Z", outside: nil, &g, plainShare: plainShare),
                ]
                text += fields.map(\.0).joined(separator: ",") + "\n"
                expected.append(fields.map(\.1))
            }
            var options = CSVReadOptions(policy: .collect(), schema: schema, threads: threads)
            options.minimumBytesPerThread = 1
            let result = try CSVReader.read(string: text, options: options)
            // The first failing field of a row names its reject; the other rows are read.
            let names = ["n", "amount", "at"]
            var kept: [[Expected]] = [], rejects: [String] = []
            for (line, row) in expected.enumerated() {
                if let k = row.firstIndex(where: { if case .reject = $0 { true } else { false } }), case .reject(let kind) = row[k] {
                    rejects.append("\(line + 2) \(kind.rawValue) \(names[k])")
                } else {
                    kept.append(row)
                }
            }
            #expect(result.rejects.map { "\($0.line) \($0.kind.rawValue) \($0.column ?? "-")" } == rejects, "seed \(seed)")
            #expect(result.table.rowCount == kept.count, "seed \(seed)")
            guard result.table.rowCount == kept.count else { continue }
            let n = try result.table.int64("n"), amount = try result.table.decimal("amount"), at = try result.table.timestamp("at")
            func read(_ row: Int, _ column: Int) -> Expected {
                switch column {
                case 0: n[row].map { .value($0) } ?? .null
                case 1: amount[row].map { .value($0.units) } ?? .null
                default: at[row].map { .value($0.microsecondsSinceEpoch) } ?? .null
                }
            }
            let mismatches = kept.indices.flatMap { row in (0..<3).filter { read(row, $0) != kept[row][$0] }.map { "row \(row) column \($0)" } }
            #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(5))")
        }
    }

    /// Appending a run of equal bits is appending them one at a time, from any fill of the last word.
    @Test func appendingARunOfBitsIsAppendingThemOneByOne() {
        var g = SeededGenerator(seed: 5)
        for _ in 0..<300 {
            var bulk = ValidityBitmap(repeating: Bool.random(using: &g), count: Int.random(in: 0...130, using: &g))
            var single = bulk
            for _ in 0..<Int.random(in: 1...4, using: &g) {
                let bit = Bool.random(using: &g), n = Int.random(in: 0...200, using: &g)
                bulk.append(repeating: bit, count: n)
                for _ in 0..<n { single.append(bit) }
            }
            #expect(bulk == single)
            #expect(bulk.countSetBits(in: 0..<bulk.count) == single.countSetBits(in: 0..<single.count))
        }
    }
}

/// Numbered ID columns read a batch's leading IDs of the pattern in a loop of their own; the general
/// loop takes over at a null, a quoted ID, or an ID the layout cannot hold (which ends the layout).
@Suite struct NumberedReadTests {
    @Test func idsReadAsWrittenWhateverBreaksTheRun() throws {
        for seed in 0..<24 {
            var g = SeededGenerator(seed: UInt64(seed))
            // Every third seed, one ID the numbered layout cannot hold (above 2^32 - 2) or one with a
            // doubled quote, in the first batch (no pattern yet when it starts) or after it.
            let breaks = seed % 3 == 0, big = (seed / 3) % 2 == 0, late = (seed / 6) % 2 == 1
            let rows = Int.random(in: breaks && late ? 2_100...6_000 : 1...6_000, using: &g)
            let breaker = !breaks ? -1 : late ? Int.random(in: 2_048..<rows, using: &g) : Int.random(in: 0..<min(rows, 2_048), using: &g)
            var text = "id\n"
            var expected: [String?] = []
            for row in 0..<rows {
                let number = UInt64.random(in: 0...4_000_000_000, using: &g)
                var id = "C" + String(repeating: "0", count: 10 - String(number).count) + String(number)
                if row == breaker { id = big ? "C9999999999" : "C12\"3" }
                switch Int.random(in: 0..<40, using: &g) {
                case 0:
                    text += "\n"
                    expected.append(nil)
                case 1:
                    text += "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n"
                    expected.append(id)
                default:
                    text += (id.contains("\"") ? "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : id) + "\n"
                    expected.append(id)
                }
            }
            let options = CSVReadOptions(policy: .collect(), schema: CSVSchema([ColumnSpec("id", .string)]), threads: 1)
            let result = try CSVReader.read(string: text, options: options)
            #expect(result.rejects.isEmpty, "seed \(seed)")
            #expect(Array(try result.table.string("id")) == expected, "seed \(seed)")
            let numbered = result.table["id"]?.stringLayout == .numbered
            #expect(numbered == (breaker < 0), "seed \(seed): numbered \(numbered)")
        }
    }
}

/// The one-word read of short decimals against the general decimal parser.
@Suite struct ShortDecimalTests {
    /// Over random short texts of digits, points, signs and other bytes, after random bytes: where
    /// the word read answers, the general parser gives the same units; where the general parser
    /// reads a text the word read takes (at most eight bytes, exactly `scale` fraction digits),
    /// the word read answers too.
    @Test func theWordReadAgreesWithTheGeneralParser() {
        var g = SeededGenerator(seed: 17)
        let alphabet = Array("0123456789012345678901234567890123456789..-+e x".utf8)
        var answered = 0
        for _ in 0..<200_000 {
            let scale = Int.random(in: 1...4, using: &g)
            let n = Int.random(in: 1...10, using: &g)
            var text = (0..<n).map { _ in alphabet.randomElement(using: &g)! }
            // Often the shape the word read takes, so that both branches are exercised.
            if n >= scale + 2 && Bool.random(using: &g) {
                text[n - 1 - scale] = UInt8(ascii: ".")
                for k in (n - scale)..<n { text[k] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &g) }
                for k in 0..<(n - 1 - scale) where text[k] == UInt8(ascii: ".") { text[k] = UInt8(ascii: "5") }
            }
            let before = (0..<Int.random(in: 8...12, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let bytes = before + text
            bytes.withUnsafeBufferPointer { b in
                let p = b.baseAddress! + before.count
                let general = FieldParsers.decimal(p, n, scale: scale)
                let word = FieldParsers.shortDecimal(endingAt: p, n, scale: scale)
                if let word {
                    answered += 1
                    #expect(general == word, "\(String(decoding: text, as: UTF8.self)) at scale \(scale)")
                } else if let general, n <= 8, n >= scale + 2, text[n - 1 - scale] == UInt8(ascii: "."),
                    !text[1...].contains(UInt8(ascii: "-")), !text[1...].contains(UInt8(ascii: "+"))
                {
                    Issue.record("\(String(decoding: text, as: UTF8.self)) at scale \(scale) reads as \(general) but not as a word")
                }
            }
        }
        #expect(answered > 20_000)
    }
}

/// The word-at-a-time reading of numbered IDs against a byte-at-a-time reference.
@Suite struct IDWordReaderTests {
    /// For every prefix length and digit count a word reader takes, random values of the pattern's
    /// length, some with a byte changed anywhere: the reader's number is the prefix check and the
    /// digits' value, or `nil` exactly when one of them fails.
    @Test func theWordReaderAgreesWithAByteLoop() {
        var g = SeededGenerator(seed: 23)
        var checked = 0
        for prefixLength in 0...7 {
            for digits in 9...16 {
                let prefix = ContiguousArray((0..<prefixLength).map { _ in UInt8(ascii: "A") + UInt8.random(in: 0...25, using: &g) })
                guard let reader = IDPattern.WordReader(prefix: prefix, digits: digits) else { continue }
                for _ in 0..<400 {
                    var bytes = Array(prefix) + (0..<digits).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &g) }
                    if Bool.random(using: &g) {
                        bytes[Int.random(in: 0..<bytes.count, using: &g)] = [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "x"), 0x80, UInt8(ascii: "5")].randomElement(using: &g)!
                    }
                    let expected: Int64? = Array(bytes[..<prefixLength]) == Array(prefix) && bytes[prefixLength...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
                        ? bytes[prefixLength...].reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) } : nil
                    let read = bytes.withUnsafeBufferPointer { reader.number(of: $0.baseAddress!, count: $0.count) }
                    #expect(read == expected, "\(String(decoding: bytes, as: UTF8.self))")
                    checked += 1
                }
            }
        }
        #expect(checked > 10_000)
    }
}
