#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import struct Foundation.Date
import struct Foundation.TimeZone

/// The resolved plan for one column of the table a read produces.
struct ColumnPlan: Sendable {
    var sourceIndex: Int
    var sourceName: String
    var outputName: String
    var kind: ColumnKind
    /// Whether the kind was inferred (a failure then widens instead of rejecting).
    var inferred: Bool
    var required = false
    var allowedRange: ClosedRange<Double>?
    var allowedValues: Set<String>?
    var timeZone: TimeZoneRule = .utc
    /// `nil`: chosen from the data.
    var layout: StringLayout?
}

/// Unquoted texts that mean null: the empty field always, plus opt-in tokens.
struct NullTokens: Sendable {
    let tokens: [[UInt8]]

    init(_ tokens: [String]) { self.tokens = tokens.map { Array($0.utf8) } }

    @inline(__always)
    func isNull(_ span: FieldSpan, _ base: UnsafePointer<UInt8>) -> Bool {
        if span.isQuoted { return false }
        if span.start == span.end { return true }
        if tokens.isEmpty { return false }
        return matches(base + span.start, span.count)
    }

    @inline(never)
    func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        tokens.contains { token in token.count == n && token.withUnsafeBufferPointer { memcmp($0.baseAddress!, p, n) == 0 } }
    }
}

/// One batch of records as seen by one column: its spans, in row order.
struct BatchColumn {
    let base: UnsafePointer<UInt8>
    let spans: UnsafePointer<FieldSpan>
    let count: Int
    /// The builder row index of the batch's first record.
    let firstRow: Int
}

/// Per-batch record of fields that failed: the first failing column per row.
final class FailureLog {
    struct Failure {
        var planIndex: Int
        var kind: RejectKind
        var message: String
    }

    var byRow: [Int: Failure] = [:]
    /// Plan indexes of inferred columns where a value broke the kind.
    var widenings: [Int] = []

    @inline(never)
    func fail(row: Int, planIndex: Int, kind: RejectKind, message: String) {
        if byRow[row] == nil { byRow[row] = Failure(planIndex: planIndex, kind: kind, message: message) }
    }
}

/// A column builder of any kind, decided once per read: each case holds a
/// concrete, specialised builder, so the per-batch call is direct and the
/// typed loop inside it is compiled for its kind.
///
/// Every builder appends a batch's values of one column, removes rejected
/// rows, merges the builder of the next range, and finishes into a column.
enum ColumnBuilder {
    case int64(FixedWidthBuilder<Int64Parser>)
    /// An int64 column whose declared range fits in a byte (see ``SmallInt64Parser``).
    case smallInt64(FixedWidthBuilder<SmallInt64Parser>)
    case double(FixedWidthBuilder<DoubleParser>)
    case bool(FixedWidthBuilder<BoolParser>)
    case decimal(FixedWidthBuilder<DecimalParser>)
    case timestamp(FixedWidthBuilder<TimestampParser>)
    case date(FixedWidthBuilder<DateParser>)
    case string(StringColumnBuilder)

    /// `placement`: where a fixed-width column of one range of a read in several writes its
    /// rows (see ``PlacedColumn``); `nil` for a builder that keeps its own values.
    init(plan: ColumnPlan, nulls: NullTokens, keepTabs: Bool, capacity: Int, byteCapacity: Int, placement: PlacedBlock? = nil) {
        func fixed<P: ValueParser>(_ parser: P) -> FixedWidthBuilder<P> {
            FixedWidthBuilder(parser: parser, plan: plan, nulls: nulls, keepTabs: keepTabs, capacity: capacity, placement: placement)
        }
        switch plan.kind {
        case .int64 where SmallInt64Parser.holds(plan.allowedRange): self = .smallInt64(fixed(SmallInt64Parser()))
        case .int64: self = .int64(fixed(Int64Parser()))
        case .double: self = .double(fixed(DoubleParser()))
        case .bool: self = .bool(fixed(BoolParser()))
        case .decimal(let scale): self = .decimal(fixed(DecimalParser(scale: scale)))
        case .timestamp: self = .timestamp(fixed(TimestampParser(rule: plan.timeZone)))
        case .date: self = .date(fixed(DateParser()))
        case .string: self = .string(StringColumnBuilder(plan: plan, nulls: nulls, capacity: capacity, byteCapacity: byteCapacity, placement: placement))
        }
    }

