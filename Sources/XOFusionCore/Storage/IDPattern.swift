/// The shape of text IDs such as `C000000497` or `O0000000001`: a fixed prefix
/// that does not end in a digit, followed by exactly ``digits`` ASCII digits.
///
/// A string column whose every value has one such shape, with a number up
/// to ``largestStoredNumber``, can keep each value as its number: the
/// ``StringLayout/numbered`` layout, 4 bytes per row instead of the text
/// plus a 4-byte offset. Values of one pattern sort by
/// their numbers exactly as they sort as text (one prefix, zero-padded
/// digits of one width), and are equal exactly when their numbers are.
public struct IDPattern: Hashable, Sendable, CustomStringConvertible {
    /// The UTF-8 bytes before the digits (possibly empty; never ending in a digit).
    public let prefix: ContiguousArray<UInt8>
    /// How many digits follow the prefix.
    public let digits: Int

    /// The fewest digits a numbered column has: shorter numbers (`tier1`,
    /// `v2`) mark small sets of values, which a dictionary stores better.
    public static let minimumDigits = 6
    /// The most digits: every number then fits an `Int64`.
    public static let maximumDigits = 18
    /// The largest number a numbered column stores (`2³² − 2`): IDs numbered
    /// beyond four billion make their column plain.
    public static let largestStoredNumber = Int64(UInt32.max) - 1
    /// The longest prefix.
    public static let maximumPrefixLength = 24

    /// Reads values a word at a time; `nil` when this pattern's values are read byte by byte.
    let wordReader: WordReader?

    /// The word-at-a-time reading of ``number(of:count:)`` for values with 9 to 16 digits whose
    /// prefix and first `digits - 8` digits fit in their first 8 bytes (`C000000497`,
    /// `O0000000001`): the first word holds the prefix (checked under `prefixMask`) and the
    /// head digits, which a shift by `headShift` bits and `headMask` turn into a word of eight
    /// digits padded with zeros; the value's last word holds the other eight digits. One or two
    /// head digits (`C` and 9 digits, `O` and 10) are read from the word's top two bytes alone,
    /// in a third of the instructions. Trivial (no reference inside), so a loop holds it in registers.
    struct WordReader: Hashable, Sendable {
        let length: Int
        let prefixMask: UInt64, prefixWord: UInt64, headShift: UInt64, headMask: UInt64
        /// Whether the head has at most two digits.
        let shortHead: Bool

        init?(prefix: ContiguousArray<UInt8>, digits: Int) {
            let head = digits - 8
            guard (9...16).contains(digits), prefix.count + head <= 8 else { return nil }
            length = prefix.count + digits
            prefixMask = prefix.isEmpty ? 0 : UInt64.max >> (64 - 8 * UInt64(prefix.count))
            prefixWord = prefix.enumerated().reduce(0) { word, byte in word | UInt64(byte.element) << (8 * UInt64(byte.offset)) }
            headShift = 8 * UInt64(8 - head - prefix.count)
            headMask = UInt64.max << (8 * UInt64(8 - head))
            shortHead = head <= 2
        }

