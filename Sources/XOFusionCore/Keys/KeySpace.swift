import Foundation

/// How customer IDs are normalised before they are interned. Every step is
/// opt-in and reported: a ``KeyEncodingReport`` says how many values changed
/// and which distinct raw IDs became one key (collisions).
public struct KeyNormalization: Hashable, Sendable {
    /// Remove leading and trailing white space.
    public var trimWhitespace: Bool
    /// Fold case (Unicode case folding, locale-independent): `C001` and `c001` become one key.
    public var caseFolding: Bool
    /// Put text in Unicode NFC, so that `é` written as one or two code points is one key.
    public var unicodeNFC: Bool
    /// For IDs made only of digits, drop leading zeros (`00123` → `123`; `0` stays `0`).
    public var stripLeadingZeros: Bool

    /// A normalisation with the given steps.
    public init(trimWhitespace: Bool = false, caseFolding: Bool = false, unicodeNFC: Bool = false, stripLeadingZeros: Bool = false) {
        self.trimWhitespace = trimWhitespace
        self.caseFolding = caseFolding
        self.unicodeNFC = unicodeNFC
        self.stripLeadingZeros = stripLeadingZeros
    }

    /// IDs are taken byte for byte.
    public static let none = KeyNormalization()
    /// Trim and NFC: safe for any ID scheme, changes nothing that two systems would write differently on purpose.
    public static let standard = KeyNormalization(trimWhitespace: true, unicodeNFC: true)
}

/// What to do with an ID that a key space has not seen.
public enum UnknownKeyPolicy: Hashable, Sendable {
    /// Add it as a new key.
    case add
    /// Leave the key space as it is: the row gets a null code, and the report counts it (with examples).
    case reportAsNull
}

/// Distinct raw IDs that normalisation turned into one key.
public struct KeyCollision: Hashable, Sendable, CustomStringConvertible {
    /// The key they became.
    public var key: String
    /// The distinct raw IDs, sorted.
    public var rawValues: [String]
    public var description: String { "\(rawValues.map { "'\($0)'" }.joined(separator: ", ")) → '\(key)'" }
}

/// What encoding one column did.
public struct KeyEncodingReport: Hashable, Sendable {
    /// The column encoded.
    public var column: String
    /// Rows in the column.
    public var values: Int
    /// Rows whose ID was null.
    public var nulls: Int
    /// Values that normalisation changed.
    public var changed: Int
    /// Keys this column added to the space.
    public var newKeys: Int
    /// Values not in the space (policy ``UnknownKeyPolicy/reportAsNull``); their rows got null codes.
    public var unknown: Int
    /// Up to five unknown IDs, as written.
    public var unknownExamples: [String]
    /// Keys that, after this column, have more than one raw form (up to 10 shown; see ``collisionCount``).
    public var collisions: [KeyCollision]
    /// How many keys have more than one raw form after this column.
    public var collisionCount: Int
}

/// Dense codes for one column's IDs: row `i` holds the code of its key in a
/// ``KeySpace``, or null. A group-by or a join on these codes is array indexing.
public struct KeyCodes: Sendable, Hashable {
    /// One code per row; null rows hold 0 behind a cleared validity bit.
    public let codes: ContiguousArray<UInt32>
    /// Which rows have a key (`nil`: all of them).
    public let validity: ValidityBitmap?
    /// Rows without a key.
    public let nullCount: Int
    /// The size of the key space when these codes were made: every code is below it.
    public let keyCount: Int

    /// The number of rows.
    public var count: Int { codes.count }

    /// The code of row `i`, or `nil`.
    @inlinable
    public subscript(i: Int) -> UInt32? {
        if let validity, !validity[i] { return nil }
        return codes[i]
    }
}

extension KeyCodes {
    /// The same codes with every row outside `rows` made null: a filter that
    /// keeps row positions (so the codes still line up with their table).
    ///
    /// - Throws: ``KernelError/badArgument(argument:reason:)`` for a row outside `0..<count`.
    /// - Complexity: O(count + `rows.count`).
    public func keeping(rows: [Int]) throws(KernelError) -> KeyCodes {
        var keep = ValidityBitmap(repeating: false, count: count)
        for row in rows {
            guard row >= 0 && row < count else { throw .badArgument(argument: "rows", reason: "row \(row) is outside 0..<\(count)") }
            keep[row] = true
        }
        return try keeping(keep)
    }

    /// The same codes with every row whose bit in `mask` is clear made null
    /// (see ``Table/rowMask(where:options:)``).
    ///
    /// - Throws: ``KernelError/badArgument(argument:reason:)`` when `mask` has not one bit per row.
    /// - Complexity: O(count / 64).
    public func keeping(_ mask: ValidityBitmap) throws(KernelError) -> KeyCodes {
        try KernelError.checkLength(of: "mask", mask.count, rows: count)
        var keep = mask
        if let validity {
            keep.words.withUnsafeMutableBufferPointer { k in
                validity.words.withUnsafeBufferPointer { v in for w in k.indices { k[w] &= v[w] } }
            }
        }
        let valid = keep.countSetBits(in: 0..<count)
        return KeyCodes(codes: codes, validity: valid == count ? nil : keep, nullCount: count - valid, keyCount: keyCount)
    }
}

