#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parsers from raw field bytes to typed values. No `String` is built; each
/// returns `nil` (or a failure) for text that is not exactly its kind.
enum FieldParsers {
    static let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9")
    static let minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+"), point = UInt8(ascii: ".")

    /// Strips ASCII spaces (and tabs, unless the tab is the delimiter) from both ends.
    @inline(__always)
    static func trimmed(_ p: UnsafePointer<UInt8>, _ n: Int, keepTabs: Bool) -> (UnsafePointer<UInt8>, Int) {
        // The common case, in one test: neither end is a blank (nor any byte below it).
        if n > 0 && p[0] > 0x20 && p[n &- 1] > 0x20 { return (p, n) }
        var start = 0, end = n
        @inline(__always) func blank(_ b: UInt8) -> Bool { b == 0x20 || (b == 0x09 && !keepTabs) }
        while start < end && blank(p[start]) { start += 1 }
        while end > start && blank(p[end - 1]) { end -= 1 }
        return (p + start, end - start)
    }

    /// An optional leading sign: whether it is `-`, and where the digits start.
    @inline(__always)
    static func sign(_ p: UnsafePointer<UInt8>) -> (negative: Bool, start: Int) {
        p[0] == minus ? (true, 1) : (p[0] == plus ? (false, 1) : (false, 0))
    }

    /// A decimal integer with an optional sign; `nil` on overflow or any other byte.
    @inline(__always)
    static func int64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n > 0 else { return nil }
        // One or two digits (scores, counts): no loop.
        if n <= 2 {
            let d0 = p[0] &- zero
            if n == 1 { return d0 <= 9 ? Int64(d0) : nil }
            let d1 = p[1] &- zero
            if d0 <= 9 && d1 <= 9 { return Int64(d0) &* 10 &+ Int64(d1) }
        }
        let (negative, start) = sign(p)
        var i = start
        guard i < n else { return nil }
        var magnitude: UInt64 = 0
        while i < n {
            let d = p[i] &- zero
            guard d <= 9 else { return nil }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(d))
            guard !o1 && !o2 else { return nil }
            magnitude = m2
            i += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Whether the text is a number written with a leading zero (`007`, `-01`):
    /// an identifier, not a number, for inference.
    @inline(__always)
    static func hasLeadingZero(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        if n > 0 && (p[0] == minus || p[0] == plus) { i = 1 }
        return n - i >= 2 && p[i] == zero && p[i + 1] &- zero <= 9
    }

    /// The outcome of reading a decimal: its units at its own scale.
    struct DecimalText { var units: Int64; var scale: Int }

    /// Plain decimal text: sign, digits, optional point and fraction digits
    /// (`18.50`, `-0.857`, `.5`). No exponent. `nil` past 18 fraction digits or on overflow.
    @inline(__always)
    static func decimal(_ p: UnsafePointer<UInt8>, _ n: Int) -> DecimalText? {
        guard n > 0 else { return nil }
        if n <= 18 {
            // At most 18 digits cannot overflow: no per-digit overflow checks.
            let (negative, start) = sign(p)
            var i = start
            var units: Int64 = 0
            var digits = 0, pointAt = -1
            while i < n {
                let b = p[i]
                if b == point {
                    if pointAt >= 0 { return nil }
                    pointAt = i
                } else {
                    let d = b &- zero
                    guard d <= 9 else { return nil }
                    units = units &* 10 &+ Int64(d)
                    digits &+= 1
                }
                i &+= 1
            }
            let scale = pointAt < 0 ? 0 : n &- pointAt &- 1
            guard digits > 0, !(pointAt >= 0 && scale == 0) else { return nil }
            return DecimalText(units: negative ? -units : units, scale: scale)
        }
        let (negative, start) = sign(p)
        var i = start
        var units: Int64 = 0
        var digits = 0, scale = 0
        var sawPoint = false
        while i < n {
            let b = p[i]
            if b == point {
                if sawPoint { return nil }
                sawPoint = true
                i += 1
                continue
            }
            let d = b &- zero
            guard d <= 9 else { return nil }
            let (m1, o1) = units.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            units = m2
            digits += 1
            if sawPoint { scale += 1 }
            i += 1
        }
        guard digits > 0, scale <= ColumnKind.maximumDecimalScale, !(sawPoint && scale == 0) else { return nil }
        return DecimalText(units: negative ? -units : units, scale: scale)
    }

