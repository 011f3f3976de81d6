/// X-data and O-data fused by customer: the tables of one analysis, which role
/// each plays, and every customer ID interned once into one ``KeySpace``.
///
/// Building a fusion checks the mapping (roles, columns, kinds), encodes the
/// customer column of every table, links answers that carry only an order id
/// through the orders table, links returns to their orders, and reports what
/// did not match (``FusionReport``): nothing is dropped silently. The analyses
/// (``customerProfile(options:)``, ``scorecard(by:options:)``, ``attribution(options:)``,
/// ``trend(options:)``) are methods of the fusion.
///
/// ```swift
/// let fusion = try Fusion(customers: customers, answers: answers, orders: orders, returns: returns, carts: carts)
/// print(fusion.report)                                 // unknown customers, unlinked answers, …
/// let scorecard = try fusion.scorecard()               // by NPS class
/// ```
public struct Fusion: Sendable {
    /// The tables as given.
    public let customers: Table, answers: Table
    public let orders: Table?, returns: Table?, carts: Table?, tickets: Table?
    /// The mapping as given, and the columns it resolved to.
    public let mapping: FusionMapping
    public let columns: FusionColumns
    /// The customer IDs: code `i` is row `i` of the customers table.
    public let keys: KeySpace
    /// What matched and what did not.
    public let report: FusionReport
    /// How many threads the fusion and its analyses use (the answers do not depend on it).
    public let options: KernelOptions

    // The facts the analyses read, resolved once and grouped by customer (see ``CustomerRuns``).
    let answerFacts: AnswerFacts
    let orderFacts: OrderFacts
    let returnFacts: AmountFacts, cartFacts: AmountFacts, ticketFacts: AmountFacts

    /// The number of customers.
    public var customerCount: Int { customers.rowCount }

    /// Fuses the tables.
    ///
    /// - Parameters:
    ///   - customers: one row per customer (IDs unique after normalisation).
    ///   - answers: survey answers or reviews.
    ///   - orders, returns, carts, tickets: O-data; analyses that need a missing role say so.
    ///   - mapping: the columns of each role (defaults: the usual names).
    ///   - options: threads.
    /// - Throws: ``FusionError`` naming the role, column and reason.
    /// - Complexity: O(total rows): one hashing pass per customer column and per linking ID column.
    public init(
        customers: Table, answers: Table, orders: Table? = nil, returns: Table? = nil, carts: Table? = nil, tickets: Table? = nil,
        mapping: FusionMapping = FusionMapping(), options: KernelOptions = .default
    ) throws(FusionError) {
        let columns = try Fusion.resolve(customers: customers, answers: answers, orders: orders, returns: returns, carts: carts, tickets: tickets, mapping: mapping)
        let threads = options.threadCount
        // Independent steps run two at a time (see ``Concurrently``); a failure of the
        // first is reported before one of the second, as if they ran in order.

        // Every customer column encoded into one key space; meanwhile, which orders are
        // completed, which order each return names, and how the orders' facts are kept.
        let (encoded, orderSide) = Concurrently.run(threads: threads) { () throws(FusionError) in
            try Fusion.customerCodes(
                customers: customers, answers: answers, orders: orders, returns: returns, carts: carts, tickets: tickets,
                columns: columns, mapping: mapping, options: options)
        } _: { () throws(FusionError) in
            (try Fusion.completedOrders(orders, columns: columns, mapping: mapping, options: options),
             try Fusion.returnedOrderLinks(returns, orders, columns: columns, options: options),
             try Fusion.narrowOrderBase(orders, columns: columns))
        }
        let codes = try encoded.get()
        let (orderCompleted, returnLink, narrowBase) = try orderSide.get()
        let n = customers.rowCount

        // Group every role by customer: orders and answers in time order within a customer.
        // The orders on one side (first, which of them were returned); the answers, returns,
        // carts and tickets on the other.
        let (ordersGrouped, othersGrouped) = Concurrently.run(threads: threads) { () throws(FusionError) in
            try Fusion.orderSide(
                orders, returns, link: returnLink, completed: orderCompleted, orderCustomer: codes.orders, returnCustomer: codes.returns,
                customers: n, columns: columns, narrowBase: narrowBase, threads: threads)
        } _: { () throws(FusionError) in
            (try Fusion.answerFacts(answers, customer: codes.answers, customers: n, columns: columns, scales: mapping.answers, threads: threads),
             try Fusion.amountFacts(returns, codes.returns, .returns, amount: columns.returnAmount, customers: n, threads: threads),
             try Fusion.amountFacts(carts, codes.carts, .carts, amount: columns.cartValue, customers: n, threads: threads),
             try Fusion.amountFacts(tickets, codes.tickets, .tickets, amount: nil, customers: n, threads: threads))
        }
        let (orderFacts, checks) = try ordersGrouped.get()
        let (answerFacts, returnFacts, cartFacts, ticketFacts) = try othersGrouped.get()
        self.init(
            tables: (customers, answers, orders, returns, carts, tickets), mapping: mapping, columns: columns, keys: codes.keys,
            report: Fusion.report(codes.report, returnLink: returnLink, checks: checks, linksNoted: returns != nil && orders != nil),
            options: options, facts: (answerFacts, orderFacts, returnFacts, cartFacts, ticketFacts))
    }

    /// A fusion of parts already built (by the initializer above, or by ``load(_:map:policy:options:)``
    /// while it still reads).
    init(
        tables: (customers: Table, answers: Table, orders: Table?, returns: Table?, carts: Table?, tickets: Table?),
        mapping: FusionMapping, columns: FusionColumns, keys: KeySpace, report: FusionReport, options: KernelOptions,
        facts: (answers: AnswerFacts, orders: OrderFacts, returns: AmountFacts, carts: AmountFacts, tickets: AmountFacts)
    ) {
        (customers, answers, orders, returns, carts, tickets) = tables
        (self.mapping, self.columns, self.keys, self.report, self.options) = (mapping, columns, keys, report, options)
        (answerFacts, orderFacts, returnFacts, cartFacts, ticketFacts) = facts
    }
}

