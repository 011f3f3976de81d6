import Testing
@testable import XOFusionCore

/// Naive, row-at-a-time reference semantics for the kernels, written on
/// ``CellValue``s with loops and dictionaries, independent of the kernels'
/// typed code. Used by the differential tests in this folder.
enum KernelRef {
    /// A hashable key with the kernels' notion of equality: text by UTF-8 bytes
    /// (not Swift's canonical equivalence), -0.0 == 0.0, every NaN one value.
    enum Key: Hashable, CustomStringConvertible {
        case null, int(Int64), double(UInt64), bool(Bool), bytes([UInt8])

        init(_ cell: CellValue) {
            switch cell {
            case .null: self = .null
            case .int64(let v): self = .int(v)
            case .double(let d): self = .double(d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0.0 : d).bitPattern)
            case .bool(let b): self = .bool(b)
            case .decimal(let d): self = .int(d.units)  // one column, one scale
            case .timestamp(let t): self = .int(t.microsecondsSinceEpoch)
            case .date(let d): self = .int(Int64(d.daysSinceEpoch))
            case .string(let s): self = .bytes(Array(s.utf8))
            }
        }

        var description: String {
            switch self {
            case .null: "null"
            case .int(let v): "\(v)"
            case .double(let bits): "\(Double(bitPattern: bits))"
            case .bool(let b): "\(b)"
            case .bytes(let b): "\"\(String(decoding: b, as: UTF8.self))\"\(b)"
            }
        }
    }

    /// Order of two non-null cells of one kind: -1, 0, 1. Doubles as in DuckDB
    /// (NaN equals NaN and is above every number; -0.0 == 0.0); text by UTF-8 bytes;
    /// false < true.
    static func compare(_ a: CellValue, _ b: CellValue) -> Int {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.int64(let x), .int64(let y)): return cmp(x, y)
        case (.double(let x), .double(let y)):
            switch (x.isNaN, y.isNaN) {
            case (true, true): return 0
            case (true, false): return 1
            case (false, true): return -1
            case (false, false): return cmp(x, y)  // IEEE: -0.0 == 0.0
            }
        case (.decimal(let x), .decimal(let y)):
            precondition(x.scale == y.scale, "reference compares decimals of one scale")
            return cmp(x.units, y.units)
        case (.bool(let x), .bool(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case (.timestamp(let x), .timestamp(let y)): return cmp(x.microsecondsSinceEpoch, y.microsecondsSinceEpoch)
        case (.date(let x), .date(let y)): return cmp(x.daysSinceEpoch, y.daysSinceEpoch)
        case (.string(let x), .string(let y)):
            if x.utf8.elementsEqual(y.utf8) { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        default:
            fatalError("reference cannot compare \(a) with \(b)")
        }
    }

    /// Whether an actual cell matches an expected one: exact (NaN matches NaN,
    /// text by bytes, decimals by units and scale), or for doubles within a
    /// relative `tolerance`.
    static func same(_ a: CellValue, _ b: CellValue, tolerance: Double = 0) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
            if x == y { return true }
            return tolerance > 0 && abs(x - y) <= tolerance * max(abs(x), abs(y))
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.decimal(let x), .decimal(let y)): return x.units == y.units && x.scale == y.scale
        default: return a == b
        }
    }

    static func pow10(_ n: Int) -> Int64 {
        var p: Int64 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// A comparison literal converted exactly to `kind`, or `nil` when the
    /// kernel must refuse it (`badValue`).
    static func coerce(_ literal: CellValue, to kind: ColumnKind) -> CellValue? {
        switch (kind, literal) {
        case (_, .null): return nil
        case (.int64, .int64): return literal
        case (.int64, .double(let d)): return Int64(exactly: d).map(CellValue.int64)
        case (.int64, .decimal(let d)):
            let p = pow10(d.scale)
            return d.units % p == 0 ? .int64(d.units / p) : nil
        case (.decimal(let s), .int64(let v)):
            let (units, overflow) = v.multipliedReportingOverflow(by: pow10(s))
            return overflow ? nil : .decimal(ScaledDecimal(units: units, scale: s))
        case (.decimal(let s), .decimal(let d)):
            if d.scale <= s {
                let (units, overflow) = d.units.multipliedReportingOverflow(by: pow10(s - d.scale))
                return overflow ? nil : .decimal(ScaledDecimal(units: units, scale: s))
            }
            let p = pow10(d.scale - s)
            return d.units % p == 0 ? .decimal(ScaledDecimal(units: d.units / p, scale: s)) : nil
        case (.double, .double): return literal
        case (.double, .int64(let v)): return .double(Double(v))
        case (.double, .decimal(let d)): return .double(Double(d.units) / Double(pow10(d.scale)))
        case (.bool, .bool), (.timestamp, .timestamp), (.date, .date), (.string, .string): return literal
        default: return nil
        }
    }

    /// A column of `kind` holding `cells`.
    static func column(_ cells: [CellValue], kind: ColumnKind, layout: StringLayout = .plain) throws -> Column {
        switch kind {
        case .int64:
            return .int64(cells.map { cell -> Int64? in if case .int64(let v) = cell { return v }; return nil })
        case .double:
            return .double(cells.map { cell -> Double? in if case .double(let v) = cell { return v }; return nil })
        case .bool:
            return .bool(cells.map { cell -> Bool? in if case .bool(let v) = cell { return v }; return nil })
        case .decimal(let scale):
            return .decimal(units: cells.map { cell -> Int64? in if case .decimal(let v) = cell { return v.units }; return nil }, scale: scale)
        case .timestamp:
            return .timestamp(cells.map { cell -> Timestamp? in if case .timestamp(let v) = cell { return v }; return nil })
        case .date:
            return .date(cells.map { cell -> CivilDate? in if case .date(let v) = cell { return v }; return nil })
        case .string:
            return try .string(cells.map { cell -> String? in if case .string(let v) = cell { return v }; return nil }, layout: layout)
        }
    }

    /// The as-of pick for one left time among the right rows with its key and a
    /// time, by brute force: backward takes the latest time (the last row among
    /// ties), forward the earliest (the first row), nearest the closer of the
    /// two (backward at equal distance); then the tolerance, inclusive.
    static func asOfPick(_ candidates: [(row: Int, t: Int64)], leftTime lt: Int64, options: AsOfOptions) -> Int? {
        let exact = options.allowExactMatches
        let back = candidates.filter { exact ? $0.t <= lt : $0.t < lt }.max { ($0.t, $0.row) < ($1.t, $1.row) }
        let fwd = candidates.filter { exact ? $0.t >= lt : $0.t > lt }.min { ($0.t, $0.row) < ($1.t, $1.row) }
        var pick: (row: Int, t: Int64)?
        switch options.direction {
        case .backward: pick = back
        case .forward: pick = fwd
        case .nearest:
            if let b = back, let f = fwd { pick = lt - b.t <= f.t - lt ? b : f } else { pick = back ?? fwd }
        }
        guard let pick, options.toleranceMicroseconds.map({ abs(pick.t - lt) <= $0 }) ?? true else { return nil }
        return pick.row
    }

    /// The cells of a table, column by column.
    static func cells(of table: Table) -> [[CellValue]] {
        table.columns.map { column in (0..<column.count).map { column[$0] } }
    }
}

