import Testing
@testable import XOFusionCore

/// ByteInterner against a Swift dictionary: short values live in their slots,
/// long ones are confirmed against the stored bytes, and both must give the
/// same first-seen codes as the reference.
@Suite struct ByteInternerTests {
    /// Random byte strings of 0…40 bytes that stress the inline limit: many
    /// of exactly the limit and one either side, shared prefixes, zero bytes
    /// (trailing ones too, so that "ab" and "ab\0" must differ), few letters.
    static func values(seed: UInt64, count: Int) -> [[UInt8]] {
        var g = SeededGenerator(seed: seed)
        let limit = ByteInterner.inlineLimit
        let lengths = [0, 1, 2, 3, 4, 7, 8, 9, limit - 1, limit, limit, limit + 1, limit + 1, 12, 15, 16, 17, 24, 40]
        let alphabet: [UInt8] = [0, 0, 1, 0x41, 0x42, 0x30, 0x31, 0xFF]
        var out: [[UInt8]] = []
        for _ in 0..<count {
            let pick = Int.random(in: 0..<10, using: &g)
            if pick < 3, let earlier = out.randomElement(using: &g) {
                // A repeat, a prefix of an earlier value, or one with a byte added or changed.
                var v = earlier
                switch Int.random(in: 0..<4, using: &g) {
                case 0: break
                case 1: v = Array(v.prefix(Int.random(in: 0...v.count, using: &g)))
                case 2: v.append(alphabet.randomElement(using: &g)!)
                default: if !v.isEmpty { v[Int.random(in: 0..<v.count, using: &g)] ^= 1 }
                }
                out.append(v)
            } else {
                let n = pick < 8 ? lengths.randomElement(using: &g)! : Int.random(in: 0...40, using: &g)
                out.append((0..<n).map { _ in alphabet.randomElement(using: &g)! })
            }
        }
        return out
    }

    /// The first-seen code of each value.
    static func reference(_ values: [[UInt8]]) -> (codes: [Int], table: [[UInt8]: Int]) {
        var table: [[UInt8]: Int] = [:]
        var codes: [Int] = []
        for v in values {
            if let c = table[v] { codes.append(c) } else { table[v] = table.count; codes.append(table.count - 1) }
        }
        return (codes, table)
    }