// MARK: - Building blocks

extension Fusion {
    /// The key space of a fusion and every role's customer indexes (-1: none), with what matched.
    struct CustomerCodes {
        let keys: KeySpace
        let report: FusionReport
        let orders: [Int32], returns: [Int32], carts: [Int32], tickets: [Int32], answers: [Int32]
    }

    /// Encodes the customers (every row a distinct, non-null key, so that code i is row i), then looks
    /// up every other role's customer column; answers without one reach their customer through the
    /// order they name.
    ///
    /// - Throws: ``FusionError/nullCustomerID(role:column:row:)``, ``FusionError/duplicateCustomers(column:examples:count:)``,
    ///   and the errors of encoding and linking.
    /// - Complexity: O(rows of every table), one look-up per row.
    static func customerCodes(
        customers: Table, answers: Table, orders: Table?, returns: Table?, carts: Table?, tickets: Table?,
        columns: FusionColumns, mapping: FusionMapping, options: KernelOptions
    ) throws(FusionError) -> CustomerCodes {
        var (keys, report) = try customerKeys(customers, column: columns.customerID, mapping: mapping, options: options)
        let orderCustomer = try lookUp(orders, columns.orderCustomer, .orders, in: &keys, report: &report, options: options)
        let returnCustomer = try lookUp(returns, columns.returnCustomer, .returns, in: &keys, report: &report, options: options)
        let cartCustomer = try lookUp(carts, columns.cartCustomer, .carts, in: &keys, report: &report, options: options)
        let ticketCustomer = try lookUp(tickets, columns.ticketCustomer, .tickets, in: &keys, report: &report, options: options)
        // Answers: directly by customer, or through the order they name.
        let answerCustomer = columns.answerCustomer == nil
            ? try answersThroughOrders(answers, orders, orderCustomer: orderCustomer, columns: columns, report: &report, options: options)
            : try lookUp(answers, columns.answerCustomer, .answers, in: &keys, report: &report, options: options)
        return CustomerCodes(
            keys: keys, report: report, orders: orderCustomer, returns: returnCustomer, carts: cartCustomer, tickets: ticketCustomer,
            answers: answerCustomer)
    }

    /// The customers encoded into a new key space (every row a distinct, non-null key, so that
    /// code i is row i), and a report with their encoding.
    ///
    /// - Throws: ``FusionError/nullCustomerID(role:column:row:)``, ``FusionError/duplicateCustomers(column:examples:count:)``.
    /// - Complexity: O(customers).
    static func customerKeys(_ customers: Table, column: String, mapping: FusionMapping, options: KernelOptions) throws(FusionError) -> (KeySpace, FusionReport) {
        var keys = KeySpace(normalization: mapping.normalization)
        var report = FusionReport(customers: customers.rowCount)
        let (customerCodes, customerReport) = try FusionError.wrap { try keys.encode(customers, column: column, options: options) }
        report.keyReports[.customers] = customerReport
        if customerCodes.nullCount > 0 {
            let row = (0..<customers.rowCount).first { customerCodes[$0] == nil }!
            throw .nullCustomerID(role: .customers, column: column, row: row)
        }
        if keys.count != customers.rowCount {
            var examples: [String] = []
            var seen = [Bool](repeating: false, count: keys.count)
            for row in 0..<customers.rowCount {
                let code = Int(customerCodes.codes[row])
                if seen[code] && examples.count < 5 { examples.append(keys.key(UInt32(code))) }
                seen[code] = true
            }
            throw .duplicateCustomers(column: column, examples: examples, count: customers.rowCount - keys.count)
        }
        return (keys, report)
    }

    /// Each row's customer index in `keys` (-1: none) for the customer column `column` of a role's
    /// table, with what matched written to `report`; empty without the table, all -1 without the column.
    ///
    /// - Complexity: O(rows), one look-up per row.
    static func lookUp(
        _ table: Table?, _ column: String?, _ role: FusionRole, in keys: inout KeySpace, report: inout FusionReport, options: KernelOptions
    ) throws(FusionError) -> [Int32] {
        guard let table else { return [] }
        guard let column else { return [Int32](repeating: -1, count: table.rowCount) }
        let (indexes, keyReport) = try FusionError.wrap { try keys.lookUpIndexes(table, column: column, options: options) }
        report.keyReports[role] = keyReport
        report.unmatched[role] = keyReport.unknown
        report.nullCustomer[role] = keyReport.nulls
        return indexes
    }

    /// Each answer's customer index, reached through the order it names (-1: none), with the
    /// answers that could not be linked written to `report`.
    ///
    /// - Throws: ``FusionError/missingRole(_:neededBy:)`` without orders, and the errors of linking.
    /// - Complexity: O(answers + orders).
    static func answersThroughOrders(
        _ answers: Table, _ orders: Table?, orderCustomer: [Int32], columns: FusionColumns, report: inout FusionReport, options: KernelOptions
    ) throws(FusionError) -> [Int32] {
        guard let orders else { throw .missingRole(.orders, neededBy: "linking answers through their order id") }
        let link = try Fusion.link(answers, columns.answerOrderID!, to: orders, columns.orderID!, options: options)
        var linked = [Int32](repeating: -1, count: answers.rowCount)
        var examples: [String] = []
        var unlinked = 0
        let ids = answers[columns.answerOrderID!]!
        for row in 0..<answers.rowCount {
            let order = link.rows[row]
            if order >= 0, orderCustomer[Int(order)] >= 0 {
                linked[row] = orderCustomer[Int(order)]
            } else {
                unlinked += 1
                if examples.count < 5 { examples.append(ids[row].description) }
            }
        }
        report.unlinkedAnswers = unlinked
        report.unlinkedAnswerExamples = examples
        report.duplicateOrderIDs = link.duplicates
        return linked
    }

