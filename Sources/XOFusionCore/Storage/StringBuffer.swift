/// UTF-8 strings packed into one byte buffer with `count + 1` offsets: string
/// `i` is `bytes[offsets[i] ..< offsets[i + 1]]`. Storage of a plain string
/// column and of a dictionary column's unique values.
public struct StringBuffer: Hashable, Sendable {
    /// The concatenated UTF-8 bytes of all strings.
    public private(set) var bytes: ContiguousArray<UInt8>
    /// Start offsets, plus the end of the last string (`count + 1` entries, first is 0).
    public private(set) var offsets: ContiguousArray<UInt32>

    /// The largest byte buffer a string column can hold (offsets are `UInt32`).
    public static let maximumByteCount = Int(UInt32.max)

    /// An empty buffer with room reserved for `capacity` strings and `byteCapacity` bytes.
    public init(capacity: Int = 0, byteCapacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(byteCapacity)
        offsets = [0]
        offsets.reserveCapacity(capacity + 1)
    }

    /// A buffer of the given strings.
    ///
    /// - Complexity: O(total UTF-8 length).
    public init<S: Sequence>(_ strings: S) throws(TableError) where S.Element == String {
        self.init()
        for string in strings { try append(string) }
    }

    /// A buffer from its parts, trusted: offsets must start at 0, never
    /// decrease, and end at `bytes.count`; the bytes must be valid UTF-8.
    /// Checked in debug builds.
    public init(uncheckedBytes bytes: ContiguousArray<UInt8>, offsets: ContiguousArray<UInt32>) {
        self.init(uncheckedBytes: bytes, offsets: offsets, checked: true)
    }

    /// As ``init(uncheckedBytes:offsets:)``; `checked: false` skips even the
    /// debug check (for tests of the invariant checks themselves).
    init(uncheckedBytes bytes: ContiguousArray<UInt8>, offsets: ContiguousArray<UInt32>, checked: Bool) {
        self.bytes = bytes
        self.offsets = offsets
        #if DEBUG
            if checked {
                let problems = _invariantViolations()
                precondition(problems.isEmpty, "StringBuffer invariants broken: \(problems.joined(separator: "; "))")
            }
        #endif
    }

    /// The number of strings.
    @inlinable public var count: Int { offsets.count - 1 }

    /// Appends a string.
    ///
    /// - Throws: ``TableError/capacityExceeded(column:reason:)`` past 4 GiB of text.
    public mutating func append(_ string: String) throws(TableError) {
        guard bytes.count + string.utf8.count <= StringBuffer.maximumByteCount else {
            throw .capacityExceeded(column: nil, reason: "a string column holds at most 4 GiB of text")
        }
        bytes.append(contentsOf: string.utf8)
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Appends a string given as UTF-8 bytes (not validated here; callers validate).
    ///
    /// - Throws: ``TableError/capacityExceeded(column:reason:)`` past 4 GiB of text.
    public mutating func append(utf8Bytes: UnsafeBufferPointer<UInt8>) throws(TableError) {
        guard bytes.count + utf8Bytes.count <= StringBuffer.maximumByteCount else {
            throw .capacityExceeded(column: nil, reason: "a string column holds at most 4 GiB of text")
        }
        bytes.append(contentsOf: utf8Bytes)
        offsets.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Appends the IDs of `pattern` whose numbers are `numbers`, in order, written straight
    /// into the buffer (no string per ID).
    ///
    /// - Precondition: every number fits the pattern's digits.
    /// - Throws: ``TableError/capacityExceeded(column:reason:)`` past 4 GiB of text.
    /// - Complexity: O(numbers × pattern length).
    mutating func append(numbers: some Collection<UInt32>, pattern: IDPattern) throws(TableError) {
        let length = pattern.length, start = bytes.count
        guard start + numbers.count * length <= StringBuffer.maximumByteCount else {
            throw .capacityExceeded(column: nil, reason: "a string column holds at most 4 GiB of text")
        }
        bytes.append(contentsOf: repeatElement(0, count: numbers.count * length))
        bytes.withUnsafeMutableBufferPointer { out in pattern.write(numbers, to: out.baseAddress! + start) }
        offsets.append(contentsOf: (0..<numbers.count).lazy.map { UInt32(truncatingIfNeeded: start + ($0 + 1) * length) })
    }

    /// The string at `index`.
    ///
    /// - Complexity: O(length of the string).
    public subscript(index: Int) -> String {
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        return bytes.withUnsafeBufferPointer { String(decoding: $0[start..<end], as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of string `index`.
    @inlinable
    public func withUTF8<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Whether strings `i` of `self` and `j` of `other` have the same bytes.
    func bytesEqual(_ i: Int, _ other: StringBuffer, _ j: Int) -> Bool {
        withUTF8(at: i) { a in other.withUTF8(at: j) { b in a.elementsEqual(b) } }
    }

    /// Broken invariants, described; empty when the buffer is sound.
    func _invariantViolations() -> [String] {
        var problems: [String] = []
        if offsets.first != 0 { problems.append("string offsets must start at 0") }
        if Int(offsets.last ?? 0) != bytes.count {
            problems.append("last string offset \(offsets.last ?? 0) ≠ byte count \(bytes.count)")
        }
        for i in 1..<max(offsets.count, 1) where offsets[i] < offsets[i - 1] {
            problems.append("string offsets decrease at \(i)")
            break
        }
        if problems.isEmpty, String(validating: bytes, as: UTF8.self) == nil {
            problems.append("string bytes are not valid UTF-8")
        }
        return problems
    }
}
