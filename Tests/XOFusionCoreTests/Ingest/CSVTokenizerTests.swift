import Testing
@testable import XOFusionCore

@Suite struct CSVTokenizerTests {
    /// The plain-record scan (sixteen bytes classified at once) against the general scan (a byte at
    /// a time), from every start in random byte soup: where the plain scan answers, its spans, end
    /// and next start are the general scan's; where the general scan sees a plain record with room
    /// for a block after it, the plain scan answers. The alphabet mixes every byte the scan treats
    /// specially with their look-alikes above 0x80 and other control bytes.
    @Test(arguments: [",", ";", "\t", "|"])
    func plainScanAgreesWithTheGeneralScan(delimiter: String) {
        let d = UInt8(ascii: Unicode.Scalar(delimiter)!)
        var g = SeededGenerator(seed: 7 &+ UInt64(d))
        let alphabet: [UInt8] = [
            d, d, d, 10, 10, 13, 0x22, 0x09, 0x01, 0x1F, 0x20, UInt8(ascii: "a"), UInt8(ascii: "7"), UInt8(ascii: "Z"),
            0x7F, 0x80, 0xFF, d | 0x80, 0x8A, 0x8D, 0xA2, 0xA0,
        ]
        var answered = 0
        for trial in 0..<300 {
            // Mostly ordinary bytes, so that many records are plain; the specials land anywhere.
            let specials = trial % 3 == 0 ? 2 : 8
            let bytes: [UInt8] = (0..<Int.random(in: 0...200, using: &g)).map { _ in
                Int.random(in: 0..<specials, using: &g) == 0 ? alphabet.randomElement(using: &g)! : UInt8.random(in: 0x21...0x7E, using: &g)
            }.map { $0 == 0x22 && trial % 2 == 0 ? UInt8(ascii: "b") : $0 }
            bytes.withUnsafeBufferPointer { b in
                let tokenizer = CSVTokenizer(base: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, end: b.count, delimiter: d)
                let general = UnsafeMutablePointer<FieldSpan>.allocate(capacity: 64)
                let plain = UnsafeMutablePointer<FieldSpan>.allocate(capacity: 64)
                let slots = UnsafeMutablePointer<Int>.allocate(capacity: 64)
                defer { general.deallocate(); plain.deallocate(); slots.deallocate() }
                for k in 0..<64 { slots[k] = k }
                for start in 0..<b.count {
                    let scan = tokenizer.scanRecord(at: start, into: general, capacity: 64)
                    guard scan.fieldCount < 64 else { continue }
                    let hasQuote = b[start..<scan.contentEnd].contains(0x22)
                    let endsInLineBreak = scan.contentEnd < b.count
                    for fieldCount in [scan.fieldCount - 1, scan.fieldCount, scan.fieldCount + 1] where fieldCount > 0 {
                        let answer = tokenizer.scanPlainRecord(at: start, fieldCount: fieldCount, slots: slots, spans: plain)
                        // An empty line is one empty field to the plain scan: the reader takes it as a
                        // null in a one-column file and as a blank line otherwise, as it does the general scan's.
                        let isRecord = scan.status == .record || (scan.status == .blank && fieldCount == 1)
                        let isPlain = isRecord && fieldCount == scan.fieldCount && !hasQuote && endsInLineBreak
                        if let answer {
                            answered += 1
                            let seen = "\(scan.status), \(scan.fieldCount) fields, \(fieldCount) asked, start \(start) of \(bytes)"
                            #expect(isPlain, "\(seen)")
                            #expect(answer.next == scan.next && answer.contentEnd == scan.contentEnd, "start \(start) of \(bytes)")
                            for k in 0..<fieldCount {
                                #expect(plain[k].start == general[k].start && plain[k].end == general[k].end && general[k].flags == 0,
                                        "field \(k), start \(start) of \(bytes)")
                            }
                        } else if isPlain && scan.contentEnd + 16 <= b.count {
                            Issue.record("a plain record at \(start) was left to the general scan: \(bytes)")
                        }
                    }
                }
            }
        }
        #expect(answered > 1_000)
    }
}
