/// The codes of a key space's keys of one ``IDPattern``, by number: an
/// open-addressed table (linear probing) of 8-byte slots, each a 4-byte number
/// and its 4-byte code, so that a probe reads one cache line.
///
/// Looking up a numbered column's IDs here is one multiply and one probe per
/// row, with no text written or hashed; ``codes(of:count:into:)`` issues the
/// first probes of a group of rows together so that their cache misses overlap. The
/// index follows the key space: keys added since it was last brought up to
/// date are indexed before each use.
struct NumberedKeyIndex: Sendable {
    let pattern: IDPattern
    /// Keys `0 ..< indexedKeys` of the space have been looked at.
    private(set) var indexedKeys = 0
    /// Per slot: the number in the low half (`UInt32.max`: empty; stored numbers are below it), the code in the high half.
    private var slots: ContiguousArray<UInt64>
    private var shift: Int
    private var used = 0

    private static let empty = UInt64(UInt32.max)

    init(pattern: IDPattern) {
        self.pattern = pattern
        slots = ContiguousArray(repeating: NumberedKeyIndex.empty, count: 16)
        shift = 64 - 4
    }

    @inline(__always)
    private static func slot(of number: UInt32, shift: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(number) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The codes of `count` (at most 16) numbers: `UInt32.max` for a number no key has.
    /// The first probe of every number is issued before any is resolved.
    @inline(__always)
    func codes(of numbers: UnsafePointer<UInt32>, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        slots.withUnsafeBufferPointer { slots in
            withUnsafeTemporaryAllocation(of: (Int, UInt64).self, capacity: 16) { first in
                for k in 0..<count {
                    let slot = NumberedKeyIndex.slot(of: numbers[k], shift: shift)
                    first[k] = (slot, slots[slot])
                }
                for k in 0..<count {
                    let number = numbers[k], (slot, entry) = first[k]
                    if UInt32(truncatingIfNeeded: entry) == number {
                        out[k] = UInt32(truncatingIfNeeded: entry >> 32)
                    } else if entry == NumberedKeyIndex.empty {
                        out[k] = .max
                    } else {
                        out[k] = NumberedKeyIndex.probe(slots, from: (slot &+ 1) & (slots.count &- 1), number) ?? .max
                    }
                }
            }
        }
    }

    /// Linear probing from `start` until `number` or an empty slot.
    @inline(__always)
    private static func probe(_ slots: UnsafeBufferPointer<UInt64>, from start: Int, _ number: UInt32) -> UInt32? {
        let mask = slots.count &- 1
        var i = start
        while true {
            let entry = slots[i]
            if UInt32(truncatingIfNeeded: entry) == number { return UInt32(truncatingIfNeeded: entry >> 32) }
            if entry == empty { return nil }
            i = (i &+ 1) & mask
        }
    }

    /// Indexes the keys added to `values` since the last call (those of this pattern).
    ///
    /// - Complexity: O(new keys × key length).
    mutating func catchUp(with values: StringBuffer) {
        guard indexedKeys < values.count else { return }
        if (used + values.count - indexedKeys) * 2 > slots.count { grow(toHold: used + values.count - indexedKeys) }
        let pattern = self.pattern, shift = self.shift, first = indexedKeys
        var used = self.used
        slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count &- 1
            // Batches of 16 keys: every key's first slot is read before any is written, so
            // that the batch's cache misses overlap instead of following one another.
            withUnsafeTemporaryAllocation(of: (number: UInt32, code: UInt32, slot: Int, entry: UInt64).self, capacity: 16) { batch in
                var code = first
                while code < values.count {
                    var count = 0
                    while count < 16 && code < values.count {
                        let number = values.withUTF8(at: code) { b in b.baseAddress.flatMap { pattern.number(of: $0, count: b.count) } }
                        if let number, number <= IDPattern.largestStoredNumber {
                            let slot = NumberedKeyIndex.slot(of: UInt32(number), shift: shift)
                            batch[count] = (UInt32(number), UInt32(code), slot, slots[slot])
                            count &+= 1
                        }
                        code &+= 1
                    }
                    insertion: for k in 0..<count {
                        let (number, code, slot, seen) = batch[k]
                        // A slot once taken keeps its key; an empty one may have been taken since.
                        var i = slot, entry = seen == NumberedKeyIndex.empty ? slots[slot] : seen
                        while entry != NumberedKeyIndex.empty {
                            if UInt32(truncatingIfNeeded: entry) == number { continue insertion }  // keys are distinct; kept for safety
                            i = (i &+ 1) & mask
                            entry = slots[i]
                        }
                        slots[i] = UInt64(number) | UInt64(code) << 32
                        used &+= 1
                    }
                }
            }
        }
        self.used = used
        indexedKeys = values.count
    }

    private mutating func insert(_ number: UInt32, code: UInt32) {
        let mask = slots.count - 1
        var i = NumberedKeyIndex.slot(of: number, shift: shift)
        while slots[i] != NumberedKeyIndex.empty {
            if UInt32(truncatingIfNeeded: slots[i]) == number { return }  // keys are distinct; kept for safety
            i = (i &+ 1) & mask
        }
        slots[i] = UInt64(number) | UInt64(code) << 32
        used += 1
    }

    /// Rebuilds the table with room for `count` numbers at a load of at most one half.
    private mutating func grow(toHold count: Int) {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        let old = slots
        slots = ContiguousArray(repeating: NumberedKeyIndex.empty, count: capacity)
        shift = 64 - capacity.trailingZeroBitCount
        used = 0
        for entry in old where entry != NumberedKeyIndex.empty {
            insert(UInt32(truncatingIfNeeded: entry), code: UInt32(truncatingIfNeeded: entry >> 32))
        }
    }
}
