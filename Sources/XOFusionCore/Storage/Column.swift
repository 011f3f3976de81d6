/// One column of a ``Table``: a contiguous buffer of one primitive type, an
/// optional validity bitmap, and a cached null count.
///
/// A column is an immutable value; its buffers are shared copy-on-write, so
/// copying a column or slicing it (``slice(_:)``) copies no values. Null slots
/// hold a zero value (0, empty string) behind a cleared validity bit.
///
/// Build columns with the static factories — ``int64(_:)-(Array<Int64?>)``,
/// ``double(_:)``, ``bool(_:)``, ``decimal(units:scale:)``,
/// ``timestamp(_:)``, ``date(_:)``, ``string(_:layout:)`` — and read them
/// through typed views such as ``int64Values`` or ``stringValues``.
///
/// ## Memory
/// One value per row in the kind's natural width (8 bytes for int64, double,
/// decimal and timestamp; 4 for date; 1 for bool; 1 for an int64 column read
/// with a declared range inside -127...126, such as a score, see
/// ``ColumnSpec/allowedRange``), plus one bit per row when
/// the column has nulls. A plain string column stores its UTF-8 bytes plus a
/// 4-byte offset per row; a dictionary column a 4-byte code per row plus each
/// distinct value once; a numbered column (IDs such as `C000000497`, see
/// ``IDPattern``) a 4-byte number per row.
public struct Column: Sendable {
    /// The typed buffers behind a column (full length, before any slice).
    @usableFromInline
    enum Storage: Sendable {
        case int64(ContiguousArray<Int64>)
        /// An int64 column whose values fit in a byte: what a read stores for a column with a
        /// declared range inside -127...126 (see ``CSVReader``). Kernels that do not read it
        /// natively see it widened (``wideStorage``).
        case smallInt64(ContiguousArray<Int8>)
        case double(ContiguousArray<Double>)
        case bool(ContiguousArray<Bool>)
        case decimal(ContiguousArray<Int64>, scale: Int)
        case timestamp(ContiguousArray<Timestamp>)
        case date(ContiguousArray<CivilDate>)
        case plainString(StringBuffer)
        case dictionaryString(codes: ContiguousArray<UInt32>, dictionary: StringBuffer)
        /// Each row's number; row `i` is `pattern` with `numbers[i]` written in its digits.
        case numberedString(numbers: ContiguousArray<UInt32>, pattern: IDPattern)
    }

    @usableFromInline let storage: Storage
    /// Validity over the full storage; `nil` means every slot is valid.
    @usableFromInline let validity: ValidityBitmap?
    /// The first storage slot that belongs to this column (non-zero after slicing).
    @usableFromInline let offset: Int
    /// The number of values (rows).
    public let count: Int
    /// The number of null values, computed once.
    public let nullCount: Int

    /// A column over `storage[offset ..< offset + count]`. Trusted: the caller
    /// guarantees that the range lies inside the storage and the bitmap
    /// matches it; checked in debug builds.
    init(storage: Storage, validity: ValidityBitmap?, offset: Int = 0, count: Int, checked: Bool = true) {
        self.storage = storage
        self.offset = offset
        self.count = count
        // A bitmap with no nulls in range is dropped, so that the fast path is taken.
        let valid = validity?.countSetBits(in: offset..<(offset + count)) ?? count
        self.validity = valid == count ? nil : validity
        self.nullCount = count - valid
        #if DEBUG
            // A slice shares checked storage; checking it again would make slicing O(n).
            if checked && offset == 0 { _checkInvariants() }
        #endif
    }

    /// The column's kind.
    public var kind: ColumnKind {
        switch storage {
        case .int64, .smallInt64: .int64
        case .double: .double
        case .bool: .bool
        case .decimal(_, let scale): .decimal(scale: scale)
        case .timestamp: .timestamp
        case .date: .date
        case .plainString, .dictionaryString, .numberedString: .string
        }
    }

    /// For a string column, how it stores its values; `nil` for other kinds.
    public var stringLayout: StringLayout? {
        switch storage {
        case .plainString: .plain
        case .dictionaryString: .dictionary
        case .numberedString: .numbered
        default: nil
        }
    }

