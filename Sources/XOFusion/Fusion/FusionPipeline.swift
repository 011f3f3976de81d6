import Foundation

/// A fusion built while its files are still being read (``Fusion/load(_:map:policy:options:)``).
///
/// The files of a fusion are read at once (``CSVReader/read(files:threads:)``), the small ones long
/// before the orders. So the fusion starts on each file there and then, on the thread that read it:
/// the customers are encoded as soon as they are read; the answers, returns, carts and tickets are
/// looked up and grouped by customer as soon as they and the customers are; the orders are looked
/// up, linked to their returns and grouped as soon as they, the customers and the returns are. Each
/// step is one that ``Fusion/init(customers:answers:orders:returns:carts:tickets:mapping:options:)``
/// runs, on the same table, so the fusion is the same. What this gains is time that would be idle:
/// while the orders' last range and the stitch of their columns run, and while the orders are
/// grouped, the other roles' steps fill the cores.
///
/// The pipeline is speculative. Any step that would go another way in the loader's sequential path
/// (a read that failed, a column missing or of the wrong kind, a column the loader would read again,
/// a score outside its scale, answers linked through their orders) stops it, and ``finish(_:)``
/// returns `nil`: the loader then fuses the tables the sequential way, so errors, and which comes
/// first, stay exactly those of that path.
final class FusionPipeline: @unchecked Sendable {
    private let mapping: FusionMapping
    private let options: KernelOptions
    private let given: Set<FusionRole>

    /// Guards everything below. Each step runs on the thread that read the file that made it ready.
    private let lock = NSLock()
    private var failed = false
    /// The customers' key space and the report of its encoding and look-ups, once the customers are
    /// encoded. A look-up may bring the key space's indexes up to date: one at a time, under the lock.
    private var keys: KeySpace?, report: FusionReport?
    /// Reads whose step waits for another: roles read before the customers were encoded, the
    /// orders until the returns are looked up.
    private var waiting: [FusionRole: CSVReadResult] = [:]
    /// Each role's customer index per row, and its facts.
    private var codes: [FusionRole: [Int32]] = [:]
    private var answerFacts: AnswerFacts?
    private var amountFacts: [FusionRole: AmountFacts] = [:]
    /// The returns' table, once their step has run (the orders' step links them).
    private var returns: Table?
    private var orderPart: (facts: OrderFacts, checks: Fusion.ReturnChecks, link: (rows: [Int32], duplicates: Int)?)?

    /// A pipeline for a fusion of the roles `given` (files given to the loader) with the mapping `mapping`.
    init(mapping: FusionMapping, options: KernelOptions, given: Set<FusionRole>) {
        self.mapping = mapping
        self.options = options
        self.given = given
    }

    /// Takes a role's read as soon as it ends, on the thread that read it, and runs the steps it makes ready.
    func read(_ role: FusionRole, _ result: Result<CSVReadResult, IngestError>) {
        guard case .success(let read) = result else { return stop() }
        if role == .customers { return encodeCustomers(read) }
        withLock { waiting[role] = read }
        runReadySteps()
    }

    /// The fusion of `reads` (every file's read, as given to ``read(_:_:)``), or `nil` when the
    /// pipeline stopped: then the tables are to be fused the sequential way.
    ///
    /// - Complexity: O(customers) when no step stopped; what is left is assembling the parts.
    func finish(_ reads: [FusionRole: CSVReadResult]) -> Fusion? {
        // Every read has ended, and with it every step it ran: nothing runs alongside from here.
        guard !failed, waiting.isEmpty, let keys, let report, let answerFacts, given.subtracting([.customers]).allSatisfy({ codes[$0] != nil }),
              let customers = reads[.customers]?.table, let answers = reads[.answers]?.table
        else { return nil }
        let orders = reads[.orders]?.table, returns = reads[.returns]?.table, carts = reads[.carts]?.table, tickets = reads[.tickets]?.table
        // Each role was resolved on its own: the same columns as all at once (the answers name their customers).
        guard let columns = try? Fusion.resolve(
            customers: customers, answers: answers, orders: orders, returns: returns, carts: carts, tickets: tickets, mapping: mapping)
        else { return nil }
        let n = customers.rowCount
        let orderPart = self.orderPart ?? (orders == nil ? (.empty(customers: n), Fusion.ReturnChecks(), nil) : nil)
        guard let orderPart else { return nil }
        let empty = AmountFacts.empty(customers: n)
        return Fusion(
            tables: (customers, answers, orders, returns, carts, tickets), mapping: mapping, columns: columns, keys: keys,
            report: Fusion.report(report, returnLink: orderPart.link, checks: orderPart.checks, linksNoted: returns != nil && orders != nil),
            options: options,
            facts: (answerFacts, orderPart.facts, amountFacts[.returns] ?? empty, amountFacts[.carts] ?? empty, amountFacts[.tickets] ?? empty))
    }

    /// Encodes the customers, then runs the steps that waited for them.
    private func encodeCustomers(_ read: CSVReadResult) {
        guard let columns = resolve(.customers, read),
              let (keys, report) = try? Fusion.customerKeys(read.table, column: columns.customerID, mapping: mapping, options: options)
        else { return stop() }
        withLock { (self.keys, self.report) = (keys, report) }
        runReadySteps()
    }

