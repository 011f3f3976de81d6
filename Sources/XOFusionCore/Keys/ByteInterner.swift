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
/// aim at collisions. Each slot holds the code + 1 (low 32 bits) and the top
/// 32 bits of the hash, so a probe rarely reads a stored value it does not want.
///
/// With a million keys the table no longer fits in cache, and every probe
/// waits on memory. ``codes(of:count:base:insert:into:)`` probes a batch of
/// values in stages (hash all, touch all their slots, touch all candidate
/// values, then compare), so that the misses of one batch overlap.
struct ByteInterner: Sendable {
    private(set) var values = StringBuffer()
    private var slots: [UInt64] = Array(repeating: 0, count: 1024)
    private let seed = UInt64.random(in: 0...UInt64.max)

    /// Makes room for `count` values without growing the table on the way
    /// (each growth rehashes every value).
    mutating func reserveCapacity(_ count: Int) {
        var size = slots.count
        while size < count * 2 { size *= 2 }
        guard size > slots.count else { return }
        rehash(to: size)
    }

    /// The number of distinct values.
    @inline(__always) var count: Int { values.count }

    /// The code of a value, adding it if new; `isNew` says which. Fails only
    /// past 4 GiB of distinct text.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) throws(TableError) -> (code: UInt32, isNew: Bool) {
        let hash = self.hash(p, n)
        var slot = find(p, n, hash: hash)
        if slots[slot] != 0 { return (UInt32(truncatingIfNeeded: slots[slot]) &- 1, false) }
        let code = values.count
        try values.append(utf8Bytes: UnsafeBufferPointer(start: p, count: n))
        slots[slot] = ByteInterner.entry(code: code, hash: hash)
        if values.count * 2 > slots.count {
            rehash()
            slot = 0
        }
        return (UInt32(code), true)
    }

    @inline(__always)
    static func entry(code: Int, hash: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: code + 1)) | (UInt64(truncatingIfNeeded: hash) & 0xFFFF_FFFF_0000_0000)
    }

    /// Codes for a batch of values (`spans[i]` = start and end in `base`), in
    /// stages so that cache misses overlap; `insert: false` looks up only and
    /// writes `UInt32.max` for a value not in the table.
    mutating func codes(
        of spans: UnsafePointer<(start: Int, end: Int)>, count: Int, base: UnsafePointer<UInt8>, insert: Bool,
        into out: UnsafeMutablePointer<UInt32>
    ) throws(TableError) {
        var hashes = (Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0), Int(0))
        precondition(count <= 16, "batches of at most 16")
        try withUnsafeMutableBytes(of: &hashes) { (raw) throws(TableError) in
            let h = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            var touch: UInt64 = 0
            let mask = slots.count &- 1
            // 1: hash every value and touch its slot.
            for i in 0..<count {
                h[i] = hash(base + spans[i].start, spans[i].end &- spans[i].start)
                touch &+= slots[h[i] & mask]
            }
            // 2: touch the stored value each slot points at.
            for i in 0..<count {
                let entry = slots[h[i] & mask]
                if entry != 0 && entry >> 32 == UInt64(truncatingIfNeeded: h[i]) >> 32 {
                    let code = Int(UInt32(truncatingIfNeeded: entry)) &- 1
                    touch &+= UInt64(values.offsets[code])
                }
            }
            if touch == 0x5EED { out[0] = 0 }  // keeps the touches from being optimised away
            // 3: resolve one by one; the lines are in cache now.
            for i in 0..<count {
                let p = base + spans[i].start, n = spans[i].end &- spans[i].start
                let slot = find(p, n, hash: h[i])
                if slots[slot] != 0 {
                    out[i] = UInt32(truncatingIfNeeded: slots[slot]) &- 1
                } else if insert {
                    out[i] = try intern(p, n).code
                } else {
                    out[i] = .max
                }
            }
        }
    }

    /// The code of a value, or `nil` if it was never interned.
    @inline(__always)
    func code(of p: UnsafePointer<UInt8>, _ n: Int) -> UInt32? {
        let entry = slots[find(p, n, hash: hash(p, n))]
        return entry == 0 ? nil : UInt32(truncatingIfNeeded: entry) &- 1
    }

    /// The slot holding the value, or the empty slot where it would go.
    @inline(__always)
    private func find(_ p: UnsafePointer<UInt8>, _ n: Int, hash: Int) -> Int {
        let mask = slots.count &- 1
        let tag = UInt64(truncatingIfNeeded: hash) >> 32
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return slot }
            if entry >> 32 == tag {
                let code = Int(UInt32(truncatingIfNeeded: entry)) &- 1
                if values.withUTF8(at: code, { $0.count == n && (n == 0 || memcmp($0.baseAddress!, p, n) == 0) }) { return slot }
            }
            slot = (slot &+ 1) & mask
        }
    }

    private mutating func rehash(to size: Int? = nil) {
        let old = slots
        slots = Array(repeating: 0, count: size ?? slots.count * 2)
        let mask = slots.count - 1
        for entry in old where entry != 0 {
            let code = Int(UInt32(truncatingIfNeeded: entry)) - 1
            let hash = values.withUTF8(at: code) { self.hash($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            var slot = hash & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
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
