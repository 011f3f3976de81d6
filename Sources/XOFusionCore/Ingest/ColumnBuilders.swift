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
    case double(FixedWidthBuilder<DoubleParser>)
    case bool(FixedWidthBuilder<BoolParser>)
    case decimal(FixedWidthBuilder<DecimalParser>)
    case timestamp(FixedWidthBuilder<TimestampParser>)
    case date(FixedWidthBuilder<DateParser>)
    case string(StringColumnBuilder)

    init(plan: ColumnPlan, nulls: NullTokens, keepTabs: Bool, capacity: Int, byteCapacity: Int) {
        func fixed<P: ValueParser>(_ parser: P) -> FixedWidthBuilder<P> {
            FixedWidthBuilder(parser: parser, plan: plan, nulls: nulls, keepTabs: keepTabs, capacity: capacity)
        }
        switch plan.kind {
        case .int64: self = .int64(fixed(Int64Parser()))
        case .double: self = .double(fixed(DoubleParser()))
        case .bool: self = .bool(fixed(BoolParser()))
        case .decimal(let scale): self = .decimal(fixed(DecimalParser(scale: scale)))
        case .timestamp: self = .timestamp(fixed(TimestampParser(rule: plan.timeZone)))
        case .date: self = .date(fixed(DateParser()))
        case .string: self = .string(StringColumnBuilder(plan: plan, nulls: nulls, capacity: capacity, byteCapacity: byteCapacity))
        }
    }

    func appendBatch(_ batch: BatchColumn, planIndex: Int, failures: FailureLog) {
        switch self {
        case .int64(let b): b.appendBatch(batch, planIndex: planIndex, failures: failures)
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
    associatedtype Value
    static var placeholder: Value { get }
    mutating func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Value?
    /// The value as a number for range checks (`nil` for kinds without one).
    func number(_ value: Value) -> Double?
    func failureMessage(_ text: String) -> String
    func storage(_ values: ContiguousArray<Value>) -> Column.Storage
}

struct Int64Parser: ValueParser {
    static var placeholder: Int64 { 0 }
    func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? { FieldParsers.int64(p, n) }
    func number(_ value: Int64) -> Double? { Double(value) }
    func failureMessage(_ text: String) -> String { "'\(text)' is not an int64 (a whole number within ±9.2e18)" }
    func storage(_ values: ContiguousArray<Int64>) -> Column.Storage { .int64(values) }
}

struct DecimalParser: ValueParser {
    let scale: Int
    static var placeholder: Int64 { 0 }
    func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? { FieldParsers.decimal(p, n, scale: scale) }
    func number(_ value: Int64) -> Double? { Double(value) / Double(ScaledDecimal.powerOf10(scale)) }
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

    init(rule: TimeZoneRule) {
        self.rule = rule
        if case .named(let name) = rule { zone = TimeZone(identifier: name) } else { zone = nil }
    }

    static var placeholder: Timestamp { Timestamp(microsecondsSinceEpoch: 0) }

    mutating func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Timestamp? {
        // The common export form `YYYY-MM-DDTHH:MM:SSZ`: UTC whatever the rule.
        if n == 20 && p[19] == UInt8(ascii: "Z"), let micros = TemporalParsing.utcSeconds(p) { return Timestamp(microsecondsSinceEpoch: micros) }
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

/// A builder for every fixed-width kind, specialised by its parser.
final class FixedWidthBuilder<Parser: ValueParser> {
    var parser: Parser
    var values: ContiguousArray<Parser.Value> = []
    /// `nil` while every value so far is valid.
    var validity: ValidityBitmap?
    let plan: ColumnPlan
    let nulls: NullTokens
    let keepTabs: Bool
    /// A batch's values, written one by one and appended to ``values`` at once
    /// (an append per value costs a uniqueness check each).
    private let scratch = UnsafeMutablePointer<Parser.Value>.allocate(capacity: ChunkParser.batchCapacity)

    init(parser: Parser, plan: ColumnPlan, nulls: NullTokens, keepTabs: Bool, capacity: Int) {
        self.parser = parser
        self.plan = plan
        self.nulls = nulls
        self.keepTabs = keepTabs
        values.reserveCapacity(capacity)
    }

    deinit { scratch.deallocate() }

    var count: Int { values.count }

    func appendBatch(_ batch: BatchColumn, planIndex: Int, failures: FailureLog) {
        // The hot loop works on locals: touching class properties per value
        // would cost a dynamic exclusivity check each time.
        var values = ContiguousArray<Parser.Value>()
        swap(&values, &self.values)
        var validity: ValidityBitmap? = nil
        swap(&validity, &self.validity)
        var parser = self.parser
        defer {
            swap(&values, &self.values)
            swap(&validity, &self.validity)
            self.parser = parser
        }
        let base = batch.base, spans = batch.spans, nulls = self.nulls, keepTabs = self.keepTabs
        let required = plan.required, range = plan.allowedRange, scratch = self.scratch
        defer { values.append(contentsOf: UnsafeBufferPointer(start: scratch, count: batch.count)) }
        for r in 0..<batch.count {
            let span = spans[r]
            if nulls.isNull(span, base) {
                if validity == nil { validity = ValidityBitmap(repeating: true, count: values.count + r) }
                scratch[r] = Parser.placeholder
                validity!.append(false)
                if required {
                    failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .missingRequired, message: "column '\(plan.outputName)' is required but the field is empty")
                }
                continue
            }
            let (p, n) = FieldParsers.trimmed(base + span.start, span.count, keepTabs: keepTabs)
            if let value = parser.parse(p, n) {
                scratch[r] = value
                if validity != nil { validity!.append(true) }
                if let range, let number = parser.number(value), !range.contains(number) {
                    failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .outOfRange, message: "\(fieldText(p, n)) is outside the allowed range \(range.lowerBound)...\(range.upperBound)")
                }
            } else {
                scratch[r] = Parser.placeholder
                if validity != nil { validity!.append(true) }
                recordFailure(span: span, base: base, row: batch.firstRow + r, planIndex: planIndex, failures: failures)
            }
        }
    }

    @inline(never)
    func recordFailure(span: FieldSpan, base: UnsafePointer<UInt8>, row: Int, planIndex: Int, failures: FailureLog) {
        let text = fieldText(base + span.start, span.count)
        if plan.inferred { failures.widenings.append(planIndex) }
        failures.fail(row: row, planIndex: planIndex, kind: .type, message: parser.failureMessage(text))
    }

    func removeRows(_ rows: [Int]) {
        guard let first = rows.first else { return }
        var write = first, k = 0
        for read in first..<values.count {
            if k < rows.count && rows[k] == read {
                k += 1
                continue
            }
            values[write] = values[read]
            if validity != nil { validity![write] = validity![read] }
            write += 1
        }
        values.removeLast(values.count - write)
        validity?.truncate(to: write)
    }

    func append(contentsOf other: FixedWidthBuilder<Parser>) {
        if validity != nil || other.validity != nil {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: values.count) }
            validity!.append(contentsOf: other.validity ?? ValidityBitmap(repeating: true, count: other.values.count))
        }
        values.append(contentsOf: other.values)
    }

    func finish() -> Column {
        Column(storage: parser.storage(values), validity: validity, count: values.count)
    }
}
