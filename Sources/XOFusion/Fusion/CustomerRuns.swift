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
    /// The positions of rows that reach a customer.
    var placed: Range<Int> { 0..<Int(offsets[customers]) }

    /// Groups rows by customer (`customer[row]` in `0..<customers`, or -1 for none) with a
    /// counting sort; rows of one customer stay in row order.
    ///
    /// - Complexity: O(rows + customers).
    init(customer: [Int32], customers n: Int) {
        var offsets = [Int32](repeating: 0, count: n + 2)
        customer.withUnsafeBufferPointer { codes in
            offsets.withUnsafeMutableBufferPointer { o in
                for c in codes { o[c < 0 ? n + 1 : Int(c) + 1] += 1 }
                for g in 0...n { o[g + 1] += o[g] }
            }
        }
        var next = offsets
        var rows = [Int32](repeating: 0, count: customer.count)
        customer.withUnsafeBufferPointer { codes in
            next.withUnsafeMutableBufferPointer { next in
                rows.withUnsafeMutableBufferPointer { rows in
                    for row in 0..<codes.count {
                        let g = codes[row] < 0 ? n : Int(codes[row])
                        rows[Int(next[g])] = Int32(row)
                        next[g] &+= 1
                    }
                }
            }
        }
        self.offsets = offsets
        self.rows = rows
    }

    private init(offsets: [Int32], rows: [Int32]) {
        self.offsets = offsets
        self.rows = rows
    }

    /// The same grouping with each run ordered by `precedes` (on table rows); a run already in order
    /// is left alone, so a table that arrives sorted costs one check per row.
    ///
    /// - Complexity: O(rows) when every run is in order; O(k log k) for a run of k rows that is not.
    func sortingRuns(by precedes: (Int, Int) -> Bool) -> CustomerRuns {
        var rows = self.rows
        for g in 0...customers {
            let range = run(g)
            guard range.count > 1 else { continue }
            var ordered = true
            for i in range.dropLast() where !precedes(Int(rows[i]), Int(rows[i + 1])) {
                ordered = false
                break
            }
            if !ordered { rows[range].sort { precedes(Int($0), Int($1)) } }
        }
        return CustomerRuns(offsets: offsets, rows: rows)
    }

    /// `values` (in row order) rearranged into run order.
    ///
    /// - Complexity: O(rows).
    func gather<T>(_ values: [T]) -> [T] {
        precondition(values.count == rows.count, "one value per row")
        return values.withUnsafeBufferPointer { v in rows.map { v[Int($0)] } }
    }

    /// For each table row, its position in run order.
    ///
    /// - Complexity: O(rows).
    func positions() -> [Int32] {
        var out = [Int32](repeating: 0, count: rows.count)
        for (i, row) in rows.enumerated() { out[Int(row)] = Int32(i) }
        return out
    }
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

    /// A null score.
    static let null = Int64.min
}

/// Returns, carts or tickets in run order: the rows of each customer and their amounts.
struct AmountFacts: Sendable {
    let runs: CustomerRuns
    /// NaN for null; empty for a role without amounts.
    let amount: [Double]

    /// No such table: every customer's run is empty.
    static func empty(customers: Int) -> AmountFacts { AmountFacts(runs: CustomerRuns(customer: [], customers: customers), amount: []) }
}