    /// The shared buffer of a column read in several ranges (`capacity` rows, none written):
    /// the values of a fixed-width column, the numbers of a string column that may be
    /// numbered (see ``PlacedRows``), `nil` for other string columns, which each range builds
    /// on its own.
    static func placedColumn(for plan: ColumnPlan, capacity: Int) -> PlacedStorage? {
        switch plan.kind {
        case .int64 where SmallInt64Parser.holds(plan.allowedRange): PlacedColumn<Int8>(capacity: capacity)
        case .int64, .decimal: PlacedColumn<Int64>(capacity: capacity)
        case .double: PlacedColumn<Double>(capacity: capacity)
        case .bool: PlacedColumn<Bool>(capacity: capacity)
        case .timestamp: PlacedColumn<Timestamp>(capacity: capacity)
        case .date: PlacedColumn<CivilDate>(capacity: capacity)
        case .string:
            (plan.layout == nil || plan.layout == .numbered) && plan.allowedValues == nil ? PlacedColumn<UInt32>(capacity: capacity) : nil
        }
    }

    func appendBatch(_ batch: BatchColumn, planIndex: Int, failures: FailureLog) {
        switch self {
        case .int64(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .smallInt64(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .double(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .bool(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .decimal(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .timestamp(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .date(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        case .string(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
        }
    }

    /// Removes the given rows (ascending builder indices).
    func removeRows(_ rows: [Int]) {
        switch self {
        case .int64(let b): b.removeRows(rows)
        case .smallInt64(let b): b.removeRows(rows)
        case .double(let b): b.removeRows(rows)
        case .bool(let b): b.removeRows(rows)
        case .decimal(let b): b.removeRows(rows)
        case .timestamp(let b): b.removeRows(rows)
        case .date(let b): b.removeRows(rows)
        case .string(let b): b.removeRows(rows)
        }
    }

    /// Appends the builder of the next range (same plan, so the same case).
    func append(contentsOf other: ColumnBuilder) {
        switch (self, other) {
        case (.int64(let a), .int64(let b)): a.append(contentsOf: b)
        case (.smallInt64(let a), .smallInt64(let b)): a.append(contentsOf: b)
        case (.double(let a), .double(let b)): a.append(contentsOf: b)
        case (.bool(let a), .bool(let b)): a.append(contentsOf: b)
        case (.decimal(let a), .decimal(let b)): a.append(contentsOf: b)
        case (.timestamp(let a), .timestamp(let b)): a.append(contentsOf: b)
        case (.date(let a), .date(let b)): a.append(contentsOf: b)
        case (.string(let a), .string(let b)): a.append(contentsOf: b)
        default: preconditionFailure("builders of one column differ in kind")
        }
    }

    /// Whether a string column outgrew the 4 GiB it can hold.
    var overflowed: Bool {
        if case .string(let b) = self { return b.overflowed }
        return false
    }

    func finish() -> Column {
        switch self {
        case .int64(let b): b.finish()
        case .smallInt64(let b): b.finish()
        case .double(let b): b.finish()
        case .bool(let b): b.finish()
        case .decimal(let b): b.finish()
        case .timestamp(let b): b.finish()
        case .date(let b): b.finish()
        case .string(let b): b.finish()
        }
    }
}

/// Text of a field for messages (invalid UTF-8 shown as U+FFFD; messages only).
func fieldText(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    let text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, 80)), as: UTF8.self)
    return n > 80 ? text + "…" : text
}

// MARK: - Fixed-width kinds

/// Parses one kind's values from bytes.
protocol ValueParser {
    associatedtype Value: BitwiseCopyable
    static var placeholder: Value { get }
    mutating func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Value?
    /// ``parse(_:_:)`` where the eight bytes that end at `p + n` are readable (a kind may read them
    /// as one word); the same value.
    mutating func parse(endingAfterEightBytes p: UnsafePointer<UInt8>, _ n: Int) -> Value?
    /// The value as a number for range checks (`nil` for kinds without one).
    func number(_ value: Value) -> Double?
    /// For kinds stored as whole numbers (integers, a decimal's units): the stored numbers whose
    /// ``number(_:)`` lies in `range`, so that a range check compares integers (see ``UnitBounds``);
    /// `nil` for other kinds.
    func unitBounds(of range: ClosedRange<Double>) -> UnitBounds?
    /// The value as its stored whole number (meaningful when ``unitBounds(of:)`` is not `nil`).
    func units(_ value: Value) -> Int64
    func failureMessage(_ text: String) -> String
    func storage(_ values: ContiguousArray<Value>) -> Column.Storage
}

extension ValueParser {
    @inline(__always) mutating func parse(endingAfterEightBytes p: UnsafePointer<UInt8>, _ n: Int) -> Value? { parse(p, n) }
    func unitBounds(of range: ClosedRange<Double>) -> UnitBounds? { nil }
    func units(_ value: Value) -> Int64 { 0 }
}

/// The stored whole numbers `v` whose number `f(v)` lies in a range of doubles, for an `f` that
/// never decreases (an integer as a double, a decimal's units divided by a power of ten): an
/// interval of integers, found once by binary search, so that checking a value is two integer
/// comparisons with exactly the answer of `range.contains(f(v))`.
struct UnitBounds {
    /// The interval, empty when `lowest > highest`.
    let lowest: Int64, highest: Int64

    /// The `v` with `range.contains(f(v))`, for a non-decreasing `f`.
    ///
    /// - Complexity: O(64) evaluations of `f`.
    init(of range: ClosedRange<Double>, _ f: (Int64) -> Double) {
        // The first v with f(v) >= bound (Int64.max when none is: checked below).
        func first(atLeast bound: Double) -> Int64 {
            var low = Int64.min, high = Int64.max
            while low < high {
                let middle = low + Int64((UInt64(bitPattern: high &- low)) / 2)
                if f(middle) >= bound { high = middle } else { low = middle + 1 }
            }
            return low
        }
        // The last v with f(v) <= bound (Int64.min when none is: checked below).
        func last(atMost bound: Double) -> Int64 {
            var low = Int64.min, high = Int64.max
            while low < high {
                let middle = high - Int64((UInt64(bitPattern: high &- low)) / 2)
                if f(middle) <= bound { low = middle } else { high = middle - 1 }
            }
            return low
        }
        let lowest = first(atLeast: range.lowerBound), highest = last(atMost: range.upperBound)
        // The searches return an end of Int64 when no value qualifies: check that end itself.
        if f(lowest) < range.lowerBound || f(highest) > range.upperBound {
            (self.lowest, self.highest) = (1, 0)
        } else {
            (self.lowest, self.highest) = (lowest, highest)
        }
    }

    @inline(__always) func contains(_ v: Int64) -> Bool { lowest <= v && v <= highest }
}

struct Int64Parser: ValueParser {
    static var placeholder: Int64 { 0 }
    @inline(__always) func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? { FieldParsers.int64(p, n) }
    func number(_ value: Int64) -> Double? { Double(value) }
    func unitBounds(of range: ClosedRange<Double>) -> UnitBounds? { UnitBounds(of: range) { Double($0) } }
    @inline(__always) func units(_ value: Int64) -> Int64 { value }
    func failureMessage(_ text: String) -> String { "'\(text)' is not an int64 (a whole number within ±9.2e18)" }
    func storage(_ values: ContiguousArray<Int64>) -> Column.Storage { .int64(values) }
}

/// The whole numbers of an int64 column whose declared range lies inside -127...126 (a score, a
/// count of items), stored one byte a value instead of eight. A number outside a byte is stored as
/// -128 or 127, both outside such a range, so that the range check rejects it as out of range
/// with its text, exactly as it rejects it in an eight-byte column.
struct SmallInt64Parser: ValueParser {
    static var placeholder: Int8 { 0 }
    @inline(__always) func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int8? { FieldParsers.int64(p, n).map { Int8(clamping: $0) } }
    func number(_ value: Int8) -> Double? { Double(value) }
    func unitBounds(of range: ClosedRange<Double>) -> UnitBounds? { UnitBounds(of: range) { Double($0) } }
    @inline(__always) func units(_ value: Int8) -> Int64 { Int64(value) }
    func failureMessage(_ text: String) -> String { Int64Parser().failureMessage(text) }
    func storage(_ values: ContiguousArray<Int8>) -> Column.Storage { .smallInt64(values) }

    /// Whether the whole numbers in `range` lie inside -127...126 (`false` without a range).
    static func holds(_ range: ClosedRange<Double>?) -> Bool {
        guard let range else { return false }
        let whole = UnitBounds(of: range) { Double($0) }
        return whole.lowest > whole.highest || (whole.lowest >= -127 && whole.highest <= 126)
    }
}

struct DecimalParser: ValueParser {
    let scale: Int
    static var placeholder: Int64 { 0 }
    @inline(__always) func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? { FieldParsers.decimal(p, n, scale: scale) }
    @inline(__always) func parse(endingAfterEightBytes p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        FieldParsers.shortDecimal(endingAt: p, n, scale: scale) ?? FieldParsers.decimal(p, n, scale: scale)
    }
    func number(_ value: Int64) -> Double? { Double(value) / Double(ScaledDecimal.powerOf10(scale)) }
    func unitBounds(of range: ClosedRange<Double>) -> UnitBounds? {
        let divisor = Double(ScaledDecimal.powerOf10(scale))
        return UnitBounds(of: range) { Double($0) / divisor }
    }
    @inline(__always) func units(_ value: Int64) -> Int64 { value }
    func failureMessage(_ text: String) -> String {
        "'\(text)' is not a decimal(\(scale)) (plain digits with at most \(scale) after the point)"
    }
    func storage(_ values: ContiguousArray<Int64>) -> Column.Storage { .decimal(values, scale: scale) }
}

struct DoubleParser: ValueParser {
    static var placeholder: Double { 0 }
    func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? { FieldParsers.double(p, n) }
    func number(_ value: Double) -> Double? { value }
    func failureMessage(_ text: String) -> String { "'\(text)' is not a double" }
    func storage(_ values: ContiguousArray<Double>) -> Column.Storage { .double(values) }
}

struct BoolParser: ValueParser {
    static var placeholder: Bool { false }
    func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? { FieldParsers.bool(p, n, numeric: true) }
    func number(_ value: Bool) -> Double? { nil }
    func failureMessage(_ text: String) -> String { "'\(text)' is not a bool (true, false, 1 or 0)" }
    func storage(_ values: ContiguousArray<Bool>) -> Column.Storage { .bool(values) }
}

struct DateParser: ValueParser {
    static var placeholder: CivilDate { CivilDate(daysSinceEpoch: 0) }
    func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> CivilDate? { TemporalParsing.parseDate(UnsafeBufferPointer(start: p, count: n)) }
    func number(_ value: CivilDate) -> Double? { nil }
    func failureMessage(_ text: String) -> String { "'\(text)' is not a date (YYYY-MM-DD)" }
    func storage(_ values: ContiguousArray<CivilDate>) -> Column.Storage { .date(values) }
}

struct TimestampParser: ValueParser {
    let rule: TimeZoneRule
    let zone: TimeZone?
    /// Offsets of a named zone by local 15-minute slot (DST changes fall on such boundaries).
    var offsetCache: [Int64: Int] = [:]
    /// The first ten bytes (`YYYY-MM-DD`) of the last `…Z` timestamp read, and that day's midnight
    /// in microseconds: a file sorted by time repeats its date row after row, and such a row's
    /// date is then neither checked nor converted again. `nil` before the first such timestamp.
    private var lastDate: (head: UInt64, day: UInt16)?
    private var lastMidnight: Int64 = 0

    init(rule: TimeZoneRule) {
        self.rule = rule
        if case .named(let name) = rule { zone = TimeZone(identifier: name) } else { zone = nil }
    }

    static var placeholder: Timestamp { Timestamp(microsecondsSinceEpoch: 0) }

    /// A `…Z` text of the last date read: only its time of day is checked and added (inlined into
    /// the column's loop); anything else goes to ``parseOther(_:_:)``.
    @inline(__always)
    mutating func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Timestamp? {
        if n == 20 && p[19] == UInt8(ascii: "Z"), let last = lastDate {
            let raw = UnsafeRawPointer(p)
            if raw.loadUnaligned(as: UInt64.self) == last.head && raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self) == last.day,
                let time = TemporalParsing.timeOfDay(p)
            {
                return Timestamp(microsecondsSinceEpoch: lastMidnight &+ time)
            }
        }
        return parseOther(p, n)
    }

    @inline(never)
    mutating func parseOther(_ p: UnsafePointer<UInt8>, _ n: Int) -> Timestamp? {
        // The common export form `YYYY-MM-DDTHH:MM:SSZ`: UTC whatever the rule.
        if n == 20 && p[19] == UInt8(ascii: "Z") {
            let raw = UnsafeRawPointer(p)
            let head = raw.loadUnaligned(as: UInt64.self), day = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
            if let micros = TemporalParsing.utcSeconds(p) {
                // A valid text: its time of day is too.
                lastDate = (head, day)
                lastMidnight = micros &- TemporalParsing.timeOfDay(p).unsafelyUnwrapped
                return Timestamp(microsecondsSinceEpoch: micros)
            }
        }
        guard let parsed = TemporalParsing.parseDateTime(UnsafeBufferPointer(start: p, count: n)) else { return nil }
        if parsed.offsetSeconds != nil { return parsed.instant() }
        switch rule {
        case .utc: return parsed.instant()
        case .fixedOffset(let seconds): return parsed.instant(naiveOffsetSeconds: seconds)
        case .named: return parsed.instant(naiveOffsetSeconds: namedOffset(localMicroseconds: parsed.localMicroseconds))
        }
    }

    /// The offset for a wall-clock time in the named zone. Where a DST change
    /// repeats or skips the time, the offset in force just before the change.
    mutating func namedOffset(localMicroseconds: Int64) -> Int {
        let slot = Timestamp.floorDiv(localMicroseconds, 900_000_000)
        if let cached = offsetCache[slot] { return cached }
        let zone = self.zone!
        let local = Double(slot * 900)
        func offset(at seconds: Double) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds)) }
        let before = offset(at: local - 43_200), after = offset(at: local + 43_200)
        var result = before
        if before != after {
            if offset(at: local - Double(before)) == before {
                result = before
            } else if offset(at: local - Double(after)) == after {
                result = after
            }
        }
        offsetCache[slot] = result
        return result
    }

    func number(_ value: Timestamp) -> Double? { nil }
    func failureMessage(_ text: String) -> String {
        "'\(text)' is not a timestamp (ISO 8601: YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|±hh:mm])"
    }
    func storage(_ values: ContiguousArray<Timestamp>) -> Column.Storage { .timestamp(values) }
}

/// A buffer shared by the ranges of a read in several: each range's builder writes one
/// fixed-width column's rows straight into its own block, so joining the ranges copies
/// nothing (a copy would also fault in fresh pages for every row of the later ranges).
/// Block `k` starts after the bounds of the blocks before it (the most records each range
/// can hold, see ``CSVTokenizer/recordBound(from:to:visited:)``); joining moves a block down
/// only when the one before it held fewer records than its bound. Untouched capacity costs
/// address space only.
final class PlacedColumn<Value: BitwiseCopyable>: PlacedStorage {
    private var values: ContiguousArray<Value>

