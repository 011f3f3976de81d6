/// Builds a string column: numbered, plain or dictionary-encoded.
///
/// With an automatic layout it is numbered while every value has the
/// ``IDPattern`` of the first non-null one (IDs such as `C000000497`); at
/// the first value of another shape it becomes a dictionary, which turns
/// plain once it holds more than ``StringColumnState/dictionaryLimit``
/// distinct values, or, at the end, when more than half the values are
/// distinct. These rules look only at the column's values as a whole (one
/// pattern or not; distinct count), so the layout does not depend on the
/// thread count. An explicit numbered layout falls back to plain.
final class StringColumnBuilder {
    /// All mutable state lives in a struct: the hot loop moves it into a local,
    /// so appends cost no dynamic exclusivity checks on class properties.
    /// `nil` only while ``appendBatch(_:planIndex:failures:)`` has moved it into a local.
    private var held: StringColumnState?
    private var state: StringColumnState {
        get { held! }
        set { held = newValue }
    }
    let plan: ColumnPlan
    let nulls: NullTokens

    /// A small staging area for plain values: many short copies into a buffer
    /// that stays in cache, then one append per batch into the column.
    private var stage = PlainStage()
    /// A batch's numbers (numbered layout), appended to the column at once.
    private let numberScratch = UnsafeMutablePointer<UInt32>.allocate(capacity: ChunkParser.batchCapacity)
    /// Codes of repeated dictionary values, appended to the column a run at a time (an append
    /// per value costs a uniqueness check each).
    private let codeScratch = UnsafeMutablePointer<UInt32>.allocate(capacity: ChunkParser.batchCapacity)
    /// Dictionary values seen lately (see ``RecentValues``).
    private var recent = RecentValues()

    /// `placement`: where the numbers of one range of a read in several go while the column
    /// is numbered (see ``PlacedRows``); `nil` for a builder that keeps its own.
    init(plan: ColumnPlan, nulls: NullTokens, capacity: Int, byteCapacity: Int, placement: PlacedBlock? = nil) {
        self.plan = plan
        self.nulls = nulls
        held = StringColumnState(layout: plan.layout, allowed: plan.allowedValues, capacity: capacity, byteCapacity: byteCapacity, placement: placement)
    }

    deinit {
        stage.deallocate()
        numberScratch.deallocate()
        codeScratch.deallocate()
    }

    /// Whether the column outgrew the 4 GiB a string column can hold.
    var overflowed: Bool { state.overflowed }

    var count: Int { state.count }