    /// Whether row `row` is null.
    @inlinable
    public func isNull(_ row: Int) -> Bool {
        precondition(row >= 0 && row < count, "row \(row) out of range 0..<\(count)")
        guard let validity else { return false }
        return !validity[offset + row]
    }

    /// The storage with a ``Storage/smallInt64(_:)`` column's values widened to `Int64` (a copy,
    /// O(n)); any other storage as it is. For kernels that handle every kind but not each layout.
    var wideStorage: Storage {
        guard case .smallInt64(let small) = storage else { return storage }
        return .int64(ContiguousArray(unsafeUninitializedCapacity: small.count) { wide, initialized in
            for i in 0..<small.count { wide[i] = Int64(small[i]) }
            initialized = small.count
        })
    }

    /// Rows `range` of this column, sharing its buffers.
    ///
    /// - Complexity: O(`range.count` / 64) to count the slice's nulls; no values are copied.
    public func slice(_ range: Range<Int>) -> Column {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice \(range) out of range 0..<\(count)")
        return Column(storage: storage, validity: validity, offset: offset + range.lowerBound, count: range.count)
    }
}

// MARK: - Building columns from Swift values

extension Column {
    /// Splits optionals into values (zero for nil) and a validity bitmap (`nil` when none is missing).
    static func split<T>(_ values: [T?], zero: T) -> (ContiguousArray<T>, ValidityBitmap?) {
        var stored = ContiguousArray<T>()
        stored.reserveCapacity(values.count)
        var validity: ValidityBitmap?
        for (i, value) in values.enumerated() {
            if let value {
                stored.append(value)
            } else {
                if validity == nil { validity = ValidityBitmap(repeating: true, count: values.count) }
                validity![i] = false
                stored.append(zero)
            }
        }
        return (stored, validity)
    }

    /// An `int64` column; `nil` elements are nulls.
    ///
    /// - Complexity: O(n).
    public static func int64(_ values: [Int64?]) -> Column {
        let (stored, validity) = split(values, zero: 0)
        return Column(storage: .int64(stored), validity: validity, count: values.count)
    }

    /// An `int64` column from signed integers of any width (`Int`, `Int32`, …);
    /// `nil` elements are nulls.
    ///
    /// - Complexity: O(n).
    public static func int64<I: FixedWidthInteger & SignedInteger>(_ values: [I?]) -> Column {
        // A signed integer of at most 64 bits always fits; wider types are rejected
        // by the precondition rather than silently truncated.
        precondition(I.bitWidth <= 64, "int64 columns hold integers of at most 64 bits")
        return int64(values.map { $0.map { Int64($0) } })
    }

    /// A `double` column; `nil` elements are nulls (NaN is a value, not a null).
    ///
    /// - Complexity: O(n).
    public static func double(_ values: [Double?]) -> Column {
        let (stored, validity) = split(values, zero: 0)
        return Column(storage: .double(stored), validity: validity, count: values.count)
    }

    /// A `bool` column; `nil` elements are nulls.
    ///
    /// - Complexity: O(n).
    public static func bool(_ values: [Bool?]) -> Column {
        let (stored, validity) = split(values, zero: false)
        return Column(storage: .bool(stored), validity: validity, count: values.count)
    }

    /// A `decimal(scale)` column from raw units (`1850` at scale 2 is 18.50); `nil` elements are nulls.
    ///
    /// - Complexity: O(n).
    public static func decimal(units: [Int64?], scale: Int) -> Column {
        precondition((0...ColumnKind.maximumDecimalScale).contains(scale), "decimal scale must be 0...18")
        let (stored, validity) = split(units, zero: 0)
        return Column(storage: .decimal(stored, scale: scale), validity: validity, count: units.count)
    }

    /// A `decimal(scale)` column from decimal values, each rescaled exactly.
    ///
    /// - Throws: ``TableError/valueNotRepresentable(column:row:reason:)`` when a
    ///   value has more fraction digits than `scale` or overflows at that scale.
    /// - Complexity: O(n).
    public static func decimal(_ values: [ScaledDecimal?], scale: Int) throws(TableError) -> Column {
        var units: [Int64?] = []
        units.reserveCapacity(values.count)
        for (row, value) in values.enumerated() {
            guard let value else { units.append(nil); continue }
            guard let exact = value.rescaled(to: scale) else {
                throw .valueNotRepresentable(column: nil, row: row, reason: "\(value) does not fit decimal(\(scale)) exactly")
            }
            units.append(exact.units)
        }
        return decimal(units: units, scale: scale)
    }