    init(capacity: Int) {
        values = ContiguousArray(unsafeUninitializedCapacity: capacity) { _, initialized in initialized = capacity }
    }

    func withBase(_ body: (UnsafeMutableRawPointer) -> Void) {
        values.withUnsafeMutableBufferPointer { body(UnsafeMutableRawPointer($0.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)) }
    }

    /// The blocks' rows, moved together in order; the buffer is handed over (call once).
    ///
    /// - Complexity: O(rows of the blocks that move).
    func joined(_ blocks: [(start: Int, count: Int)]) -> ContiguousArray<Value> {
        var total = 0
        values.withUnsafeMutableBufferPointer { v in
            for block in blocks {
                if block.start != total && block.count > 0 {
                    memmove(v.baseAddress! + total, v.baseAddress! + block.start, block.count * MemoryLayout<Value>.stride)
                }
                total += block.count
            }
        }
        var out: ContiguousArray<Value> = []
        swap(&out, &values)
        out.removeLast(out.count - total)
        return out
    }
}

/// The rows of one column of one range of a read: in an array of their own, or, for one
/// range of a read in several, in the range's block of a shared ``PlacedColumn``, so that
/// joining the ranges copies no value and touches no fresh page for them. Whatever a block
/// cannot do simply (more rows than its bound, appending after a joined block, rows of
/// another range that are not a block of the same column) first moves the rows into an
/// array of their own: the values are the same either way.
struct PlacedRows<Value: BitwiseCopyable> {
    private var owned: ContiguousArray<Value> = []
    /// This range's block: the shared column, its first row, the most rows it holds and its start.
    private var placement: (column: PlacedColumn<Value>, rows: UnsafeMutablePointer<Value>, capacity: Int, start: Int)?
    private var placedCount = 0
    /// The blocks of later ranges joined after this one's, in order.
    private var joined: [(start: Int, count: Int)] = []
    /// Maps the rows in before they are written.
    private var ahead = PagesAhead()

