/// One field of a record: a byte range of the file, without its quotes.
struct FieldSpan {
    var start: Int
    var end: Int
    var flags: UInt8

    static let quoted: UInt8 = 1
    /// A quoted field holding doubled quotes (`""`) that must be unescaped.
    static let escapes: UInt8 = 2

    @inline(__always) var isQuoted: Bool { flags & FieldSpan.quoted != 0 }
    @inline(__always) var hasEscapes: Bool { flags & FieldSpan.escapes != 0 }
    @inline(__always) var count: Int { end - start }
}

/// Splits CSV bytes into records and fields (RFC 4180, with the quirks of
/// real exports): quoted and unquoted fields mixed in one column, `""`
/// escapes, CR, LF and CRLF record ends (also inside quoted fields).
///
/// A quote inside an unquoted field is an ordinary character (`5" screen`).
/// A quoted field that never closes, or whose closing quote is followed by
/// something other than a delimiter or a line end, makes the record bad; the
/// scan then resumes at the next physical line after the record's start, so
/// one stray quote cannot swallow the rest of the file.
struct CSVTokenizer {
    /// The outcome of scanning one record.
    enum Status: Equatable {
        /// A record with fields.
        case record
        /// An empty line: no fields at all.
        case blank
        /// A quoted field never closed before the end of the file.
        case unterminatedQuote
        /// A closing quote followed by a byte other than a delimiter or a line end.
        case strayQuote(position: Int)
    }

    struct Scan {
        /// Where the next record starts.
        var next: Int
        /// Where this record's content ends (before its line break).
        var contentEnd: Int
        /// Line breaks from the record's start to `next`.
        var lineBreaks: Int
        /// Fields in the record (possibly more than were stored).
        var fieldCount: Int
        var status: Status
    }

    static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    let base: UnsafePointer<UInt8>
    /// One past the last byte.
    let end: Int
    let delimiter: UInt8

