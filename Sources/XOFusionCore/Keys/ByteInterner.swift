#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte strings interned to dense codes `0..<count` in first-seen order: an
/// open-addressed table (linear probing, at most half full) over a
/// ``StringBuffer`` of the values. Shared by dictionary-encoded string columns
/// and the ``KeySpace``.
///
/// Each 16-byte slot holds a value's code + 1 and a key that identifies the
/// value (``Slot``). A value of at most ``inlineLimit`` bytes (customer and
/// order IDs such as `C000123456`) is its own key: its bytes sit in the slot,
/// so a probe compares two words and never reads the stored values; a hit
/// costs one cache line. A longer value's key is its 64-bit hash and length,
/// and a probe whose key matches confirms against the stored bytes.
///
/// The hash is a seeded multiply-xor over 8-byte words: much cheaper than
/// SipHash on short IDs, and seeded per interner so that crafted input cannot
/// aim at collisions.
///
/// With a million keys the table no longer fits in cache, and every probe
/// waits on memory. ``codes(of:count:base:insert:into:)`` probes a batch of
/// values in stages (hash all, touch all their slots, touch the stored values
/// of long ones, then resolve), so that the misses of one batch overlap. A
/// table of 2 MiB or more asks for huge pages (Linux), so that these random
/// probes rarely miss the TLB as well.
///
/// Values known to be new can be appended without hashing (``appendUnhashed(_:)``),
/// for a ``KeySpace`` that finds its numbered IDs by number; ``hashPending()`` puts
/// them in the table before it is next searched for them or added to.
struct ByteInterner: Sendable {
    /// One slot of the table; all zero when empty.
    ///
    /// - `key`: a short value's bytes 0..<8 (little-endian, zero-padded), or a
    ///   long value's full hash.
    /// - `meta`: the code + 1 in the high 32 bits (never 0 in a used slot); in
    ///   the low 32 bits a short value's bytes 8..<11 (24 bits) and its length
    ///   (top byte), or for a long value 0xFF (top byte) and its length's low 24 bits.
    ///
    /// A short value's length is at most ``inlineLimit`` < 0xFF, so a short and
    /// a long value never have the same key.
    struct Slot {
        var key: UInt64
        var meta: UInt64

        static let empty = Slot(key: 0, meta: 0)

        /// The code stored in a used slot.
        @inline(__always) var code: UInt32 { UInt32(truncatingIfNeeded: meta >> 32) &- 1 }
        /// The low half of `meta`, compared with a probe's ``Probe/tag``.
        @inline(__always) var tag: UInt32 { UInt32(truncatingIfNeeded: meta) }
        /// Whether the slot holds a value longer than ``inlineLimit``.
        @inline(__always) var isLong: Bool { tag >> 24 == 0xFF }
    }

    /// What a value's slot holds besides its code, and the value's hash.
    struct Probe {
        var key: UInt64
        var tag: UInt32
        var hash: Int
        /// Whether the value is longer than ``inlineLimit`` (a key match must be confirmed).
        @inline(__always) var isLong: Bool { tag >> 24 == 0xFF }
    }

    /// The longest value kept in its slot (8 bytes in `key`, 3 in `meta`).
    static let inlineLimit = 11

    private(set) var values = StringBuffer()
    private var slots = SlotTable(count: 1024)
    private let seed = UInt64.random(in: 0...UInt64.max)
    /// Values `0 ..< hashed` are in the table; later ones came from ``appendUnhashed(_:)``.
    private var hashed = 0

    /// Whether values appended by ``appendUnhashed(numbers:pattern:)`` are not in the table yet: a look-up
    /// does not find them, and nothing may be added before ``hashPending()``.
    var hasPending: Bool { hashed < values.count }

    /// Makes room for `count` values without growing the table on the way
    /// (each growth rehashes every value).
    mutating func reserveCapacity(_ count: Int) {
        var size = slots.buffer.count
        while size < count * 2 { size *= 2 }
        guard size > slots.buffer.count else { return }
        rehash(to: size)
    }

    /// The number of distinct values.
    @inline(__always) var count: Int { values.count }

