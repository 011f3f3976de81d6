#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte strings interned to dense codes `0..<count` in first-seen order: an
/// open-addressed table of code + 1 over a ``StringBuffer`` of the values.
/// Shared by dictionary-encoded string columns and the ``KeySpace``.
///
/// The hash is a seeded multiply-xor over 8-byte words: much cheaper than
/// SipHash on short IDs, and seeded per interner so that crafted input cannot
/// aim at collisions.
struct ByteInterner: Sendable {
    private(set) var values = StringBuffer()
    private var slots: [UInt32] = Array(repeating: 0, count: 1024)
    private var hashes: [Int] = []
    private let seed = UInt64.random(in: 0...UInt64.max)

    /// The number of distinct values.
    @inline(__always) var count: Int { values.count }

    /// The code of a value, adding it if new; `isNew` says which. Fails only
    /// past 4 GiB of distinct text.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) throws(TableError) -> (code: UInt32, isNew: Bool) {
        let hash = self.hash(p, n)
        var slot = find(p, n, hash: hash)
        if slots[slot] != 0 { return (slots[slot] &- 1, false) }
        let code = values.count
        try values.append(utf8Bytes: UnsafeBufferPointer(start: p, count: n))
        hashes.append(hash)
        slots[slot] = UInt32(code + 1)
        if values.count * 2 > slots.count {
            rehash()
            slot = 0
        }
        return (UInt32(code), true)
    }

    /// The code of a value, or `nil` if it was never interned.
    @inline(__always)
    func code(of p: UnsafePointer<UInt8>, _ n: Int) -> UInt32? {
        let entry = slots[find(p, n, hash: hash(p, n))]
        return entry == 0 ? nil : entry &- 1
    }

    /// The slot holding the value, or the empty slot where it would go.
    @inline(__always)
    private func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash: Int) -> Int {
        let mask = slots.count &- 1
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return slot }
            let code = Int(entry &- 1)
            if hashes[code] == hash
                && values.withUTF8(at: code, { $0.count == n && (n == 0 || memcmp($0.baseAddress!, p, n) == 0) })
            {
                return slot
            }
            slot = (slot &+ 1) & mask
        }
    }

    private mutating func rehash() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for code in 0..<values.count {
            var slot = hashes[code] & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(code + 1)
        }
    }

    @inline(__always)
    func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i &+ 8 <= n {
            h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i &+= 8
        }
        if i < n {
            var tail: UInt64 = 0
            for k in 0..<(n &- i) { tail |= UInt64(p[i &+ k]) << UInt64(8 &* k) }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }
}
