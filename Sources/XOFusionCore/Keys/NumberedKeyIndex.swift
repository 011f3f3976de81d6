/// The codes of a key space's keys of one ``IDPattern``, by number: an
/// open-addressed table (linear probing) of 4-byte numbers and 4-byte codes.
///
/// Looking up a numbered column's IDs here is one multiply and one probe per
/// row, with no text written or hashed. The index follows the key space: keys
/// added since it was last brought up to date are indexed before each use.
struct NumberedKeyIndex: Sendable {
    let pattern: IDPattern
    /// Keys `0 ..< indexedKeys` of the space have been looked at.
    private(set) var indexedKeys = 0
    /// Numbers per slot (`UInt32.max`: empty; stored numbers are below it) and their codes.
    private var numbers: ContiguousArray<UInt32>
    private var codes: ContiguousArray<UInt32>
    private var shift: Int
    private var used = 0

    init(pattern: IDPattern) {
        self.pattern = pattern
        numbers = ContiguousArray(repeating: NumberedKeyIndex.empty, count: 16)
        codes = ContiguousArray(repeating: 0, count: 16)
        shift = 64 - 4
    }

    private static let empty = UInt32.max

    @inline(__always)
    private func slot(of number: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(number) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The code of `number`, or `nil` when no key of the space has it.
    ///
    /// - Complexity: O(1) expected.
    @inline(__always)
    func code(of number: UInt32) -> UInt32? {
        numbers.withUnsafeBufferPointer { numbers in
            let mask = numbers.count - 1
            var i = slot(of: number)
            while true {
                let found = numbers[i]
                if found == number { return codes[i] }
                if found == NumberedKeyIndex.empty { return nil }
                i = (i &+ 1) & mask
            }
        }
    }

    /// Indexes the keys added to `values` since the last call (those of this pattern).
    ///
    /// - Complexity: O(new keys × key length).
    mutating func catchUp(with values: StringBuffer) {
        guard indexedKeys < values.count else { return }
        if (used + values.count - indexedKeys) * 2 > numbers.count { grow(toHold: used + values.count - indexedKeys) }
        for code in indexedKeys..<values.count {
            let number = values.withUTF8(at: code) { b in b.baseAddress.flatMap { pattern.number(of: $0, count: b.count) } }
            if let number, number <= IDPattern.largestStoredNumber { insert(UInt32(number), code: UInt32(code)) }
        }
        indexedKeys = values.count
    }

    private mutating func insert(_ number: UInt32, code: UInt32) {
        let mask = numbers.count - 1
        var i = slot(of: number)
        while numbers[i] != NumberedKeyIndex.empty {
            if numbers[i] == number { return }  // keys are distinct; kept for safety
            i = (i &+ 1) & mask
        }
        numbers[i] = number
        codes[i] = code
        used += 1
    }

    /// Rebuilds the table with room for `count` numbers at a load of at most one half.
    private mutating func grow(toHold count: Int) {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        let oldNumbers = numbers, oldCodes = codes
        numbers = ContiguousArray(repeating: NumberedKeyIndex.empty, count: capacity)
        codes = ContiguousArray(repeating: 0, count: capacity)
        shift = 64 - capacity.trailingZeroBitCount
        used = 0
        for i in oldNumbers.indices where oldNumbers[i] != NumberedKeyIndex.empty { insert(oldNumbers[i], code: oldCodes[i]) }
    }
}