    /// The code of a value, adding it if new; `isNew` says which. Fails only
    /// past 4 GiB of distinct text.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) throws(TableError) -> (code: UInt32, isNew: Bool) {
        let probe = self.probe(p, n)
        let (slot, code) = find(probe, p, n)
        if let code { return (code, false) }
        return (try insert(probe, p, n, at: slot), true)
    }

    /// Codes for a batch of values (`spans[i]` = start and end in `base`), in
    /// stages so that cache misses overlap; `insert: false` looks up only and
    /// writes `UInt32.max` for a value not in the table.
    mutating func codes(
        of spans: UnsafePointer<(start: Int, end: Int)>, count: Int, base: UnsafePointer<UInt8>, insert: Bool,
        into out: UnsafeMutablePointer<UInt32>
    ) throws(TableError) {
        precondition(count <= 16, "batches of at most 16")
        var probes = (
            Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0),
            Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0),
            Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0),
            Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0), Probe(key: 0, tag: 0, hash: 0))
        try withUnsafeMutableBytes(of: &probes) { (raw) throws(TableError) in
            let probe = raw.baseAddress!.assumingMemoryBound(to: Probe.self)
            var touch: UInt64 = 0
            var long = false
            do {
                let table = slots.buffer, mask = table.count &- 1
                // 1: hash every value.
                for i in 0..<count {
                    probe[i] = self.probe(base + spans[i].start, spans[i].end &- spans[i].start)
                    long = long || probe[i].isLong
                }
                // 2: touch every slot, in a loop short enough that the whole batch's
                // misses are in flight at once (hashing in between would fill the
                // processor's reorder window after a few).
                for i in 0..<count { touch &+= table[probe[i].hash & mask].meta }
                // 3: for long values only, touch the stored value the slot points at.
                if long {
                    for i in 0..<count where probe[i].isLong {
                        let slot = table[probe[i].hash & mask]
                        if slot.key == probe[i].key && slot.tag == probe[i].tag {
                            touch &+= UInt64(values.offsets[Int(slot.code)])
                        }
                    }
                }
            }
            if touch == 0x5EED { out[0] = 0 }  // keeps the touches from being optimised away
            // 4: resolve one by one; the lines are in cache now. An insert may
            // grow the table, so each probe starts afresh.
            for i in 0..<count {
                let p = base + spans[i].start, n = spans[i].end &- spans[i].start
                let (slot, code) = find(probe[i], p, n)
                if let code {
                    out[i] = code
                } else if insert {
                    out[i] = try self.insert(probe[i], p, n, at: slot)
                } else {
                    out[i] = .max
                }
            }
        }
    }

    /// The code of a value, or `nil` if it was never interned.
    @inline(__always)
    func code(of p: UnsafePointer<UInt8>, _ n: Int) -> UInt32? {
        find(probe(p, n), p, n).code
    }

    /// The slot holding the value and its code, or the empty slot where it would go.
    @inline(__always)
    private func find(_ probe: Probe, _ p: UnsafePointer<UInt8>, _ n: Int) -> (slot: Int, code: UInt32?) {
        let table = slots.buffer, mask = table.count &- 1
        var slot = probe.hash & mask
        while true {
            let entry = table[slot]
            if entry.meta == 0 { return (slot, nil) }
            if entry.key == probe.key && entry.tag == probe.tag && (!probe.isLong || storedValue(Int(entry.code), equals: p, n)) {
                return (slot, entry.code)
            }
            slot = (slot &+ 1) & mask
        }
    }

    /// Whether stored value `code` has the `n` bytes at `p`.
    private func storedValue(_ code: Int, equals p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        values.withUTF8(at: code) { $0.count == n && (n == 0 || memcmp($0.baseAddress!, p, n) == 0) }
    }

    /// Adds a value at its empty slot `slot` (from ``find(_:_:_:)``) and returns its code.
    @inline(__always)
    private mutating func insert(_ probe: Probe, _ p: UnsafePointer<UInt8>, _ n: Int, at slot: Int) throws(TableError) -> UInt32 {
        assert(!hasPending, "values appended unhashed must be hashed before another is added")
        let code = values.count
        try values.append(utf8Bytes: UnsafeBufferPointer(start: p, count: n))
        hashed = values.count
        if !isKnownUniquelyReferenced(&slots) { slots = slots.copy() }  // a copy of the interner shares them
        slots.buffer[slot] = Slot(key: probe.key, meta: UInt64(UInt32(truncatingIfNeeded: code &+ 1)) << 32 | UInt64(probe.tag))
        if values.count * 2 > slots.buffer.count { rehash(to: slots.buffer.count * 2) }
        return UInt32(truncatingIfNeeded: code)
    }

    /// Appends values that are known not to be interned, without hashing them: the IDs of
    /// `pattern` whose numbers are `numbers`, in order; returns the code of the first. For a
    /// caller that finds these values another way (a key space adds numbered IDs and looks
    /// them up by number) until ``hashPending()``.
    ///
    /// - Throws: ``TableError/capacityExceeded(column:reason:)`` past 4 GiB of text.
    /// - Complexity: O(numbers × pattern length).
    mutating func appendUnhashed(numbers: some Collection<UInt32>, pattern: IDPattern) throws(TableError) -> UInt32 {
        let code = values.count
        try values.append(numbers: numbers, pattern: pattern)
        return UInt32(truncatingIfNeeded: code)
    }

    /// Puts the values appended by ``appendUnhashed(numbers:pattern:)`` into the table.
    ///
    /// - Complexity: O(pending values).
    mutating func hashPending() {
        guard hasPending else { return }
        var size = slots.buffer.count
        while size < values.count * 2 { size *= 2 }
        if size > slots.buffer.count {
            rehash(to: size)
        } else if !isKnownUniquelyReferenced(&slots) {
            slots = slots.copy()
        }
        let table = slots.buffer, mask = table.count &- 1
        for code in hashed..<values.count {
            let probe = values.withUTF8(at: code) { b in self.probe(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count) }
            var slot = probe.hash & mask
            while table[slot].meta != 0 { slot = (slot &+ 1) & mask }
            table[slot] = Slot(key: probe.key, meta: UInt64(UInt32(truncatingIfNeeded: code &+ 1)) << 32 | UInt64(probe.tag))
        }
        hashed = values.count
    }

    /// Moves every slot to a table of `size` slots. Needs no stored value: a
    /// short value's hash comes from its slot, a long value's hash is its key.
    private mutating func rehash(to size: Int) {
        let grown = SlotTable(count: size)
        let table = grown.buffer, mask = size - 1
        for entry in slots.buffer where entry.meta != 0 {
            let hash = entry.isLong ? Int(truncatingIfNeeded: entry.key) : shortHash(entry.key, entry.tag)
            var slot = hash & mask
            while table[slot].meta != 0 { slot = (slot &+ 1) & mask }
            table[slot] = entry
        }
        slots = grown
    }

    /// The probe of a value: its bytes packed into the slot's words when
    /// short, its hash and length when long.
    @inline(__always)
    func probe(_ p: UnsafePointer<UInt8>, _ n: Int) -> Probe {
        if n > ByteInterner.inlineLimit {
            let hash = longHash(p, n)
            return Probe(key: UInt64(truncatingIfNeeded: hash), tag: 0xFF00_0000 | UInt32(truncatingIfNeeded: n & 0xFF_FFFF), hash: hash)
        }
        let (low, high) = PackedBytes.words(p, n)
        let tag = UInt32(truncatingIfNeeded: high) | UInt32(truncatingIfNeeded: n) &<< 24
        return Probe(key: low, tag: tag, hash: shortHash(low, tag))
    }

    /// The hash of a short value from its packed words (length included in `tag`).
    @inline(__always)
    private func shortHash(_ key: UInt64, _ tag: UInt32) -> Int {
        var h = (seed ^ key) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        h = (h ^ UInt64(tag)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// The hash of a long value.
    @inline(__always)
    private func longHash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h = seed ^ (UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i &+ 8 <= n {
            h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i &+= 8
        }
        if i < n {
            // The last 8 bytes (n > 8): overlap the words already mixed in, never read past the end.
            h = (h ^ UnsafeRawPointer(p + (n &- 8)).loadUnaligned(as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }
}

extension ByteInterner {
    /// The slots of a ``ByteInterner``, zeroed: written only while uniquely
    /// referenced (the interner copies them first otherwise).
    final class SlotTable: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Slot>

        /// `count` empty slots (a power of two). From 2 MiB on, the memory is
        /// aligned to huge pages and asks for them (Linux).
        init(count: Int) {
            let bytes = count * MemoryLayout<Slot>.stride
            let hugePage = 2 << 20
            var memory: UnsafeMutableRawPointer?
            guard posix_memalign(&memory, bytes >= hugePage ? hugePage : 64, bytes) == 0, let memory else {
                fatalError("out of memory for \(count) interner slots")
            }
            #if canImport(Glibc)
                if bytes >= hugePage { _ = madvise(memory, bytes, MADV_HUGEPAGE) }
            #endif
            buffer = UnsafeMutableBufferPointer(start: memory.bindMemory(to: Slot.self, capacity: count), count: count)
            buffer.initialize(repeating: .empty)
        }

        deinit { free(buffer.baseAddress) }

        /// A table with the same slots.
        func copy() -> SlotTable {
            let table = SlotTable(count: buffer.count)
            _ = table.buffer.update(fromContentsOf: buffer)
            return table
        }
    }
}

/// Short byte strings packed into two words, for keys compared and hashed without
/// touching the bytes again.
enum PackedBytes {
    /// The `n` (at most 16) bytes at `p` as two little-endian words, zero-padded: bytes
    /// 0..<8 in `low`, 8..<16 in `high`. Every load stays within the `n` bytes (a value
    /// may end at the end of a page), and no byte goes through memory on the way: a
    /// copy into a stack buffer read back as words stalls on store forwarding.
    @inline(__always)
    static func words(_ p: UnsafePointer<UInt8>, _ n: Int) -> (low: UInt64, high: UInt64) {
        let raw = UnsafeRawPointer(p)
        var low: UInt64 = 0, high: UInt64 = 0
        if n >= 8 {
            low = raw.loadUnaligned(as: UInt64.self)
            if n > 8 {
                // The last 8 bytes, shifted so that byte 8 lands in the low byte.
                high = raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) &>> UInt64(8 &* (16 &- n))
            }
        } else if n >= 4 {
            let first = UInt64(raw.loadUnaligned(as: UInt32.self))
            let last = UInt64(raw.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
            low = first | last &<< UInt64(8 &* (n &- 4))
        } else if n > 0 {
            low = UInt64(p[0]) | UInt64(p[n >> 1]) &<< UInt64(8 &* (n >> 1)) | UInt64(p[n &- 1]) &<< UInt64(8 &* (n &- 1))
        }
        return (low, high)
    }
}