    /// Scans the record that starts at `start` (which must be `< end`),
    /// storing up to `capacity` fields; ``Scan/fieldCount`` counts them all.
    @inline(__always)
    func scanRecord(at start: Int, into fields: UnsafeMutablePointer<FieldSpan>, capacity: Int) -> Scan {
        let base = self.base, end = self.end, delimiter = self.delimiter
        var i = start
        var lineBreaks = 0
        var count = 0
        @inline(__always) func store(_ span: FieldSpan) {
            if count < capacity { fields[count] = span }
            count &+= 1
        }
        while true {
            if i < end && base[i] == CSVTokenizer.quote {
                // A quoted field: up to the next quote that is not doubled.
                let fieldStart = i + 1
                var j = fieldStart
                var flags = FieldSpan.quoted
                var closed = false
                while j < end {
                    let b = base[j]
                    if b == CSVTokenizer.quote {
                        if j + 1 < end && base[j + 1] == CSVTokenizer.quote {
                            flags |= FieldSpan.escapes
                            j += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if b == CSVTokenizer.lf || (b == CSVTokenizer.cr && !(j + 1 < end && base[j + 1] == CSVTokenizer.lf)) {
                        lineBreaks += 1
                    }
                    j += 1
                }
                guard closed else { return recover(from: start, .unterminatedQuote, fieldCount: count) }
                store(FieldSpan(start: fieldStart, end: j, flags: flags))
                i = j + 1
                if i >= end { return Scan(next: end, contentEnd: end, lineBreaks: lineBreaks, fieldCount: count, status: .record) }
                let b = base[i]
                if b == delimiter {
                    i += 1
                    continue
                }
                if b == CSVTokenizer.lf || b == CSVTokenizer.cr { return lineEnd(at: i, lineBreaks: lineBreaks, fieldCount: count, blank: false) }
                return recover(from: start, .strayQuote(position: i), fieldCount: count)
            }
            // An unquoted field: up to the delimiter or a line end.
            let fieldStart = i
            i = nextSpecialByte(from: i)
            store(FieldSpan(start: fieldStart, end: i, flags: 0))
            if i >= end { return Scan(next: end, contentEnd: end, lineBreaks: lineBreaks, fieldCount: count, status: .record) }
            if base[i] == delimiter {
                i += 1
                continue
            }
            return lineEnd(at: i, lineBreaks: lineBreaks, fieldCount: count, blank: count == 1 && fieldStart == i)
        }
    }

    /// Scans the record at `start` when it is plain: no quote anywhere in it,
    /// exactly `fieldCount` fields, and a line break at its end. Field `k`'s
    /// span goes to `spans[slots[k]]` when `slots[k] >= 0`. Returns where the
    /// next record starts and where this one's content ends, or `nil` (with
    /// nothing to undo) for any other record, which ``scanRecord(at:into:capacity:)``
    /// then reads: the common case pays for no field array and no copy.
    @inline(__always)
    func scanPlainRecord(at start: Int, fieldCount: Int, slots: UnsafePointer<Int>, spans: UnsafeMutablePointer<FieldSpan>) -> (next: Int, contentEnd: Int)? {
        let base = self.base, end = self.end
        // The bytes are classified sixteen at a time and walked a word at a time; `mask` flags
        // the word's delimiters, line breaks and quotes not yet consumed, so each field costs
        // one bit. `next` holds the flags of the word after it, from the same sixteen bytes.
        var word = start
        // No fields expected (a header of none): every record is the general scan's to reject.
        guard fieldCount > 0, word &+ 16 <= end else { return nil }
        // `delimiters` flags the delimiters among them: a field's end is told apart by a bit
        // test, without loading its byte and comparing it.
        var (mask, delimiters, next) = specialBytes(at: word)
        var nextPending = true
        var field = 0
        var fieldStart = start
        while true {
            while mask == 0 {
                word &+= 8
                if nextPending {
                    (mask, delimiters) = next
                    nextPending = false
                    continue
                }
                // The last bytes of the data: the general scan reads this record.
                guard word &+ 16 <= end else { return nil }
                (mask, delimiters, next) = specialBytes(at: word)
                nextPending = true
            }
            let bit = mask & (0 &- mask)
            let i = word &+ (mask.trailingZeroBitCount >> 3)
            mask ^= bit
            if delimiters & bit != 0 {
                // A delimiter after the last field: too many fields.
                if field == fieldCount &- 1 { return nil }
                let slot = slots[field]
                if slot >= 0 { spans[slot] = FieldSpan(start: fieldStart, end: i, flags: 0) }
                field &+= 1
                fieldStart = i &+ 1
                continue
            }
            let b = base[i]
            if b == CSVTokenizer.lf || b == CSVTokenizer.cr {
                guard field == fieldCount &- 1 else { return nil }
                let slot = slots[field]
                if slot >= 0 { spans[slot] = FieldSpan(start: fieldStart, end: i, flags: 0) }
                let next = b == CSVTokenizer.cr && i &+ 1 < end && base[i &+ 1] == CSVTokenizer.lf ? i &+ 2 : i &+ 1
                return (next, i)
            }
            if b == CSVTokenizer.quote { return nil }
            // Another control byte (a tab, say): part of the field.
        }
    }

    /// The flags of the sixteen bytes at `i`, as two words of eight: the high bit of each
    /// byte that is a delimiter, a quote or a control byte (below 0x20: CR and LF among
    /// them, so one range test stands for two comparisons; the caller passes over other
    /// control bytes), and the high bit of each delimiter alone. `special` and `delimiters`
    /// are the first eight bytes', `next` the last eight's. One vector compare per kind of
    /// byte: a word-at-a-time (SWAR) version cost about three times the instructions.
    @inline(__always)
    func specialBytes(at i: Int) -> (special: UInt64, delimiters: UInt64, next: (special: UInt64, delimiters: UInt64)) {
        let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
        let isDelimiter = v .== SIMD16<UInt8>(repeating: delimiter)
        let isSpecial = isDelimiter .| (v .== SIMD16<UInt8>(repeating: CSVTokenizer.quote)) .| (v .< SIMD16<UInt8>(repeating: 0x20))
        // A true lane is all ones: keep its high bit, so that clearing the lowest set bit
        // consumes the byte.
        let highs: UInt64 = 0x8080_8080_8080_8080
        let special = unsafeBitCast(isSpecial, to: SIMD2<UInt64>.self), delimiters = unsafeBitCast(isDelimiter, to: SIMD2<UInt64>.self)
        return (special[0] & highs, delimiters[0] & highs, (special[1] & highs, delimiters[1] & highs))
    }

    /// Scans a record into an array (headers and other cold paths).
    func scanRecord(at start: Int, into fields: inout [FieldSpan]) -> Scan {
        var capacity = max(64, fields.count)
        while true {
            fields = Array(repeating: FieldSpan(start: 0, end: 0, flags: 0), count: capacity)
            let scan = fields.withUnsafeMutableBufferPointer { scanRecord(at: start, into: $0.baseAddress!, capacity: capacity) }
            if scan.fieldCount <= capacity {
                fields.removeLast(capacity - scan.fieldCount)
                return scan
            }
            capacity = scan.fieldCount
        }
    }

    /// The first delimiter, CR or LF at or after `i` (or `end`), eight bytes at a time.
    @inline(__always)
    func nextSpecialByte(from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let d = ones &* UInt64(delimiter), lf = ones &* 10, cr = ones &* 13
        var i = start
        while i &+ 8 <= end {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let x = w ^ d, y = w ^ lf, z = w ^ cr
            // A byte of x, y or z is zero where w matches; the lowest flagged byte is exact.
            let found = ((x &- ones) & ~x | (y &- ones) & ~y | (z &- ones) & ~z) & highs
            if found != 0 { return i &+ (found.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        while i < end {
            let b = base[i]
            if b == delimiter || b == CSVTokenizer.lf || b == CSVTokenizer.cr { return i }
            i &+= 1
        }
        return end
    }

    /// The record ends at the line break at `i` (LF, CR or CRLF).
    @inline(__always)
    private func lineEnd(at i: Int, lineBreaks: Int, fieldCount: Int, blank: Bool) -> Scan {
        let next = base[i] == CSVTokenizer.cr && i + 1 < end && base[i + 1] == CSVTokenizer.lf ? i + 2 : i + 1
        return Scan(next: next, contentEnd: i, lineBreaks: lineBreaks + 1, fieldCount: fieldCount, status: blank ? .blank : .record)
    }

    /// A bad record: it ends at the first line break after its start.
    @inline(never)
    private func recover(from start: Int, _ status: Status, fieldCount: Int) -> Scan {
        var i = start
        while i < end && base[i] != CSVTokenizer.lf && base[i] != CSVTokenizer.cr { i += 1 }
        if i == end { return Scan(next: end, contentEnd: end, lineBreaks: 0, fieldCount: fieldCount, status: status) }
        let scan = lineEnd(at: i, lineBreaks: 0, fieldCount: fieldCount, blank: false)
        return Scan(next: scan.next, contentEnd: i, lineBreaks: 1, fieldCount: fieldCount, status: status)
    }

    /// The most records that can start in `from ..< to`: its line breaks (LF, CR, or CRLF
    /// counted once) plus one, since every record but the last to start there ends at a
    /// line break before the next one starts. Counted sixteen bytes at a time; `visited(upTo:)` is
    /// told every 8 MiB how far the count has read.
    ///
    /// - Complexity: O(to − from).
    func recordBound(from: Int, to: Int, visited: (Int) -> Void = { _ in }) -> Int {
        // Each byte lane of a word gets 1 where the byte matches, 0 elsewhere (exact).
        @inline(__always) func marks(_ w: UInt64, _ pattern: UInt64) -> UInt64 {
            let x = w ^ pattern, low = 0x7F7F_7F7F_7F7F_7F7F as UInt64
            return ~(((x & low) &+ low) | x | low) >> 7
        }
        let p = UnsafeRawPointer(base), lfs = 0x0A0A_0A0A_0A0A_0A0A as UInt64, crs = 0x0D0D_0D0D_0D0D_0D0D as UInt64
        var lf = 0, cr = 0, i = from
        while i < to {
            let stop = min(to, i + (8 << 20))
            while i + 16 <= stop {
                // Up to 255 rounds of sixteen bytes, so that no lane passes 255, then the lanes
                // are summed. A true lane of a compare is all ones (-1): subtracting it counts one.
                var lfLanes = SIMD16<UInt8>(), crLanes = SIMD16<UInt8>(), rounds = 0
                while rounds < 255 && i + 16 <= stop {
                    let v = p.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                    lfLanes &-= unsafeBitCast(v .== SIMD16<UInt8>(repeating: CSVTokenizer.lf), to: SIMD16<UInt8>.self)
                    crLanes &-= unsafeBitCast(v .== SIMD16<UInt8>(repeating: CSVTokenizer.cr), to: SIMD16<UInt8>.self)
                    i &+= 16
                    rounds &+= 1
                }
                lf &+= Int(SIMD16<UInt16>(truncatingIfNeeded: lfLanes).wrappedSum())
                cr &+= Int(SIMD16<UInt16>(truncatingIfNeeded: crLanes).wrappedSum())
            }
            while i < stop {
                if base[i] == CSVTokenizer.lf { lf &+= 1 } else if base[i] == CSVTokenizer.cr { cr &+= 1 }
                i &+= 1
            }
            visited(i)
        }
        // A CRLF is one line break: count the CRs whose next byte is an LF, a word at a time
        // (each word against the same word one byte on). Only files with CRs pay for this pass.
        var pairs = 0, j = from
        if cr > 0 {
            while j + 9 <= to {
                let here = p.loadUnaligned(fromByteOffset: j, as: UInt64.self), next = p.loadUnaligned(fromByteOffset: j + 1, as: UInt64.self)
                pairs &+= (marks(here, crs) & marks(next, lfs)).nonzeroBitCount
                j &+= 8
            }
            while j + 1 < to {
                if base[j] == CSVTokenizer.cr && base[j + 1] == CSVTokenizer.lf { pairs &+= 1 }
                j &+= 1
            }
        }
        return lf + cr - pairs + 1
    }

    /// The first position after a line break at or after `position` (or `end`).
    func startOfNextLine(after position: Int) -> Int {
        var i = position
        while i < end && base[i] != CSVTokenizer.lf && base[i] != CSVTokenizer.cr { i += 1 }
        if i == end { return end }
        return base[i] == CSVTokenizer.cr && i + 1 < end && base[i + 1] == CSVTokenizer.lf ? i + 2 : i + 1
    }

    /// The field's bytes as a `String`, `""` unescaped. For headers and reject texts, not for hot loops.
    func string(of field: FieldSpan) -> String {
        let bytes = UnsafeBufferPointer(start: base + field.start, count: field.count)
        guard field.hasEscapes else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: CSVTokenizer.unescaped(bytes), as: UTF8.self)
    }

    /// The bytes with each doubled quote made single.
    static func unescaped(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            i += bytes[i] == quote && i + 1 < bytes.count && bytes[i + 1] == quote ? 2 : 1
        }
        return out
    }
}