/// Customer IDs interned once into dense codes `0..<count`, shared by every
/// table of one analysis (DESIGN.md, decision 2).
///
/// ```swift
/// var keys = KeySpace(normalization: .standard)
/// let (customerCodes, _) = try keys.encode(customers, column: "customer_id")
/// let (orderCodes, report) = try keys.encode(orders, column: "customer_id", unknown: .reportAsNull)
/// print(report.unknown, report.collisions)
/// ```
///
/// ## Performance
/// Encoding is one pass over the column. A dictionary column interns each
/// distinct value once. IDs that normalisation leaves alone (the usual case:
/// ASCII, no stray spaces) never become a `String`. Without normalisation, a
/// numbered column (`C000123456`: see ``IDPattern``) is added and looked up by
/// number, and no text of it is hashed unless a text column needs it later.
public struct KeySpace: Sendable {
    /// The normalisation every encoding applies.
    public let normalization: KeyNormalization
    private var interner = ByteInterner()
    /// Raw forms of keys that some changed value reached (collision tracking).
    /// Bytes, not `String`: Swift strings compare canonically, and two raw IDs
    /// that differ only in Unicode composition are exactly what NFC merges.
    private var rawForms: [UInt32: Set<[UInt8]>] = [:]
    /// Whether each key was first added by a value that normalisation left alone.
    private var addedUnchanged: [Bool] = []
    /// Codes by number for the patterns of the numbered columns looked up so far.
    private var numberedIndexes: [NumberedKeyIndex] = []

    /// An empty key space.
    public init(normalization: KeyNormalization = .none) {
        self.normalization = normalization
    }

    /// The number of keys.
    public var count: Int { interner.count }

    /// The key with code `code`, as text.
    public func key(_ code: UInt32) -> String { interner.values[Int(code)] }

    /// The code of an ID after normalisation, or `nil` if it is not in the space.
    ///
    /// - Complexity: O(length of the ID).
    public func code(of id: String) -> UInt32? {
        var bytes = normalized(Array(id.utf8)) ?? Array(id.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            let p = UnsafePointer(b.baseAddress) ?? UnsafePointer(bitPattern: 1)!
            // Keys added by number and not hashed yet are found by number.
            if interner.hasPending {
                for index in numberedIndexes {
                    if let number = index.pattern.number(of: p, count: b.count), let code = index.code(of: number) { return code }
                }
            }
            return interner.code(of: p, b.count)
        }
    }

    /// The codes of the IDs at `rows` of a string column, looked up without
    /// adding anything (`nil`: null, or not in the space). Normalised like every encoding.
    ///
    /// - Throws: ``KernelError/unsupportedKind(column:kind:reason:)`` for a column that is not text.
    /// - Complexity: O(`rows.count` × ID length).
    public func lookUp(_ column: Column, rows: [Int], name: String) throws(KernelError) -> [UInt32?] {
        guard column.kind == .string, let values = column.stringValues else {
            throw .unsupportedKind(column: name, kind: column.kind, reason: "looking up IDs needs a string column")
        }
        var result = [UInt32?](repeating: nil, count: rows.count)
        guard case .plainString(let buffer) = column.storage, !interner.hasPending else {
            for (i, row) in rows.enumerated() where !column.isNull(row) { result[i] = values[row].flatMap { code(of: $0) } }
            return result
        }
        // Plain text: IDs that need no normalisation are probed in batches of 16.
        var interner = self.interner  // a copy that shares storage; lookups do not change it
        let batch = Batch()
        defer { batch.deallocate() }
        buffer.bytes.withUnsafeBufferPointer { all in
            let base = all.baseAddress ?? UnsafePointer(bitPattern: 1)!
            var indexes = [Int](repeating: 0, count: Batch.size)
            var pending = 0
            func flush() {
                guard pending > 0 else { return }
                try? interner.codes(of: batch.spans, count: pending, base: base, insert: false, into: batch.found)
                for k in 0..<pending where batch.found[k] != .max { result[indexes[k]] = batch.found[k] }
                pending = 0
            }
            for (i, row) in rows.enumerated() where !column.isNull(row) {
                let slot = column.offset + row
                let start = Int(buffer.offsets[slot]), end = Int(buffer.offsets[slot + 1])
                if normalization != .none && needsNormalization(base + start, end - start) {
                    result[i] = values[row].flatMap { code(of: $0) }
                    continue
                }
                batch.spans[pending] = (start, end)
                indexes[pending] = i
                pending += 1
                if pending == Batch.size { flush() }
            }
            flush()
        }
        return result
    }

    /// Every key with more than one raw form so far, in code order.
    public var collisions: [KeyCollision] {
        rawForms.filter { $0.value.count > 1 }
            .sorted { $0.key < $1.key }
            .map { entry in
                let raw = entry.value.sorted { $0.lexicographicallyPrecedes($1) }
                return KeyCollision(key: key(entry.key), rawValues: raw.map { String(decoding: $0, as: UTF8.self) })
            }
    }