    /// A `timestamp` column; `nil` elements are nulls.
    ///
    /// - Complexity: O(n).
    public static func timestamp(_ values: [Timestamp?]) -> Column {
        let (stored, validity) = split(values, zero: Timestamp(microsecondsSinceEpoch: 0))
        return Column(storage: .timestamp(stored), validity: validity, count: values.count)
    }

    /// A `date` column; `nil` elements are nulls.
    ///
    /// - Complexity: O(n).
    public static func date(_ values: [CivilDate?]) -> Column {
        let (stored, validity) = split(values, zero: CivilDate(daysSinceEpoch: 0))
        return Column(storage: .date(stored), validity: validity, count: values.count)
    }

    /// A `string` column in the given layout; `nil` elements are nulls, `""` is an empty string.
    ///
    /// The ``StringLayout/numbered`` layout is used when every non-null value has the
    /// ``IDPattern`` of the first and a number up to ``IDPattern/largestStoredNumber``;
    /// otherwise the column is plain.
    ///
    /// - Throws: ``TableError/capacityExceeded(column:reason:)`` past 4 GiB of
    ///   text or, for a dictionary, 2³² distinct values.
    /// - Complexity: O(total UTF-8 length); a dictionary layout hashes each value once.
    public static func string(_ values: [String?], layout: StringLayout = .plain) throws(TableError) -> Column {
        var validity: ValidityBitmap?
        for (i, value) in values.enumerated() where value == nil {
            if validity == nil { validity = ValidityBitmap(repeating: true, count: values.count) }
            validity![i] = false
        }
        switch layout {
        case .numbered:
            if let numbered = numbered(values, validity: validity) { return numbered }
            return try string(values, layout: .plain)
        case .plain:
            let buffer = try StringBuffer(values.lazy.map { $0 ?? "" })
            return Column(storage: .plainString(buffer), validity: validity, count: values.count)
        case .dictionary:
            // Interned by bytes: Swift strings compare canonically, and two spellings
            // of one text (composed or not) must stay distinct values.
            var interner = ByteInterner()
            var codes = ContiguousArray<UInt32>()
            codes.reserveCapacity(values.count)
            for value in values {
                guard let value else { codes.append(0); continue }
                let utf8 = Array(value.utf8)
                let result: Result<UInt32, TableError> = utf8.withUnsafeBufferPointer { buffer in
                    do throws(TableError) {
                        return .success(try interner.intern(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, buffer.count).code)
                    } catch { return .failure(error) }
                }
                codes.append(try result.get())
            }
            return Column(storage: .dictionaryString(codes: codes, dictionary: interner.values), validity: validity, count: values.count)
        }
    }

    /// The values as a numbered column, or `nil` when a non-null value lacks the first one's pattern
    /// or its number is too large to store.
    private static func numbered(_ values: [String?], validity: ValidityBitmap?) -> Column? {
        guard let first = values.first(where: { $0 != nil }), let pattern = IDPattern(of: first!) else { return nil }
        var numbers = ContiguousArray<UInt32>()
        numbers.reserveCapacity(values.count)
        for value in values {
            guard let value else { numbers.append(0); continue }
            guard let number = pattern.number(of: value), number <= IDPattern.largestStoredNumber else { return nil }
            numbers.append(UInt32(number))
        }
        return Column(storage: .numberedString(numbers: numbers, pattern: pattern), validity: validity, count: values.count)
    }

    /// A ``StringLayout/numbered`` `string` column over ID numbers already laid out: row `i` holds
    /// `pattern.string(numbers[i])`, or null where `validity` says so (a null slot's number is ignored
    /// and stored as 0). It formats and parses no text, for generators that number their IDs.
    ///
    /// Returns `nil` when a non-null number has more digits than the pattern holds or is past
    /// ``IDPattern/largestStoredNumber``; build such a column from strings instead.
    ///
    /// - Precondition: `validity?.count == numbers.count`.
    /// - Complexity: O(n).
    public static func string(numbers: ContiguousArray<UInt32>, pattern: IDPattern, validity: ValidityBitmap? = nil) -> Column? {
        precondition(validity.map { $0.count == numbers.count } ?? true, "one validity bit per value")
        let largest = min(pattern.largestNumber, IDPattern.largestStoredNumber)
        var numbers = numbers
        for i in numbers.indices {
            if let validity, !validity[i] {
                numbers[i] = 0
            } else if Int64(numbers[i]) > largest {
                return nil
            }
        }
        return Column(storage: .numberedString(numbers: numbers, pattern: pattern), validity: validity, count: numbers.count)
    }