    /// A decimal of at most eight bytes with exactly `scale` digits after its point (an optional
    /// sign first, any number of digits before the point), read as one word: the eight bytes that
    /// end at `p + n` must be readable (the bytes before the text are masked off). `nil` for any
    /// other text, which ``decimal(_:_:scale:)`` then reads; every text this reads, that reads too,
    /// with the same units.
    @inline(__always)
    static func shortDecimal(endingAt p: UnsafePointer<UInt8>, _ n: Int, scale: Int) -> Int64? {
        guard scale >= 1, n <= 8, n >= scale &+ 2, p[n &- 1 &- scale] == point else { return nil }
        // Byte k of the word is p[n - 8 + k]: the text is bytes 8 - n ..< 8, its point byte 7 - scale.
        let w = UnsafeRawPointer(p + n - 8).loadUnaligned(as: UInt64.self).littleEndian
        let pointByte = UInt64(7 &- scale)
        let below: UInt64 = (1 << (8 &* pointByte)) &- 1
        // The bytes below the point move up one byte over it: the digits in a row, the text's
        // first byte now byte 9 - n; the bytes below that become '0's.
        var d = ((w & below) << 8) | (w & ~below & ~(0xFF << (8 &* pointByte)))
        let first = UInt64(9 &- n)
        var negative = false
        if p[0] == minus || p[0] == plus {
            negative = p[0] == minus
            d = (d & ~(0xFF << (8 &* first))) | (UInt64(zero) << (8 &* first))
        }
        let fill: UInt64 = (1 << (8 &* first)) &- 1
        d = (d & ~fill) | (0x3030_3030_3030_3030 & fill)
        guard let v = IDPattern.eightDigits(d) else { return nil }
        return negative ? -Int64(v) : Int64(v)
    }

    /// Decimal text at a fixed scale: `18.5` at scale 2 is 1850 units. Fails
    /// (with a reason) on more fraction digits than `scale` or on overflow.
    @inline(__always)
    static func decimal(_ p: UnsafePointer<UInt8>, _ n: Int, scale: Int) -> Int64? {
        // Short text (at most 18 bytes, so at most 18 digits: no overflow before scaling)
        // in one pass: integer digits, then the fraction, scaled as it ends.
        if n > 0 && n <= 18 {
            let (negative, start) = sign(p)
            var i = start
            var units: Int64 = 0
            while i < n {
                let d = p[i] &- zero
                if d > 9 { break }
                units = units &* 10 &+ Int64(d)
                i &+= 1
            }
            let integerDigits = i &- start
            var fraction = 0
            if i < n {
                guard p[i] == point else { return nil }
                i &+= 1
                while i < n {
                    let d = p[i] &- zero
                    guard d <= 9 else { return nil }
                    units = units &* 10 &+ Int64(d)
                    i &+= 1
                }
                fraction = n &- start &- integerDigits &- 1
                guard fraction > 0, fraction <= scale else { return nil }
            } else if integerDigits == 0 {
                return nil
            }
            while fraction < scale {
                let (scaled, overflow) = units.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                units = scaled
                fraction &+= 1
            }
            return negative ? -units : units
        }
        return decimalByParts(p, n, scale: scale)
    }

    /// ``decimal(_:_:scale:)`` the long way, for any length: the text's own units and scale, then rescaled.
    static func decimalByParts(_ p: UnsafePointer<UInt8>, _ n: Int, scale: Int) -> Int64? {
        guard let d = decimal(p, n) else { return nil }
        if d.scale == scale { return d.units }
        if d.scale > scale { return nil }
        let (units, overflow) = d.units.multipliedReportingOverflow(by: ScaledDecimal.powerOf10(scale - d.scale))
        return overflow ? nil : units
    }