    /// The report of the key encoding and links, completed with what linking returns to orders found.
    static func report(_ encoding: FusionReport, returnLink: (rows: [Int32], duplicates: Int)?, checks: ReturnChecks, linksNoted: Bool) -> FusionReport {
        var report = encoding
        if linksNoted && returnLink == nil {
            report.notes.append("returns are not linked to orders (no order id column on both sides): return rates count return rows")
        }
        report.duplicateOrderIDs = max(report.duplicateOrderIDs, returnLink?.duplicates ?? 0)
        report.returnsWithoutOrder = checks.withoutOrder
        report.returnsOfUncompletedOrders = checks.ofUncompletedOrders
        report.returnsOfAnotherCustomer = checks.ofAnotherCustomer
        report.ordersReturnedMoreThanOnce = checks.ordersReturnedMoreThanOnce
        return report
    }

    /// The orders grouped by customer (``orderRuns(_:customer:customers:columns:narrowBase:threads:)``) with
    /// which of them are completed and which were returned (``returnedOrders(_:link:completed:returnCustomer:orderCustomer:)``,
    /// worked out meanwhile), and what the links show.
    ///
    /// - Complexity: O(orders + returns + customers).
    static func orderSide(
        _ orders: Table?, _ returns: Table?, link: (rows: [Int32], duplicates: Int)?, completed: ValidityBitmap,
        orderCustomer: [Int32], returnCustomer: [Int32], customers n: Int, columns: FusionColumns, narrowBase: Int64?, threads: Int
    ) throws(FusionError) -> (OrderFacts, ReturnChecks) {
        let (grouped, flagged) = Concurrently.run(threads: threads) { () throws(FusionError) in
            try orders.map { (orders) throws(FusionError) in
                try orderRuns(orders, customer: orderCustomer, customers: n, columns: columns, narrowBase: narrowBase, threads: threads)
            }
        } _: { () throws(FusionError) in
            Fusion.returnedOrders(returns, link: link, completed: completed, returnCustomer: returnCustomer, orderCustomer: orderCustomer)
        }
        let (returned, checks) = try flagged.get()
        guard let (runs, time, amount) = try grouped.get() else { return (OrderFacts.empty(customers: n), checks) }
        // The two flags in run order, each on a thread (each gather maps in its own fresh pages).
        let flags = { (bits: ValidityBitmap) in
            bits.withUnsafeWords { runs.gather(threads: 1, BitsAsBools(words: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!)) }
        }
        let (completedFlags, returnedFlags) = Concurrently.run(threads: threads) { () throws(Never) in flags(completed) } _: { () throws(Never) in flags(returned) }
        let facts = OrderFacts(runs: runs, time: time, amount: amount, completed: completedFlags.get(), returned: returnedFlags.get())
        return (facts, checks)
    }

    /// Returns, carts or tickets grouped by customer, with their amounts in run order (NaN for
    /// null; NaN for every row when the role has no amount column, none for tickets).
    ///
    /// - Throws: ``FusionError/wrongKind(role:column:kind:expected:)`` for an amount column that is not numeric.
    /// - Complexity: O(rows + customers).
    static func amountFacts(_ table: Table?, _ customer: [Int32], _ role: FusionRole, amount: String?, customers n: Int, threads: Int) throws(FusionError) -> AmountFacts {
        guard let table else { return .empty(customers: n) }
        guard let amount else {
            let runs = CustomerRuns(customer: customer, customers: n, threads: threads)
            return AmountFacts(runs: runs, amount: role == .tickets ? [] : [Double](repeating: .nan, count: table.rowCount))
        }
        // The amounts follow the rows into run order (see RunPayload).
        let values = try Fusion.amountValues(table, amount, role: role)
        var (runs, amounts) = values.withDoubles { CustomerRuns.carrying($0, customer: customer, customers: n, threads: threads) }
        values.setNulls(&amounts, runs)
        return AmountFacts(runs: runs, amount: amounts)
    }

    /// Whether each order is completed (every order when the mapping names no status column).
    static func completedOrders(_ orders: Table?, columns: FusionColumns, mapping: FusionMapping, options: KernelOptions) throws(FusionError) -> ValidityBitmap {
        guard let orders else { return ValidityBitmap(repeating: false, count: 0) }
        guard let status = columns.orderStatus else { return ValidityBitmap(repeating: true, count: orders.rowCount) }
        return try FusionError.wrap {
            try orders.rowMask(where: .isIn(status, mapping.orders.completedStatuses.sorted().map { .string($0) }), options: options)
        }
    }

    /// The order row each return names (see ``link(_:_:to:_:options:)``); `nil` when the returns
    /// or the orders have no order id column.
    static func returnedOrderLinks(_ returns: Table?, _ orders: Table?, columns: FusionColumns, options: KernelOptions) throws(FusionError) -> (rows: [Int32], duplicates: Int)? {
        guard let returns, let orders, let returnOrder = columns.returnOrderID, let orderID = columns.orderID else { return nil }
        return try Fusion.link(returns, returnOrder, to: orders, orderID, options: options)
    }

    /// What linking the returns to their orders found (see ``FusionReport``).
    struct ReturnChecks {
        var withoutOrder = 0, ofUncompletedOrders = 0, ofAnotherCustomer = 0, ordersReturnedMoreThanOnce = 0
    }