    func appendBatch(_ batch: BatchColumn, planIndex: Int, failures: FailureLog) {
        // Move the state out (leaving nil) so that the local is its only owner.
        var s = held.unsafelyUnwrapped
        held = nil
        var stage = self.stage
        defer {
            s.commit(&stage)
            self.stage = stage
            held = s
        }
        let base = batch.base, spans = batch.spans, nulls = self.nulls, required = plan.required
        var first = 0
        if s.mayBeNumbered {
            // IDs of one pattern: a number per row, until a value of another shape.
            let numbered = s.appendNumbered(batch, nulls: nulls, scratch: numberScratch)
            first = numbered.rows
            // Only a batch with empty IDs has rows to reject.
            if required && numbered.nulls > 0 {
                for r in 0..<first where nulls.isNull(spans[r], base) {
                    failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .missingRequired, message: "column '\(plan.outputName)' is required but the field is empty")
                }
            }
            if first < batch.count { s.leaveNumbered() }
        }
        if !s.isDictionary && s.allowed == nil {
            // The common plain case: stage the bytes, one append per batch.
            for r in first..<batch.count {
                let span = spans[r]
                if nulls.isNull(span, base) {
                    s.stageNull(&stage)
                    if required {
                        failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .missingRequired, message: "column '\(plan.outputName)' is required but the field is empty")
                    }
                } else if span.hasEscapes || !FieldParsers.isValidUTF8(base + span.start, span.count) {
                    s.commit(&stage)
                    appendSlowly(&s, span, base: base, row: batch.firstRow + r, planIndex: planIndex, failures: failures)
                } else {
                    s.stage(base + span.start, span.count, &stage)
                }
            }
            return
        }
        // Dictionary values a batch repeats are found among the recent ones: no UTF-8 check, no hashing.
        var recent = RecentValues.none
        swap(&recent, &self.recent)
        defer { swap(&recent, &self.recent) }
        if !s.isDictionary && !recent.isEmpty { recent = RecentValues() }
        // Codes of recent values wait in `codeScratch` until any other append (rows stay in order).
        let codeScratch = self.codeScratch
        var pending = 0
        func appendPending() {
            if pending > 0 { s.appendCodes(codeScratch, pending) }
            pending = 0
        }
        defer { appendPending() }
        // Runs of unquoted values remembered among the recent ones and allowed go through a loop of
        // their own (with no null tokens to test); a field that is anything else goes through the
        // general path below, and the next run starts after it.
        let runs = nulls.tokens.isEmpty
        var r = first
        while r < batch.count {
            if runs && s.isDictionary {
                while r < batch.count {
                    let span = spans[r]
                    let n = span.end &- span.start
                    guard span.flags == 0, n > 0, n <= RecentValues.longest, let (code, isAllowed) = recent.find(RecentValues.key(base + span.start, n)), isAllowed
                    else { break }
                    codeScratch[pending] = code
                    pending &+= 1
                    r &+= 1
                }
                if r == batch.count { break }
            }
            defer { r &+= 1 }
            let span = spans[r]
            if nulls.isNull(span, base) {
                appendPending()
                s.appendNull()
                if required {
                    failures.fail(row: batch.firstRow + r, planIndex: planIndex, kind: .missingRequired, message: "column '\(plan.outputName)' is required but the field is empty")
                }
                continue
            }
            if s.isDictionary && !span.hasEscapes && span.count <= RecentValues.longest {
                let p = base + span.start, n = span.count
                let key = RecentValues.key(p, n)
                if let (code, isAllowed) = recent.find(key) {
                    codeScratch[pending] = code
                    pending &+= 1
                    if !isAllowed { notAllowed(p, n, row: batch.firstRow + r, planIndex: planIndex, failures: failures) }
                    continue
                }
                appendPending()
                if FieldParsers.isValidUTF8(p, n) {
                    let isAllowed = s.append(p, n)
                    if !isAllowed { notAllowed(p, n, row: batch.firstRow + r, planIndex: planIndex, failures: failures) }
                    // A dictionary that just turned plain has no codes to remember.
                    if s.isDictionary { recent.remember(key, code: s.codes[s.codes.count - 1], isAllowed: isAllowed) } else if !recent.isEmpty { recent = RecentValues() }
                    continue
                }
            }
            appendPending()
            if span.hasEscapes {
                let unescaped = CSVTokenizer.unescaped(UnsafeBufferPointer(start: base + span.start, count: span.count))
                unescaped.withUnsafeBufferPointer { buffer in
                    appendChecked(&s, buffer.baseAddress ?? base, buffer.count, row: batch.firstRow + r, planIndex: planIndex, failures: failures)
                }
            } else {
                appendChecked(&s, base + span.start, span.count, row: batch.firstRow + r, planIndex: planIndex, failures: failures)
            }
        }
    }

    /// A value that needs unescaping or fails UTF-8: the general path.
    @inline(never)
    func appendSlowly(_ s: inout StringColumnState, _ span: FieldSpan, base: UnsafePointer<UInt8>, row: Int, planIndex: Int, failures: FailureLog) {
        if span.hasEscapes {
            let unescaped = CSVTokenizer.unescaped(UnsafeBufferPointer(start: base + span.start, count: span.count))
            unescaped.withUnsafeBufferPointer { buffer in
                appendChecked(&s, buffer.baseAddress ?? base, buffer.count, row: row, planIndex: planIndex, failures: failures)
            }
        } else {
            appendChecked(&s, base + span.start, span.count, row: row, planIndex: planIndex, failures: failures)
        }
    }

    /// Appends a value after checking its UTF-8 and the allowed set.
    @inline(__always)
    func appendChecked(_ s: inout StringColumnState, _ p: UnsafePointer<UInt8>, _ n: Int, row: Int, planIndex: Int, failures: FailureLog) {
        if !FieldParsers.isValidUTF8(p, n) {
            failures.fail(row: row, planIndex: planIndex, kind: .invalidUTF8, message: "the text is not valid UTF-8")
            _ = s.append(p, 0)  // a placeholder; the row is removed
            return
        }
        if !s.append(p, n) { notAllowed(p, n, row: row, planIndex: planIndex, failures: failures) }
    }

    /// Records a value outside the allowed set.
    @inline(never)
    func notAllowed(_ p: UnsafePointer<UInt8>, _ n: Int, row: Int, planIndex: Int, failures: FailureLog) {
        failures.fail(row: row, planIndex: planIndex, kind: .outOfRange, message: "'\(fieldText(p, n))' is not one of the allowed values")
    }

    func removeRows(_ rows: [Int]) { held!.removeRows(rows) }

    func append(contentsOf other: StringColumnBuilder) { held!.append(contentsOf: &other.held!) }

    func finish() -> Column { held!.finish() }
}

