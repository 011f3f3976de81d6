/// The codes of a key space's keys of one ``IDPattern``, by number: an
/// open-addressed table (linear probing) of 8-byte slots, each a 4-byte number
/// and its 4-byte code, so that a probe reads one cache line.
///
/// Looking up a numbered column's IDs here is one multiply and one probe per
/// row, with no text written or hashed; ``codes(of:count:into:)`` issues the
/// first probes of a group of rows together so that their cache misses overlap. The
/// index follows the key space: keys added since it was last brought up to
/// date are indexed before each use.
///
/// Keys added as one increasing run into an empty index (a master table sorted by its
/// ID: the codes then follow the numbers) are kept instead as that sorted run with a
/// linear guess of each number's place (``Ranked``): a look-up reads one spot of a 4-byte
/// array a quarter the size of the table, measured 1.7× faster. A later add turns the run
/// into table slots first.
struct NumberedKeyIndex: Sendable {
    let pattern: IDPattern
    /// Keys `0 ..< indexedKeys` of the space have been looked at.
    private(set) var indexedKeys = 0
    /// Per slot: the number in the low half (`UInt32.max`: empty; stored numbers are below it), the code in the high half.
    private var slots: ContiguousArray<UInt64>
    private var shift: Int
    private var used = 0
    /// The keys while they are one increasing run (then `slots` holds none of them).
    private var ranked: Ranked?
    /// Whether the keys are kept as one increasing run.
    var isRanked: Bool { ranked != nil }
    /// Whether no key of the pattern is indexed: every look-up would miss.
    var isEmpty: Bool { used == 0 && ranked == nil }

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
        if let ranked {
            ranked.codes(of: numbers, count: count, into: out)
            return
        }
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

    /// The code of the key with number `number`, if there is one.
    func code(of number: Int64) -> UInt32? {
        guard number >= 0, number <= IDPattern.largestStoredNumber else { return nil }
        let n = UInt32(number)
        if let ranked { return ranked.code(of: n) }
        return slots.withUnsafeBufferPointer { NumberedKeyIndex.probe($0, from: NumberedKeyIndex.slot(of: n, shift: shift), n) }
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
        var entries: [UInt64] = []
        entries.reserveCapacity(values.count - indexedKeys)
        for code in indexedKeys..<values.count {
            let number = values.withUTF8(at: code) { b in b.baseAddress.flatMap { pattern.number(of: $0, count: b.count) } }
            if let number, number <= IDPattern.largestStoredNumber { entries.append(NumberedKeyIndex.entry(UInt32(number), code: UInt32(code))) }
        }
        add(entries, upTo: values.count)
    }

    /// An entry of ``add(_:upTo:)``: a key's number and code in one word.
    @inline(__always)
    static func entry(_ number: UInt32, code: UInt32) -> UInt64 { UInt64(number) | UInt64(code) << 32 }

    /// Indexes keys `indexedKeys ..< keyCount` of the space, given as ``entry(_:code:)``s
    /// (those of this pattern; the caller knows their numbers).
    ///
    /// The entries are inserted in the order of their home slots (a counting sort on the
    /// slot's leading bits), so the table fills front to back: inserted in key order, each
    /// of a million keys would be a cache miss into a table larger than the cache.
    ///
    /// - Complexity: O(entries).
    mutating func add(_ entries: [UInt64], upTo keyCount: Int) {
        precondition(keyCount >= indexedKeys, "keys are indexed in order")
        if let run = ranked, !entries.isEmpty {
            // The run becomes table slots first.
            ranked = nil
            let runEntries = run.numbers.indices.map { NumberedKeyIndex.entry(run.numbers[$0], code: run.firstCode + UInt32($0)) }
            let before = indexedKeys
            indexedKeys = 0
            add(runEntries, upTo: before)
        }
        var entries = entries
        indexedKeys = keyCount
        if (used + entries.count) * 2 > slots.count { grow(toHold: used + entries.count) }
        let slotBits = slots.count.trailingZeroBitCount
        if entries.count >= 1 << 12 && slotBits > 12 {
            // 4,096 buckets by the slot's leading bits; a bucket's slots span a few pages at most.
            let bucketShift = UInt64(shift + slotBits - 12)
            @inline(__always) func bucket(_ entry: UInt64) -> Int {
                Int(truncatingIfNeeded: (UInt64(UInt32(truncatingIfNeeded: entry)) &* 0x9E37_79B9_7F4A_7C15) >> bucketShift)
            }
            var starts = [Int](repeating: 0, count: (1 << 12) + 1)
            for entry in entries { starts[bucket(entry) + 1] += 1 }
            for b in 0..<(1 << 12) { starts[b + 1] += starts[b] }
            var ordered = [UInt64](repeating: 0, count: entries.count)
            for entry in entries {
                let b = bucket(entry)
                ordered[starts[b]] = entry
                starts[b] += 1
            }
            entries = ordered
        }
        for entry in entries { insert(UInt32(truncatingIfNeeded: entry), code: UInt32(truncatingIfNeeded: entry >> 32)) }
    }