    /// The orders with a return (completed ones only: a return of another order counts in no
    /// return rate), each once however often it was returned, and what the links show.
    ///
    /// - Complexity: O(returns + orders / 64).
    static func returnedOrders(
        _ returns: Table?, link: (rows: [Int32], duplicates: Int)?, completed: ValidityBitmap, returnCustomer: [Int32], orderCustomer: [Int32]
    ) -> (ValidityBitmap, ReturnChecks) {
        var returned = ValidityBitmap(repeating: false, count: completed.count)
        var checks = ReturnChecks()
        guard let returns, let link else { return (returned, checks) }
        // Returns naming another customer's order: a loop of loads only, so that the reads of the
        // orders' customers (a column larger than the cache) overlap instead of waiting in turn.
        checks.ofAnotherCustomer = link.rows.withUnsafeBufferPointer { links in
            returnCustomer.withUnsafeBufferPointer { returnCustomer in
                orderCustomer.withUnsafeBufferPointer { orderCustomer in
                    var another = 0
                    for row in 0..<links.count {
                        let order = Int(links[row])
                        if order >= 0 && returnCustomer[row] != orderCustomer[order] { another += 1 }
                    }
                    return another
                }
            }
        }
        var returnedOnce = returned, counted = returned
        for row in 0..<returns.rowCount {
            let order = Int(link.rows[row])
            guard order >= 0 else { checks.withoutOrder += 1; continue }
            if !completed[order] { checks.ofUncompletedOrders += 1 }
            if !returnedOnce[order] {
                returnedOnce[order] = true
            } else if !counted[order] {
                counted[order] = true
                checks.ordersReturnedMoreThanOnce += 1
            }
            if completed[order] { returned[order] = true }
        }
        return (returned, checks)
    }

    /// Whether the orders' times and amounts fit four bytes each in run order (``RunTimes``,
    /// ``RunAmounts``): every time a whole second within 68 years of the earliest, every amount a
    /// whole number of units that fits. The earliest time's microseconds when they do, else `nil`
    /// (and `nil` without orders). Worked out before the grouping, beside the customers' look-up,
    /// so that its two passes are not on the grouping's path.
    ///
    /// - Complexity: O(orders).
    static func narrowOrderBase(_ orders: Table?, columns: FusionColumns) throws(FusionError) -> Int64? {
        guard let orders else { return nil }
        guard let base = try Fusion.timeValues(orders, columns.orderTime!, role: .orders).wholeSecondsBase,
              try Fusion.amountValues(orders, columns.orderAmount!, role: .orders).fitsFourBytes
        else { return nil }
        return base
    }

    /// The orders grouped by customer, each run oldest first (equal times in row order), with their
    /// times and amounts in run order: four bytes each (``RunTimes``, ``RunAmounts``) when
    /// `narrowBase` (``narrowOrderBase(_:columns:)`` of the same orders) says they fit, else eight.
    ///
    /// - Complexity: O(orders + customers), plus a sort of any customer's run that is not in time order.
    static func orderRuns(
        _ orders: Table, customer: [Int32], customers n: Int, columns: FusionColumns, narrowBase: Int64?, threads: Int
    ) throws(FusionError) -> (runs: CustomerRuns, time: RunTimes, amount: RunAmounts) {
        let times = try Fusion.timeValues(orders, columns.orderTime!, role: .orders)
        let amounts = try Fusion.amountValues(orders, columns.orderAmount!, role: .orders)
        // Times and amounts follow the rows into run order (see RunPayload); a run out of time
        // order gets its amounts gathered again.
        func grouped<Times: RowReader, Amounts: RowReader>(
            _ time: Times, timeNull: Times.Value, _ amount: Amounts, amountNulls: (inout [Amounts.Value], CustomerRuns) -> Void
        ) -> (CustomerRuns, [Times.Value], [Amounts.Value]) where Times.Value: FixedWidthInteger {
            var (runs, carriedTimes, carried) = CustomerRuns.carrying(time, amount, customer: customer, customers: n, threads: threads)
            times.setNulls(&carriedTimes, timeNull, runs)
            amountNulls(&carried, runs)
            if let sorted = runs.sortedByTime(&carriedTimes, threads: threads) {
                runs = sorted
                carried = runs.gather(threads: threads, amount)
                amountNulls(&carried, runs)
            }
            return (runs, carriedTimes, carried)
        }
        if let base = narrowBase, let (units, divisor) = amounts.units {
            let (runs, seconds, carried) = times.withMicroseconds { t in
                units.withUnsafeValues { u in
                    grouped(SecondsSince(micros: t, base: base), timeNull: .min, NarrowUnits(base: u.baseAddress ?? UnsafePointer(bitPattern: 8)!)) {
                        Fusion.setNulls(&$0, units, .min, $1)
                    }
                }
            }
            return (runs, RunTimes(seconds: seconds, base: base), RunAmounts(units: carried, divisor: divisor))
        }
        let (runs, micros, carried) = times.withMicroseconds { t in amounts.withDoubles { a in grouped(t, timeNull: .min, a) { amounts.setNulls(&$0, $1) } } }
        return (runs, RunTimes(micros: micros), RunAmounts(doubles: carried))
    }

