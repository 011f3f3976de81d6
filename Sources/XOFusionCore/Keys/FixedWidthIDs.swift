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
    /// Whether row `r`'s number is `range.lowerBound + r` for every row (no nulls): IDs handed out
    /// in row order, one each, such as an export's auto-increment keys. Such a column is its own
    /// index: a number's row is its distance from the first.
    public let isConsecutive: Bool

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

        // Partitions on threads write their numbers straight into one array. Each also says
        // whether its numbers follow one another, and if so, its first number minus its first row:
        // the column is consecutive when that is the same for every partition.
        var failed = false, low = Int64.max, high = Int64.min, offsets: Set<Int64?> = []
        let numbers = [Int64](unsafeUninitializedCapacity: column.count) { out, initialized in
            let shared = Box(out)
            let parts = Partitions.map(Partitions.ranges(column.count), threads: options.threadCount) { range -> (low: Int64, high: Int64, offset: Int64?)? in
                let out = shared.value
                var low = Int64.max, high = Int64.min, consecutive = true
                for row in range {
                    guard !column.isNull(row) else {
                        out.initializeElement(at: row, to: FixedWidthIDs.null)
                        consecutive = false
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
                    if row > range.lowerBound && number != out[row &- 1] &+ 1 { consecutive = false }
                }
                return (low, high, consecutive ? out[range.lowerBound] &- Int64(range.lowerBound) : nil)
            }
            for part in parts {
                guard let part else { failed = true; continue }
                low = min(low, part.low)
                high = max(high, part.high)
                offsets.insert(part.offset)
            }
            initialized = column.count
        }
        if failed { return nil }
        return FixedWidthIDs(
            prefix: prefix, width: width, numbers: numbers, range: low <= high ? low...high : nil,
            isConsecutive: offsets.count == 1 && !offsets.contains(nil))
    }

    private init(prefix: [UInt8], width: Int, numbers: [Int64], range: ClosedRange<Int64>?, isConsecutive: Bool) {
        self.prefix = prefix
        self.width = width
        self.count = numbers.count
        self.storage = .parsed(numbers)
        self.range = range
        self.isConsecutive = isConsecutive
    }

    /// The IDs of a numbered column: its numbers, read in place.
    private init(numbered column: Column, _ stored: ContiguousArray<UInt32>, _ pattern: IDPattern) {
        var low = UInt32.max, high = UInt32.min, mismatch: UInt32 = 0
        stored.withUnsafeBufferPointer { stored in
            let first = column.offset
            if column.nullCount > 0 {
                for row in 0..<column.count where !column.isNull(row) {
                    low = min(low, stored[first &+ row])
                    high = max(high, stored[first &+ row])
                }
                return
            }
            // Without nulls, a loop the compiler can vectorise. Consecutive: every number minus its row
            // equals the first row's number (wrapping; the span check below rules out a wrap).
            let offset = column.count > 0 ? stored[first] : 0
            for (row, number) in UnsafeBufferPointer(rebasing: stored[first..<(first &+ column.count)]).enumerated() {
                low = min(low, number)
                high = max(high, number)
                mismatch |= (number &- UInt32(truncatingIfNeeded: row)) ^ offset
            }
        }
        prefix = Array(pattern.prefix)
        width = pattern.length
        count = column.count
        storage = .numbered(column, stored)
        let range = low <= high ? Int64(low)...Int64(high) : nil
        self.range = range
        isConsecutive = column.nullCount == 0 && mismatch == 0 && range.map { $0.upperBound - $0.lowerBound == Int64(column.count - 1) } ?? false
    }

    /// Whether a value of `other` can equal a value of this column only when their numbers are equal.
    public func isComparable(with other: FixedWidthIDs) -> Bool { prefix == other.prefix && width == other.width }

    /// Calls `body` with every row and its number (``null`` for a null), in row order: one
    /// switch on the storage for the whole loop instead of one per row.
    ///
    /// - Complexity: O(rows) calls.
    @inline(__always)
    private func forEachNumber(_ body: (Int, Int64) -> Void) {
        switch storage {
        case .parsed(let numbers):
            numbers.withUnsafeBufferPointer { numbers in for row in 0..<numbers.count { body(row, numbers[row]) } }
        case .numbered(let column, let stored):
            stored.withUnsafeBufferPointer { stored in
                let first = column.offset
                if column.nullCount == 0 {
                    for row in 0..<count { body(row, Int64(stored[first &+ row])) }
                } else {
                    for row in 0..<count { body(row, column.isNull(row) ? FixedWidthIDs.null : Int64(stored[first &+ row])) }
                }
            }
        }
    }

    /// For each row, the first row of `target` with the same number (-1: a null, or a number
    /// `target` lacks), and how many rows of `target` repeat a number that a row here has:
    /// a join of the two on their numbers. `nil` when the IDs are not comparable (another
    /// prefix or width) or `target`'s numbers are too sparse for a table by number (a span
    /// wider than four times its rows, plus 1,024).
    ///
    /// A consecutive target (``isConsecutive``) is its own index: a number's row is its distance
    /// from the first. Otherwise only the numbers that rows here name get an entry: a bitmap over
    /// `target`'s span marks them, and an entry's place is the count of marked numbers before it.
    ///
    /// - Complexity: O(rows) for a consecutive target, else O(rows + `target`'s rows + its span / 64).
    package func firstRows(in target: FixedWidthIDs) -> (rows: [Int32], duplicates: Int)? {
        guard isComparable(with: target) else { return nil }
        if target.isConsecutive, let span = target.range {
            // Each number once, at its distance from the first: no table to build, no repeats.
            var rows = [Int32](repeating: -1, count: count)
            rows.withUnsafeMutableBufferPointer { rows in
                forEachNumber { row, number in
                    if number != FixedWidthIDs.null && span.contains(number) { rows[row] = Int32(truncatingIfNeeded: number &- span.lowerBound) }
                }
            }
            return (rows, 0)
        }
        guard let span = target.range, span.upperBound - span.lowerBound < Int64(4 * target.count + 1024) else { return nil }
        let base = span.lowerBound, size = Int(span.upperBound - base) + 1
        @inline(__always) func slot(_ number: Int64) -> Int? {
            number == FixedWidthIDs.null || !span.contains(number) ? nil : Int(number &- base)
        }
        // The numbers named here, as bits; the named number at slot k has the entry
        // rank(k) (named slots before it) in `first`, the first target row with that number.
        var named = ValidityBitmap(repeating: false, count: size)
        named.withUnsafeMutableWords { words in
            forEachNumber { _, number in
                if let k = slot(number) { words[k &>> 6] |= 1 &<< UInt64(k & 63) }
            }
        }
        return named.withUnsafeWords { words in
            var ranks = [Int32](repeating: 0, count: words.count + 1)
            for w in words.indices { ranks[w + 1] = ranks[w] + Int32(words[w].nonzeroBitCount) }
            // The entry of slot `k`, or `nil` when no row here names its number.
            @inline(__always) func entry(_ k: Int) -> Int? {
                let word = words[k &>> 6], bit = UInt64(1) &<< UInt64(k & 63)
                return word & bit == 0 ? nil : Int(ranks[k &>> 6]) &+ (word & (bit &- 1)).nonzeroBitCount
            }
            var first = [Int32](repeating: -1, count: Int(ranks[words.count]))
            var duplicates = 0
            first.withUnsafeMutableBufferPointer { first in
                target.forEachNumber { row, number in
                    guard let k = slot(number), let e = entry(k) else { return }
                    if first[e] < 0 { first[e] = Int32(row) } else { duplicates += 1 }
                }
            }
            var rows = [Int32](repeating: -1, count: count)
            rows.withUnsafeMutableBufferPointer { rows in
                forEachNumber { row, number in
                    if let k = slot(number), let e = entry(k) { rows[row] = first[e] }
                }
            }
            return (rows, duplicates)
        }
    }

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
