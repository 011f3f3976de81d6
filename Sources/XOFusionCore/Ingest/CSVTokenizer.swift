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
        var status: Status
    }

    static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    let base: UnsafePointer<UInt8>
    /// One past the last byte.
    let end: Int
    let delimiter: UInt8

    /// Scans the record that starts at `start` (which must be `< end`) into `fields`.
    @inline(__always)
    func scanRecord(at start: Int, into fields: inout [FieldSpan]) -> Scan {
        fields.removeAll(keepingCapacity: true)
        let base = self.base, end = self.end, delimiter = self.delimiter
        var i = start
        var lineBreaks = 0
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
                guard closed else { return recover(from: start, .unterminatedQuote) }
                fields.append(FieldSpan(start: fieldStart, end: j, flags: flags))
                i = j + 1
                if i >= end { return Scan(next: end, contentEnd: end, lineBreaks: lineBreaks, status: .record) }
                let b = base[i]
                if b == delimiter {
                    i += 1
                    continue
                }
                if b == CSVTokenizer.lf || b == CSVTokenizer.cr { return lineEnd(at: i, lineBreaks: lineBreaks, blank: false) }
                return recover(from: start, .strayQuote(position: i))
            }
            // An unquoted field: up to the delimiter or a line end.
            let fieldStart = i
            while i < end {
                let b = base[i]
                if b == delimiter || b == CSVTokenizer.lf || b == CSVTokenizer.cr { break }
                i += 1
            }
            fields.append(FieldSpan(start: fieldStart, end: i, flags: 0))
            if i >= end { return Scan(next: end, contentEnd: end, lineBreaks: lineBreaks, status: .record) }
            if base[i] == delimiter {
                i += 1
                continue
            }
            return lineEnd(at: i, lineBreaks: lineBreaks, blank: fields.count == 1 && fieldStart == i)
        }
    }

    /// The record ends at the line break at `i` (LF, CR or CRLF).
    @inline(__always)
    private func lineEnd(at i: Int, lineBreaks: Int, blank: Bool) -> Scan {
        let next = base[i] == CSVTokenizer.cr && i + 1 < end && base[i + 1] == CSVTokenizer.lf ? i + 2 : i + 1
        return Scan(next: next, contentEnd: i, lineBreaks: lineBreaks + 1, status: blank ? .blank : .record)
    }

    /// A bad record: it ends at the first line break after its start.
    @inline(never)
    private func recover(from start: Int, _ status: Status) -> Scan {
        var i = start
        while i < end && base[i] != CSVTokenizer.lf && base[i] != CSVTokenizer.cr { i += 1 }
        if i == end { return Scan(next: end, contentEnd: end, lineBreaks: 0, status: status) }
        let scan = lineEnd(at: i, lineBreaks: 0, blank: false)
        return Scan(next: scan.next, contentEnd: i, lineBreaks: 1, status: status)
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
