import Testing
import XOFusionCore

@Suite struct JSONParserTests {
    @Test func readsEveryKindOfValueInOrder() throws {
        let text = """
            {"b": [1, -2, 3.5, -0.25e2, 1E3, true, false, null], "a": {"x": "y\\n\\"q\\" \\u00e9 \\ud83d\\ude00 \\/"},
             "big": 170141183460469231731687303715884105727, "b": {}}
            """
        let value = try JSONValue.parse(text)
        let expected: JSONValue = .object([
            ("b", .array([.int(1), .int(-2), .double(3.5), .double(-25), .double(1000), .bool(true), .bool(false), .null])),
            ("a", .object([("x", .string("y\n\"q\" é 😀 /"))])),
            ("big", .bigInt(Int128.max)),
            ("b", .object([])),
        ])
        #expect(value == expected)
        #expect(try JSONValue.parse("  \n 42 \t") == .int(42))
        #expect(try JSONValue.parse("[]") == .array([]))
        #expect(try JSONValue.parse("\"\"") == .string(""))
    }

    @Test(arguments: [
        ("", 1, 1, "the text ends where a value was expected"),
        ("{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}", 3, 14, "unexpected ',' where a value was expected"),
        ("{\"a\" 1}", 1, 6, "expected ':' after the key \"a\", found '1'"),
        ("{a: 1}", 1, 2, "expected a key in double quotes, found 'a'"),
        ("[1, 2", 1, 6, "expected ',' or ']' in an array, found the end of the text"),
        ("{\"a\": 1,}", 1, 9, "expected a key in double quotes, found '}'"),
        ("\"abc", 1, 1, "a string that is never closed"),
        ("\"a\\qb\"", 1, 3, "unknown escape '\\q'"),
        ("\"\\ud83d\"", 1, 8, "a high surrogate \\uD83D without its low surrogate"),
        ("01", 1, 1, "a number must not start with a leading zero"),
        ("-", 1, 2, "a number needs a digit after '-'"),
        ("1.", 1, 3, "a number needs digits after its decimal point"),
        ("1e", 1, 3, "a number needs digits in its exponent"),
        ("tru", 1, 1, "unexpected 't' where a value was expected"),
        ("1 2", 1, 3, "unexpected '2' after the document's value"),
        ("\"é\" x", 1, 5, "unexpected 'x' after the document's value"),
        ("\"a\tb\"", 1, 3, "a control character (0x9) inside a string; write it as an escape"),
        ("1e999", 1, 1, "the number 1e999 is too large"),
    ])
    func reportsTheLineColumnAndReason(text: String, line: Int, column: Int, reason: String) {
        #expect(throws: JSONParseError(line: line, column: column, reason: reason)) { try JSONValue.parse(text) }
    }

    @Test func refusesNestingPastTheLimitWithoutOverflowingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        _ = try JSONValue.parse(fine)
    }

    /// Whatever the writer writes, the parser reads back as the same value.
    @Test func readsBackWhatTheWriterWrites() throws {
        for seed in 0..<300 {
            var g = SeededGenerator(seed: UInt64(seed))
            let value = randomValue(depth: 0, &g)
            let pretty = Bool.random(using: &g)
            #expect(try JSONValue.parse(value.serialized(pretty: pretty)) == value, "seed \(seed)")
        }
    }

    private func randomValue(depth: Int, _ g: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: depth > 3 ? 0...5 : 0...7, using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .int(Int.random(in: Int.min...Int.max, using: &g) >> Int.random(in: 0...63, using: &g))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &g) * pow10(Int.random(in: -20...20, using: &g)))
        case 4: return .string(RandomValues.string(&g) + String(Character(Unicode.Scalar(UInt8.random(in: 0...0x7F, using: &g)))))
        case 5: return .bigInt(Int128(Int.max) * Int128(Int.random(in: 2...1000, using: &g)))
        case 6: return .array((0..<Int.random(in: 0...4, using: &g)).map { _ in randomValue(depth: depth + 1, &g) })
        default:
            return .object((0..<Int.random(in: 0...4, using: &g)).map { _ in (RandomValues.string(&g), randomValue(depth: depth + 1, &g)) })
        }
    }

    private func pow10(_ e: Int) -> Double { (0..<abs(e)).reduce(1.0) { acc, _ in e < 0 ? acc / 10 : acc * 10 } }
}