    /// Encodes the column `column` of `table` (string or int64 IDs).
    ///
    /// - Throws: ``KernelError/unknownColumn(_:suggestions:)``, ``KernelError/unsupportedKind(column:kind:reason:)``.
    /// - Complexity: O(rows), hashing each value (or each distinct value of a dictionary column) once.
    public mutating func encode(_ table: Table, column: String, unknown: UnknownKeyPolicy = .add, options: KernelOptions = .default) throws(KernelError) -> (KeyCodes, KeyEncodingReport) {
        try encode(try table.kernelColumn(column), name: column, unknown: unknown, options: options)
    }

    /// Encodes a column of IDs (string or int64) named `name` in reports.
    ///
    /// - Throws: ``KernelError/unsupportedKind(column:kind:reason:)`` for other kinds.
    /// - Complexity: O(rows).
    /// Looking up without adding (``UnknownKeyPolicy/reportAsNull``) with no
    /// normalisation runs on all threads; the result is the same for any count.
    public mutating func encode(_ column: Column, name: String, unknown: UnknownKeyPolicy = .add, options: KernelOptions = .default) throws(KernelError) -> (KeyCodes, KeyEncodingReport) {
        if case .numberedString(let numbers, let pattern) = column.storage {
            return try encodeNumbered(column, numbers, pattern, name: name, unknown: unknown, options: options)
        }
        // Keys added by number (see addNumbered) join the hash table before text is looked up in it.
        interner.hashPending()
        var state = EncodingState(name: name, policy: unknown)
        var codes = ContiguousArray<UInt32>(repeating: 0, count: column.count)
        var validity = column.validity.map { $0.extracting(column.offset..<(column.offset + column.count)) }
        let keysBefore = count
        func markNull(_ row: Int) {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: column.count) }
            validity![row] = false
        }
        switch column.wideStorage {
        case .plainString(let buffer) where unknown == .reportAsNull && normalization == .none && options.threadCount > 1 && column.count >= Partitions.minimumRows:
            let found = lookUpInParallel(column, buffer, codes: &codes, threads: options.threadCount)
            state.unknown = found.unknown
            state.unknownExamples = found.examples
            if found.unknown > 0 {
                for row in 0..<codes.count where codes[row] == .max {
                    codes[row] = 0
                    markNull(row)
                }
            }
        case .plainString(let buffer):
            // Room for every value being new, so the table never grows mid-column (capped: a
            // column of repeats would otherwise reserve far too much).
            if unknown == .add { interner.reserveCapacity(count + min(column.count, 1 << 22)) }
            // IDs that normalisation leaves alone go through the interner in batches of 16,
            // so that the cache misses of a batch overlap; the others one by one. The loop
            // works on raw buffers: captured arrays would cost a dynamic check per access.
            let batch = Batch()
            defer { batch.deallocate() }
            let insert = unknown == .add
            let normalizing = normalization != .none
            let rowCount = column.count, offset = column.offset
            try codes.withUnsafeMutableBufferPointer { (out) throws(KernelError) in
                try buffer.bytes.withUnsafeBufferPointer { (all) throws(KernelError) in
                    try buffer.offsets.withUnsafeBufferPointer { (offsets) throws(KernelError) in
                        let base = all.baseAddress ?? UnsafePointer(bitPattern: 1)!
                        var pending = 0
                        for row in 0..<rowCount where !column.isNull(row) {
                            let start = Int(offsets[offset &+ row]), end = Int(offsets[offset &+ row &+ 1])
                            if normalizing && needsNormalization(base + start, end - start) {
                                try flush(batch, &pending, base: base, insert: insert, name: name, codes: out, state: &state)
                                if let code = try encodeValue(base + start, end - start, &state) { out[row] = code } else { batch.missing.append(row) }
                                continue
                            }
                            batch.spans[pending] = (start, end)
                            batch.rows[pending] = row
                            pending &+= 1
                            if pending == Batch.size { try flush(batch, &pending, base: base, insert: insert, name: name, codes: out, state: &state) }
                        }
                        try flush(batch, &pending, base: base, insert: insert, name: name, codes: out, state: &state)
                    }
                }
            }
            for row in batch.missing { markNull(row) }
        case .dictionaryString(let rowCodes, let dictionary):
            // Each distinct value once, then a table lookup per row; counts stay per row.
            var map = [UInt32?](repeating: nil, count: dictionary.count)
            var seen = [Bool](repeating: false, count: dictionary.count)
            var changedValue = [Bool](repeating: false, count: dictionary.count)
            var changedRows = 0, unknownRows = 0
            for row in 0..<column.count where !column.isNull(row) {
                let d = Int(rowCodes[column.offset + row])
                if !seen[d] {
                    seen[d] = true
                    let changedBefore = state.changed
                    map[d] = try dictionary.bytes.withUnsafeBufferPointer { (all) throws(KernelError) in
                        let start = Int(dictionary.offsets[d]), end = Int(dictionary.offsets[d + 1])
                        return try encodeValue((all.baseAddress ?? UnsafePointer(bitPattern: 1)!) + start, end - start, &state)
                    }
                    changedValue[d] = state.changed > changedBefore
                }
                if changedValue[d] { changedRows += 1 }
                if let code = map[d] { codes[row] = code } else { markNull(row); unknownRows += 1 }
            }
            state.changed = changedRows
            state.unknown = unknownRows
        case .int64(let values):
            for row in 0..<column.count where !column.isNull(row) {
                var text = Array(String(values[column.offset + row]).utf8)
                let code = try text.withUnsafeMutableBufferPointer { (b) throws(KernelError) in try encodeValue(b.baseAddress!, b.count, &state) }
                if let code { codes[row] = code } else { markNull(row) }
            }
        default:
            throw .unsupportedKind(column: name, kind: column.kind, reason: "customer IDs must be strings or int64")
        }
        let nullsInSource = column.nullCount
        let finalValidity = (validity.map { $0.countSetBits(in: 0..<column.count) } ?? column.count) == column.count ? nil : validity
        let keyCodes = KeyCodes(
            codes: codes, validity: finalValidity,
            nullCount: column.count - (finalValidity?.countSetBits(in: 0..<column.count) ?? column.count), keyCount: count)
        let collisions = self.collisions
        let report = KeyEncodingReport(
            column: name, values: column.count, nulls: nullsInSource, changed: state.changed, newKeys: count - keysBefore,
            unknown: state.unknown, unknownExamples: state.unknownExamples, collisions: Array(collisions.prefix(10)),
            collisionCount: collisions.count)
        return (keyCodes, report)
    }

    /// Encodes a numbered column a block of rows at a time: each block's IDs are
    /// written out as text into a small plain column (it stays in cache) and
    /// encoded like any plain column, so keys, normalisation and reports are
    /// exactly those of the same IDs stored as text.
    private mutating func encodeNumbered(
        _ column: Column, _ numbers: ContiguousArray<UInt32>, _ pattern: IDPattern, name: String, unknown: UnknownKeyPolicy, options: KernelOptions
    ) throws(KernelError) -> (KeyCodes, KeyEncodingReport) {
        if normalization == .none && rawForms.isEmpty {
            switch unknown {
            case .reportAsNull: return lookUpNumbered(column, numbers, pattern, name: name, options: options)
            case .add where column.count <= Int(UInt32.max):  // rows fit the sort's 32-bit halves
                return try addNumbered(column, numbers, pattern, name: name, options: options)
            case .add: break
            }
        }
        // Room for the whole column at once: each block would otherwise grow the table again.
        if unknown == .add { interner.reserveCapacity(count + min(column.count, 1 << 22)) }
        let blockRows = 1 << 18
        let keysBefore = count
        var codes = ContiguousArray<UInt32>(repeating: 0, count: column.count)
        var validity: ValidityBitmap?
        var changed = 0, unknownCount = 0
        var examples: [String] = []
        var bytes = ContiguousArray<UInt8>(repeating: 0, count: min(column.count, blockRows) * pattern.length)
        for start in stride(from: 0, to: column.count, by: blockRows) {
            let end = min(start + blockRows, column.count)
            // Null rows stay empty strings behind their cleared validity bits.
            var offsets = ContiguousArray<UInt32>()
            offsets.reserveCapacity(end - start + 1)
            offsets.append(0)
            var used = 0
            bytes.withUnsafeMutableBufferPointer { out in
                for row in start..<end {
                    if !column.isNull(row) {
                        pattern.write(Int64(numbers[column.offset + row]), to: out.baseAddress! + used)
                        used += pattern.length
                    }
                    offsets.append(UInt32(truncatingIfNeeded: used))
                }
            }
            let blockValidity = column.validity.map { $0.extracting((column.offset + start)..<(column.offset + end)) }
            let text = StringBuffer(uncheckedBytes: ContiguousArray(bytes[0..<used]), offsets: offsets)
            let block = Column(storage: .plainString(text), validity: blockValidity, count: end - start)
            let (blockCodes, report) = try encode(block, name: name, unknown: unknown, options: options)
            codes.withUnsafeMutableBufferPointer { out in
                for i in 0..<(end - start) { out[start + i] = blockCodes.codes[i] }
            }
            if let blockValid = blockCodes.validity {
                if validity == nil { validity = ValidityBitmap(repeating: true, count: column.count) }
                for i in 0..<(end - start) where !blockValid[i] { validity![start + i] = false }
            }
            changed += report.changed
            unknownCount += report.unknown
            examples += report.unknownExamples.prefix(5 - examples.count)
        }
        let nullCount = column.count - (validity?.countSetBits(in: 0..<column.count) ?? column.count)
        let collisions = self.collisions
        return (
            KeyCodes(codes: codes, validity: validity, nullCount: nullCount, keyCount: count),
            KeyEncodingReport(
                column: name, values: column.count, nulls: column.nullCount, changed: changed, newKeys: count - keysBefore,
                unknown: unknownCount, unknownExamples: examples, collisions: Array(collisions.prefix(10)), collisionCount: collisions.count)
        )
    }

    /// Looks up every ID of a numbered column by its number (the IDs as they
    /// are: no normalisation), partitions on all threads.
    private mutating func lookUpNumbered(
        _ column: Column, _ numbers: ContiguousArray<UInt32>, _ pattern: IDPattern, name: String, options: KernelOptions
    ) -> (KeyCodes, KeyEncodingReport) {
        let index = numberedIndexes[numberedIndex(of: pattern)]
        var codes = ContiguousArray<UInt32>(unsafeUninitializedCapacity: column.count) { _, initialized in initialized = column.count }
        let found = codes.withUnsafeMutableBufferPointer { out in
            KeySpace.lookUpNumbered(column, numbers, in: index, into: out, threads: options.threadCount)
        }
        var validity = column.validity.map { $0.extracting(column.offset..<(column.offset + column.count)) }
        if found.unknown > 0 || column.nullCount > 0 {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: column.count) }
            for row in 0..<codes.count where codes[row] == .max {
                codes[row] = 0
                validity![row] = false
            }
        }
        let nullCount = column.nullCount + found.unknown
        return (
            KeyCodes(codes: codes, validity: nullCount == 0 ? nil : validity, nullCount: nullCount, keyCount: count),
            lookUpReport(column, name: name, found))
    }

    /// The report of a look-up that added nothing.
    private func lookUpReport(_ column: Column, name: String, _ found: (unknown: Int, examples: [String])) -> KeyEncodingReport {
        let collisions = self.collisions
        return KeyEncodingReport(
            column: name, values: column.count, nulls: column.nullCount, changed: 0, newKeys: 0, unknown: found.unknown,
            unknownExamples: found.examples, collisions: Array(collisions.prefix(10)), collisionCount: collisions.count)
    }

    /// The index of `pattern`'s keys by number, brought up to date with the key space.
    private mutating func numberedIndex(of pattern: IDPattern) -> Int {
        let position = numberedIndexes.firstIndex { $0.pattern == pattern } ?? {
            numberedIndexes.append(NumberedKeyIndex(pattern: pattern))
            return numberedIndexes.count - 1
        }()
        numberedIndexes[position].catchUp(with: interner.values)
        return position
    }

    /// Writes the code in `index` (brought up to date by the caller) of every row's ID to
    /// `out` (`UInt32.max` for a null or unknown ID); returns the count of unknown IDs and
    /// the first five of them.
    private static func lookUpNumbered(
        _ column: Column, _ numbers: ContiguousArray<UInt32>, in index: NumberedKeyIndex,
        into out: UnsafeMutableBufferPointer<UInt32>, threads: Int
    ) -> (unknown: Int, examples: [String]) {
        let pattern = index.pattern
        let shared = Box(out)
        let parts = Partitions.map(Partitions.ranges(column.count), threads: threads) { range -> (unknown: Int, examples: [String]) in
            let out = shared.value
            // This thread's part of the fresh codes, mapped in at once (see FreshPages).
            FreshPages.populate(UnsafeMutableRawPointer(out.baseAddress.map { $0 + range.lowerBound }), byteCount: range.count * MemoryLayout<UInt32>.stride)
            var unknown = 0
            var examples: [String] = []
            // Groups of 16 rows in a row, read and written in place, so that their probes' cache
            // misses overlap. A null row is looked up too (its placeholder number, in step with
            // the others) and then loses whatever it found: with nulls among them, gathering the
            // other rows into groups first made the carts' look-up twice as slow per row.
            let hasNulls = column.nullCount > 0
            numbers.withUnsafeBufferPointer { numbers in
                var row = range.lowerBound
                while row < range.upperBound {
                    let group = min(16, range.upperBound &- row)
                    index.codes(of: numbers.baseAddress! + (column.offset &+ row), count: group, into: out.baseAddress! + row)
                    // The group's codes, still in cache: nulls lose theirs, the rest may be unknown.
                    for k in row..<(row &+ group) {
                        if hasNulls && column.isNull(k) {
                            out[k] = .max
                        } else if out[k] == .max {
                            unknown += 1
                            if examples.count < 5 { examples.append(pattern.string(Int64(numbers[column.offset &+ k]))) }
                        }
                    }
                    row &+= group
                }
            }
            return (unknown, examples)
        }
        return (parts.reduce(0) { $0 + $1.unknown }, Array(parts.flatMap(\.examples).prefix(5)))
    }

    /// Adds the IDs of a numbered column (no normalisation) by number. The rows are
    /// looked up in the pattern's index on all threads; the numbers it lacks are sorted
    /// (so repeats are found without a hash table) and become keys in order of first
    /// appearance. Their text is appended to the interner unhashed: it joins the hash
    /// table only if a column that is not numbered is encoded later, and until then
    /// ``code(of:)`` finds such keys by number. A column of new IDs in increasing order
    /// (a master table sorted by its ID) needs no sort: its codes follow its rows. Codes
    /// and report are those of the same IDs encoded as text.
    ///
    /// - Complexity: O(rows), plus a radix sort of the new IDs' rows.
    private mutating func addNumbered(
        _ column: Column, _ numbers: ContiguousArray<UInt32>, _ pattern: IDPattern, name: String, options: KernelOptions
    ) throws(KernelError) -> (KeyCodes, KeyEncodingReport) {
        let keysBefore = count
        var codes = ContiguousArray<UInt32>(unsafeUninitializedCapacity: column.count) { _, initialized in initialized = column.count }
        let position = numberedIndex(of: pattern)
        let first = column.offset, rows = column.count
        func ascending() -> Bool {
            column.nullCount == 0 && rows > 0 && numbers.withUnsafeBufferPointer { n in (first + 1..<first + rows).allSatisfy { n[$0 - 1] < n[$0] } }
        }
        // Into an index without a key of the pattern, every ID is new: an increasing column needs no look-up.
        let increasing: Bool
        var found = (unknown: rows, examples: [String]())
        if numberedIndexes[position].isEmpty && ascending() {
            increasing = true
        } else {
            found = codes.withUnsafeMutableBufferPointer { out in
                KeySpace.lookUpNumbered(column, numbers, in: numberedIndexes[position], into: out, threads: options.threadCount)
            }
            increasing = found.unknown == rows && ascending()
        }
        if increasing {
            // Every row a new ID, in increasing order (a master table sorted by its ID): the
            // codes follow the rows, and nothing needs sorting.
            let firstCode = try appendKeys(numbers[first..<first + rows], pattern, name: name)
            codes.withUnsafeMutableBufferPointer { codes in
                for row in 0..<rows { codes[row] = firstCode + UInt32(row) }
            }
            numberedIndexes[position].addIncreasing(numbers[first..<first + rows], firstCode: firstCode, upTo: interner.count)
            addedUnchanged.append(contentsOf: repeatElement(true, count: max(0, interner.count - addedUnchanged.count)))
        } else if found.unknown > 0 {
            // (number, row) of each row with a new ID, sorted by number and then row.
            var fresh: [UInt64] = []
            fresh.reserveCapacity(found.unknown)
            codes.withUnsafeBufferPointer { codes in
                numbers.withUnsafeBufferPointer { numbers in
                    for row in 0..<column.count where codes[row] == .max && !column.isNull(row) {
                        fresh.append(UInt64(numbers[column.offset + row]) << 32 | UInt64(row))
                    }
                }
            }
            RadixSort.sortByHighHalf(&fresh)
            // One group per new number; (first row, group) sorted by row gives the codes' order.
            var firsts: [UInt64] = []
            var previous = UInt64.max
            for entry in fresh where entry >> 32 != previous {
                previous = entry >> 32
                firsts.append((entry & 0xFFFF_FFFF) << 32 | UInt64(firsts.count))
            }
            RadixSort.sortByHighHalf(&firsts)
            var groupCode = [UInt32](repeating: 0, count: firsts.count)
            var added: [UInt64] = []  // for the number index
            added.reserveCapacity(firsts.count)
            let firstCode = try appendKeys(firsts.lazy.map { numbers[column.offset + Int($0 >> 32)] }, pattern, name: name)
            for (k, entry) in firsts.enumerated() {
                let code = firstCode + UInt32(k)
                groupCode[Int(entry & 0xFFFF_FFFF)] = code
                added.append(NumberedKeyIndex.entry(numbers[column.offset + Int(entry >> 32)], code: code))
            }
            numberedIndexes[position].add(added, upTo: interner.count)
            codes.withUnsafeMutableBufferPointer { codes in
                var group = -1
                previous = .max
                for entry in fresh {
                    if entry >> 32 != previous {
                        previous = entry >> 32
                        group += 1
                    }
                    codes[Int(entry & 0xFFFF_FFFF)] = groupCode[group]
                }
            }
            addedUnchanged.append(contentsOf: repeatElement(true, count: max(0, interner.count - addedUnchanged.count)))
        }
        // Left at UInt32.max: the null rows.
        var validity: ValidityBitmap?
        if column.nullCount > 0 {
            validity = column.validity.map { $0.extracting(column.offset..<(column.offset + column.count)) }
            for row in 0..<codes.count where codes[row] == .max { codes[row] = 0 }
        }
        let collisions = self.collisions
        return (
            KeyCodes(codes: codes, validity: validity, nullCount: column.nullCount, keyCount: count),
            KeyEncodingReport(
                column: name, values: column.count, nulls: column.nullCount, changed: 0, newKeys: count - keysBefore, unknown: 0,
                unknownExamples: [], collisions: Array(collisions.prefix(10)), collisionCount: collisions.count))
    }

    /// Appends new keys, the IDs of `pattern` with these numbers, to the interner unhashed
    /// (their text written straight into it); returns the code of the first.
    private mutating func appendKeys(_ numbers: some Collection<UInt32>, _ pattern: IDPattern, name: String) throws(KernelError) -> UInt32 {
        do {
            return try interner.appendUnhashed(numbers: numbers, pattern: pattern)
        } catch {
            throw .unsupportedKind(column: name, kind: .string, reason: "the key space outgrew 4 GiB of distinct IDs")
        }
    }

    /// Looks up the IDs of `column` in `table` without adding any (as
    /// ``encode(_:column:unknown:options:)`` with ``UnknownKeyPolicy/reportAsNull``)
    /// and returns each row's code as an `Int32`, `-1` for a null or unknown ID:
    /// the form the fusion groups on. A numbered column with no normalisation is
    /// looked up straight into that form.
    ///
    /// - Complexity: O(rows).
    package mutating func lookUpIndexes(_ table: Table, column name: String, options: KernelOptions = .default) throws(KernelError) -> ([Int32], KeyEncodingReport) {
        let column = try table.kernelColumn(name)
        if case .numberedString(let numbers, let pattern) = column.storage, normalization == .none, rawForms.isEmpty {
            let index = numberedIndexes[numberedIndex(of: pattern)]
            var found = (unknown: 0, examples: [String]())
            let indexes = [Int32](unsafeUninitializedCapacity: column.count) { out, initialized in
                out.withMemoryRebound(to: UInt32.self) { out in
                    found = KeySpace.lookUpNumbered(column, numbers, in: index, into: out, threads: options.threadCount)
                }
                initialized = column.count
            }
            return (indexes, lookUpReport(column, name: name, found))
        }
        let (codes, report) = try encode(column, name: name, unknown: .reportAsNull, options: options)
        var indexes = [Int32](repeating: -1, count: codes.count)
        codes.codes.withUnsafeBufferPointer { c in
            indexes.withUnsafeMutableBufferPointer { o in
                if let validity = codes.validity {
                    for i in 0..<c.count where validity[i] { o[i] = Int32(bitPattern: c[i]) }
                } else {
                    for i in 0..<c.count { o[i] = Int32(bitPattern: c[i]) }
                }
            }
        }
        return (indexes, report)
    }

    /// Looks up every ID of a plain column, partitions on all threads (nothing is
    /// added, so the partitions only read the table). An unknown row's code is
    /// `UInt32.max` (no list of rows: when linking returns to orders, most of
    /// ten million rows are unknown); the first examples come back in row order.
    private func lookUpInParallel(_ column: Column, _ buffer: StringBuffer, codes: inout ContiguousArray<UInt32>, threads: Int) -> (unknown: Int, examples: [String]) {
        let interner = self.interner
        let parts = codes.withUnsafeMutableBufferPointer { out in
            buffer.bytes.withUnsafeBufferPointer { all in
                buffer.offsets.withUnsafeBufferPointer { offsets in
                    let shared = Box((out, all, offsets))
                    return Partitions.map(Partitions.ranges(column.count), threads: threads) { range -> (unknown: Int, examples: [String]) in
                        let (out, all, offsets) = shared.value
                        var local = interner  // shares storage; lookups never write to it
                        let base = all.baseAddress ?? UnsafePointer(bitPattern: 1)!
                        let batch = Batch()
                        defer { batch.deallocate() }
                        var unknown = 0
                        var examples: [String] = []
                        var pending = 0
                        func resolve() {
                            try? local.codes(of: batch.spans, count: pending, base: base, insert: false, into: batch.found)
                            for k in 0..<pending {
                                out[batch.rows[k]] = batch.found[k]
                                if batch.found[k] == .max {
                                    unknown += 1
                                    if examples.count < 5 {
                                        let span = batch.spans[k]
                                        examples.append(String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start), as: UTF8.self))
                                    }
                                }
                            }
                            pending = 0
                        }
                        for row in range where !column.isNull(row) {
                            let slot = column.offset + row
                            batch.spans[pending] = (Int(offsets[slot]), Int(offsets[slot + 1]))
                            batch.rows[pending] = row
                            pending += 1
                            if pending == Batch.size { resolve() }
                        }
                        if pending > 0 { resolve() }
                        return (unknown, examples)
                    }
                }
            }
        }
        return (parts.reduce(0) { $0 + $1.unknown }, Array(parts.flatMap(\.examples).prefix(5)))
    }

    /// Scratch space for batched probes.
    final class Batch {
        static let size = 16
        let spans = UnsafeMutablePointer<(start: Int, end: Int)>.allocate(capacity: size)
        let rows = UnsafeMutablePointer<Int>.allocate(capacity: size)
        let found = UnsafeMutablePointer<UInt32>.allocate(capacity: size)
        /// Rows whose ID is unknown (null codes), marked after the loop.
        var missing: [Int] = []

        func deallocate() {
            spans.deallocate()
            rows.deallocate()
            found.deallocate()
        }
    }

    /// Resolves the pending IDs of a batch.
    private mutating func flush(
        _ batch: Batch, _ pending: inout Int, base: UnsafePointer<UInt8>, insert: Bool, name: String,
        codes: UnsafeMutableBufferPointer<UInt32>, state: inout EncodingState
    ) throws(KernelError) {
        guard pending > 0 else { return }
        do {
            try interner.codes(of: batch.spans, count: pending, base: base, insert: insert, into: batch.found)
        } catch {
            throw .unsupportedKind(column: name, kind: .string, reason: "the key space outgrew 4 GiB of distinct IDs")
        }
        addedUnchanged.append(contentsOf: repeatElement(true, count: max(0, interner.count - addedUnchanged.count)))
        for i in 0..<pending {
            let row = batch.rows[i], found = batch.found[i]
            let span = batch.spans[i]
            if found == .max {
                batch.missing.append(row)
                state.unknown += 1
                if state.unknownExamples.count < 5 {
                    state.unknownExamples.append(String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start), as: UTF8.self))
                }
            } else {
                codes[row] = found
                if !rawForms.isEmpty, rawForms[found] != nil {
                    rawForms[found]!.insert(Array(UnsafeBufferPointer(start: base + span.start, count: span.end - span.start)))
                }
            }
        }
        pending = 0
    }

    struct EncodingState {
        let name: String
        let policy: UnknownKeyPolicy
        var changed = 0
        var unknown = 0
        var unknownExamples: [String] = []
    }

    /// The code for one raw ID, or `nil` when it is unknown under ``UnknownKeyPolicy/reportAsNull``.
    @inline(__always)
    private mutating func encodeValue(_ p: UnsafePointer<UInt8>, _ n: Int, _ state: inout EncodingState) throws(KernelError) -> UInt32? {
        if needsNormalization(p, n), let normalized = normalized(Array(UnsafeBufferPointer(start: p, count: n))),
            !normalized.elementsEqual(UnsafeBufferPointer(start: p, count: n))
        {
            state.changed += 1
            let raw = Array(UnsafeBufferPointer(start: p, count: n))
            return try normalized.withUnsafeBufferPointer { (b) throws(KernelError) in
                guard let code = try lookUp(b.baseAddress ?? p, b.count, unchanged: false, &state, raw: String(decoding: raw, as: UTF8.self)) else { return nil }
                var forms = rawForms[code] ?? []
                if forms.isEmpty && addedUnchanged[Int(code)] { forms.insert(Array(key(code).utf8)) }
                forms.insert(raw)
                rawForms[code] = forms
                return code
            }
        }
        guard let code = try lookUp(p, n, unchanged: true, &state, raw: nil) else { return nil }
        if rawForms[code] != nil { rawForms[code]!.insert(Array(UnsafeBufferPointer(start: p, count: n))) }
        return code
    }

    private mutating func lookUp(_ p: UnsafePointer<UInt8>, _ n: Int, unchanged: Bool, _ state: inout EncodingState, raw: String?) throws(KernelError) -> UInt32? {
        switch state.policy {
        case .add:
            do {
                let (code, isNew) = try interner.intern(p, n)
                if isNew { addedUnchanged.append(unchanged) }
                return code
            } catch {
                throw .unsupportedKind(column: state.name, kind: .string, reason: "the key space outgrew 4 GiB of distinct IDs")
            }
        case .reportAsNull:
            if let code = interner.code(of: p, n) { return code }
            state.unknown += 1
            if state.unknownExamples.count < 5 {
                state.unknownExamples.append(raw ?? String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
            }
            return nil
        }
    }

    /// Whether an ID may change under the normalisation (a cheap byte scan).
    @inline(__always)
    private func needsNormalization(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let rules = normalization
        if rules == .none || n == 0 { return false }
        @inline(__always) func space(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        if rules.trimWhitespace && (space(p[0]) || space(p[n - 1])) { return true }
        if rules.stripLeadingZeros && n > 1 && p[0] == UInt8(ascii: "0") { return true }
        for i in 0..<n {
            let b = p[i]
            if b >= 0x80 { return true }  // trimming, folding and NFC of non-ASCII text go through String
            if rules.caseFolding && b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { return true }
        }
        return false
    }

    /// The normalised bytes of an ID, or `nil` when the rules change nothing.
    private func normalized(_ bytes: [UInt8]) -> [UInt8]? {
        let rules = normalization
        if rules == .none { return nil }
        var text = String(decoding: bytes, as: UTF8.self)
        if rules.trimWhitespace { text = text.trimmingCharacters(in: .whitespacesAndNewlines) }
        // Fold before composing: folding may return decomposed text.
        if rules.caseFolding { text = text.folding(options: [.caseInsensitive], locale: nil) }
        if rules.unicodeNFC { text = text.precomposedStringWithCanonicalMapping }
        if rules.stripLeadingZeros, text.count > 1, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            let stripped = text.drop { $0 == "0" }
            text = stripped.isEmpty ? "0" : String(stripped)
        }
        let result = Array(text.utf8)
        return result == bytes ? nil : result
    }
}