/// The last dictionary values a column saw, eight slots chosen by a hash of the value:
/// a short value (up to ``longest`` bytes) is its own key, so a repeat is found by
/// comparing two words, without hashing into the interner or checking UTF-8 again (a
/// value is remembered only once it passed). Low-cardinality columns (status, channel,
/// region) repeat a handful of values, so most rows are found here.
struct RecentValues {
    /// The longest value kept.
    static let longest = 15

    /// A value's bytes in two words (zero-padded) and its length in the top byte.
    struct Key: Equatable {
        var low: UInt64, high: UInt64
    }

    private var keys = [Key](repeating: Key(low: 0, high: UInt64.max), count: 8)  // never a real key: lengths are below 16
    private var entries = [(code: UInt32, isAllowed: Bool)](repeating: (0, false), count: 8)
    /// Whether nothing is remembered.
    private(set) var isEmpty = true

    /// Nothing remembered, and no room to: a placeholder while the builder's own is in use.
    static let none = RecentValues(placeholder: ())
    private init(placeholder: Void) { keys = []; entries = [] }
    init() {}

    /// The key of the `n` (at most ``longest``) bytes at `p`.
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ n: Int) -> Key {
        let (low, high) = PackedBytes.words(p, n)
        return Key(low: low, high: high | UInt64(n) << 56)
    }

    @inline(__always)
    private static func slot(_ key: Key) -> Int {
        Int(truncatingIfNeeded: ((key.low ^ (key.high &* 0x9E37_79B9)) &* 0x9E37_79B9_7F4A_7C15) >> 61)
    }

    /// The code and allowed-ness of a remembered value.
    @inline(__always)
    func find(_ key: Key) -> (UInt32, Bool)? {
        let slot = RecentValues.slot(key)
        return keys[slot] == key ? entries[slot] : nil
    }

    @inline(__always)
    mutating func remember(_ key: Key, code: UInt32, isAllowed: Bool) {
        let slot = RecentValues.slot(key)
        keys[slot] = key
        entries[slot] = (code, isAllowed)
        isEmpty = false
    }
}

/// Raw buffers for staging plain values (owned by a builder, freed in its deinit).
struct PlainStage {
    static let byteCapacity = 1 << 16
    static let rowCapacity = 4096
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: PlainStage.byteCapacity)
    let ends = UnsafeMutablePointer<Int>.allocate(capacity: PlainStage.rowCapacity)
    var byteCount = 0
    var rows = 0

    func deallocate() {
        bytes.deallocate()
        ends.deallocate()
    }
}

/// The storage of a string column being built.
struct StringColumnState {
    static let dictionaryLimit = 65_536

    let automatic: Bool
    /// Whether the column is numbered, or may still become so (every value so far null).
    private(set) var mayBeNumbered: Bool
    /// The pattern of a numbered column; `nil` otherwise.
    private(set) var pattern: IDPattern?
    /// The rows a range may hold, reserved when the column turns numbered.
    let capacity: Int
    /// The allowed values, if the schema limits them.
    let allowed: Set<[UInt8]>?
    /// Whether each dictionary value is allowed: checked once per distinct value, not per row.
    var allowedByCode: [Bool] = []
    private(set) var isDictionary: Bool
    var validity: ValidityBitmap?
    private(set) var count = 0
    /// Set when the text passed 4 GiB (offsets are `UInt32`); the read then fails with an error.
    private(set) var overflowed = false

    // Plain layout.
    var bytes: ContiguousArray<UInt8> = []
    var offsets: ContiguousArray<UInt32> = [0]
    // Dictionary layout: codes per row and the distinct values.
    var codes: ContiguousArray<UInt32> = []
    var interner = ByteInterner()
    // Numbered layout: one number per row (0 in null rows).
    var numbers: PlacedRows<UInt32>
    /// Map the arrays' pages in before appends write them.
    private var codesAhead = PagesAhead(), bytesAhead = PagesAhead(), offsetsAhead = PagesAhead()