    /// Rows of their own (`capacity` reserved), or in `placement`'s block when it is one of a
    /// column of this value type.
    init(placement: PlacedBlock? = nil, capacity: Int = 0) {
        guard let placement, let column = placement.column as? PlacedColumn<Value> else {
            owned.reserveCapacity(capacity)
            return
        }
        let rows = placement.base.assumingMemoryBound(to: Value.self) + placement.start
        self.placement = (column, rows, placement.capacity, placement.start)
    }

    var count: Int { placement == nil ? owned.count : placedCount + joined.reduce(0) { $0 + $1.count } }

    mutating func reserveCapacity(_ n: Int) {
        if placement == nil { owned.reserveCapacity(n) }
    }

    /// Where the next `n` rows go in this range's block, mapped in, for a loop to write them in
    /// place and ``commitWritten(_:)`` to count them; `nil` when they must be appended instead
    /// (rows of their own, a block joined after this one, or no room left in it).
    mutating func writableRows(_ n: Int) -> UnsafeMutablePointer<Value>? {
        guard let placement, joined.isEmpty, placedCount + n <= placement.capacity else { return nil }
        let stride = MemoryLayout<Value>.stride
        ahead.prepare(UnsafeMutableRawPointer(placement.rows), written: placedCount * stride, upTo: (placedCount + n) * stride, capacity: placement.capacity * stride)
        return placement.rows + placedCount
    }

