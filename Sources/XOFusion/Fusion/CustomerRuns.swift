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
    /// Many customers are placed in two passes (see ``init(customer:customers:shares:bucketWidth:carrying:)``),
    /// a share of the rows per thread; few, in one.
    ///
    /// - Complexity: O(rows + customers × threads).
    init(customer: [Int32], customers n: Int, threads: Int = 1) {
        self.init(customer: customer, customers: n, threads: threads, carrying: NoPayload())
    }

    /// The same grouping, with `payload`'s values of each row written in run order on the
    /// way: what a gather would give, without its random read per row (see ``RunPayload``).
    ///
    /// - Complexity: O(rows + customers × threads).
    init<Payload: RunPayload>(customer: [Int32], customers n: Int, threads: Int = 1, carrying payload: Payload) {
        guard n >= 4 * CustomerRuns.bucketWidth, customer.count >= Partitions.minimumRows else {
            self.init(serially: customer, customers: n, carrying: payload)
            return
        }
        let shares = max(1, min(threads, customer.count / CustomerRuns.rowsPerShare))
        self.init(customer: customer, customers: n, shares: shares, bucketWidth: CustomerRuns.bucketWidth, carrying: payload)
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
    private init<Payload: RunPayload>(serially customer: [Int32], customers n: Int, carrying payload: Payload) {
        // Group g (n: no customer) counts in o[g + 2]; after the sums o[g + 1] is g's start,
        // which the scatter moves on to g's end, g + 1's start: the offsets, without a copy.
        var offsets = [Int32](repeating: 0, count: n + 3)
        let rows: [Int32] = uninitializedArray(customer.count) { rows, initialized in
            customer.withUnsafeBufferPointer { codes in
                offsets.withUnsafeMutableBufferPointer { o in
                    for c in codes { o[c < 0 ? n + 2 : Int(c) + 2] += 1 }
                    for g in 0...n { o[g + 2] += o[g + 1] }
                    for row in 0..<codes.count {
                        let g = codes[row] < 0 ? n : Int(codes[row])
                        rows[Int(o[g + 1])] = Int32(row)
                        payload.take(row, at: Int(o[g + 1]))
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
    /// per bucket; then it writes each row, in row order, to its share's part of its bucket's
    /// region (a stream per bucket, each written in order), with the customer's place in the
    /// bucket; then each bucket, a small region in row order, is counted per customer and
    /// placed within the cache. Rows of one customer stay in row order. Measured on the SF1
    /// orders, interleaved in one process: one pass on one thread 160–330 ms, two passes on one
    /// thread 210–270 ms, on two 105–180 ms (the single pass shared between threads: 190–250 ms).
    /// Counting per bucket first, and per customer only inside a bucket, spares the count its
    /// random increments over every customer (one counter array per share, 4 MB at SF1): ten
    /// million random codes of a million customers on two shares, nine interleaved rounds in
    /// one process, median 75.7 → 67.1 ms.
    ///
    /// - Complexity: O(rows + customers + buckets × shares); each row is written twice, the second time within the cache.
    init<Payload: RunPayload>(customer: [Int32], customers n: Int, shares: Int, bucketWidth width: Int, carrying payload: Payload = NoPayload()) {
        precondition(shares >= 1 && width.nonzeroBitCount == 1 && width <= 1 << 16, "1 share or more; buckets of a power of two customers up to 65,536")
        let count = customer.count
        let ranges = (0..<shares).map { k in (count * k / shares)..<(count * (k + 1) / shares) }
        let shareIndexes = (0..<shares).map { k in k..<(k + 1) }
        let groups = n + 1  // group n: no customer
        let buckets = (groups + width - 1) / width, shift = width.trailingZeroBitCount
        // Share k's rows in bucket b: perBucket[k * buckets + b].
        var perBucket = [Int](repeating: 0, count: shares * buckets)
        // Where bucket b's rows start (and, at `buckets`, end).
        var bucketStarts = [Int](repeating: 0, count: buckets + 1)
        var offsets = [Int32](repeating: 0, count: groups + 1)
        // Each row's customer within its bucket, in the order of the first pass.
        var local: [UInt16] = uninitializedArray(count, threads: shares) { _, initialized in initialized = count }
        let rows: [Int32] = uninitializedArray(count, threads: shares) { rows, initialized in
            customer.withUnsafeBufferPointer { codes in
                perBucket.withUnsafeMutableBufferPointer { perBucket in
                    _ = Partitions.map(shareIndexes, threads: shares) { share in
                        let k = share.lowerBound, mine = perBucket.baseAddress! + k * buckets
                        for row in ranges[k] {
                            let c = codes[row]
                            mine[(c < 0 ? n : Int(c)) &>> shift] &+= 1
                        }
                    }
                    // Where each share's part of each bucket starts: share by share, so that the
                    // bucket's rows are in row order.
                    var start = 0
                    for b in 0..<buckets {
                        bucketStarts[b] = start
                        for k in 0..<shares {
                            let part = perBucket[k * buckets + b]
                            perBucket[k * buckets + b] = start
                            start += part
                        }
                    }
                    bucketStarts[buckets] = start
                    local.withUnsafeMutableBufferPointer { local in
                        // First pass: each share's rows, in row order, to its part of their bucket.
                        _ = Partitions.map(shareIndexes, threads: shares) { share in
                            let k = share.lowerBound, mine = perBucket.baseAddress! + k * buckets
                            for row in ranges[k] {
                                let c = codes[row]
                                let g = c < 0 ? n : Int(c)
                                let b = g &>> shift
                                let place = mine[b]
                                rows[place] = Int32(truncatingIfNeeded: row)
                                local[place] = UInt16(truncatingIfNeeded: g & (width &- 1))
                                payload.take(row, at: place)
                                mine[b] = place &+ 1
                            }
                        }
                        // Second pass: each bucket's rows (in row order) counted per customer, then
                        // placed in their customers' runs.
                        offsets.withUnsafeMutableBufferPointer { o in
                            // Each share a run of buckets with about as many rows as the others: customers'
                            // rows are not spread evenly over their codes (older customers order more).
                            var bucketRanges: [Range<Int>] = [], first = 0
                            for k in 1...shares {
                                var last = first
                                while last < buckets && (k == shares || bucketStarts[last] < count * k / shares) { last += 1 }
                                bucketRanges.append(first..<last)
                                first = last
                            }
                            _ = Partitions.map(bucketRanges, threads: shares) { range in
                                var held: [Int32] = [], next = [Int](repeating: 0, count: width)
                                var payload = payload  // this thread's copy, with its own held values
                                for b in range {
                                    let first = b * width, last = min(first + width, groups)
                                    let region = bucketStarts[b]..<bucketStarts[b + 1]
                                    for j in 0..<(last - first) { next[j] = 0 }
                                    for i in region { next[Int(local[i])] &+= 1 }
                                    var place = region.lowerBound
                                    for j in 0..<(last - first) {
                                        o[first + j] = Int32(truncatingIfNeeded: place)
                                        let rowsOfCustomer = next[j]
                                        next[j] = place
                                        place &+= rowsOfCustomer
                                    }
                                    held.removeAll(keepingCapacity: true)
                                    held.append(contentsOf: rows[region])
                                    payload.hold(region)
                                    for (i, row) in held.enumerated() {
                                        let j = Int(local[region.lowerBound + i])
                                        rows[next[j]] = row
                                        payload.put(i, at: next[j])
                                        next[j] &+= 1
                                    }
                                }
                            }
                            o[groups] = Int32(truncatingIfNeeded: count)
                        }
                    }
                }
            }
            initialized = count
        }
        self.init(offsets: offsets, rows: rows)
    }

    /// Groups rows by customer (as ``init(customer:customers:threads:)``) carrying `first(row)` and
    /// `second(row)` along: the runs and both values of every row in run order.
    ///
    /// - Complexity: O(rows + customers × threads).
    static func carrying<First: RowReader, Second: RowReader>(
        _ first: First, _ second: Second, customer: [Int32], customers n: Int, threads: Int
    ) -> (CustomerRuns, [First.Value], [Second.Value]) {
        let count = customer.count
        var runs: CustomerRuns?
        var secondValues: [Second.Value] = []
        let firstValues: [First.Value] = uninitializedArray(count, threads: threads) { firstOut, firstCount in
            secondValues = uninitializedArray(count, threads: threads) { secondOut, secondCount in
                let payload = CarriedPair(
                    first: Carried(first, into: firstOut.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!),
                    second: Carried(second, into: secondOut.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!))
                runs = CustomerRuns(customer: customer, customers: n, threads: threads, carrying: payload)
                secondCount = count
            }
            firstCount = count
        }
        return (runs!, firstValues, secondValues)
    }

    /// Groups rows by customer (as ``init(customer:customers:threads:)``) carrying `read(row)`
    /// along: the runs and every row's value in run order, without a gather's random read per row.
    ///
    /// - Complexity: O(rows + customers × threads).
    static func carrying<Reader: RowReader>(_ read: Reader, customer: [Int32], customers n: Int, threads: Int) -> (CustomerRuns, [Reader.Value]) {
        let count = customer.count
        var runs: CustomerRuns?
        let values: [Reader.Value] = uninitializedArray(count, threads: threads) { out, initialized in
            runs = CustomerRuns(
                customer: customer, customers: n, threads: threads, carrying: Carried(read, into: out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!))
            initialized = count
        }
        return (runs!, values)
    }

    private init(offsets: [Int32], rows: [Int32]) {
        self.offsets = offsets
        self.rows = rows
    }

    /// The same grouping with every run in time order, or `nil` when every run already is (the usual
    /// case: a table sorted by time groups into sorted runs, since the grouping keeps row order).
    /// Equal times keep row order, or follow `tieBreak(a, b)` (row `a` before row `b`) when it is given.
    /// The times of each run it sorts are put in the run's new order too, so that nothing needs
    /// gathering again.
    ///
    /// - Parameters:
    ///   - time: the times in run order, as integers in the times' order (null: the type's `min`).
    ///   - threads: the threads that look for runs out of order.
    /// - Complexity: O(rows) to check, on up to `threads` threads; O(k log k) for each run of k rows that needs sorting.
    func sortedByTime<Time: FixedWidthInteger>(_ time: inout [Time], threads: Int = 1, tieBreak: ((Int, Int) -> Bool)? = nil) -> CustomerRuns? {
        precondition(time.count == rows.count, "one time per row")
        // The runs out of order, looked for on up to `threads` threads (ranges of customers).
        let unordered: [Int] = time.withUnsafeBufferPointer { time in
            offsets.withUnsafeBufferPointer { offsets in
                rows.withUnsafeBufferPointer { rows in
                    let groups = customers + 1
                    let parts = rows.count < Partitions.minimumRows ? [0..<groups] : Partitions.ranges(groups)
                    return Partitions.map(parts, threads: threads) { range in
                        var found: [Int] = []
                        for g in range {
                            let start = Int(offsets[g]), end = Int(offsets[g + 1])
                            guard end - start > 1 else { continue }
                            for i in start..<(end - 1) where time[i] >= time[i + 1] {
                                if time[i] > time[i + 1] || (tieBreak.map { !$0(Int(rows[i]), Int(rows[i + 1])) } ?? false) {
                                    found.append(g)
                                    break
                                }
                            }
                        }
                        return found
                    }.flatMap { $0 }
                }
            }
        }
        guard !unordered.isEmpty else { return nil }
        var sorted = rows
        var run: [(time: Time, row: Int32)] = []
        for g in unordered {
            let start = Int(offsets[g]), end = Int(offsets[g + 1])
            run.removeAll(keepingCapacity: true)
            for i in start..<end { run.append((time[i], sorted[i])) }
            run.sort { a, b in
                if a.time != b.time { return a.time < b.time }
                return tieBreak?(Int(a.row), Int(b.row)) ?? (a.row < b.row)
            }
            for (k, entry) in run.enumerated() {
                time[start + k] = entry.time
                sorted[start + k] = entry.row
            }
        }
        return CustomerRuns(offsets: offsets, rows: sorted)
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
            uninitializedArray(count, threads: threads) { out, initialized in
                guard let out = out.baseAddress else { return }
                _ = Partitions.map(Partitions.ranges(count), threads: threads) { range in
                    for i in range { out[i] = read(Int(rows[i])) }
                }
                initialized = count
            }
        }
    }
}

/// `Array(unsafeUninitializedCapacity:initializingWith:)`, except that `body` gets an empty
/// buffer with no base address for a count of 0 and the array is made without that
/// initializer: for no values it still writes the count of the one shared empty array, and
/// threads doing so at once race on it (harmless, but the thread sanitizer reports it). The
/// buffer's pages are mapped in first, split among up to `threads` threads when it is large
/// (see ``FreshPages``).
func uninitializedArray<T>(_ count: Int, threads: Int = 1, _ body: (inout UnsafeMutableBufferPointer<T>, inout Int) -> Void) -> [T] {
    guard count > 0 else {
        var none = UnsafeMutableBufferPointer<T>(start: nil, count: 0), initialized = 0
        body(&none, &initialized)
        return []
    }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        FreshPages.populate(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: count * MemoryLayout<T>.stride, threads: threads)
        body(&buffer, &initialized)
    }
}

/// How a gather reads row `row` of a column: a struct over the column's buffer, so that
/// the loop that calls it is specialised and the read inlined.
protocol RowReader {
    associatedtype Value: BitwiseCopyable
    func callAsFunction(_ row: Int) -> Value
}

/// Values carried through a grouping by customer (``CustomerRuns/init(customer:customers:threads:carrying:)``):
/// each row's values are read in row order and land in run order, as a gather would place them.
///
/// A gather reads one random row per slot, a cache miss in a column larger than the cache. Carried,
/// the values are read in order and follow their rows: to their bucket's part in the first pass
/// (a stream per bucket), then within the bucket, in the cache.
protocol RunPayload {
    /// Writes row `row`'s values to slot `place`.
    func take(_ row: Int, at place: Int)
    /// Sets the values in slots `region` aside, to be written again by ``put(_:at:)``.
    mutating func hold(_ region: Range<Int>)
    /// Writes the `i`th value set aside by the last ``hold(_:)`` to slot `place`.
    func put(_ i: Int, at place: Int)
}

/// Nothing carried.
struct NoPayload: RunPayload {
    @inline(__always) func take(_ row: Int, at place: Int) {}
    @inline(__always) mutating func hold(_ region: Range<Int>) {}
    @inline(__always) func put(_ i: Int, at place: Int) {}
}

/// One column carried: `read(row)` lands in `out[place]`, `out` as long as the rows.
struct Carried<Reader: RowReader>: RunPayload {
    let read: Reader
    let out: UnsafeMutablePointer<Reader.Value>
    private var held: [Reader.Value] = []

    init(_ read: Reader, into out: UnsafeMutablePointer<Reader.Value>) {
        self.read = read
        self.out = out
    }

    @inline(__always) func take(_ row: Int, at place: Int) { out[place] = read(row) }

    @inline(__always) mutating func hold(_ region: Range<Int>) {
        held.removeAll(keepingCapacity: true)
        held.append(contentsOf: UnsafeBufferPointer(start: out + region.lowerBound, count: region.count))
    }

    @inline(__always) func put(_ i: Int, at place: Int) { out[place] = held[i] }
}

/// Two payloads carried together.
struct CarriedPair<First: RunPayload, Second: RunPayload>: RunPayload {
    var first: First, second: Second

    @inline(__always) func take(_ row: Int, at place: Int) {
        first.take(row, at: place)
        second.take(row, at: place)
    }

    @inline(__always) mutating func hold(_ region: Range<Int>) {
        first.hold(region)
        second.hold(region)
    }

    @inline(__always) func put(_ i: Int, at place: Int) {
        first.put(i, at: place)
        second.put(i, at: place)
    }
}

/// The values of a buffer as they are.
struct RowValues<Value: BitwiseCopyable>: RowReader {
    let base: UnsafePointer<Value>
    init(_ base: UnsafePointer<Value>) { self.base = base }
    @inline(__always) func callAsFunction(_ row: Int) -> Value { base[row] }
}

/// Whole numbers inside a byte, read as one: scores already checked against a scale inside -127...126.
struct ByteRowValues: RowReader {
    let base: UnsafePointer<Int64>
    @inline(__always) func callAsFunction(_ row: Int) -> Int8 { Int8(truncatingIfNeeded: base[row]) }
}

/// One score column of the answers in run order, checked against its scale: one byte a score when
/// every score lies inside -127...126 (every built-in scale, and any column read with its range
/// declared), else eight. Reads give `Int64`, ``AnswerFacts/null`` for none.
struct RunScores: Sendable {
    /// `Int8.min` for none; empty when the scores take eight bytes.
    private let bytes: [Int8]
    /// ``AnswerFacts/null`` for none; empty when the scores take one byte.
    private let words: [Int64]

    init(bytes: [Int8]) { (self.bytes, words) = (bytes, []) }
    init(words: [Int64]) { (bytes, self.words) = ([], words) }

    /// No scores: the role has no such column (or no rows).
    var isEmpty: Bool { bytes.isEmpty && words.isEmpty }

    @inline(__always) subscript(i: Int) -> Int64 { bytes.isEmpty ? words[i] : RunScores.widened(bytes[i]) }

    /// A score kept in a byte, as `Int64` (``AnswerFacts/null`` for none).
    @inline(__always) static func widened(_ byte: Int8) -> Int64 { byte == .min ? AnswerFacts.null : Int64(byte) }

    /// Calls `body` with a reader of the scores, valid inside it: for loops that read without bounds checks.
    func withUnsafeReader<R>(_ body: (Reader) -> R) -> R {
        // An empty array may still give a base address: the reader tells the layouts apart by emptiness.
        bytes.withUnsafeBufferPointer { b in
            words.withUnsafeBufferPointer { w in body(Reader(bytes: b.isEmpty ? nil : b.baseAddress, words: w.baseAddress)) }
        }
    }

    /// Score `i` (``AnswerFacts/null`` for none); only for `i` below the count of a column that is not empty.
    struct Reader {
        let bytes: UnsafePointer<Int8>?, words: UnsafePointer<Int64>?
        @inline(__always) subscript(i: Int) -> Int64 {
            if let bytes { return RunScores.widened(bytes[i]) }
            return words.unsafelyUnwrapped[i]
        }
    }
}

/// Times as microseconds since the epoch: timestamps, or dates at their midnight (UTC).
struct TimeMicroseconds: RowReader {
    let timestamps: UnsafePointer<Timestamp>?, dates: UnsafePointer<CivilDate>?

    init(timestamps: UnsafePointer<Timestamp>) { (self.timestamps, dates) = (timestamps, nil) }
    init(dates: UnsafePointer<CivilDate>) { (timestamps, self.dates) = (nil, dates) }

    @inline(__always) func callAsFunction(_ row: Int) -> Int64 {
        if let timestamps { return timestamps[row].microsecondsSinceEpoch }
        return dates.unsafelyUnwrapped[row].midnightMicroseconds(lowest: .min + 1)
    }
}

/// Amounts as doubles: decimal units (or integers, with a divisor of 1) divided, or doubles as they are.
struct AmountDoubles: RowReader {
    let units: UnsafePointer<Int64>?, doubles: UnsafePointer<Double>?
    let divisor: Double

    init(units: UnsafePointer<Int64>, divisor: Double) { (self.units, doubles, self.divisor) = (units, nil, divisor) }
    init(doubles: UnsafePointer<Double>) { (units, self.doubles, divisor) = (nil, doubles, 1) }

    @inline(__always) func callAsFunction(_ row: Int) -> Double {
        if let doubles { return doubles[row] }
        return Double(units.unsafelyUnwrapped[row]) / divisor
    }
}

/// Whole seconds since `base` (in microseconds), narrowed: times already checked to be whole seconds
/// that fit (see ``RunTimes``). A null row's slot reads as anything; the caller overwrites it.
struct SecondsSince: RowReader {
    let micros: TimeMicroseconds, base: Int64
    @inline(__always) func callAsFunction(_ row: Int) -> Int32 { Int32(truncatingIfNeeded: (micros(row) &- base) / 1_000_000) }
}

/// The orders' times in run order, each read as microseconds since the epoch (`Int64.min` for none).
/// Kept as four-byte whole seconds since the earliest time when every time is a whole second within
/// 68 years of it (timestamps to the second, dates), else as microseconds. A time reads the same
/// either way, so every comparison and difference the analyses make is unchanged.
struct RunTimes: Sendable {
    /// `Int32.min` for none; empty when the times are microseconds.
    private let seconds: [Int32]
    private let base: Int64
    /// `Int64.min` for none; empty when the times are seconds.
    private let micros: [Int64]

    init(micros: [Int64]) { (seconds, base, self.micros) = ([], 0, micros) }
    init(seconds: [Int32], base: Int64) { (self.seconds, self.base, micros) = (seconds, base, []) }

    /// The number of times.
    var count: Int { seconds.isEmpty ? micros.count : seconds.count }

    /// Whether the times are kept as seconds (for tests).
    var isNarrow: Bool { !seconds.isEmpty }

    @inline(__always) subscript(i: Int) -> Int64 { seconds.isEmpty ? micros[i] : RunTimes.widened(seconds[i], base) }

    /// Seconds kept in four bytes, as microseconds (`Int64.min` for none).
    @inline(__always) static func widened(_ seconds: Int32, _ base: Int64) -> Int64 { seconds == .min ? .min : base + Int64(seconds) * 1_000_000 }

    /// The latest time (`nil` without times; `Int64.min` when every time is null).
    ///
    /// - Complexity: O(count).
    func max() -> Int64? {
        if seconds.isEmpty { return micros.max() }
        return seconds.max().map { RunTimes.widened($0, base) }
    }

    /// Calls `body` with a reader of the times, valid inside it: for loops that read without bounds checks.
    func withUnsafeReader<R>(_ body: (Reader) -> R) -> R {
        // An empty array may still give a base address: the reader tells the layouts apart by emptiness.
        seconds.withUnsafeBufferPointer { s in
            micros.withUnsafeBufferPointer { m in body(Reader(seconds: s.isEmpty ? nil : s.baseAddress, micros: m.baseAddress, base: base)) }
        }
    }

    /// Time `i` in microseconds (`Int64.min` for none); only for `i` below the count.
    struct Reader {
        let seconds: UnsafePointer<Int32>?, micros: UnsafePointer<Int64>?, base: Int64
        @inline(__always) subscript(i: Int) -> Int64 {
            if let seconds { return RunTimes.widened(seconds[i], base) }
            return micros.unsafelyUnwrapped[i]
        }
    }
}

/// Whole units that fit four bytes, narrowed: amounts already checked to fit (see ``RunAmounts``).
struct NarrowUnits: RowReader {
    let base: UnsafePointer<Int64>
    @inline(__always) func callAsFunction(_ row: Int) -> Int32 { Int32(truncatingIfNeeded: base[row]) }
}

/// The orders' amounts in run order, each read as a `Double` (NaN for none). Kept as four-byte
/// units over a divisor when every amount is a whole number of units that fits (money read as a
/// decimal or as whole numbers: half the memory of doubles, which ten million orders map in
/// fresh), else as doubles. An amount reads the same either way: `Double(units) / divisor`, the
/// double the column's value gives.
struct RunAmounts: Sendable {
    /// `Int32.min` for none; empty when the amounts are doubles.
    private let units: [Int32]
    private let divisor: Double
    /// NaN for none; empty when the amounts are units.
    private let doubles: [Double]

    init(doubles: [Double]) { (units, divisor, self.doubles) = ([], 1, doubles) }
    init(units: [Int32], divisor: Double) { (self.units, self.divisor, doubles) = (units, divisor, []) }

    /// The number of amounts.
    var count: Int { units.isEmpty ? doubles.count : units.count }

    /// Whether the amounts are kept as units (for tests).
    var isNarrow: Bool { !units.isEmpty }

    @inline(__always) subscript(i: Int) -> Double { units.isEmpty ? doubles[i] : RunAmounts.widened(units[i], divisor) }

    /// Units kept in four bytes, as the column's double (NaN for none).
    @inline(__always) static func widened(_ units: Int32, _ divisor: Double) -> Double { units == .min ? .nan : Double(units) / divisor }

    /// Calls `body` with a reader of the amounts, valid inside it: for loops that read without bounds checks.
    func withUnsafeReader<R>(_ body: (Reader) -> R) -> R {
        // An empty array may still give a base address: the reader tells the layouts apart by emptiness.
        units.withUnsafeBufferPointer { u in
            doubles.withUnsafeBufferPointer { d in body(Reader(units: u.isEmpty ? nil : u.baseAddress, doubles: d.baseAddress, divisor: divisor)) }
        }
    }

    /// Amount `i` (NaN for none); only for `i` below the count.
    struct Reader {
        let units: UnsafePointer<Int32>?, doubles: UnsafePointer<Double>?, divisor: Double
        @inline(__always) subscript(i: Int) -> Double {
            if let units { return RunAmounts.widened(units[i], divisor) }
            return doubles.unsafelyUnwrapped[i]
        }
    }
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
    let time: RunTimes
    /// NaN for null.
    let amount: RunAmounts
    /// Whether the order is completed, and whether a completed order has at least one return row.
    let completed: [Bool], returned: [Bool]

    /// No orders: every customer's run is empty.
    static func empty(customers: Int) -> OrderFacts {
        OrderFacts(runs: CustomerRuns(customer: [], customers: customers), time: RunTimes(micros: []), amount: RunAmounts(doubles: []), completed: [], returned: [])
    }
}

/// The answers' facts in run order (see ``CustomerRuns``): each customer's answers
/// oldest first; answers at the same time ordered by response id (the greater id
/// later), then by row. The customer's latest answer is the last of their run.
struct AnswerFacts: Sendable {
    let runs: CustomerRuns
    /// Microseconds since the epoch; `Int64.min` for null.
    let time: [Int64]
    /// Scores checked against their scales; `Int64.min` (``null``) for none. Empty when the role has no such column.
    let nps: RunScores, csat: RunScores, ces: RunScores
    /// Sentiment checked against its scale; NaN for null. Empty without a sentiment column.
    let sentiment: [Double]
    /// The earliest and latest time of an answer with an NPS (`nil`: none), for the trend's calendar.
    let npsTimeSpan: ClosedRange<Int64>?

    /// A null score.
    static let null = Int64.min

    init(runs: CustomerRuns, time: [Int64], nps: RunScores, csat: RunScores, ces: RunScores, sentiment: [Double]) {
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