/// A random table with one column of every kind (every string layout, and an int64 column stored
/// one byte a value as a read stores a score), small value pools (so keys repeat and comparisons hit
/// equality), nulls at a per-column rate (sometimes every row), and sometimes built as a slice of a
/// longer table so that the kernels see column offsets.
struct KernelRandomTable {
    static let spec: [(name: String, kind: ColumnKind, layout: StringLayout)] = [
        ("i", .int64, .plain), ("d", .double, .plain), ("m", .decimal(scale: 2), .plain),
        ("s", .string, .plain), ("t", .string, .dictionary), ("ts", .timestamp, .plain),
        ("dt", .date, .plain), ("b", .bool, .plain), ("n", .string, .numbered), ("si", .int64, .plain),
    ]
    static var names: [String] { spec.map(\.name) }
    /// The int64 columns stored one byte a value (``Column/Storage/smallInt64(_:)``), with values inside a byte.
    static let oneByteColumns: Set<String> = ["si"]

    /// Awkward text: composed and decomposed "é" are equal for Swift but
    /// differ by bytes; "Z" < "a" by bytes; multi-byte characters.
    static let stringPool = ["", "a", "A", "Z", "aa", "ab", "a ", "b", "\u{E9}", "e\u{301}", "z", "😀", "配送", "ÿ"]
    /// IDs of one pattern for the numbered column, and strays of other shapes that make it plain.
    static let idPool = ["C000001", "C000002", "C000010", "C099999", "C100000", "C999999"]
    static let strayIDs = ["C00001", "D000001", "", "C0000001", "c000001", "C000001 "]
    static let doublePool: [Double] = [.nan, -0.0, 0.0, 1, -1, 2.5, 0.1, 0.2, 3, -7.25, 1e10, .infinity, -.infinity]

    let table: Table
    /// `cells[c][row]` for column `c` of ``spec``.
    let cells: [[CellValue]]
    var rowCount: Int { table.rowCount }

    func index(_ name: String) -> Int { Self.spec.firstIndex { $0.name == name }! }
    func cells(_ name: String) -> [CellValue] { cells[index(name)] }
    func kind(_ name: String) -> ColumnKind { Self.spec[index(name)].kind }

