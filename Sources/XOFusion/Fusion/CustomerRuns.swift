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
    /// counting sort; rows of one customer stay in row order, whatever the thread count.
    ///
    /// Many customers are placed in two passes (see ``init(customer:customers:shares:bucketWidth:)``),
    /// a share of the rows per thread; few, in one.
    ///
    /// - Complexity: O(rows + customers × threads).
    init(customer: [Int32], customers n: Int, threads: Int = 1) {
        guard n >= 4 * CustomerRuns.bucketWidth, customer.count >= Partitions.minimumRows else {
            self.init(serially: customer, customers: n)
            return
        }
        let shares = max(1, min(threads, customer.count / CustomerRuns.rowsPerShare))
        self.init(customer: customer, customers: n, shares: shares, bucketWidth: CustomerRuns.bucketWidth)
    }

    /// The fewest rows worth a share of their own: each share counts into its own array as
    /// long as the customers, so fewer rows do not pay for it.
    static let rowsPerShare = 1 << 20
    /// Customers per bucket of the two-pass placement: few enough buckets that the first pass
    /// writes a stream per bucket without missing the address cache, and a bucket's cursors
    /// and rows (about ten per customer at SF1) fit the second-level cache. Measured at SF1
    /// against 2,048 and 32,768: fastest.
    static let bucketWidth = 8192

    /// The counting sort in one pass: for few customers, whose cursors stay in the cache.
    private init(serially customer: [Int32], customers n: Int) {
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

    /// The counting sort in two passes over buckets of `bucketWidth` (a power of two) customers,
    /// with `shares` equal shares of the rows, each on a thread.
    ///
    /// Placed in one pass, each of ten million rows is a write to a random place in an array
    /// larger than the cache, and a miss in the address cache. Here each share counts its rows
    /// per customer; then it writes each row, in row order, to its share's part of its bucket's
    /// region (a stream per bucket, each written in order), with the customer's place in the
    /// bucket; then each bucket, a small region in row order, is placed within the cache. Rows
    /// of one customer stay in row order. Measured on the SF1 orders, interleaved in one process:
    /// one pass on one thread 160–330 ms, two passes on one thread 210–270 ms, on two 105–180 ms
    /// (the single pass shared between threads: 190–250 ms).
    ///
    /// - Complexity: O(rows + customers × shares); two writes per row, one of them in the cache.
    init(customer: [Int32], customers n: Int, shares: Int, bucketWidth width: Int) {
        precondition(shares >= 1 && width.nonzeroBitCount == 1 && width <= 1 << 16, "1 share or more; buckets of a power of two customers up to 65,536")
        let count = customer.count
        let ranges = (0..<shares).map { k in (count * k / shares)..<(count * (k + 1) / shares) }
        let shareIndexes = (0..<shares).map { k in k..<(k + 1) }
        let groups = n + 1  // group n: no customer
        let buckets = (groups + width - 1) / width, shift = width.trailingZeroBitCount
        // Share k's count of group g is counts[k * groups + g].
        var counts = [Int32](repeating: 0, count: shares * groups)
        var offsets = [Int32](repeating: 0, count: groups + 1)
        // Each row's customer within its bucket, in the order of the first pass.
        var local = [UInt16](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        let rows = [Int32](unsafeUninitializedCapacity: count) { rows, initialized in
            customer.withUnsafeBufferPointer { codes in
                counts.withUnsafeMutableBufferPointer { counts in
                    _ = Partitions.map(shareIndexes, threads: shares) { share in
                        let k = share.lowerBound, mine = counts.baseAddress! + k * groups
                        for row in ranges[k] {
                            let c = codes[row]
                            mine[c < 0 ? n : Int(c)] &+= 1
                        }
                    }
                    // The offsets, and where each share's part of each bucket starts.
                    var cursors = [Int](repeating: 0, count: shares * buckets)
                    offsets.withUnsafeMutableBufferPointer { o in
                        var start = 0
                        for b in 0..<buckets {
                            var part = start
                            for k in 0..<shares {
                                cursors[k * buckets + b] = part
                                for g in (b * width)..<min((b + 1) * width, groups) { part += Int(counts[k * groups + g]) }
                            }
                            for g in (b * width)..<min((b + 1) * width, groups) {
                                o[g] = Int32(truncatingIfNeeded: start)
                                for k in 0..<shares { start += Int(counts[k * groups + g]) }
                            }
                        }
                        o[groups] = Int32(truncatingIfNeeded: start)
                    }
                    local.withUnsafeMutableBufferPointer { local in
                        // First pass: each share's rows, in row order, to its part of their bucket.
                        cursors.withUnsafeMutableBufferPointer { cursors in
                            _ = Partitions.map(shareIndexes, threads: shares) { share in
                                let k = share.lowerBound, mine = cursors.baseAddress! + k * buckets
                                for row in ranges[k] {
                                    let c = codes[row]
                                    let g = c < 0 ? n : Int(c)
                                    let b = g &>> shift
                                    let place = mine[b]
                                    rows[place] = Int32(truncatingIfNeeded: row)
                                    local[place] = UInt16(truncatingIfNeeded: g & (width &- 1))
                                    mine[b] = place &+ 1
                                }
                            }
                        }
                        // Second pass: each bucket's rows (in row order: share by share) to their customers' runs.
                        let bucketRanges = (0..<shares).map { k in (buckets * k / shares)..<(buckets * (k + 1) / shares) }
                        offsets.withUnsafeBufferPointer { o in
                            _ = Partitions.map(bucketRanges, threads: shares) { range in
                                var held: [Int32] = [], next = [Int](repeating: 0, count: width)
                                for b in range {
                                    let first = b * width, last = min(first + width, groups)
                                    let region = Int(o[first])..<Int(o[last])
                                    held.removeAll(keepingCapacity: true)
                                    held.append(contentsOf: rows[region])
                                    for g in first..<last { next[g - first] = Int(o[g]) }
                                    for (i, row) in held.enumerated() {
                                        let j = Int(local[region.lowerBound + i])
                                        rows[next[j]] = row
                                        next[j] &+= 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
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