    /// Runs, one after the other on this thread, every step whose inputs are all there (each taken once).
    private func runReadySteps() {
        while let (role, read) = withLock({ () -> (FusionRole, CSVReadResult)? in
            guard !failed, keys != nil else { return nil }
            // The orders wait for the returns' look-up (a return's customer is checked against its order's).
            let ready = waiting.first { role, _ in role != .orders || !given.contains(.returns) || codes[.returns] != nil }
            if let ready { waiting[ready.key] = nil }
            return ready.map { ($0.key, $0.value) }
        }) {
            if role == .orders { groupOrders(read) } else { group(role, read) }
        }
    }

    /// Looks up the customers of answers, returns, carts or tickets and groups them by customer.
    private func group(_ role: FusionRole, _ read: CSVReadResult) {
        guard let columns = resolve(role, read) else { return stop() }
        let customer: String? = switch role {
        case .answers: columns.answerCustomer
        case .returns: columns.returnCustomer
        case .carts: columns.cartCustomer
        case .tickets: columns.ticketCustomer
        case .customers, .orders: nil
        }
        // Answers without a customer column reach their customers through the orders: the sequential path's.
        guard role != .answers || customer != nil, let codes = lookUp(read.table, customer, role) else { return stop() }
        let n = withLock { report!.customers }, threads = options.threadCount
        if role == .answers {
            guard let facts = try? Fusion.answerFacts(read.table, customer: codes, customers: n, columns: columns, scales: mapping.answers, threads: threads)
            else { return stop() }
            withLock { (answerFacts, self.codes[role]) = (facts, codes) }
        } else {
            let amount = role == .returns ? columns.returnAmount : role == .carts ? columns.cartValue : nil
            guard let facts = try? Fusion.amountFacts(read.table, codes, role, amount: amount, customers: n, threads: threads) else { return stop() }
            withLock {
                (amountFacts[role], self.codes[role]) = (facts, codes)
                if role == .returns { returns = read.table }
            }
        }
        if role == .returns { runReadySteps() }
    }

    /// Looks up the orders' customers, links the returns to their orders and groups the orders by customer.
    private func groupOrders(_ read: CSVReadResult) {
        let returns = withLock { self.returns }
        guard var columns = resolve(.orders, read, answersNameCustomers: true) else { return stop() }
        if let returns { try? Fusion.resolve(.returns, returns, mapping: mapping, ordersGiven: true, checkKinds: true, into: &columns) }
        let orders = read.table, threads = options.threadCount
        let (looked, orderSide) = Concurrently.run(threads: threads) { () throws(FusionError) -> [Int32]? in
            self.lookUp(orders, columns.orderCustomer, .orders)
        } _: { () throws(FusionError) in
            (try Fusion.completedOrders(orders, columns: columns, mapping: mapping, options: options),
             try Fusion.returnedOrderLinks(returns, orders, columns: columns, options: options),
             try Fusion.narrowOrderBase(orders, columns: columns))
        }
        let (n, returnCustomer) = withLock { (report!.customers, codes[.returns] ?? []) }
        guard case .success(let orderCustomer?) = looked, let (completed, link, narrowBase) = try? orderSide.get(),
              let (facts, checks) = try? Fusion.orderSide(
                orders, returns, link: link, completed: completed, orderCustomer: orderCustomer, returnCustomer: returnCustomer,
                customers: n, columns: columns, narrowBase: narrowBase, threads: threads)
        else { return stop() }
        withLock { (orderPart, codes[.orders]) = ((facts, checks, link), orderCustomer) }
    }

    /// The role's columns, resolved on its own with kinds checked, or `nil` when that fails or when
    /// the loader would read the file again. The orders' resolution assumes that the answers name
    /// their customers (``finish(_:)`` checks it).
    private func resolve(_ role: FusionRole, _ read: CSVReadResult, answersNameCustomers: Bool = false) -> FusionColumns? {
        var columns = FusionColumns.unresolved
        if answersNameCustomers { columns.answerCustomer = "" }
        guard (try? Fusion.resolve(role, read.table, mapping: mapping, ordersGiven: given.contains(.orders), checkKinds: true, into: &columns)) != nil,
              ColumnExpectation.secondReadSpecs(role, read, columns: columns, mapping: mapping).isEmpty
        else { return nil }
        return columns
    }

    /// Each row's customer index (see ``Fusion/lookUp(_:_:_:in:report:options:)``), the key space
    /// moved out for the look-up so that what it brings up to date is not copied first.
    private func lookUp(_ table: Table, _ column: String?, _ role: FusionRole) -> [Int32]? {
        withLock {
            guard var keys = self.keys, var report = self.report else { return nil }
            self.keys = nil
            defer { (self.keys, self.report) = (keys, report) }
            return try? Fusion.lookUp(table, column, role, in: &keys, report: &report, options: options)
        }
    }

    private func stop() { withLock { failed = true } }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
