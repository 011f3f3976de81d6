/// The rows of one table grouped by customer: the fusion's clustered layout.
///
/// Customer `c`'s rows are `rows[offsets[c] ..< offsets[c + 1]]` (a *run*), and
/// the rows that reach no customer come last, in `rows[offsets[n] ..< offsets[n + 1]]`.
/// Every row of the table appears exactly once. Within a run the rows keep the
/// order the fusion chose for the role (time order for answers and orders, row
/// order otherwise).
///
/// An analysis walks customer by customer, so that its per-customer
/// accumulators stay in registers and the facts it reads (kept in run order
/// next to this grouping, see ``OrderFacts`` and ``AnswerFacts``) stream from
/// memory in order instead of being scattered over a million customers. That
/// is where the analyses get their speed: a pass over ten million orders reads
/// them sequentially once.
struct CustomerRuns: Sendable {
    /// `customers + 2` run boundaries.
    let offsets: [Int32]
    /// Table rows in run order.
    let rows: [Int32]

    /// The number of customers.
    var customers: Int { offsets.count - 2 }
    /// The number of table rows.
    var count: Int { rows.count }

    /// Customer `c`'s positions (indexes into ``rows`` and the facts in run order).
    @inline(__always) func run(_ c: Int) -> Range<Int> { Int(offsets[c])..<Int(offsets[c + 1]) }
    /// The positions of rows that reach no customer.
    var unplaced: Range<Int> { run(customers) }

    /// Groups rows by customer (`customer[row]` in `0..<customers`, or -1 for none) with a
    /// counting sort; rows of one customer stay in row order.
    ///
    /// - Complexity: O(rows + customers).
    init(customer: [Int32], customers n: Int) {
        // Group g (n: no customer) counts in o[g + 2]; after the sums o[g + 1] is g's start,
        // which the scatter moves on to g's end, g + 1's start: the offsets, without a copy.
        var offsets = [Int32](repeating: 0, count: n + 3)
        let rows = [Int32](unsafeUninitializedCapacity: customer.count) { rows, initialized in
            customer.withUnsafeBufferPointer { codes in
                offsets.withUnsafeMutableBufferPointer { o in
                    for c in codes { o[c < 0 ? n + 2 : Int(c) + 2] += 1 }
                    for g in 0...n { o[g + 2] += o[g + 1] }
                    for row in 0..<codes.count {
                        let g = codes[row] < 0 ? n : Int(codes[row])
                        rows[Int(o[g + 1])] = Int32(row)
                        o[g + 1] &+= 1
                    }
                }
            }
            initialized = customer.count
        }
        offsets.removeLast()
        self.init(offsets: offsets, rows: rows)
    }

    private init(offsets: [Int32], rows: [Int32]) {
        self.offsets = offsets
        self.rows = rows
    }

    /// The same grouping with every run in time order, or `nil` when every run already is (the usual
    /// case: a table sorted by time groups into sorted runs, since the grouping keeps row order).
    /// Equal times keep row order, or follow `tieBreak(a, b)` (row `a` before row `b`) when it is given.
    ///
    /// - Parameters:
    ///   - time: the times in run order.
    ///   - rowTime: the time of a table row.
    /// - Complexity: O(rows) to check; O(k log k) for each run of k rows that needs sorting.
    func sortedByTime(_ time: [Int64], rowTime: (Int) -> Int64, tieBreak: ((Int, Int) -> Bool)? = nil) -> CustomerRuns? {
        var sorted: [Int32]?
        for g in 0...customers {
            let range = run(g)
            guard range.count > 1 else { continue }
            var ordered = true
            for i in range.dropLast() where time[i] >= time[i + 1] {
                if time[i] > time[i + 1] || (tieBreak.map { !$0(Int(rows[i]), Int(rows[i + 1])) } ?? false) {
                    ordered = false
                    break
                }
            }
            guard !ordered else { continue }
            if sorted == nil { sorted = rows }
            sorted![range].sort { a, b in
                let (ta, tb) = (rowTime(Int(a)), rowTime(Int(b)))
                if ta != tb { return ta < tb }
                return tieBreak?(Int(a), Int(b)) ?? (a < b)
            }
        }
        return sorted.map { CustomerRuns(offsets: offsets, rows: $0) }
    }

    /// `values` (in row order) rearranged into run order, on up to `threads` threads.
    ///
    /// - Complexity: O(rows), one random access per row.
    func gather<T: BitwiseCopyable>(_ values: [T], threads: Int = 1) -> [T] {
        precondition(values.count == rows.count, "one value per row")
        return values.withUnsafeBufferPointer { v in gather(threads: threads, RowValues(v.baseAddress ?? UnsafePointer(bitPattern: 8)!)) }
    }