    static func value(_ kind: ColumnKind, _ g: inout SeededGenerator) -> CellValue {
        switch kind {
        case .int64:
            return Int.random(in: 0..<100, using: &g) < 85
                ? .int64(Int64.random(in: -4...4, using: &g))
                : .int64(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &g))
        case .double:
            return Int.random(in: 0..<100, using: &g) < 75
                ? .double(doublePool.randomElement(using: &g)!)
                : .double(Double.random(in: -100...100, using: &g))
        case .decimal(let scale):
            let units = Int64.random(in: -8...8, using: &g) * [1, 10, 25, 100].randomElement(using: &g)!
            return .decimal(ScaledDecimal(units: units, scale: scale))
        case .string:
            return .string(stringPool.randomElement(using: &g)!)
        case .timestamp:
            let pool: [Int64] = [0, -1, 1_000_000, 1_700_000_000_000_000, -86_400_000_000]
            return Int.random(in: 0..<100, using: &g) < 75
                ? .timestamp(Timestamp(microsecondsSinceEpoch: pool.randomElement(using: &g)!))
                : .timestamp(RandomValues.timestamp(&g))
        case .date:
            let pool: [Int32] = [0, -1, 365, 19_000, 19_001]
            return Int.random(in: 0..<100, using: &g) < 75
                ? .date(CivilDate(daysSinceEpoch: pool.randomElement(using: &g)!))
                : .date(RandomValues.date(&g))
        case .bool:
            return .bool(Bool.random(using: &g))
        }
    }

    /// Row counts: 0 and 1 often, otherwise up to `maxRows`.
    init(_ g: inout SeededGenerator, maxRows: Int = 40) throws {
        let roll = Int.random(in: 0..<100, using: &g)
        let n = roll < 8 ? 0 : (roll < 16 ? 1 : Int.random(in: 2...maxRows, using: &g))
        // Sometimes build a longer table and take a slice of it.
        let sliced = Int.random(in: 0..<4, using: &g) == 0
        let before = sliced ? Int.random(in: 0...5, using: &g) : 0
        let after = sliced ? Int.random(in: 0...5, using: &g) : 0
        let total = before + n + after
        var all: [[CellValue]] = []
        var columns: [(name: String, column: Column)] = []
        // In one table of four the numbered column holds strays, so that it falls back to plain.
        let strays = Int.random(in: 0..<4, using: &g) == 0
        for (name, kind, layout) in Self.spec {
            let rate = [0.0, 0.0, 0.15, 0.5, 1.0].randomElement(using: &g)!
            var column: [CellValue] = []
            for _ in 0..<total {
                let v: CellValue
                if layout == .numbered {
                    let stray = strays && Int.random(in: 0..<5, using: &g) == 0
                    v = .string((stray ? Self.strayIDs : Self.idPool).randomElement(using: &g)!)
                } else if Self.oneByteColumns.contains(name) {
                    v = .int64(Int.random(in: 0..<100, using: &g) < 85 ? Int64.random(in: -4...4, using: &g) : [-127, -100, 100, 126].randomElement(using: &g)!)
                } else {
                    v = Self.value(kind, &g)
                }
                column.append(Double.random(in: 0..<1, using: &g) < rate ? .null : v)
            }
            all.append(column)
            var built = rate == 1.0 && layout == .plain && Bool.random(using: &g)
                ? Column.nulls(of: kind, count: total) : try KernelRef.column(column, kind: kind, layout: layout)
            if Self.oneByteColumns.contains(name) { built = built.storedInOneByte() }
            columns.append((name, built))
        }
        var table = try Table(columns: columns)
        if sliced { table = table.slice(before..<(before + n)) }
        self.table = table
        cells = all.map { Array($0[before..<(before + n)]) }
    }
}

extension Column {
    /// This int64 column (values inside a byte) stored one byte a value, as a read stores a column
    /// whose declared range fits a byte.
    func storedInOneByte() -> Column {
        guard case .int64(let values) = storage else { preconditionFailure("an int64 column") }
        return Column(storage: .smallInt64(ContiguousArray(values.map { Int8($0) })), validity: validity, offset: offset, count: count)
    }
}

/// Collects differential mismatches and records one issue listing the first few.
struct MismatchLog {
    private(set) var count = 0
    private(set) var seeds: [Int] = []
    private var details: [String] = []

    mutating func add(seed: Int, _ detail: @autoclosure () -> String) {
        count += 1
        if seeds.last != seed { seeds.append(seed) }
        if details.count < 4 { details.append("seed \(seed): \(detail())") }
    }

    func check(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(count == 0, "\(what): \(count) mismatches in seeds \(seeds.prefix(20))\n\(details.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }
}
