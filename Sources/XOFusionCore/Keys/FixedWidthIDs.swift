/// IDs that are one text prefix followed by a fixed number of decimal digits
/// (`O0000012345`, `C000123456`, `12345678`), read as their numbers.
///
/// Two such IDs of one column are equal exactly when their numbers are, so a
/// join on them can index an array by number instead of hashing text. Exports
/// number their rows this way more often than not (auto-increment keys with a
/// prefix); ``parse(_:options:)`` says whether a column qualifies, and callers
/// keep a general path for columns that do not.
public struct FixedWidthIDs: Sendable {
    /// The bytes before the digits, shared by every value.
    public let prefix: [UInt8]
    /// The length of every value in bytes (prefix and digits).
    public let width: Int
    /// The number of each row; ``null`` marks a null.
    ///
    /// - Complexity: O(rows): the numbers of a numbered column are written out; prefer ``number(at:)``.
    public var numbers: [Int64] {
        switch storage {
        case .parsed(let numbers): numbers
        case .numbered: (0..<count).map { number(at: $0) }
        }
    }
    /// The number of rows (O(1)).
    public let count: Int
    private let storage: Storage

    /// Where the numbers live: parsed from text, or those of a numbered column.
    private enum Storage: Sendable {
        case parsed([Int64])
        case numbered(Column, ContiguousArray<UInt32>)
    }
    /// The smallest and largest number (`nil` when every value is null).
    public let range: ClosedRange<Int64>?

    /// The marker of a null in ``numbers``.
    public static let null = Int64.min

    /// The number of row `row`, or ``null``.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public func number(at row: Int) -> Int64 {
        switch storage {
        case .parsed(let numbers): return numbers[row]
        case .numbered(let column, let stored): return column.isNull(row) ? FixedWidthIDs.null : Int64(stored[column.offset &+ row])
        }
    }

    /// The numbers of a string column whose non-null values all share one prefix and one width with
    /// 1 to 18 digits after it; `nil` for any other column (another kind, a value of another shape).
    ///
    /// - Complexity: O(total bytes), over the options' threads.
    public static func parse(_ column: Column, options: KernelOptions = .default) -> FixedWidthIDs? {
        guard column.kind == .string, column.nullCount < column.count else { return nil }
        if case .numberedString(let stored, let pattern) = column.storage {
            return FixedWidthIDs(numbered: column, stored, pattern)
        }
        // The shape from the first non-null value.
        let first = (0..<column.count).first { !column.isNull($0) }!
        let (prefix, width): ([UInt8], Int) = column.withBytes(at: first) { bytes in
            (Array(bytes.prefix(bytes.count - IDPattern.trailingDigitCount(bytes))), bytes.count)
        }
        let digits = width - prefix.count
        guard digits >= 1, digits <= 18 else { return nil }

        // Partitions on threads write their numbers straight into one array.
        var failed = false, low = Int64.max, high = Int64.min
        let numbers = [Int64](unsafeUninitializedCapacity: column.count) { out, initialized in
            let shared = Box(out)
            let parts = Partitions.map(Partitions.ranges(column.count), threads: options.threadCount) { range -> (low: Int64, high: Int64)? in
                let out = shared.value
                var low = Int64.max, high = Int64.min
                for row in range {
                    guard !column.isNull(row) else {
                        out.initializeElement(at: row, to: FixedWidthIDs.null)
                        continue
                    }
                    guard let number = column.withBytes(at: row, { number(of: $0, prefix: prefix, width: width) }) else {
                        // The rest of the partition stays defined (nulls) before the whole parse gives up.
                        for rest in row..<range.upperBound { out.initializeElement(at: rest, to: FixedWidthIDs.null) }
                        return nil
                    }
                    out.initializeElement(at: row, to: number)
                    low = min(low, number)
                    high = max(high, number)
                }
                return (low, high)
            }
            for part in parts {
                guard let part else { failed = true; continue }
                low = min(low, part.low)
                high = max(high, part.high)
            }
            initialized = column.count
        }
        if failed { return nil }
        return FixedWidthIDs(prefix: prefix, width: width, numbers: numbers, range: low <= high ? low...high : nil)
    }

    private init(prefix: [UInt8], width: Int, numbers: [Int64], range: ClosedRange<Int64>?) {
        self.prefix = prefix
        self.width = width
        self.count = numbers.count
        self.storage = .parsed(numbers)
        self.range = range
    }

    /// The IDs of a numbered column: its numbers, read in place.
    private init(numbered column: Column, _ stored: ContiguousArray<UInt32>, _ pattern: IDPattern) {
        var low = UInt32.max, high = UInt32.min
        for row in 0..<column.count where !column.isNull(row) {
            low = min(low, stored[column.offset + row])
            high = max(high, stored[column.offset + row])
        }
        prefix = Array(pattern.prefix)
        width = pattern.length
        count = column.count
        storage = .numbered(column, stored)
        range = low <= high ? Int64(low)...Int64(high) : nil
    }

    /// Whether a value of `other` can equal a value of this column only when their numbers are equal.
    public func isComparable(with other: FixedWidthIDs) -> Bool { prefix == other.prefix && width == other.width }

    /// The number of one value of this column's shape; `nil` for a value of
    /// another shape, which can equal no value of this column.
    ///
    /// - Complexity: O(``width``).
    @inline(__always)
    public func number(of bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        FixedWidthIDs.number(of: bytes, prefix: prefix, width: width)
    }

    @inline(__always)
    static func number(of bytes: UnsafeBufferPointer<UInt8>, prefix: [UInt8], width: Int) -> Int64? {
        guard bytes.count == width, let base = bytes.baseAddress else { return nil }
        for i in 0..<prefix.count where bytes[i] != prefix[i] { return nil }
        return IDPattern.decimalValue(base, from: prefix.count, to: width)
    }
}

extension Column {
    /// The UTF-8 bytes of the string at `row` (any layout).
    ///
    /// - Precondition: a string column.
    @inline(__always)
    func withBytes<R>(at row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withBytes(slot: offset + row, body)
    }

    /// The UTF-8 bytes of the string in storage slot `slot` (any layout).
    ///
    /// - Precondition: a string column.
    @inline(__always)
    func withBytes<R>(slot: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch storage {
        case .plainString(let buffer): return buffer.withUTF8(at: slot, body)
        case .dictionaryString(let codes, let dictionary): return dictionary.withUTF8(at: Int(codes[slot]), body)
        case .numberedString(let numbers, let pattern): return pattern.withUTF8(of: Int64(numbers[slot]), body)
        default: preconditionFailure("withBytes(slot:) on a \(kind) column")
        }
    }
}