    /// Counts the `n` rows a loop wrote where ``writableRows(_:)`` said.
    mutating func commitWritten(_ n: Int) { placedCount += n }

    /// Appends `values` (to this range's block while nothing is joined after it and they fit).
    mutating func append(contentsOf values: UnsafeBufferPointer<Value>) {
        if let rows = writableRows(values.count) {
            if let from = values.baseAddress { rows.update(from: from, count: values.count) }
            commitWritten(values.count)
            return
        }
        ownAll()
        ahead.prepare(&owned, adding: values.count)
        owned.append(contentsOf: values)
    }

    /// Appends `n` copies of `value`.
    mutating func append(repeating value: Value, count n: Int) {
        if let placement, joined.isEmpty && placedCount + n <= placement.capacity {
            (placement.rows + placedCount).initialize(repeating: value, count: n)
            placedCount += n
            return
        }
        ownAll()
        owned.append(contentsOf: repeatElement(value, count: n))
    }

    /// Appends the rows of the next range: its block is joined to this one's when both are
    /// blocks of one shared column, else its rows are copied.
    mutating func append(contentsOf other: inout PlacedRows<Value>) {
        if let placement, let theirs = other.placement, theirs.column === placement.column, other.joined.isEmpty {
            joined.append((theirs.start, other.placedCount))
            other = PlacedRows()
            return
        }
        ownAll()
        owned.append(contentsOf: other.takeAll())
    }

