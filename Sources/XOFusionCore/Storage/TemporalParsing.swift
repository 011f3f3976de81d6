/// Hand-written byte parsers for dates and timestamps (Foundation's ISO 8601
/// parser is about 20× slower and allocates). Used by ingest and by the
/// `LosslessStringConvertible` initialisers of ``Timestamp`` and ``CivilDate``.
public enum TemporalParsing {
    /// A parsed date-time before any time zone is applied.
    public struct DateTime: Hashable, Sendable {
        /// Microseconds since the epoch of the wall-clock reading, as if it were UTC.
        public var localMicroseconds: Int64
        /// The offset written in the text (`Z` is 0), in seconds east of UTC;
        /// `nil` for a naive timestamp that needs a time zone.
        public var offsetSeconds: Int?

        /// The instant, given the offset to use when the text had none.
        @inlinable
        public func instant(naiveOffsetSeconds: Int = 0) -> Timestamp {
            Timestamp(microsecondsSinceEpoch: localMicroseconds - Int64(offsetSeconds ?? naiveOffsetSeconds) * 1_000_000)
        }
    }

    static func digit(_ byte: UInt8) -> Int? {
        let d = Int(byte) &- 48
        return d >= 0 && d <= 9 ? d : nil
    }

    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for i in start..<(start + count) {
            guard let d = digit(bytes[i]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// Parses `YYYY-MM-DD` (exactly, no surrounding spaces) into days since the epoch.
    public static func parseDate(_ bytes: UnsafeBufferPointer<UInt8>) -> CivilDate? {
        guard bytes.count == 10 else { return nil }
        return parseDatePrefix(bytes)
    }

    /// Two ASCII digits at `i` as a number, or -1.
    @inline(__always)
    static func two(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int {
        let a = p[i] &- 48, b = p[i &+ 1] &- 48
        return a <= 9 && b <= 9 ? Int(a) &* 10 &+ Int(b) : -1
    }

    @inline(__always)
    static func parseDatePrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> CivilDate? {
        guard bytes.count >= 10, let p = bytes.baseAddress, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-") else { return nil }
        let century = two(p, 0), yy = two(p, 2), month = two(p, 5), day = two(p, 8)
        guard century >= 0, yy >= 0, month >= 1, month <= 12, day >= 1 else { return nil }
        let year = century &* 100 &+ yy
        guard year >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        return CivilDate(daysSinceEpoch: Int32(truncatingIfNeeded: CivilDate.days(year: year, month: month, day: day)))
    }

    /// `YYYY-MM-DD[T ]HH:MM:SS` at `p` as microseconds, or `nil`; reads 20 bytes.
    ///
    /// Two words and a half-word: the separators are compared in place, the
    /// other bytes are checked to be digits all at once (SWAR) and then read.
    @inline(__always)
    static func utcSeconds(_ p: UnsafePointer<UInt8>) -> Int64? {
        let raw = UnsafeRawPointer(p)
        let w0 = raw.loadUnaligned(as: UInt64.self).littleEndian  // YYYY-MM-
        let w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian  // DD?HH:MM
        let w2 = UInt64(raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self).littleEndian)  // :SS + one byte
        @inline(__always) func byte(_ k: UInt64) -> UInt64 { 0xFF &<< (8 &* k) }
        @inline(__always) func ascii(_ c: Unicode.Scalar, _ k: UInt64) -> UInt64 { UInt64(UInt8(ascii: c)) &<< (8 &* k) }
        let separators0 = byte(4) | byte(7), separators1 = byte(2) | byte(5), separators2 = byte(0) | byte(3) | 0xFFFF_FFFF_0000_0000
        let t = w1 & byte(2)
        guard w0 & separators0 == ascii("-", 4) | ascii("-", 7), t == ascii("T", 2) || t == ascii(" ", 2),
            w1 & byte(5) == ascii(":", 5), w2 & byte(0) == ascii(":", 0)
        else { return nil }
        // Separators read as '0', then every byte must be a digit.
        let zeros: UInt64 = 0x3030_3030_3030_3030, highs: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, sixes: UInt64 = 0x0606_0606_0606_0606
        let d0 = (w0 & ~separators0) | (zeros & separators0)
        let d1 = (w1 & ~separators1) | (zeros & separators1)
        let d2 = (w2 & ~separators2) | (zeros & separators2)
        let notDigits = (d0 & highs ^ zeros) | ((d0 &+ sixes) & highs ^ zeros) | (d1 & highs ^ zeros) | ((d1 &+ sixes) & highs ^ zeros)
            | (d2 & highs ^ zeros) | ((d2 &+ sixes) & highs ^ zeros)
        guard notDigits == 0 else { return nil }
        // Each byte then holds its digit; times ten plus the next byte, each even byte holds a pair.
        @inline(__always) func pairs(_ d: UInt64) -> UInt64 { let v = d &- zeros; return v &* 10 &+ (v &>> 8) }
        let p0 = pairs(d0), p1 = pairs(d1), p2 = pairs(d2)
        @inline(__always) func pair(_ v: UInt64, at k: UInt64) -> Int { Int(truncatingIfNeeded: (v &>> (8 &* k)) & 0xFF) }
        let year = pair(p0, at: 0) &* 100 &+ pair(p0, at: 2), month = pair(p0, at: 5), day = pair(p1, at: 0)
        let hour = pair(p1, at: 3), minute = pair(p1, at: 6), second = pair(p2, at: 1)
        guard month >= 1, month <= 12, day >= 1, hour < 24, minute < 60, second < 60, year >= 1,
            day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        let days = Int64(CivilDate.days(year: year, month: month, day: day))
        return (days &* 86_400 &+ Int64(hour &* 3600 &+ minute &* 60 &+ second)) &* 1_000_000
    }

    /// The time of day of `YYYY-MM-DD[T ]HH:MM:SS` at `p` in microseconds, or `nil`; reads bytes
    /// 10 to 18 only (the caller knows the date in bytes 0 to 9 to be valid). `HH:MM:SS` is one
    /// word: compared with `00:00:00` byte by byte, every byte must come out as a digit (the
    /// colons as zero), and one multiplication puts each pair's value in its second byte.
    @inline(__always)
    static func timeOfDay(_ p: UnsafePointer<UInt8>) -> Int64? {
        guard p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " ") else { return nil }
        // Little-endian: the hour's tens digit in the lowest byte.
        let x = UnsafeRawPointer(p + 11).loadUnaligned(as: UInt64.self).littleEndian ^ 0x3030_3A30_303A_3030
        // A byte of 10 or more (0x80 or more included) sets its high bit here; the colons' bytes must be zero.
        guard ((x &+ 0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080 == 0, x & 0x0000_FF00_00FF_0000 == 0 else { return nil }
        // Byte k + 1 of the product is ten times byte k plus byte k + 1 (at most 99: no carries).
        let pairs = x &* 0xA01
        let hour = Int((pairs &>> 8) & 0xFF), minute = Int((pairs &>> 32) & 0xFF), second = Int(pairs &>> 56)
        guard hour < 24, minute < 60, second < 60 else { return nil }
        return Int64(hour &* 3600 &+ minute &* 60 &+ second) &* 1_000_000
    }

    /// Parses an ISO 8601 date-time: `YYYY-MM-DD` then `T` or a space, then
    /// `HH:MM:SS`, an optional fraction of 1–9 digits (kept to the microsecond;
    /// further digits are truncated), and an optional `Z`, `±hh:mm`, `±hhmm`
    /// or `±hh`. Without a zone the result is naive (``DateTime/offsetSeconds`` is `nil`).
    public static func parseDateTime(_ bytes: UnsafeBufferPointer<UInt8>) -> DateTime? {
        if bytes.count == 20, let p = bytes.baseAddress, p[19] == UInt8(ascii: "Z"), let micros = utcSeconds(p) {
            // The common export form `YYYY-MM-DDTHH:MM:SSZ`.
            return DateTime(localMicroseconds: micros, offsetSeconds: 0)
        }
        guard bytes.count >= 19, let date = parseDatePrefix(bytes), let p = bytes.baseAddress,
            p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " "),
            p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":")
        else { return nil }
        let hour = two(p, 11), minute = two(p, 14), second = two(p, 17)
        guard hour >= 0, hour < 24, minute >= 0, minute < 60, second >= 0, second < 60 else { return nil }
        var i = 19
        var micros = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < bytes.count, let d = digit(bytes[i]) {
                if digits < 6 { micros = micros * 10 + d }
                digits += 1
                i += 1
            }
            guard (1...9).contains(digits) else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offset: Int?
        if i < bytes.count {
            let sign = bytes[i]
            if sign == UInt8(ascii: "Z") {
                offset = 0
                i += 1
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                guard let hh = number(bytes, i + 1, 2), hh <= 18 else { return nil }
                var mm = 0
                i += 3
                if i < bytes.count {
                    if bytes[i] == UInt8(ascii: ":") { i += 1 }
                    guard let m = number(bytes, i, 2), m < 60 else { return nil }
                    mm = m
                    i += 2
                }
                offset = (hh * 3600 + mm * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard i == bytes.count else { return nil }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return DateTime(localMicroseconds: seconds * 1_000_000 + Int64(micros), offsetSeconds: offset)
    }
}

extension Timestamp: LosslessStringConvertible, Codable {
    /// Parses ISO 8601 text (see ``TemporalParsing/parseDateTime(_:)``); a naive
    /// timestamp is read as UTC. `nil` for anything else.
    public init?(_ description: String) {
        var text = description
        guard let parsed = text.withUTF8({ TemporalParsing.parseDateTime($0) }) else { return nil }
        self = parsed.instant()
    }

    /// Decodes ISO 8601 text.
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder, expecting: "an ISO 8601 timestamp") }

    /// Encodes as ISO 8601 text in UTC.
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

extension CivilDate: LosslessStringConvertible, Codable {
    /// Parses `YYYY-MM-DD`; `nil` for anything else.
    public init?(_ description: String) {
        var text = description
        guard let parsed = text.withUTF8({ TemporalParsing.parseDate($0) }) else { return nil }
        self = parsed
    }

    /// Decodes `YYYY-MM-DD` text.
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder, expecting: "a YYYY-MM-DD date") }

    /// Encodes as `YYYY-MM-DD` text.
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

extension ScaledDecimal: Codable {
    /// Decodes exact decimal text such as `"18.50"`.
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder, expecting: "an exact decimal") }

    /// Encodes as exact decimal text such as `"18.50"` (a JSON number would pass through `Double`).
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

extension LosslessStringConvertible {
    /// A value from its text in a single-value container; a typed decoding error names what was expected.
    static func decodeText(from decoder: any Decoder, expecting what: String) throws -> Self {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not \(what): \(text)"))
        }
        return value
    }

    /// The value's text in a single-value container.
    func encodeText(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