    private static let exactPowersOf10: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    /// A floating-point number: `[sign] digits [. digits] [e [sign] digits]`,
    /// or `nan`, `inf`, `infinity` in any case. Correctly rounded: a fast exact
    /// path for short numbers, the C library's `strtod` otherwise.
    static func double(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0 else { return nil }
        let (negative, start) = sign(p)
        var i = start
        // Words: nan, inf, infinity.
        if i < n, p[i] | 0x20 == UInt8(ascii: "n") || p[i] | 0x20 == UInt8(ascii: "i") {
            let word = String(decoding: UnsafeBufferPointer(start: p + i, count: n - i), as: UTF8.self).lowercased()
            switch word {
            case "nan": return .nan
            case "inf", "infinity": return negative ? -.infinity : .infinity
            default: return nil
            }
        }
        var mantissa: UInt64 = 0
        var significant = 0, digits = 0, exponent = 0
        var sawPoint = false
        while i < n {
            let b = p[i]
            if b == point {
                if sawPoint { return nil }
                sawPoint = true
            } else if b &- zero <= 9 {
                digits += 1
                if mantissa != 0 || b != zero { significant += 1 }
                if significant <= 19 {
                    mantissa = mantissa &* 10 &+ UInt64(b &- zero)
                    if sawPoint { exponent -= 1 }
                } else if !sawPoint {
                    exponent += 1
                }
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < n {
            guard p[i] | 0x20 == UInt8(ascii: "e") else { return nil }
            i += 1
            var expNegative = false
            if i < n && (p[i] == minus || p[i] == plus) {
                expNegative = p[i] == minus
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < n, p[i] &- zero <= 9 {
                if e < 100_000 { e = e * 10 + Int(p[i] &- zero) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0, i == n else { return nil }
            exponent += expNegative ? -e : e
        }
        if significant <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            // Both operands are exact doubles, so one IEEE operation rounds correctly.
            var value = Double(mantissa)
            value = exponent < 0 ? value / exactPowersOf10[-exponent] : value * exactPowersOf10[exponent]
            return negative ? -value : value
        }
        return strtodFallback(p, n)
    }

    /// `strtod` on a NUL-terminated copy (the grammar was checked already).
    private static func strtodFallback(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
            for i in 0..<n { buffer[i] = CChar(bitPattern: p[i]) }
            buffer[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            return end == buffer.baseAddress! + n ? value : nil
        }
    }

    /// `true` or `false` in any case; with `numeric`, also `1` and `0`.
    @inline(__always)
    static func bool(_ p: UnsafePointer<UInt8>, _ n: Int, numeric: Bool) -> Bool? {
        if n == 4, p[0] | 0x20 == UInt8(ascii: "t"), p[1] | 0x20 == UInt8(ascii: "r"), p[2] | 0x20 == UInt8(ascii: "u"), p[3] | 0x20 == UInt8(ascii: "e") {
            return true
        }
        if n == 5, p[0] | 0x20 == UInt8(ascii: "f"), p[1] | 0x20 == UInt8(ascii: "a"), p[2] | 0x20 == UInt8(ascii: "l"),
            p[3] | 0x20 == UInt8(ascii: "s"), p[4] | 0x20 == UInt8(ascii: "e")
        {
            return false
        }
        if numeric && n == 1 && (p[0] == UInt8(ascii: "1") || p[0] == UInt8(ascii: "0")) { return p[0] == UInt8(ascii: "1") }
        return nil
    }

    /// Whether the bytes are valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
    @inline(__always)
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        // ASCII fast path, eight bytes at a time.
        var i = 0
        while i + 8 <= n {
            if UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n && p[i] < 0x80 { i += 1 }
        return i == n || validateMultibyte(p, n, from: i)
    }

    @inline(never)
    static func validateMultibyte(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int) -> Bool {
        var i = start
        while i < n {
            let b0 = p[i]
            if b0 < 0x80 { i += 1; continue }
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && p[i + k] & 0xC0 == 0x80 }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(1) else { return false }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard cont(1), cont(2) else { return false }
                let b1 = p[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 > 0x9F { return false }  // surrogate
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard cont(1), cont(2), cont(3) else { return false }
                let b1 = p[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 > 0x8F { return false }  // past U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