    /// Lets `body` move the rows it keeps to the front of the buffer it is given (every row,
    /// in place) and return how many it kept; the rest are dropped.
    mutating func compact(_ body: (UnsafeMutableBufferPointer<Value>) -> Int) {
        if let placement, joined.isEmpty {
            placedCount = body(UnsafeMutableBufferPointer(start: placement.rows, count: placedCount))
            return
        }
        ownAll()
        owned.removeLast(owned.count - owned.withUnsafeMutableBufferPointer { body($0) })
    }

    /// Every row in order, in an array of their own; leaves none behind. The shared column
    /// stays where it is: other ranges may still be writing their blocks.
    mutating func takeAll() -> ContiguousArray<Value> {
        ownAll()
        var out: ContiguousArray<Value> = []
        swap(&out, &owned)
        return out
    }

    /// The rows when the read is done: placed, the shared column itself, with the joined
    /// blocks moved up behind this one's (call once, on the first range's rows, after every
    /// later range was joined or copied).
    ///
    /// - Complexity: O(1) when each block holds as many rows as its bound; else O(rows) of the blocks that move.
    mutating func finished() -> ContiguousArray<Value> {
        guard let placement else { return takeAll() }
        let out = placement.column.joined([(placement.start, placedCount)] + joined)
        self = PlacedRows()
        return out
    }