        /// The number of the value at `p`, or `nil` for a value of another shape.
        @inline(__always)
        func number(of p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
            guard n == length else { return nil }
            let raw = UnsafeRawPointer(p)
            let first = raw.loadUnaligned(as: UInt64.self).littleEndian
            let padded = ((first &<< headShift) & headMask) | (0x3030_3030_3030_3030 & ~headMask)
            guard first & prefixMask == prefixWord,
                let head = shortHead ? IDPattern.twoDigits(padded &>> 48) : IDPattern.eightDigits(padded),
                let tail = IDPattern.eightDigits(raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self).littleEndian)
            else { return nil }
            return Int64(head) &* 100_000_000 &+ Int64(tail)
        }
    }

    /// The length of every value in bytes.
    public var length: Int { prefix.count + digits }

    /// A pattern from its parts.
    ///
    /// - Precondition: `digits` in ``minimumDigits``...``maximumDigits``, a prefix of at most
    ///   ``maximumPrefixLength`` bytes of valid UTF-8 that does not end in an ASCII digit.
    /// - Complexity: O(prefix length).
    public init(prefix: String, digits: Int) {
        let bytes = ContiguousArray(prefix.utf8)
        precondition((IDPattern.minimumDigits...IDPattern.maximumDigits).contains(digits), "an ID pattern has 6 to 18 digits")
        precondition(bytes.count <= IDPattern.maximumPrefixLength, "an ID pattern's prefix has at most 24 bytes")
        precondition(bytes.last.map { !IDPattern.isDigit($0) } ?? true, "an ID pattern's prefix does not end in a digit")
        self.init(uncheckedPrefix: bytes, digits: digits)
    }

    private init(uncheckedPrefix prefix: ContiguousArray<UInt8>, digits: Int) {
        self.prefix = prefix
        self.digits = digits
        wordReader = WordReader(prefix: prefix, digits: digits)
    }

    /// The pattern of one value: its trailing run of ASCII digits and the
    /// bytes before it; `nil` when the run is shorter than ``minimumDigits``
    /// or longer than ``maximumDigits``, the prefix is too long, or the
    /// bytes are not valid UTF-8.
    ///
    /// - Complexity: O(`bytes.count`).
    public init?(of bytes: UnsafeBufferPointer<UInt8>) {
        let run = IDPattern.trailingDigitCount(bytes)
        let prefixLength = bytes.count - run
        guard (IDPattern.minimumDigits...IDPattern.maximumDigits).contains(run), prefixLength <= IDPattern.maximumPrefixLength,
            String(validating: bytes[..<prefixLength], as: UTF8.self) != nil
        else { return nil }
        self.init(uncheckedPrefix: ContiguousArray(bytes[..<prefixLength]), digits: run)
    }

    /// The pattern of a string (see ``init(of:)``).
    ///
    /// - Complexity: O(length of the string).
    public init?(of string: String) {
        var string = string
        guard let pattern = string.withUTF8({ IDPattern(of: $0) }) else { return nil }
        self = pattern
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 <= 9 }

    /// The number of a value of this pattern; `nil` for a value of another shape.
    ///
    /// - Complexity: O(``length``).
    @inline(__always)
    public func number(of p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
        if let wordReader { return wordReader.number(of: p, count: n) }
        let prefixLength = prefix.count
        guard n == prefixLength &+ digits else { return nil }
        let samePrefix = prefix.withUnsafeBufferPointer { q in
            for i in 0..<prefixLength where q[i] != p[i] { return false }
            return true
        }
        guard samePrefix else { return nil }
        return IDPattern.decimalValue(p, from: prefixLength, to: n)
    }

    /// The value of the ASCII digits `p[start ..< end]` (at most 18), or `nil` if a
    /// byte is not a digit: eight digits at a time in one word, then one by one.
    @inline(__always)
    static func decimalValue(_ p: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int64? {
        var value: Int64 = 0
        var i = start
        while end &- i >= 8 {
            guard let eight = IDPattern.eightDigits(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self).littleEndian) else { return nil }
            value = value &* 100_000_000 &+ Int64(eight)
            i &+= 8
        }
        while i < end {
            let digit = p[i] &- 0x30
            guard digit <= 9 else { return nil }
            value = value &* 10 &+ Int64(digit)
            i &+= 1
        }
        return value
    }

    /// How many ASCII digits end `bytes`.
    static func trailingDigitCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var run = 0
        while run < bytes.count && isDigit(bytes[bytes.count - 1 - run]) { run += 1 }
        return run
    }

    /// The value of two ASCII digits in the low two bytes of `pair` (the first digit in the
    /// lowest byte, the other bytes zero), or `nil` if either is not a digit: both bytes' high
    /// nibbles must be 3 and their low nibbles at most 9, tested at once.
    @inline(__always)
    static func twoDigits(_ pair: UInt64) -> UInt32? {
        let v = pair ^ 0x3030
        guard (v & 0xF0F0) | ((v &+ 0x0606) & 0xF0F0) == 0 else { return nil }
        return UInt32(truncatingIfNeeded: (v & 0xFF) &* 10 &+ (v &>> 8))
    }

    /// The value of eight ASCII digits loaded little-endian into a word (the first
    /// digit in the lowest byte), or `nil` if a byte is not a digit. SWAR: every
    /// byte's high nibble must be 3 and its low nibble at most 9, then pairs,
    /// quadruples and halves are combined by multiplication.
    @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt32? {
        let highNibbles = word & 0xF0F0_F0F0_F0F0_F0F0
        let tooLarge = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        guard highNibbles == 0x3030_3030_3030_3030 && tooLarge == 0x3030_3030_3030_3030 else { return nil }
        var v = word &- 0x3030_3030_3030_3030
        v = v &* 10 &+ (v >> 8)  // each even byte: two digits
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        v = ((v & mask) &* (100 &+ (1_000_000 << 32)) &+ ((v >> 16) & mask) &* (1 &+ (10_000 << 32))) >> 32
        return UInt32(truncatingIfNeeded: v)
    }

    /// The number of a string of this pattern; `nil` for another shape.
    ///
    /// - Complexity: O(``length``).
    public func number(of string: String) -> Int64? {
        var string = string
        return string.withUTF8 { b in b.baseAddress.flatMap { number(of: $0, count: b.count) } ?? nil }
    }

    /// Calls `body` with the UTF-8 bytes of the value whose number is `number`,
    /// written into a buffer on the stack.
    ///
    /// - Precondition: `0 <= number < 10^digits`.
    /// - Complexity: O(``length``).
    @inline(__always)
    public func withUTF8<R>(of number: Int64, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
            write(number, to: buffer.baseAddress!)
            return try body(UnsafeBufferPointer(buffer))
        }
    }

    /// Writes the ``length`` bytes of the value whose number is `number` at `out`.
    @inline(__always)
    func write(_ number: Int64, to out: UnsafeMutablePointer<UInt8>) {
        prefix.withUnsafeBufferPointer { prefix in
            IDPattern.digitPairs.withUnsafeBufferPointer { pairs in write(UInt64(truncatingIfNeeded: number), to: out, prefix, pairs.baseAddress!) }
        }
    }

    /// Writes the values whose numbers are `numbers`, ``length`` bytes each, one after another from `out`.
    ///
    /// - Precondition: every number fits the pattern's digits.
    func write(_ numbers: some Collection<UInt32>, to out: UnsafeMutablePointer<UInt8>) {
        let largest = largestNumber
        prefix.withUnsafeBufferPointer { prefix in
            IDPattern.digitPairs.withUnsafeBufferPointer { pairs in
                var at = out
                for number in numbers {
                    precondition(Int64(number) <= largest, "the number fits the pattern")
                    write(UInt64(number), to: at, prefix, pairs.baseAddress!)
                    at += length
                }
            }
        }
    }

    /// The prefix, then the digits two at a time from `pairs` ("00" … "99").
    @inline(__always)
    private func write(_ number: UInt64, to out: UnsafeMutablePointer<UInt8>, _ prefix: UnsafeBufferPointer<UInt8>, _ pairs: UnsafePointer<UInt8>) {
        for k in 0..<prefix.count { out[k] = prefix[k] }
        var rest = number, i = length
        while i &- prefix.count >= 2 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            out[i &- 1] = pairs[pair &+ 1]
            out[i &- 2] = pairs[pair]
            i &-= 2
        }
        if i > prefix.count { out[i &- 1] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10) }
    }

    /// "00", "01", … "99": the two digits of every pair, for ``write(_:to:)``.
    private static let digitPairs: [UInt8] = (0..<100).flatMap { (pair: Int) -> [UInt8] in
        let tens = UInt8(pair / 10), ones = UInt8(pair % 10)
        return [0x30 + tens, 0x30 + ones]
    }

    /// The value whose number is `number`.
    ///
    /// - Precondition: `0 <= number < 10^digits`.
    /// - Complexity: O(``length``).
    public func string(_ number: Int64) -> String {
        withUTF8(of: number) { String(decoding: $0, as: UTF8.self) }
    }

    /// The largest number a value of this pattern can hold: `10^digits − 1`.
    ///
    /// - Complexity: O(``digits``).
    public var largestNumber: Int64 { ScaledDecimal.powerOf10(digits) - 1 }

    /// The prefix and the digit count, as in `C` + 9 digits.
    public var description: String {
        "\(String(decoding: prefix, as: UTF8.self)) + \(digits) digits"
    }
}