    init(layout: StringLayout?, allowed: Set<String>?, capacity: Int, byteCapacity: Int, placement: PlacedBlock? = nil) {
        numbers = PlacedRows(placement: placement)
        automatic = layout == nil
        self.allowed = allowed.map { Set($0.map { Array($0.utf8) }) }
        mayBeNumbered = (layout == nil || layout == .numbered) && allowed == nil
        self.capacity = capacity
        // Until a first value decides, a numbered candidate is in its fallback layout.
        isDictionary = layout == nil || layout == .dictionary
        if isDictionary {
            codes.reserveCapacity(capacity)
        } else {
            offsets.reserveCapacity(capacity + 1)
            bytes.reserveCapacity(byteCapacity)
        }
    }

    /// Appends a value; returns whether it is allowed (always, without an allowed set).
    @inline(__always)
    mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var isAllowed = true
        if isDictionary {
            let code = intern(p, n)
            codes.append(code)
            if allowed != nil { isAllowed = allowedByCode[Int(code)] }
            if automatic && interner.count > StringColumnState.dictionaryLimit { convertToPlain() }
        } else {
            bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
            if bytes.count > StringBuffer.maximumByteCount { overflowed = true }
            offsets.append(UInt32(truncatingIfNeeded: bytes.count))
            if let allowed { isAllowed = allowed.contains(Array(UnsafeBufferPointer(start: p, count: n))) }
        }
        if validity != nil { validity!.append(true) }
        count += 1
        return isAllowed
    }

    /// Appends values of a dictionary column by the codes they already have.
    mutating func appendCodes(_ newCodes: UnsafePointer<UInt32>, _ n: Int) {
        codesAhead.prepare(&codes, adding: n)
        codes.append(contentsOf: UnsafeBufferPointer(start: newCodes, count: n))
        if validity != nil { validity!.append(repeating: true, count: n) }
        count += n
    }

    /// Stages a plain value: its bytes go to the stage now, to the column at the next commit.
    @inline(__always)
    mutating func stage(_ p: UnsafePointer<UInt8>, _ n: Int, _ stage: inout PlainStage) {
        if stage.byteCount &+ n > PlainStage.byteCapacity || stage.rows == PlainStage.rowCapacity {
            commit(&stage)
            if n > PlainStage.byteCapacity {
                _ = append(p, n)
                return
            }
        }
        (stage.bytes + stage.byteCount).update(from: p, count: n)
        stage.byteCount &+= n
        stage.ends[stage.rows] = bytes.count &+ stage.byteCount
        stage.rows &+= 1
        if validity != nil { validity!.append(true) }
        count &+= 1
    }

    /// Stages a null of a plain column.
    mutating func stageNull(_ stage: inout PlainStage) {
        if stage.rows == PlainStage.rowCapacity { commit(&stage) }
        if validity == nil { validity = ValidityBitmap(repeating: true, count: count) }
        stage.ends[stage.rows] = bytes.count &+ stage.byteCount
        stage.rows &+= 1
        validity!.append(false)
        count &+= 1
    }

    /// Moves the staged bytes and offsets into the column.
    @inline(__always)
    mutating func commit(_ stage: inout PlainStage) {
        guard stage.rows > 0 else { return }
        bytesAhead.prepare(&bytes, adding: stage.byteCount)
        offsetsAhead.prepare(&offsets, adding: stage.rows)
        bytes.append(contentsOf: UnsafeBufferPointer(start: stage.bytes, count: stage.byteCount))
        if bytes.count > StringBuffer.maximumByteCount { overflowed = true }
        offsets.append(contentsOf: UnsafeBufferPointer(start: stage.ends, count: stage.rows).lazy.map { UInt32(truncatingIfNeeded: $0) })
        stage.byteCount = 0
        stage.rows = 0
    }

    /// Appends the batch's rows, from its first, while they are nulls or values of
    /// the column's pattern (the first value of a candidate sets it); returns how many
    /// rows it took, and how many of them were nulls. The numbers go to `scratch` first and
    /// to the column at once.
    mutating func appendNumbered(_ batch: BatchColumn, nulls: NullTokens, scratch: UnsafeMutablePointer<UInt32>) -> (rows: Int, nulls: Int) {
        let base = batch.base, spans = batch.spans
        var taken = 0, nullsTaken = 0
        // Locals: testing or reading the stored optional pattern per value would copy it each time.
        var hasPattern = pattern != nil
        var reader = pattern?.wordReader
        // Runs of unquoted IDs of the pattern go through a loop of their own (with no null tokens
        // to test); a field that is anything else goes through the general path below, and the
        // next run starts after it.
        let runs = nulls.tokens.isEmpty
        while taken < batch.count {
            if runs, let reader {
                while taken < batch.count {
                    let span = spans[taken]
                    guard span.flags == 0, let number = reader.number(of: base + span.start, count: span.end &- span.start),
                        number <= IDPattern.largestStoredNumber
                    else { break }
                    scratch[taken] = UInt32(truncatingIfNeeded: number)
                    taken &+= 1
                }
                if taken == batch.count { break }
            }
            let span = spans[taken]
            if nulls.isNull(span, base) {
                scratch[taken] = 0
                nullsTaken &+= 1
                taken &+= 1
                continue
            }
            guard !span.hasEscapes else { break }
            if !hasPattern {
                guard let found = IDPattern(of: UnsafeBufferPointer(start: base + span.start, count: span.count)) else { break }
                enterNumbered(found)
                hasPattern = true
                reader = found.wordReader
            }
            let read: Int64?
            if let reader { read = reader.number(of: base + span.start, count: span.count) } else {
                read = pattern.unsafelyUnwrapped.number(of: base + span.start, count: span.count)
            }
            guard let number = read,
                number <= IDPattern.largestStoredNumber
            else { break }
            scratch[taken] = UInt32(truncatingIfNeeded: number)
            taken &+= 1
        }
        guard hasPattern else {
            // Nulls only, so far: they go to the fallback layout.
            for _ in 0..<taken { appendNull() }
            return (taken, nullsTaken)
        }
        numbers.append(contentsOf: UnsafeBufferPointer(start: UnsafePointer(scratch), count: taken))
        if nullsTaken > 0 || validity != nil {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: count) }
            for r in 0..<taken { validity!.append(!nulls.isNull(spans[r], base)) }
        }
        count &+= taken
        return (taken, nullsTaken)
    }

    /// Turns a column of nulls only into a numbered one.
    private mutating func enterNumbered(_ found: IDPattern) {
        pattern = found
        numbers.reserveCapacity(Swift.max(capacity, count))
        numbers.append(repeating: 0, count: count)
        codes = []
        bytes = []
        offsets = [0]
    }

    /// Gives up the numbered layout for good: the values so far are appended
    /// again, as text, to the fallback layout (dictionary when automatic, else plain).
    mutating func leaveNumbered() {
        mayBeNumbered = false
        guard let pattern else { return }
        self.pattern = nil
        let stored = numbers.takeAll(), storedValidity = validity, storedCount = count
        validity = nil
        count = 0
        if !automatic { offsets.reserveCapacity(capacity + 1) }
        for row in 0..<storedCount {
            if let storedValidity, !storedValidity[row] {
                appendNull()
            } else {
                pattern.withUTF8(of: Int64(stored[row])) { _ = append($0.baseAddress!, $0.count) }
            }
        }
    }

    mutating func appendNull() {
        if validity == nil { validity = ValidityBitmap(repeating: true, count: count) }
        if pattern != nil {
            numbers.append(repeating: 0, count: 1)
        } else if isDictionary {
            codes.append(0)
        } else {
            offsets.append(UInt32(truncatingIfNeeded: bytes.count))
        }
        validity!.append(false)
        count += 1
    }

    /// The code of a value, adding it to the dictionary if new.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        do {
            let (code, isNew) = try interner.intern(p, n)
            if isNew, let allowed { allowedByCode.append(allowed.contains(Array(UnsafeBufferPointer(start: p, count: n)))) }
            return code
        } catch {
            // More than 4 GiB of distinct text: the read fails with an error at the end.
            overflowed = true
            return 0
        }
    }

    /// Rewrites the dictionary codes as plain bytes and offsets.
    mutating func convertToPlain() {
        guard isDictionary else { return }
        bytes = []
        offsets = [0]
        offsets.reserveCapacity(codes.capacity + 1)
        for row in 0..<codes.count {
            if validity.map({ $0[row] }) ?? true {
                interner.values.withUTF8(at: Int(codes[row])) { bytes.append(contentsOf: $0) }
            }
            offsets.append(UInt32(truncatingIfNeeded: bytes.count))
        }
        if bytes.count > StringBuffer.maximumByteCount { overflowed = true }
        codes = []
        interner = ByteInterner()
        allowedByCode = []
        isDictionary = false
    }

    mutating func removeRows(_ rows: [Int]) {
        guard let first = rows.first else { return }
        var write = first, k = 0
        // One value per row: move the kept rows down; returns how many are kept.
        func compact<T>(_ values: UnsafeMutableBufferPointer<T>) -> Int {
            for read in first..<count {
                if k < rows.count && rows[k] == read { k += 1; continue }
                values[write] = values[read]
                if validity != nil { validity![write] = validity![read] }
                write += 1
            }
            return write
        }
        if pattern != nil {
            numbers.compact { compact($0) }
        } else if isDictionary {
            codes.removeLast(codes.count - codes.withUnsafeMutableBufferPointer { compact($0) })
        } else {
            // Compact the bytes and offsets of the rows from `first` on.
            let firstByte = Int(offsets[first])
            var keptBytes: [UInt8] = []
            var keptEnds: [UInt32] = []
            var cursor = firstByte
            for read in first..<count {
                if k < rows.count && rows[k] == read { k += 1; continue }
                let start = Int(offsets[read]), end = Int(offsets[read + 1])
                keptBytes.append(contentsOf: bytes[start..<end])
                cursor += end - start
                keptEnds.append(UInt32(truncatingIfNeeded: cursor))
                if validity != nil { validity![write] = validity![read] }
                write += 1
            }
            bytes.removeLast(bytes.count - firstByte)
            bytes.append(contentsOf: keptBytes)
            offsets.removeLast(offsets.count - (first + 1))
            offsets.append(contentsOf: keptEnds)
        }
        validity?.truncate(to: write)
        count = write
    }

    mutating func append(contentsOf other: inout StringColumnState) {
        if validity != nil || other.validity != nil {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: count) }
            validity!.append(contentsOf: other.validity ?? ValidityBitmap(repeating: true, count: other.count))
        }
        if mayBeNumbered && other.mayBeNumbered {
            // Candidates that saw only nulls take the other's pattern; two patterns must agree.
            if pattern == nil, let found = other.pattern { enterNumbered(found) }
            if let pattern, other.pattern == nil || other.pattern == pattern {
                if other.pattern == nil {
                    numbers.append(repeating: 0, count: other.count)
                } else {
                    numbers.append(contentsOf: &other.numbers)
                }
                count += other.count
                return
            }
        }
        // Two candidates that saw only nulls stay candidates: a later range may still bring IDs.
        let onlyNulls = mayBeNumbered && other.mayBeNumbered && pattern == nil && other.pattern == nil
        if !onlyNulls && (mayBeNumbered || other.mayBeNumbered) {
            // The validity is merged already: leave the numbered layout with this range's part only.
            let merged = validity
            if let merged { validity = merged.extracting(0..<count) }
            leaveNumbered()
            other.leaveNumbered()
            if let merged { validity = merged }
        }
        if isDictionary && other.isDictionary {
            var map = [UInt32](repeating: 0, count: other.interner.count)
            for code in 0..<other.interner.count {
                map[code] = other.interner.values.withUTF8(at: code) { intern($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            }
            // One typed loop over raw buffers (a closure over `map` would check exclusivity per row).
            let start = codes.count
            codes.append(contentsOf: repeatElement(0, count: other.codes.count))
            if !map.isEmpty {
                map.withUnsafeBufferPointer { map in
                    other.codes.withUnsafeBufferPointer { from in
                        codes.withUnsafeMutableBufferPointer { to in
                            for i in 0..<from.count { to[start &+ i] = map[Int(from[i])] }
                        }
                    }
                }
            }
            count += other.count
            if automatic && interner.count > StringColumnState.dictionaryLimit { convertToPlain() }
            return
        }
        if isDictionary { convertToPlain() }
        other.convertToPlain()
        if bytes.count + other.bytes.count > StringBuffer.maximumByteCount || other.overflowed { overflowed = true }
        let shift = UInt32(truncatingIfNeeded: bytes.count)
        bytes.append(contentsOf: other.bytes)
        offsets.append(contentsOf: other.offsets.dropFirst().lazy.map { $0 &+ shift })
        count += other.count
    }

    mutating func finish() -> Column {
        if let pattern {
            return Column(storage: .numberedString(numbers: numbers.finished(), pattern: pattern), validity: validity, count: count)
        }
        if automatic && isDictionary && (count == 0 || interner.count * 2 > count) { convertToPlain() }
        if isDictionary {
            return Column(storage: .dictionaryString(codes: codes, dictionary: interner.values), validity: validity, count: count)
        }
        return Column(storage: .plainString(StringBuffer(uncheckedBytes: bytes, offsets: offsets)), validity: validity, count: count)
    }
}