    /// Moves placed rows into the array of their own; the block is not written again.
    private mutating func ownAll() {
        guard let placement else { return }
        let base = placement.rows - placement.start
        var all = ContiguousArray<Value>()
        all.reserveCapacity(count)
        for block in [(start: placement.start, count: placedCount)] + joined {
            all.append(contentsOf: UnsafeBufferPointer(start: base + block.start, count: block.count))
        }
        owned = all
        self.placement = nil
        placedCount = 0
        joined = []
    }
}

/// A ``PlacedColumn`` of any value type.
protocol PlacedStorage: AnyObject {
    /// Calls `body` with the buffer's start; the address is valid during the call only.
    func withBase(_ body: (UnsafeMutableRawPointer) -> Void)
}

/// One range's block of a ``PlacedColumn``: its start in rows, the most rows it may hold,
/// and the buffer's address (valid while the read's ranges are parsed).
struct PlacedBlock {
    let column: PlacedStorage
    let base: UnsafeMutableRawPointer
    let start: Int
    let capacity: Int
}

/// A builder for every fixed-width kind, specialised by its parser.
///
/// Its values live in its own array, or, for one range of a read in several, in its block
/// of a ``PlacedColumn`` (see ``PlacedRows``).
final class FixedWidthBuilder<Parser: ValueParser> {
    var parser: Parser
    /// The values: the builder's own, or its range's block of a shared column (see ``PlacedRows``).
    private var values: PlacedRows<Parser.Value>
    /// `nil` while every value so far is valid.
    var validity: ValidityBitmap?
    let plan: ColumnPlan
    let nulls: NullTokens
    let keepTabs: Bool
    /// A batch's values, written one by one and appended to ``values`` at once (an append per
    /// value costs a uniqueness check each), unless they can be written in place (see
    /// ``PlacedRows/writableRows(_:)``).
    private let scratch = UnsafeMutablePointer<Parser.Value>.allocate(capacity: ChunkParser.batchCapacity)
    /// The plan's allowed range as stored whole numbers, for kinds that have them (see ``UnitBounds``).
    private let unitBounds: UnitBounds?

    init(parser: Parser, plan: ColumnPlan, nulls: NullTokens, keepTabs: Bool, capacity: Int, placement: PlacedBlock? = nil) {
        self.parser = parser
        self.plan = plan
        self.nulls = nulls
        self.keepTabs = keepTabs
        unitBounds = plan.allowedRange.flatMap { parser.unitBounds(of: $0) }
        values = PlacedRows(placement: placement, capacity: capacity)
    }

    deinit { scratch.deallocate() }

    /// Rows so far (those of joined ranges included).
    var count: Int { values.count }

