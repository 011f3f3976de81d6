/// A JSON text that could not be read: where (1-based line and column, counted in characters) and why.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line and column of the offending character (or of the end of the text).
    public var line: Int, column: Int
    /// What was wrong there.
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects ``parse(_:)`` accepts; deeper input is an error, not a stack overflow.
    public static let maximumDepth = 256

    /// Reads one JSON document (RFC 8259): exactly one value, surrounded by whitespace only.
    ///
    /// Objects keep their keys in the order written, repeated keys included (a caller that
    /// forbids them can see them). Integers that fit `Int` become ``int(_:)``, larger ones
    /// ``bigInt(_:)`` up to `Int128`; numbers with a fraction or an exponent become ``double(_:)``.
    ///
    /// - Throws: ``JSONParseError`` with the line, the column and the reason.
    /// - Complexity: O(length of the text).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.document()
    }
}

/// Recursive descent over UTF-8 bytes with a depth limit.
private struct JSONParser {
    let bytes: [UInt8]
    var at = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try self.value()
        skipWhitespace()
        guard at == bytes.count else { throw fail("unexpected \(describe(at)) after the document's value") }
        return value
    }

    mutating func value() throws(JSONParseError) -> JSONValue {
        guard at < bytes.count else { throw fail("the text ends where a value was expected") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected \(describe(at)) where a value was expected")
        }
    }

    mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        at += 1
        var pairs: [(String, JSONValue)] = []
        skipWhitespace()
        if peek(UInt8(ascii: "}")) { at += 1; depth -= 1; return .object(pairs) }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else { throw fail("expected a key in double quotes, found \(describe(at))") }
            let key = try string()
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else { throw fail("expected ':' after the key \"\(key)\", found \(describe(at))") }
            at += 1
            skipWhitespace()
            pairs.append((key, try value()))
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { at += 1; continue }
            if peek(UInt8(ascii: "}")) { at += 1; depth -= 1; return .object(pairs) }
            throw fail("expected ',' or '}' in an object, found \(describe(at))")
        }
    }

    mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        at += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) { at += 1; depth -= 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            if peek(UInt8(ascii: ",")) { at += 1; continue }
            if peek(UInt8(ascii: "]")) { at += 1; depth -= 1; return .array(items) }
            throw fail("expected ',' or ']' in an array, found \(describe(at))")
        }
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= JSONValue.maximumDepth else { throw fail("nesting deeper than \(JSONValue.maximumDepth) levels") }
    }

    mutating func string() throws(JSONParseError) -> String {
        let start = at
        at += 1
        var scalars = String.UnicodeScalarView()
        var run = at  // start of a stretch of plain bytes, copied at once
        func flush(_ end: Int, into scalars: inout String.UnicodeScalarView) {
            if end > run { scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars) }
        }
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                flush(at, into: &scalars)
                at += 1
                return String(scalars)
            }
            if byte < 0x20 { throw fail("a control character (0x\(String(byte, radix: 16))) inside a string; write it as an escape") }
            if byte == UInt8(ascii: "\\") {
                flush(at, into: &scalars)
                at += 1
                guard at < bytes.count else { break }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
                default:
                    at -= 2
                    throw fail("unknown escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
                run = at
                continue
            }
            at += 1
        }
        at = start
        throw fail("a string that is never closed")
    }

    /// The scalar of `\uXXXX` (the `\u` already read), a surrogate pair joined.
    mutating func unicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800...0xDBFF).contains(high) {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                throw fail("a high surrogate \\u\(String(high, radix: 16, uppercase: true)) without its low surrogate")
            }
            at += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("\\u\(String(low, radix: 16, uppercase: true)) is not a low surrogate") }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else { throw fail("a lone low surrogate \\u\(String(high, radix: 16, uppercase: true))") }
        return scalar
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard at < bytes.count, let digit = hexDigit(bytes[at]) else { throw fail("\\u needs four hexadecimal digits") }
            value = value << 4 | digit
            at += 1
        }
        return value
    }

    func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    mutating func number() throws(JSONParseError) -> JSONValue {
        let start = at
        func digits(_ p: inout JSONParser) -> Int {
            let from = p.at
            while p.at < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.at]) { p.at += 1 }
            return p.at - from
        }
        if peek(UInt8(ascii: "-")) { at += 1 }
        let integerStart = at
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw fail("a number needs a digit after '-'") }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { at = integerStart; throw fail("a number must not start with a leading zero") }
        var isInteger = true
        if peek(UInt8(ascii: ".")) {
            at += 1
            isInteger = false
            guard digits(&self) > 0 else { throw fail("a number needs digits after its decimal point") }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            at += 1
            isInteger = false
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { at += 1 }
            guard digits(&self) > 0 else { throw fail("a number needs digits in its exponent") }
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if isInteger {
            if let value = Int(text) { return .int(value) }
            if let value = Int128(text) { return .bigInt(value) }
        }
        guard let value = Double(text), value.isFinite else { at = start; throw fail("the number \(text) is too large") }
        return .double(value)
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let expected = word.withUTF8Buffer { Array($0) }
        guard at + expected.count <= bytes.count, Array(bytes[at..<at + expected.count]) == expected else {
            throw fail("unexpected \(describe(at)) where a value was expected")
        }
        at += expected.count
    }

    func peek(_ byte: UInt8) -> Bool { at < bytes.count && bytes[at] == byte }

    mutating func skipWhitespace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    /// The character at `offset` as an error message names it.
    func describe(_ offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the text" }
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let character = String(decoding: bytes[offset..<end], as: UTF8.self)
        return character == "\n" ? "a line break" : "'\(character)'"
    }

    /// An error at the current offset, with its line and column.
    func fail(_ reason: String) -> JSONParseError {
        var line = 1, column = 1
        var i = 0
        let end = min(at, bytes.count)
        while i < end {
            if bytes[i] == 0x0A {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return JSONParseError(line: line, column: column, reason: reason)
    }
}