    /// A dictionary-encoded `string` column without nulls: row `i` holds `dictionary[codes[i]]`. Unlike
    /// ``string(_:layout:)`` it hashes nothing per row, for columns whose few values are known up front.
    ///
    /// - Precondition: `dictionary` holds distinct values and every code indexes it.
    /// - Throws: ``TableError/capacityExceeded(column:reason:)`` past 4 GiB of text.
    /// - Complexity: O(rows + dictionary text).
    public static func string(codes: [UInt32], dictionary: [String]) throws(TableError) -> Column {
        precondition(Set(dictionary).count == dictionary.count, "dictionary values must be distinct")
        precondition(codes.allSatisfy { Int($0) < dictionary.count }, "a code lies past the dictionary")
        return Column(storage: .dictionaryString(codes: ContiguousArray(codes), dictionary: try StringBuffer(dictionary)), validity: nil, count: codes.count)
    }

    /// An `int64` column over values already laid out: `validity` (if any) has one bit per value and
    /// a null slot holds 0. No per-value work: for kernels that fill their output buffers directly.
    ///
    /// - Precondition: `validity?.count == values.count`.
    /// - Complexity: O(n / 64) to count the nulls.
    public static func int64(values: ContiguousArray<Int64>, validity: ValidityBitmap?) -> Column {
        precondition(validity.map { $0.count == values.count } ?? true, "one validity bit per value")
        return Column(storage: .int64(values), validity: validity, count: values.count)
    }

    /// A `double` column over values already laid out (see ``int64(values:validity:)``; a null slot holds 0).
    ///
    /// - Precondition: `validity?.count == values.count`.
    /// - Complexity: O(n / 64).
    public static func double(values: ContiguousArray<Double>, validity: ValidityBitmap?) -> Column {
        precondition(validity.map { $0.count == values.count } ?? true, "one validity bit per value")
        return Column(storage: .double(values), validity: validity, count: values.count)
    }

    /// A `timestamp` column over values already laid out (see ``int64(values:validity:)``; a null slot holds the epoch).
    ///
    /// - Precondition: `validity?.count == values.count`.
    /// - Complexity: O(n / 64).
    public static func timestamp(values: ContiguousArray<Timestamp>, validity: ValidityBitmap?) -> Column {
        precondition(validity.map { $0.count == values.count } ?? true, "one validity bit per value")
        return Column(storage: .timestamp(values), validity: validity, count: values.count)
    }

    /// A `bool` column without nulls over values already laid out.
    ///
    /// - Complexity: O(1).
    public static func bool(values: ContiguousArray<Bool>) -> Column {
        Column(storage: .bool(values), validity: nil, count: values.count)
    }

    /// A column of `count` nulls of the given kind.
    ///
    /// - Complexity: O(`count`).
    public static func nulls(of kind: ColumnKind, count: Int) -> Column {
        let validity = ValidityBitmap(repeating: false, count: count)
        let storage: Storage
        switch kind {
        case .int64: storage = .int64(ContiguousArray(repeating: 0, count: count))
        case .double: storage = .double(ContiguousArray(repeating: 0, count: count))
        case .bool: storage = .bool(ContiguousArray(repeating: false, count: count))
        case .decimal(let scale): storage = .decimal(ContiguousArray(repeating: 0, count: count), scale: scale)
        case .timestamp: storage = .timestamp(ContiguousArray(repeating: Timestamp(microsecondsSinceEpoch: 0), count: count))
        case .date: storage = .date(ContiguousArray(repeating: CivilDate(daysSinceEpoch: 0), count: count))
        case .string: storage = .plainString(StringBuffer(uncheckedBytes: [], offsets: ContiguousArray(repeating: 0, count: count + 1)))
        }
        return Column(storage: storage, validity: validity, count: count)
    }
}