    static func lookUp(_ interner: ByteInterner, _ v: [UInt8]) -> UInt32? {
        v.withUnsafeBufferPointer { interner.code(of: $0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    @Test func internMatchesADictionary() throws {
        for seed in 0..<UInt64(200) {
            // Up to ~4000 values: the table (1024 slots at first) rehashes several times.
            let values = Self.values(seed: seed, count: 200 + Int(seed) * 19)
            let (codes, table) = Self.reference(values)
            var interner = ByteInterner()
            if seed % 7 == 0 { interner.reserveCapacity(Int(seed) * 3) }
            var distinct = 0
            for (v, expected) in zip(values, codes) {
                let (code, isNew) = try v.withUnsafeBufferPointer { (b) throws(TableError) in
                    try interner.intern(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count)
                }
                let first = expected == distinct
                if first { distinct += 1 }
                #expect(Int(code) == expected && isNew == first, "seed \(seed)")
                if Int(code) != expected { return }
            }
            #expect(interner.count == table.count)
            for (v, c) in table {
                #expect(Self.lookUp(interner, v) == UInt32(c), "seed \(seed)")
                #expect(interner.values.withUTF8(at: c) { Array($0) } == v)
            }
            // Absent values: never interned, and looking them up adds nothing.
            for v in Self.values(seed: seed &+ 1000, count: 200) where table[v] == nil {
                #expect(Self.lookUp(interner, v) == nil, "seed \(seed)")
            }
            #expect(interner.count == table.count)
        }
    }

    @Test func batchedCodesMatchADictionary() throws {
        for seed in 0..<UInt64(200) {
            let values = Self.values(seed: seed, count: 200 + Int(seed) * 19)
            let (codes, table) = Self.reference(values)
            // All values in one buffer, as a column's bytes.
            var bytes: [UInt8] = []
            var spans: [(start: Int, end: Int)] = []
            for v in values {
                spans.append((bytes.count, bytes.count + v.count))
                bytes += v
            }
            var interner = ByteInterner()
            var g = SeededGenerator(seed: seed)
            var out = [UInt32](repeating: 0, count: values.count)
            try bytes.withUnsafeBufferPointer { (all) throws(TableError) in
                let base = all.baseAddress ?? UnsafePointer(bitPattern: 1)!
                var i = 0
                while i < values.count {
                    let n = min(Int.random(in: 1...16, using: &g), values.count - i)
                    try spans[i...].withUnsafeBufferPointer { (s) throws(TableError) in
                        try out[i...].withUnsafeMutableBufferPointer { (o) throws(TableError) in
                            try interner.codes(of: s.baseAddress!, count: n, base: base, insert: true, into: o.baseAddress!)
                        }
                    }
                    i += n
                }
            }
            #expect(out.indices.first { Int(out[$0]) != codes[$0] } == nil, "seed \(seed): first wrong code")
            #expect(interner.count == table.count)

            // Looking up only: present values get their codes, absent ones UInt32.max.
            let probes = Self.values(seed: seed &+ 1000, count: 300) + values.shuffled(using: &g).prefix(300)
            var probeBytes: [UInt8] = []
            var probeSpans: [(start: Int, end: Int)] = []
            for v in probes {
                probeSpans.append((probeBytes.count, probeBytes.count + v.count))
                probeBytes += v
            }
            var found = [UInt32](repeating: 0, count: probes.count)
            try probeBytes.withUnsafeBufferPointer { (all) throws(TableError) in
                let base = all.baseAddress ?? UnsafePointer(bitPattern: 1)!
                var i = 0
                while i < probes.count {
                    let n = min(16, probes.count - i)
                    try probeSpans[i...].withUnsafeBufferPointer { (s) throws(TableError) in
                        try found[i...].withUnsafeMutableBufferPointer { (o) throws(TableError) in
                            try interner.codes(of: s.baseAddress!, count: n, base: base, insert: false, into: o.baseAddress!)
                        }
                    }
                    i += n
                }
            }
            let expected = probes.map { table[$0].map(UInt32.init) ?? .max }
            #expect(found.indices.first { found[$0] != expected[$0] } == nil, "seed \(seed): first wrong lookup")
            #expect(interner.count == table.count)
        }
    }

    @Test func valuesAtTheInlineLimitAreDistinct() throws {
        var interner = ByteInterner()
        let limit = ByteInterner.inlineLimit
        // Same bytes up to a zero: a length must tell them apart, in the slot and past it.
        let values: [[UInt8]] = [[], [0], [0, 0], Array(repeating: 0, count: limit), Array(repeating: 0, count: limit + 1),
                                 Array(repeating: 7, count: limit - 1) + [0], Array(repeating: 7, count: limit - 1),
                                 Array(repeating: 7, count: limit), Array(repeating: 7, count: limit) + [0]]
        for (i, v) in values.enumerated() {
            let (code, isNew) = try v.withUnsafeBufferPointer { (b) throws(TableError) in
                try interner.intern(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count)
            }
            #expect(code == UInt32(i) && isNew)
        }
        for (i, v) in values.enumerated() { #expect(Self.lookUp(interner, v) == UInt32(i)) }
    }
}

@Suite struct PackedBytesTests {
    /// The packed words equal the bytes copied into two zeroed words, for every length up to 16
    /// and values that end exactly at the end of their buffer.
    @Test func packsLikeACopy() {
        var g = SeededGenerator(seed: 5)
        for n in 0...16 {
            for _ in 0..<50 {
                let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
                var expected: (UInt64, UInt64) = (0, 0)
                withUnsafeMutableBytes(of: &expected) { out in for (i, b) in bytes.enumerated() { out[i] = b } }
                let packed = bytes.withUnsafeBufferPointer { PackedBytes.words($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, n) }
                #expect(packed.low == expected.0 && packed.high == expected.1, "\(bytes)")
            }
        }
    }

    /// Numbered IDs appended unhashed are written as the pattern's text, after what the
    /// interner held, with consecutive codes; hashing them later finds each by its text.
    @Test func numberedIDsAppendedUnhashedReadAsText() throws {
        let pattern = IDPattern(prefix: "C", digits: 9)
        var interner = ByteInterner()
        let existing = Array("earlier".utf8)
        _ = try existing.withUnsafeBufferPointer { try interner.intern($0.baseAddress!, $0.count) }
        let numbers: [UInt32] = [0, 7, 999_999_999, 42, 100_000]
        let first = try interner.appendUnhashed(numbers: numbers, pattern: pattern)
        #expect(first == 1)
        #expect(interner.values.count == 6)
        for (k, number) in numbers.enumerated() {
            #expect(interner.values[1 + k] == pattern.string(Int64(number)))
        }
        #expect(interner.values[0] == "earlier")
        #expect(try interner.appendUnhashed(numbers: [UInt32](), pattern: pattern) == 6)
        interner.hashPending()
        let again = Array("C000000042".utf8)
        let found = try again.withUnsafeBufferPointer { try interner.intern($0.baseAddress!, $0.count) }
        #expect(found.code == 4 && !found.isNew)
    }
}