    /// The answers grouped by customer, each run oldest first (equal times: the greater response id
    /// later, then the later row), with their scores checked against the mapping's scales.
    ///
    /// - Throws: ``FusionError/outOfScale(role:column:row:value:scale:)`` for the first score outside its scale.
    /// - Complexity: O(answers + customers), plus a sort of any customer's run that is not in time order.
    static func answerFacts(
        _ answers: Table, customer: [Int32], customers n: Int, columns: FusionColumns, scales: FusionMapping.Answers, threads: Int
    ) throws(FusionError) -> AnswerFacts {
        let times = try Fusion.timeValues(answers, columns.answerTime, role: .answers)
        let tieBreak = ResponseOrder(answers, columns.responseID)
        // The times follow the rows into run order (see RunPayload).
        var (runs, runTime) = times.withMicroseconds { CustomerRuns.carrying($0, customer: customer, customers: n, threads: threads) }
        times.setNulls(&runTime, .min, runs)
        if let sorted = runs.sortedByTime(&runTime, threads: threads, tieBreak: { a, b in tieBreak.isAfter(b, a) }) { runs = sorted }
        // An integer score in run order: checked in row order first (an error names the first
        // score outside its scale), then gathered from the column, in place also when a read stored
        // it one byte a value (a declared range: see ColumnSpec); one byte a score when they fit.
        func scores(_ name: String?, scale: String, _ range: ClosedRange<Int64>) throws(FusionError) -> RunScores {
            guard let name else { return RunScores(words: []) }
            if let small = try FusionError.wrap({ try answers.kernelColumn(name) }).smallInt64Values {
                try check(small, name, scale: scale, range) { Int64($0) }
                var gathered = small.withUnsafeValues { v in runs.gather(threads: threads, RowValues(v.baseAddress ?? UnsafePointer(bitPattern: 1)!)) }
                Fusion.setNulls(&gathered, small, Int8.min, runs)
                return RunScores(bytes: gathered)
            }
            let values = try ScoreColumn.integers(answers, name, role: .answers)
            try check(values, name, scale: scale, range) { $0 }
            let base = { (v: UnsafeBufferPointer<Int64>) in v.baseAddress ?? UnsafePointer(bitPattern: 8)! }
            if range.lowerBound >= -127 && range.upperBound <= 126 {
                var gathered = values.withUnsafeValues { v in runs.gather(threads: threads, ByteRowValues(base: base(v))) }
                Fusion.setNulls(&gathered, values, Int8.min, runs)
                return RunScores(bytes: gathered)
            }
            var gathered = values.withUnsafeValues { v in runs.gather(threads: threads, RowValues(base(v))) }
            Fusion.setNulls(&gathered, values, AnswerFacts.null, runs)
            return RunScores(words: gathered)
        }
        func check<Stored>(_ values: ColumnValues<Stored>, _ name: String, scale: String, _ range: ClosedRange<Int64>, _ wide: (Stored) -> Int64) throws(FusionError) {
            if let row = values.firstRow(where: { !range.contains(wide($0)) }) {
                throw .outOfScale(role: .answers, column: name, row: row, value: String(wide(values[row]!)), scale: scale)
            }
        }
        let sentiment = try columns.sentiment.map { (name) throws(FusionError) -> [Double] in
            let values = try ScoreColumn.numbers(answers, name, role: .answers)
            let range = scales.sentimentScale.range
            if let row = values.firstRow(outside: range) {
                throw .outOfScale(role: .answers, column: name, row: row, value: values[row]!.formatted(significant: 6), scale: "\(range)")
            }
            return Fusion.gather(try Fusion.amountValues(answers, name, role: .answers), runs, threads: threads)
        }
        return AnswerFacts(
            runs: runs, time: runTime,
            nps: try scores(columns.nps, scale: scales.npsScale.description, scales.npsScale.range),
            csat: try scores(columns.csat, scale: scales.csatScale.description, scales.csatScale.range),
            ces: try scores(columns.ces, scale: scales.cesScale.description, scales.cesScale.range),
            sentiment: sentiment ?? [])
    }

    /// A time column read in place (timestamps, or dates at midnight UTC).
    enum TimeValues {
        case timestamp(ColumnValues<Timestamp>), date(ColumnValues<CivilDate>)

        /// Calls `body` with a reader of every row's microseconds, valid inside it (a null row
        /// reads whatever its slot holds: see ``setNulls(_:_:)``).
        func withMicroseconds<T>(_ body: (TimeMicroseconds) -> T) -> T {
            switch self {
            case .timestamp(let v): v.withUnsafeValues { body(TimeMicroseconds(timestamps: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!)) }
            case .date(let v): v.withUnsafeValues { body(TimeMicroseconds(dates: $0.baseAddress ?? UnsafePointer(bitPattern: 4)!)) }
            }
        }

        /// Writes `null` (`Int64.min` for microseconds) to the slot of every null row in `times` (in `runs`' order).
        func setNulls<T>(_ times: inout [T], _ null: T, _ runs: CustomerRuns) {
            switch self {
            case .timestamp(let v): Fusion.setNulls(&times, v, null, runs)
            case .date(let v): Fusion.setNulls(&times, v, null, runs)
            }
        }

        /// The microseconds of the earliest time, when every time is a whole second and all of them
        /// lie within `Int32.max - 1` seconds of it (``RunTimes``' four-byte layout); `nil` otherwise.
        ///
        /// - Complexity: O(rows).
        var wholeSecondsBase: Int64? {
            let rows: Int, nullCount: Int, isNull: (Int) -> Bool
            switch self {
            case .timestamp(let v): (rows, nullCount, isNull) = (v.count, v.nullCount, v.isNull)
            case .date(let v): (rows, nullCount, isNull) = (v.count, v.nullCount, v.isNull)
            }
            return withMicroseconds { time -> Int64? in
                var earliest = Int64.max, latest = Int64.min
                for row in 0..<rows where nullCount == 0 || !isNull(row) {
                    let t = time(row)
                    guard t % 1_000_000 == 0 else { return nil }
                    earliest = min(earliest, t)
                    latest = max(latest, t)
                }
                guard earliest <= latest else { return 0 }
                return (latest - earliest) / 1_000_000 < Int64(Int32.max) ? earliest : nil
            }
        }
    }