    /// Indexes keys `indexedKeys ..< keyCount`: IDs whose numbers increase, with codes
    /// `firstCode`, `firstCode + 1`, … in that order. Into an empty index they are kept as
    /// a ``Ranked`` run when its guess is close enough; otherwise they go into the table.
    ///
    /// - Complexity: O(numbers).
    mutating func addIncreasing(_ numbers: ArraySlice<UInt32>, firstCode: UInt32, upTo keyCount: Int) {
        if used == 0 && ranked == nil, let run = Ranked(ContiguousArray(numbers), firstCode: firstCode) {
            precondition(keyCount >= indexedKeys, "keys are indexed in order")
            ranked = run
            indexedKeys = keyCount
            return
        }
        add(numbers.indices.map { NumberedKeyIndex.entry(numbers[$0], code: firstCode + UInt32($0 - numbers.startIndex)) }, upTo: keyCount)
    }

    /// Keys of one increasing run: `numbers` sorted, the key with `numbers[i]` has code
    /// `firstCode + i`. A number's place is guessed by a straight line through the first and
    /// last number; every key's guess is at most `error` places off (checked when built), so a
    /// look-up walks at most that far.
    struct Ranked: Sendable {
        let numbers: ContiguousArray<UInt32>
        let firstCode: UInt32
        private let low: Double, scale: Double, error: Int

        /// The largest distance from a guess to a key's place worth keeping a run for.
        static let largestError = 32

        /// `nil` when some guess is further off than ``largestError`` (or there are no numbers).
        init?(_ numbers: ContiguousArray<UInt32>, firstCode: UInt32) {
            guard let first = numbers.first, let last = numbers.last else { return nil }
            self.numbers = numbers
            self.firstCode = firstCode
            low = Double(first)
            scale = last > first ? Double(numbers.count - 1) / (Double(last) - Double(first)) : 0
            var error = 0
            for (place, number) in numbers.enumerated() {
                error = max(error, abs(Int((Double(number) - low) * scale) - place))
                if error > Ranked.largestError { return nil }
            }
            self.error = error
        }

        /// The code of the key with number `number`, if there is one.
        @inline(__always)
        func code(of number: UInt32) -> UInt32? {
            numbers.withUnsafeBufferPointer { n in
                let guess = place(of: number, last: n.count - 1)
                return walk(n, from: guess, seen: n[guess], to: number)
            }
        }

        /// The codes of `count` (at most 16) numbers, `UInt32.max` for a number no key has.
        ///
        /// Every number's guessed place is read before any is resolved, so that the cache
        /// misses of a group overlap (in a run larger than the cache most reads miss; resolved
        /// one at a time, each waited for the last: the look-up's share of Q0's samples at SF1
        /// went from 10.0 % to 7.7 % with this).
        @inline(__always)
        func codes(of keys: UnsafePointer<UInt32>, count: Int, into out: UnsafeMutablePointer<UInt32>) {
            numbers.withUnsafeBufferPointer { n in
                withUnsafeTemporaryAllocation(of: (Int, UInt32).self, capacity: 16) { first in
                    let last = n.count - 1
                    for k in 0..<count {
                        let guess = place(of: keys[k], last: last)
                        first[k] = (guess, n[guess])
                    }
                    guard last >= 2 else {
                        for k in 0..<count { out[k] = walk(n, from: first[k].0, seen: first[k].1, to: keys[k]) ?? .max }
                        return
                    }
                    for k in 0..<count {
                        // IDs handed out evenly put most keys at their guess or one place off: the
                        // place among the three around the guess is counted, not searched for, so
                        // the loop does not branch on which it is (a branch there missed about
                        // every other time). Anything else walks.
                        let number = keys[k], lo = min(max(first[k].0 - 1, 0), last - 2)
                        let at = lo &+ (n[lo] < number ? 1 : 0) &+ (n[lo &+ 1] < number ? 1 : 0)
                        out[k] = n[at] == number ? firstCode &+ UInt32(truncatingIfNeeded: at) : walk(n, from: first[k].0, seen: first[k].1, to: number) ?? .max
                    }
                }
            }
        }

        /// The guessed place of `number`, within `0 ... last` (numbers outside the run's
        /// range land on an end, where the walk finds nothing).
        @inline(__always)
        private func place(of number: UInt32, last: Int) -> Int {
            max(0, min(last, Int((Double(number) - low) * scale)))
        }

        /// The code of `number`, walking from its guessed place `guess` (where `seen` is)
        /// at most ``error`` places, or `nil`.
        @inline(__always)
        private func walk(_ n: UnsafeBufferPointer<UInt32>, from guess: Int, seen: UInt32, to number: UInt32) -> UInt32? {
            if seen == number { return firstCode + UInt32(truncatingIfNeeded: guess) }
            var i = guess
            if seen > number {
                let lowest = max(0, guess - error)
                while i > lowest && n[i] > number { i -= 1 }
            } else {
                let highest = min(n.count - 1, guess + error)
                while i < highest && n[i] < number { i += 1 }
            }
            return n[i] == number ? firstCode + UInt32(truncatingIfNeeded: i) : nil
        }
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
