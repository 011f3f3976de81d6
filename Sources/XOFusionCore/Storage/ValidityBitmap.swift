/// A packed bitmap that says which slots of a column hold a value.
///
/// Bit 1 means valid, bit 0 means null; bits are numbered least significant
/// first within 64-bit words, as in Apache Arrow.
public struct ValidityBitmap: Hashable, Sendable {
    @usableFromInline var words: ContiguousArray<UInt64>
    /// The number of bits.
    public private(set) var count: Int

    /// A bitmap of `count` bits, all set to `valid`.
    ///
    /// - Complexity: O(`count` / 64).
    public init(repeating valid: Bool, count: Int) {
        precondition(count >= 0, "negative bitmap size")
        let wordCount = (count + 63) >> 6
        words = ContiguousArray(repeating: valid ? ~0 : 0, count: wordCount)
        self.count = count
        if valid { clearPaddingBits() }
    }

    /// A bitmap with one bit per element of `bits`.
    ///
    /// - Complexity: O(n).
    public init<S: Sequence>(_ bits: S) where S.Element == Bool {
        self.init(repeating: false, count: 0)
        for bit in bits { append(bit) }
    }

    /// Whether bit `index` is set (the slot holds a value).
    @inlinable
    public subscript(index: Int) -> Bool {
        get {
            precondition(index >= 0 && index < count, "bitmap index out of range")
            return words[index >> 6] & (1 << UInt64(index & 63)) != 0
        }
        set {
            precondition(index >= 0 && index < count, "bitmap index out of range")
            let mask: UInt64 = 1 << UInt64(index & 63)
            if newValue { words[index >> 6] |= mask } else { words[index >> 6] &= ~mask }
        }
    }

    /// Calls `body` with the index of every set bit, in increasing order.
    ///
    /// - Complexity: O(`count` / 64 + set bits).
    @inlinable
    public func forEachSetBit(_ body: (Int) throws -> Void) rethrows {
        for w in words.indices {
            var word = words[w]
            while word != 0 {
                try body(w << 6 | word.trailingZeroBitCount)
                word &= word &- 1
            }
        }
    }

    /// Calls `body` with the bits as words (bit `i` is bit `i % 64` of word `i / 64`), for
    /// loops that read bits by row without a check per access.
    @inlinable
    package func withUnsafeWords<R>(_ body: (UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the words to set or clear bits in place (bits at `count` and beyond
    /// must stay clear).
    @inlinable
    package mutating func withUnsafeMutableWords<R>(_ body: (UnsafeMutableBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Appends one bit.
    ///
    /// - Complexity: amortised O(1).
    public mutating func append(_ bit: Bool) {
        if count & 63 == 0 { words.append(0) }
        if bit { words[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    /// Appends `n` copies of `bit`.
    ///
    /// - Complexity: O(`n` / 64).
    public mutating func append(repeating bit: Bool, count n: Int) {
        precondition(n >= 0, "cannot append a negative number of bits")
        guard n > 0 else { return }
        // The last word's bits from `count` on are clear (padding): set them, then add whole words.
        if bit && count & 63 != 0 { words[words.count - 1] |= ~0 << UInt64(count & 63) }
        count += n
        words.append(contentsOf: repeatElement(bit ? ~0 : 0, count: (count + 63) >> 6 - words.count))
        clearPaddingBits()
    }

    /// Keeps the first `newCount` bits.
    ///
    /// - Complexity: O(1) amortised.
    public mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "cannot truncate a bitmap of \(count) bits to \(newCount)")
        count = newCount
        words.removeLast(words.count - (newCount + 63) >> 6)
        clearPaddingBits()
    }

    /// Appends all bits of `other`.
    ///
    /// - Complexity: O(`other.count` / 64) when this bitmap ends on a word boundary, else O(`other.count`).
    public mutating func append(contentsOf other: ValidityBitmap) {
        if count & 63 == 0 {
            words.append(contentsOf: other.words)
            count += other.count
            return
        }
        for i in 0..<other.count { append(other[i]) }
    }

    /// The number of set bits (valid slots) in `range`.
    ///
    /// - Complexity: O(`range.count` / 64).
    public func countSetBits(in range: Range<Int>) -> Int {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        if range.isEmpty { return 0 }
        let firstWord = range.lowerBound >> 6
        let lastWord = (range.upperBound - 1) >> 6
        var total = 0
        for w in firstWord...lastWord {
            var word = words[w]
            if w == firstWord { word &= ~0 << UInt64(range.lowerBound & 63) }
            if w == lastWord {
                let used = range.upperBound - (w << 6)
                if used < 64 { word &= (1 << UInt64(used)) &- 1 }
            }
            total += word.nonzeroBitCount
        }
        return total
    }

    /// A new bitmap holding bits `range` of this one, renumbered from 0.
    ///
    /// - Complexity: O(`range.count`).
    public func extracting(_ range: Range<Int>) -> ValidityBitmap {
        var result = ValidityBitmap(repeating: false, count: range.count)
        for (i, source) in range.enumerated() where self[source] { result[i] = true }
        return result
    }

    /// Keeps bits beyond `count` at zero so that equality and hashing see only real bits.
    private mutating func clearPaddingBits() {
        let used = count & 63
        if used != 0 { words[words.count - 1] &= (1 << UInt64(used)) &- 1 }
    }
}