    /// A numeric column read in place.
    enum AmountValues {
        case decimal(ColumnValues<Int64>, divisor: Double), double(ColumnValues<Double>), int64(ColumnValues<Int64>)

        /// Calls `body` with a reader of every row's amount as a double, valid inside it (a null
        /// row reads whatever its slot holds: see ``setNulls(_:_:)``).
        func withDoubles<T>(_ body: (AmountDoubles) -> T) -> T {
            switch self {
            case .decimal(let v, let divisor): v.withUnsafeValues { body(AmountDoubles(units: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!, divisor: divisor)) }
            case .double(let v): v.withUnsafeValues { body(AmountDoubles(doubles: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!)) }
            case .int64(let v): v.withUnsafeValues { body(AmountDoubles(units: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!, divisor: 1)) }
            }
        }

        /// The units and divisor of decimal or whole-number amounts; `nil` for doubles.
        var units: (ColumnValues<Int64>, divisor: Double)? {
            switch self {
            case .decimal(let v, let d): (v, d)
            case .int64(let v): (v, 1)
            case .double: nil
            }
        }

        /// Whether the amounts are units (``units``) whose every value fits four bytes (`Int32.min`
        /// aside, which stands for none).
        ///
        /// - Complexity: O(rows).
        var fitsFourBytes: Bool {
            guard let (units, _) = units else { return false }
            let fits = Int64(Int32.min) + 1...Int64(Int32.max)
            return units.firstRow(where: { !fits.contains($0) }) == nil
        }

        /// Writes NaN to the slot of every null row in `amounts` (in `runs`' order).
        func setNulls(_ amounts: inout [Double], _ runs: CustomerRuns) {
            switch self {
            case .decimal(let v, _), .int64(let v): Fusion.setNulls(&amounts, v, .nan, runs)
            case .double(let v): Fusion.setNulls(&amounts, v, .nan, runs)
            }
        }
    }

    /// The time column `name` of `table`, read in place.
    ///
    /// - Throws: ``FusionError/wrongKind(role:column:kind:expected:)`` for a column that is not a time.
    static func timeValues(_ table: Table, _ name: String, role: FusionRole) throws(FusionError) -> TimeValues {
        let column = try FusionError.wrap { try table.kernelColumn(name) }
        if let v = column.timestampValues { return .timestamp(v) }
        if let v = column.dateValues { return .date(v) }
        throw .wrongKind(role: role, column: name, kind: column.kind, expected: "a time (timestamp or date)")
    }

    /// The numeric column `name` of `table`, read in place.
    ///
    /// - Throws: ``FusionError/wrongKind(role:column:kind:expected:)`` for a column that is not numeric.
    static func amountValues(_ table: Table, _ name: String, role: FusionRole) throws(FusionError) -> AmountValues {
        let column = try FusionError.wrap { try table.kernelColumn(name) }
        if let v = column.decimalValues { return .decimal(v.units, divisor: Double(ScaledDecimal.powerOf10(v.scale))) }
        if let v = column.doubleValues { return .double(v) }
        if let v = column.int64Values { return .int64(v) }
        throw .wrongKind(role: role, column: name, kind: column.kind, expected: "numeric (decimal, double or int64)")
    }

    /// Times in run order (`Int64.min` for null), straight from the column.
    ///
    /// - Complexity: O(rows), on up to `threads` threads.
    static func gather(_ times: TimeValues, _ runs: CustomerRuns, threads: Int) -> [Int64] {
        var out = times.withMicroseconds { runs.gather(threads: threads, $0) }
        times.setNulls(&out, .min, runs)
        return out
    }

    /// Amounts in run order as doubles (NaN for null), straight from the column.
    ///
    /// - Complexity: O(rows), on up to `threads` threads.
    static func gather(_ amounts: AmountValues, _ runs: CustomerRuns, threads: Int) -> [Double] {
        var out = amounts.withDoubles { runs.gather(threads: threads, $0) }
        amounts.setNulls(&out, runs)
        return out
    }

    /// Writes `null` into the slot of every null row of `column` in `values` (gathered into run order from it).
    ///
    /// - Complexity: O(rows) when the column has nulls; O(1) otherwise.
    static func setNulls<T, E>(_ values: inout [T], _ column: ColumnValues<E>, _ null: T, _ runs: CustomerRuns) {
        guard column.nullCount > 0 else { return }
        values.withUnsafeMutableBufferPointer { out in
            runs.rows.withUnsafeBufferPointer { rows in
                for i in 0..<rows.count where column.isNull(Int(rows[i])) { out[i] = null }
            }
        }
    }

    /// For each row of `table`, the row of `target` whose `targetColumn` equals its `column` (-1: none),
    /// and how many target rows repeat an ID that a row of `table` names.
    static func link(_ table: Table, _ column: String, to target: Table, _ targetColumn: String, options: KernelOptions) throws(FusionError) -> (rows: [Int32], duplicates: Int) {
        if let linked = try linkByNumber(table, column, to: target, targetColumn, options: options) { return linked }
        return try linkByText(table, column, to: target, targetColumn, options: options)
    }