    func appendBatch(_ batch: BatchColumn, planIndex: Int, failures: FailureLog) {
        // The hot loop works on locals: touching class properties per value
        // would cost a dynamic exclusivity check each time.
        let before = count
        var validity: ValidityBitmap? = nil
        swap(&validity, &self.validity)
        var parser = self.parser
        defer {
            swap(&validity, &self.validity)
            self.parser = parser
        }
        let base = batch.base, spans = batch.spans, nulls = self.nulls, keepTabs = self.keepTabs
        let required = plan.required, range = plan.allowedRange, unitBounds = self.unitBounds
        // The values go straight to this range's block of a placed column when there is room,
        // else to the scratch buffer, appended at once.
        let direct = values.writableRows(batch.count)
        let scratch = direct ?? self.scratch
        defer {
            if direct != nil {
                values.commitWritten(batch.count)
            } else {
                values.append(contentsOf: UnsafeBufferPointer(start: scratch, count: batch.count))
            }
        }
        // Runs of plain fields go through a loop with little to keep in registers: unquoted, not
        // empty, no blank at either end, parsed, in the allowed range (no null tokens to test). A
        // field that is anything else goes through the general path below, and the next run
        // starts after it.
        let runs = nulls.tokens.isEmpty
        var r = 0
        while r < batch.count {
            if runs {
                let end: Int
                if let unitBounds {
                    end = Self.plainRun(batch, from: r, scratch, &parser) { parser, value in unitBounds.contains(parser.units(value)) }
                } else if let range {
                    end = Self.plainRun(batch, from: r, scratch, &parser) { parser, value in parser.number(value).map { range.contains($0) } ?? true }
                } else {
                    end = Self.plainRun(batch, from: r, scratch, &parser) { _, _ in true }
                }
                if end > r && validity != nil { validity!.append(repeating: true, count: end &- r) }
                r = end
                if r == batch.count { break }
            }
            let span = spans[r]
            if nulls.isNull(span, base) {
                if validity == nil { validity = ValidityBitmap(repeating: true, count: before + r) }
                scratch[r] = Parser.placeholder
                validity!.append(false)
                if required {
                    failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .missingRequired, message: "column '\(plan.outputName)' is required but the field is empty")
                }
            } else {
                let (p, n) = FieldParsers.trimmed(base + span.start, span.count, keepTabs: keepTabs)
                if let value = parser.parse(p, n) {
                    scratch[r] = value
                    if validity != nil { validity!.append(true) }
                    if let range {
                        // Stored whole numbers against their bounds where the kind has them, else the number.
                        let outside = if let unitBounds { !unitBounds.contains(parser.units(value)) } else { parser.number(value).map { !range.contains($0) } ?? false }
                        if outside {
                            failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .outOfRange, message: "\(fieldText(p, n)) is outside the allowed range \(range.lowerBound)...\(range.upperBound)")
                        }
                    }
                } else {
                    scratch[r] = Parser.placeholder
                    if validity != nil { validity!.append(true) }
                    recordFailure(span: span, base: base, row: batch.firstRow + r, planIndex: planIndex, failures: failures)
                }
            }
            r &+= 1
        }
    }

    /// Where the run of plain fields that `accepts` takes ends, from row `start`, their values
    /// written to `scratch`: unquoted, not empty, no blank at either end, parsed by `parser`.
    @inline(__always)
    private static func plainRun(
        _ batch: BatchColumn, from start: Int, _ scratch: UnsafeMutablePointer<Parser.Value>, _ parser: inout Parser,
        _ accepts: (Parser, Parser.Value) -> Bool
    ) -> Int {
        let base = batch.base, spans = batch.spans, count = batch.count
        var r = start
        while r < count {
            let span = spans[r]
            let p = base + span.start, n = span.end &- span.start
            guard span.flags == 0, n > 0, p[0] > 0x20, p[n &- 1] > 0x20,
                let value = span.end >= 8 ? parser.parse(endingAfterEightBytes: p, n) : parser.parse(p, n), accepts(parser, value)
            else { break }
            scratch[r] = value
            r &+= 1
        }
        return r
    }

    @inline(never)
    func recordFailure(span: FieldSpan, base: UnsafePointer<UInt8>, row: Int, planIndex: Int, failures: FailureLog) {
        let text = fieldText(base + span.start, span.count)
        if plan.inferred { failures.widenings.append(planIndex) }
        failures.fail(row: row, planIndex: planIndex, kind: .type, message: parser.failureMessage(text))
    }

    /// Removes the given rows (ascending, of this range: a range's rejects go before it is joined).
    func removeRows(_ rows: [Int]) {
        guard let first = rows.first else { return }
        func compact(_ v: UnsafeMutableBufferPointer<Parser.Value>) -> Int {
            var write = first, k = 0
            for read in first..<v.count {
                if k < rows.count && rows[k] == read {
                    k += 1
                    continue
                }
                v[write] = v[read]
                if validity != nil { validity![write] = validity![read] }
                write += 1
            }
            return write
        }
        values.compact { compact($0) }
        validity?.truncate(to: values.count)
    }

    /// Joins the builder of the next range: when both are placed, its block is noted and
    /// moved into place when finishing; else its values are appended.
    func append(contentsOf other: FixedWidthBuilder<Parser>) {
        let (count, otherCount) = (self.count, other.count)
        if validity != nil || other.validity != nil {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: count) }
            validity!.append(contentsOf: other.validity ?? ValidityBitmap(repeating: true, count: otherCount))
        }
        values.append(contentsOf: &other.values)
    }

    func finish() -> Column {
        let values = self.values.finished()
        return Column(storage: parser.storage(values), validity: validity, count: values.count)
    }
}