    /// `read(row)` for every row, in run order, on up to `threads` threads: straight from a
    /// table's column, without a copy in row order first.
    ///
    /// Each output slot reads its row (a gather: one random read per row, written in order).
    /// Measured against scattering rows read in order to their slots (which needs each row's
    /// position, a second array as large as ``rows``): as fast, and that array is not
    /// allocated. The reader is a struct, not a closure, so that each loop is specialised for
    /// it and the read is inlined (a closure would be called once per row).
    ///
    /// - Complexity: O(rows) reads.
    func gather<R: RowReader>(threads: Int, _ read: R) -> [R.Value] {
        let count = rows.count
        return rows.withUnsafeBufferPointer { rows in
            [R.Value](unsafeUninitializedCapacity: count) { out, initialized in
                let out = out.baseAddress!
                _ = Partitions.map(Partitions.ranges(count), threads: threads) { range in
                    for i in range { out[i] = read(Int(rows[i])) }
                }
                initialized = count
            }
        }
    }
}

/// How a gather reads row `row` of a column: a struct over the column's buffer, so that
/// the loop that calls it is specialised and the read inlined.
protocol RowReader {
    associatedtype Value: BitwiseCopyable
    func callAsFunction(_ row: Int) -> Value
}

/// The values of a buffer as they are.
struct RowValues<Value: BitwiseCopyable>: RowReader {
    let base: UnsafePointer<Value>
    init(_ base: UnsafePointer<Value>) { self.base = base }
    @inline(__always) func callAsFunction(_ row: Int) -> Value { base[row] }
}

/// Timestamps as microseconds since the epoch.
struct TimestampMicroseconds: RowReader {
    let base: UnsafePointer<Timestamp>
    @inline(__always) func callAsFunction(_ row: Int) -> Int64 { base[row].microsecondsSinceEpoch }
}

/// Dates as the microseconds of their midnight (UTC).
struct DateMicroseconds: RowReader {
    let base: UnsafePointer<CivilDate>
    @inline(__always) func callAsFunction(_ row: Int) -> Int64 { base[row].midnightMicroseconds(lowest: .min + 1) }
}

/// Decimal units (or integers, with a divisor of 1) as doubles.
struct UnitsAsDouble: RowReader {
    let base: UnsafePointer<Int64>
    let divisor: Double
    @inline(__always) func callAsFunction(_ row: Int) -> Double { Double(base[row]) / divisor }
}

/// The bits of a bitmap's words (bit `row % 64` of word `row / 64`) as `Bool`s.
struct BitsAsBools: RowReader {
    let words: UnsafePointer<UInt64>
    @inline(__always) func callAsFunction(_ row: Int) -> Bool { words[row >> 6] >> UInt64(row & 63) & 1 != 0 }
}

/// The orders' facts in run order (see ``CustomerRuns``): customer `c`'s completed and
/// other orders, oldest first (equal times in row order).
struct OrderFacts: Sendable {
    let runs: CustomerRuns
    /// Microseconds since the epoch; `Int64.min` for null.
    let time: [Int64]
    /// NaN for null.
    let amount: [Double]
    /// Whether the order is completed, and whether a completed order has at least one return row.
    let completed: [Bool], returned: [Bool]

    /// No orders: every customer's run is empty.
    static func empty(customers: Int) -> OrderFacts {
        OrderFacts(runs: CustomerRuns(customer: [], customers: customers), time: [], amount: [], completed: [], returned: [])
    }
}

/// The answers' facts in run order (see ``CustomerRuns``): each customer's answers
/// oldest first; answers at the same time ordered by response id (the greater id
/// later), then by row. The customer's latest answer is the last of their run.
struct AnswerFacts: Sendable {
    let runs: CustomerRuns
    /// Microseconds since the epoch; `Int64.min` for null.
    let time: [Int64]
    /// Scores checked against their scales; `Int64.min` for null. Empty when the role has no such column.
    let nps: [Int64], csat: [Int64], ces: [Int64]
    /// Sentiment checked against its scale; NaN for null. Empty without a sentiment column.
    let sentiment: [Double]
    /// The earliest and latest time of an answer with an NPS (`nil`: none), for the trend's calendar.
    let npsTimeSpan: ClosedRange<Int64>?

    /// A null score.
    static let null = Int64.min

    init(runs: CustomerRuns, time: [Int64], nps: [Int64], csat: [Int64], ces: [Int64], sentiment: [Double]) {
        (self.runs, self.time, self.nps, self.csat, self.ces, self.sentiment) = (runs, time, nps, csat, ces, sentiment)
        var first = Int64.max, last = Int64.min
        if !nps.isEmpty {
            for i in time.indices where time[i] != .min && nps[i] != AnswerFacts.null {
                first = min(first, time[i])
                last = max(last, time[i])
            }
        }
        npsTimeSpan = first <= last ? first...last : nil
    }
}

/// Returns, carts or tickets in run order: the rows of each customer and their amounts.
struct AmountFacts: Sendable {
    let runs: CustomerRuns
    /// NaN for null; empty for a role without amounts.
    let amount: [Double]

    /// No such table: every customer's run is empty.
    static func empty(customers: Int) -> AmountFacts { AmountFacts(runs: CustomerRuns(customer: [], customers: customers), amount: []) }
}