    /// ``link(_:_:to:_:options:)`` for IDs of any kind and shape: both columns encoded into one ``KeySpace``.
    ///
    /// - Complexity: O(rows of both tables), one hash lookup per row.
    static func linkByText(_ table: Table, _ column: String, to target: Table, _ targetColumn: String, options: KernelOptions) throws(FusionError) -> (rows: [Int32], duplicates: Int) {
        var ids = KeySpace()
        let (codes, _) = try FusionError.wrap { try ids.encode(table, column: column, options: options) }
        let (targetCodes, _) = try FusionError.wrap { try ids.encode(target, column: targetColumn, unknown: .reportAsNull, options: options) }
        var first = [Int32](repeating: -1, count: ids.count)
        var duplicates = 0
        for row in 0..<target.rowCount {
            guard let code = targetCodes[row] else { continue }
            if first[Int(code)] < 0 { first[Int(code)] = Int32(row) } else { duplicates += 1 }
        }
        var rows = [Int32](repeating: -1, count: table.rowCount)
        for row in 0..<table.rowCount { if let code = codes[row] { rows[row] = first[Int(code)] } }
        return (rows, duplicates)
    }

    /// ``link(_:_:to:_:options:)`` for IDs of one prefix and width on both sides (`O0000012345`), whose numbers
    /// lie in a range at most a few times the target's row count: a bitmap over that range (and one entry per
    /// number the table names) instead of a hash of the text (``FixedWidthIDs/firstRows(in:)``). `nil` when
    /// the columns are not like that.
    ///
    /// - Complexity: O(rows of both tables + the numbers' range).
    static func linkByNumber(_ table: Table, _ column: String, to target: Table, _ targetColumn: String, options: KernelOptions) throws(FusionError) -> (rows: [Int32], duplicates: Int)? {
        let source = try FusionError.wrap { try table.kernelColumn(column) }, destination = try FusionError.wrap { try target.kernelColumn(targetColumn) }
        guard let targetIDs = FixedWidthIDs.parse(destination, options: options), let ids = FixedWidthIDs.parse(source, options: options) else { return nil }
        return ids.firstRows(in: targetIDs)
    }

    /// Resolves every role's columns and checks their kinds.
    static func resolve(
        customers: Table, answers: Table, orders: Table?, returns: Table?, carts: Table?, tickets: Table?, mapping m: FusionMapping,
        checkKinds: Bool = true
    ) throws(FusionError) -> FusionColumns {
        var columns = FusionColumns.unresolved
        let tables: [(FusionRole, Table?)] = [(.customers, customers), (.answers, answers), (.orders, orders), (.returns, returns), (.carts, carts), (.tickets, tickets)]
        for case let (role, table?) in tables {
            try resolve(role, table, mapping: m, ordersGiven: orders != nil, checkKinds: checkKinds, into: &columns)
        }
        return columns
    }

    /// Resolves the columns of one role's table into `columns` and checks their kinds. The orders'
    /// resolution reads the answers' (resolved first): answers without a customer column need the
    /// orders' order id.
    static func resolve(
        _ role: FusionRole, _ table: Table, mapping m: FusionMapping, ordersGiven: Bool, checkKinds: Bool, into columns: inout FusionColumns
    ) throws(FusionError) {
        let r = ColumnResolver(table: table, role: role, checksKinds: checkKinds)
        switch role {
        case .customers:
            columns.customerID = try r.resolve("customer", explicit: m.customers.customer, defaults: "customer", required: true)!
            try r.require(columns.customerID, "an ID (string or int64)", ColumnResolver.isID)
        case .answers:
            let throughOrders = m.answers.linkThroughOrders
            columns.answerCustomer = throughOrders ? nil : try r.resolve("customer", explicit: m.answers.customer, defaults: "customer", required: false)
            columns.answerOrderID = try r.resolve("order id", explicit: m.answers.orderID, defaults: "orderID", required: columns.answerCustomer == nil)
            if columns.answerCustomer == nil && !ordersGiven { throw .missingRole(.orders, neededBy: "linking answers through their order id") }
            columns.answerTime = try r.resolve("time", explicit: m.answers.time, defaults: "answers.time", required: true)!
            columns.responseID = try r.resolve("response id", explicit: m.answers.responseID, defaults: "responseID", required: false)
            columns.nps = try r.resolve("nps", explicit: m.answers.nps, defaults: "nps", required: false)
            columns.csat = try r.resolve("csat", explicit: m.answers.csat, defaults: "csat", required: false)
            columns.ces = try r.resolve("ces", explicit: m.answers.ces, defaults: "ces", required: false)
            columns.sentiment = try r.resolve("sentiment", explicit: m.answers.sentiment, defaults: "sentiment", required: false)
            columns.channel = try r.resolve("channel", explicit: m.answers.channel, defaults: "channel", required: false)
            columns.comment = try r.resolve("comment", explicit: m.answers.comment, defaults: "comment", required: false)
            try r.require(columns.answerCustomer, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.answerOrderID, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.answerTime, "a time (timestamp or date)", ColumnResolver.isTime)
            for score in [columns.nps, columns.csat, columns.ces] { try r.require(score, "int64 (whole-number scores)") { $0 == .int64 } }
            try r.require(columns.sentiment, "numeric (double, decimal or int64)", ColumnResolver.isNumeric)
            try r.require(columns.responseID, "an ID (string or int64)", ColumnResolver.isID)
        case .orders:
            columns.orderCustomer = try r.resolve("customer", explicit: m.orders.customer, defaults: "customer", required: true)
            columns.orderID = try r.resolve("order id", explicit: m.orders.orderID, defaults: "orderID", required: columns.answerCustomer == nil)
            columns.orderTime = try r.resolve("time", explicit: m.orders.time, defaults: "orders.time", required: true)
            columns.orderAmount = try r.resolve("amount", explicit: m.orders.amount, defaults: "amount", required: true)
            columns.orderStatus = try r.resolve("status", explicit: m.orders.status, defaults: "status", required: false)
            try r.require(columns.orderCustomer, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.orderID, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.orderTime, "a time (timestamp or date)", ColumnResolver.isTime)
            try r.require(columns.orderAmount, "numeric (decimal, double or int64)", ColumnResolver.isNumeric)
            try r.require(columns.orderStatus, "a string", { $0 == .string })
        case .returns:
            columns.returnCustomer = try r.resolve("customer", explicit: m.returns.customer, defaults: "customer", required: true)
            columns.returnOrderID = try r.resolve("order id", explicit: m.returns.orderID, defaults: "orderID", required: false)
            columns.returnTime = try r.resolve("time", explicit: m.returns.time, defaults: "returns.time", required: false)
            columns.returnAmount = try r.resolve("amount", explicit: m.returns.amount, defaults: "returns.amount", required: false)
            try r.require(columns.returnCustomer, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.returnOrderID, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.returnTime, "a time (timestamp or date)", ColumnResolver.isTime)
            try r.require(columns.returnAmount, "numeric (decimal, double or int64)", ColumnResolver.isNumeric)
        case .carts:
            columns.cartCustomer = try r.resolve("customer", explicit: m.carts.customer, defaults: "customer", required: true)
            columns.cartTime = try r.resolve("time", explicit: m.carts.time, defaults: "carts.time", required: false)
            columns.cartValue = try r.resolve("value", explicit: m.carts.value, defaults: "carts.value", required: false)
            try r.require(columns.cartCustomer, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.cartTime, "a time (timestamp or date)", ColumnResolver.isTime)
            try r.require(columns.cartValue, "numeric (decimal, double or int64)", ColumnResolver.isNumeric)
        case .tickets:
            columns.ticketCustomer = try r.resolve("customer", explicit: m.tickets.customer, defaults: "customer", required: true)
            columns.ticketTime = try r.resolve("time", explicit: m.tickets.time, defaults: "tickets.time", required: false)
            try r.require(columns.ticketCustomer, "an ID (string or int64)", ColumnResolver.isID)
            try r.require(columns.ticketTime, "a time (timestamp or date)", ColumnResolver.isTime)
        }
    }

    /// The table of a role, or ``FusionError/missingRole(_:neededBy:)``.
    func require(_ role: FusionRole, for analysis: String) throws(FusionError) -> Table {
        let table: Table? = switch role {
        case .answers: answers
        case .customers: customers
        case .orders: orders
        case .returns: returns
        case .carts: carts
        case .tickets: tickets
        }
        guard let table else { throw .missingRole(role, neededBy: analysis) }
        return table
    }
}

/// What a fusion matched, and every row it could not place.
public struct FusionReport: Hashable, Sendable, CustomStringConvertible {
    /// Rows of the customers table.
    public var customers: Int
    /// The key encoding of each role's customer column (values, changes by normalisation, collisions, unknown IDs).
    public var keyReports: [FusionRole: KeyEncodingReport] = [:]
    /// Rows whose customer ID is not in the customers table, per role (they count in no customer's figures).
    public var unmatched: [FusionRole: Int] = [:]
    /// Rows with a null customer ID, per role (guest carts).
    public var nullCustomer: [FusionRole: Int] = [:]
    /// Answers linked through orders whose order id matched no order (or an order of no known customer), with examples.
    public var unlinkedAnswers = 0
    public var unlinkedAnswerExamples: [String] = []
    /// Order ids that appear more than once in the orders table (the first row wins when linking).
    public var duplicateOrderIDs = 0
    /// Return rows whose order id matches no order.
    public var returnsWithoutOrder = 0
    /// Return rows of an order that is not completed (they do not count in return rates).
    public var returnsOfUncompletedOrders = 0
    /// Return rows whose customer differs from their order's customer.
    public var returnsOfAnotherCustomer = 0
    /// Orders with more than one return row (each counts once in return rates).
    public var ordersReturnedMoreThanOnce = 0
    /// Other remarks.
    public var notes: [String] = []

    /// A report for `customers` customers and nothing else yet.
    public init(customers: Int) { self.customers = customers }

    /// One line per finding; "all rows matched" when there is none.
    public var description: String {
        var lines = ["\(customers) customers"]
        for role in FusionRole.allCases {
            if let n = unmatched[role], n > 0 {
                let examples = keyReports[role]?.unknownExamples ?? []
                lines.append("\(role.rawValue): \(n) rows name a customer not in the customers table (e.g. \(examples.map { "'\($0)'" }.joined(separator: ", ")))")
            }
            if let n = nullCustomer[role], n > 0 { lines.append("\(role.rawValue): \(n) rows without a customer ID\(role == .carts ? " (guest carts)" : "")") }
            if let collisions = keyReports[role]?.collisionCount, collisions > 0 {
                lines.append("\(role.rawValue): \(collisions) customer IDs were merged by normalisation: \(keyReports[role]!.collisions.prefix(3).map(\.description).joined(separator: "; "))")
            }
        }
        if unlinkedAnswers > 0 { lines.append("answers: \(unlinkedAnswers) could not be linked to a customer through their order id (e.g. \(unlinkedAnswerExamples.joined(separator: ", ")))") }
        if duplicateOrderIDs > 0 { lines.append("orders: \(duplicateOrderIDs) rows repeat an order id") }
        if returnsWithoutOrder > 0 { lines.append("returns: \(returnsWithoutOrder) rows name no known order") }
        if returnsOfUncompletedOrders > 0 { lines.append("returns: \(returnsOfUncompletedOrders) rows return an order that is not completed") }
        if returnsOfAnotherCustomer > 0 { lines.append("returns: \(returnsOfAnotherCustomer) rows name another customer than their order") }
        if ordersReturnedMoreThanOnce > 0 { lines.append("returns: \(ordersReturnedMoreThanOnce) orders have several return rows (each counts once)") }
        lines += notes
        if lines.count == 1 { lines.append("every row matched a customer") }
        return lines.joined(separator: "\n")
    }
}
