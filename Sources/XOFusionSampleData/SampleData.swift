import Foundation
import XOFusion

/// What ``SampleData/generate(_:)`` builds.
public struct SampleDataOptions: Hashable, Sendable {
    /// How many customers (default 100,000).
    public var customers: Int
    /// The seed: the same seed and size give the same tables, on any machine and thread count.
    public var seed: UInt64
    /// Mean completed-or-cancelled orders per customer over the two years, before the activity skew (default 6).
    public var ordersPerCustomer: Double
    /// The region whose NPS falls in ``incidentMonths`` (default EU-South), and the months (default 2025-03, 2025-04).
    public var incidentRegion: String
    public var incidentMonths: Set<Int>
    /// Threads to generate on (`nil`: all cores); the tables are the same on any thread count.
    public var threads: Int?

    public init(
        customers: Int = 100_000, seed: UInt64 = 42, ordersPerCustomer: Double = 6, incidentRegion: String = "EU-South",
        incidentMonths: Set<Int> = [2025 * 12 + 2, 2025 * 12 + 3], threads: Int? = nil
    ) {
        self.threads = threads
        self.customers = customers
        self.seed = seed
        self.ordersPerCustomer = ordersPerCustomer
        self.incidentRegion = incidentRegion
        self.incidentMonths = incidentMonths
    }
}

/// A synthetic X+O dataset: the five tables of a fusion, with the bench's column names and kinds.
public struct SampleDataset: Sendable {
    /// customer_id, signup_date, region, segment_tier.
    public var customers: Table
    /// response_id, customer_id, responded_at, nps (5% null), csat (10% null), ces (20% null), sentiment, channel, comment (20% null).
    public var answers: Table
    /// order_id, customer_id, ordered_at, amount (decimal(2)), items, status (`completed` / `cancelled`).
    public var orders: Table
    /// return_id, order_id, customer_id, returned_at, amount (decimal(2)), reason.
    public var returns: Table
    /// cart_id, customer_id (null for the 1% guest carts), abandoned_at, value (decimal(2)), items.
    public var carts: Table

    /// The five tables fused with the default mapping.
    ///
    /// - Complexity: O(total rows).
    public func fusion(options: KernelOptions = .default) throws(FusionError) -> Fusion {
        try Fusion(customers: customers, answers: answers, orders: orders, returns: returns, carts: carts, options: options)
    }
}

/// A deterministic generator of realistic X+O data with the correlations of `../shared/bench/README.md`:
/// each customer draws a latent satisfaction s ~ N(0, 1) and an activity a ~ LogNormal(0, 1.1);
/// promoters order more (rate ∝ a·e^{0.35 s}), detractors return more (σ(b − 0.8 s + 0.08(items − 1)))
/// and abandon more carts (∝ (a + 0.3)^0.8 · e^{−0.45 s}); scores follow L = 8.4 + 1.9 s + region shift +
/// month shift (seasonal dips in Jul/Aug and Nov/Dec) − 2.2 after a returned order + noise, with an
/// incident of −1.8 in one region for two months.
///
/// ```swift
/// let data = SampleData.generate(SampleDataOptions(customers: 10_000, seed: 7))
/// let fusion = try data.fusion()
/// ```
public enum SampleData {
    /// The regions, their weights and their NPS shifts.
    public static let regions: [(name: String, weight: Double, shift: Double)] = [
        ("APAC-North", 0.12, -0.2), ("APAC-South", 0.10, 0), ("EU-North", 0.14, 0.3), ("EU-South", 0.10, -0.3),
        ("LATAM", 0.10, 0.1), ("MEA", 0.08, -0.4), ("NA-East", 0.20, 0.2), ("NA-West", 0.16, 0.4),
    ]
    static let channels: [(String, Double)] = [("web", 0.4), ("app", 0.3), ("email", 0.2), ("store", 0.1)]
    static let reasons = ["damaged", "wrong_item", "not_as_described", "changed_mind", "late_delivery", "size_fit"]
    static let comments = (
        positive: ["Fast delivery, great service", "Love the quality", "Support solved it in minutes", "Très bien, merci !", "Easy returns, will buy again"],
        neutral: ["It was fine", "Delivery took a while but OK", "Average experience", "Nothing special", "Did the job"],
        negative: ["Parcel arrived damaged", "Refund took two weeks", "Nobody answered my emails", "Wrong size again", "Never again"]
    )
    static let start = Timestamp(year: 2024, month: 1, day: 1)!.microsecondsSinceEpoch
    static let end = Timestamp(year: 2025, month: 12, day: 31, hour: 23)!.microsecondsSinceEpoch
    static let day = Timestamp.microsecondsPerDay

    static let regionWeights = regions.map(\.weight)
    static let channelWeights = channels.map(\.1)
    static let tiers = ["bronze", "silver", "gold"]
    static let statuses = ["completed", "cancelled"]
    static let tierPriceFactors = [1, 1.15, 1.35]

    /// Generates the dataset, on all cores unless ``SampleDataOptions/threads`` says otherwise; the
    /// tables do not depend on the thread count.
    ///
    /// - Precondition: `options.customers ≥ 1`.
    /// - Complexity: O(customers + rows); about 4 s of one core per million customers in release builds.
    public static func generate(_ options: SampleDataOptions = SampleDataOptions()) -> SampleDataset {
        precondition(options.customers >= 1, "a sample dataset needs at least one customer")
        // Each customer draws from its own stream, so blocks of customers are generated apart and
        // joined in customer order; the rows are numbered once the blocks are joined.
        let block = 1 << 14
        let blocks = stride(from: 0, to: options.customers, by: block).map { $0..<min($0 + block, options.customers) }
        let parts = Partitions.map(blocks, threads: KernelOptions(threads: options.threads).threadCount) { customers in
            var rows = Rows()
            for c in customers { generate(customer: c, options, into: &rows) }
            return rows
        }
        return Rows(joining: parts).dataset()
    }

    /// Appends customer `c` (0-based) with its orders, returns, answers and carts to `b`.
    private static func generate(customer c: Int, _ options: SampleDataOptions, into b: inout Rows) {
        let signupFirst = CivilDate.days(year: 2018, month: 1, day: 1), signupLast = CivilDate.days(year: 2025, month: 10, day: 31)
        let incidentRegion = regions.firstIndex { $0.name == options.incidentRegion }
        let orderRate = options.ordersPerCustomer / 1.85  // E[a·e^{0.35 s}] ≈ 1.85 with 5% never ordering

        var g = SplitMix(seed: options.seed, stream: UInt64(c))
        let id = UInt32(truncatingIfNeeded: c + 1)
        let s = g.normal()
        let logA = 1.1 * g.normal()
        let a = g.uniform() < 0.05 ? 0 : exp(logA) * (g.uniform() < 0.00005 ? 40 : 1)
        let signup = signupLast - Int((Double(signupLast - signupFirst) * (1 - g.uniform().squareRoot())).rounded(.down))
        let region = g.pick(regionWeights)
        let tierScore = logA + 0.5 * g.normal()
        let tier = tierScore > 1.548 ? 2 : tierScore > 0.306 ? 1 : 0
        b.customerID.append(id)
        b.signup.append(CivilDate(daysSinceEpoch: Int32(signup)))
        b.region.append(UInt32(region))
        b.tier.append(UInt32(tier))

        let activeStart = max(start, Int64(signup) * day)
        let fraction = Double(end - activeStart) / Double(end - start)

        // Orders, in time order, with their returns.
        let count = g.poisson(orderRate * a * exp(0.35 * s) * fraction)
        var times = (0..<count).map { _ in activeStart + Int64(g.uniform() * Double(end - activeStart)) / 1_000_000 * 1_000_000 }
        times.sort()
        for k in times.indices.dropFirst() where times[k] <= times[k - 1] { times[k] = times[k - 1] + 1_000_000 }
        var orders: [(time: Int64, returned: Bool)] = []
        for t in times {
            let items = min(g.geometric(0.4), 10)
            let amount = Int64((Double(items) * exp(log(22) + 0.7 * g.normal()) * tierPriceFactors[tier] * 100).rounded())
            let cancelled = g.uniform() < sigmoid(-2.75 - 0.45 * s)
            let row = b.orderCustomer.count
            b.orderCustomer.append(id)
            b.orderTime.append(Timestamp(microsecondsSinceEpoch: t))
            b.orderAmount.append(max(1, amount))
            b.orderItems.append(Int64(items))
            b.orderStatus.append(cancelled ? 1 : 0)
            var returned = false
            if !cancelled && g.uniform() < sigmoid(-2.95 - 0.8 * s + 0.08 * Double(items - 1)) {
                returned = true
                var back = t + 3_600_000_000 + Int64(g.exponential(mean: 8 * Double(day)))
                if back > end { back = t + Int64(g.uniform() * Double(end - t)) + 1_000_000 }
                b.returnOrder.append(UInt32(row))
                b.returnCustomer.append(id)
                b.returnTime.append(Timestamp(microsecondsSinceEpoch: back))
                b.returnAmount.append(g.uniform() < 0.65 ? max(1, amount) : max(1, Int64(Double(amount) * (0.1 + 0.9 * g.uniform()))))
                b.returnReason.append(UInt32(Int(g.uniform() * Double(reasons.count))))
            }
            orders.append((t, returned))
        }

        // Answers: extreme customers answer more; half of them follow an order.
        if g.uniform() < 0.62 + 0.1 * abs(s) {
            let answers = 1 + g.poisson(1.2 * (a + 0.1).squareRoot() * fraction)
            for _ in 0..<answers {
                var time: Int64, afterReturn = false
                if !orders.isEmpty && g.uniform() < 0.5 {
                    let order = orders[Int(g.uniform() * Double(orders.count))]
                    time = min(end, order.time + 60_000_000 + Int64(g.exponential(mean: 3 * Double(day))))
                    afterReturn = order.returned
                } else {
                    time = activeStart + Int64(g.uniform() * Double(end - activeStart))
                }
                time = time / 1_000_000 * 1_000_000
                let (y, m, _) = CivilDate.civil(fromDays: Int(time / day))
                let monthIndex = (y - 2024) * 12 + (m - 1)
                var shift = 0.025 * Double(monthIndex) - 0.3 + regions[region].shift
                if m >= 11 { shift -= 0.7 } else if m == 7 || m == 8 { shift -= 0.2 }
                if region == incidentRegion && options.incidentMonths.contains(y * 12 + m - 1) { shift -= 1.8 }
                let latent = 8.4 + 1.9 * s + shift - (afterReturn ? 2.2 : 0) + 1.4 * g.normal()
                let q = (latent - 8.4) / 2.4
                let sentiment = (tanh(0.8 * q + 0.35 * g.normal()) * 1000).rounded() / 1000
                b.answerCustomer.append(id)
                b.answerTime.append(Timestamp(microsecondsSinceEpoch: time))
                b.nps.append(g.uniform() < 0.05 ? nil : clip(latent, 0, 10))
                b.csat.append(g.uniform() < 0.10 ? nil : clip(3.7 + 0.9 * q + 0.6 * g.normal(), 1, 5))
                b.ces.append(g.uniform() < 0.20 ? nil : clip(5 + 1.1 * q + 0.9 * g.normal(), 1, 7))
                b.sentiment.append(sentiment)
                b.channel.append(UInt32(g.pick(channelWeights)))
                let pool = sentiment > 0.25 ? comments.positive : sentiment < -0.25 ? comments.negative : comments.neutral
                b.comment.append(g.uniform() < 0.2 ? nil : pool[Int(g.uniform() * Double(pool.count))])
            }
        }

        // Abandoned carts; about one in a hundred is a guest's (customer number 0: null).
        let carts = g.poisson(0.9 * pow(a + 0.3, 0.8) * exp(-0.45 * s) * fraction)
        for k in 0..<(carts + (g.uniform() < 0.012 ? 1 : 0)) {
            let items = 1 + Int(g.uniform() * 10)
            b.cartCustomer.append(k < carts ? id : 0)
            b.cartTime.append(Timestamp(microsecondsSinceEpoch: activeStart + Int64(g.uniform() * Double(end - activeStart)) / 1_000_000 * 1_000_000))
            b.cartValue.append(max(1, Int64((Double(items) * exp(log(25) + 0.8 * g.normal()) * 100).rounded())))
            b.cartItems.append(Int64(items))
        }
    }

    /// `n` as exactly `width` decimal digits.
    static func digits(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
    static func clip(_ x: Double, _ low: Int64, _ high: Int64) -> Int64 { min(high, max(low, Int64(x.rounded()))) }
}

/// The rows of a block of customers, with IDs and labels as numbers: customer numbers (1-based, 0 for
/// a guest cart), order positions within the block, and indexes into the label lists of ``SampleData``.
/// Order, return, answer and cart IDs are their row numbers, given when the blocks are joined.
private struct Rows {
    var customerID: [UInt32] = [], signup: [CivilDate?] = [], region: [UInt32] = [], tier: [UInt32] = []
    var orderCustomer: [UInt32] = [], orderTime: [Timestamp] = [], orderAmount: [Int64?] = [], orderItems: [Int64] = [], orderStatus: [UInt32] = []
    var returnOrder: [UInt32] = [], returnCustomer: [UInt32] = [], returnTime: [Timestamp] = [], returnAmount: [Int64?] = [], returnReason: [UInt32] = []
    var answerCustomer: [UInt32] = [], answerTime: [Timestamp] = []
    var nps: [Int64?] = [], csat: [Int64?] = [], ces: [Int64?] = [], sentiment: [Double] = [], channel: [UInt32] = [], comment: [String?] = []
    var cartCustomer: [UInt32] = [], cartTime: [Timestamp] = [], cartValue: [Int64?] = [], cartItems: [Int64] = []

    init() {}

    /// The blocks one after the other; each block's order positions move past the orders of the blocks before it.
    init(joining blocks: [Rows]) {
        var orders = 0
        for block in blocks {
            customerID += block.customerID; signup += block.signup; region += block.region; tier += block.tier
            orderCustomer += block.orderCustomer; orderTime += block.orderTime; orderAmount += block.orderAmount
            orderItems += block.orderItems; orderStatus += block.orderStatus
            returnOrder += block.returnOrder.lazy.map { $0 + UInt32(truncatingIfNeeded: orders) }
            returnCustomer += block.returnCustomer; returnTime += block.returnTime; returnAmount += block.returnAmount; returnReason += block.returnReason
            answerCustomer += block.answerCustomer; answerTime += block.answerTime
            nps += block.nps; csat += block.csat; ces += block.ces; sentiment += block.sentiment; channel += block.channel; comment += block.comment
            cartCustomer += block.cartCustomer; cartTime += block.cartTime; cartValue += block.cartValue; cartItems += block.cartItems
            orders += block.orderCustomer.count
        }
    }

    func dataset() -> SampleDataset {
        // Every column is built from values of the right kind and equal lengths: these cannot fail.
        func table(_ columns: [(String, Column)]) -> Table { try! Table(columns: columns) }
        // IDs (C0000001, O000000001, …) are numbered: 4 bytes each, looked up by number; past the
        // pattern's digits they are written out as text, as wide as they need.
        func ids(_ prefix: String, _ width: Int, _ numbers: [UInt32], nullWhereZero: Bool = false) -> Column {
            var validity: ValidityBitmap?
            if nullWhereZero, numbers.contains(0) {
                validity = ValidityBitmap(repeating: true, count: numbers.count)
                for (i, number) in numbers.enumerated() where number == 0 { validity![i] = false }
            }
            if let column = Column.string(numbers: ContiguousArray(numbers), pattern: IDPattern(prefix: prefix, digits: width), validity: validity) {
                return column
            }
            return try! .string(numbers.map { nullWhereZero && $0 == 0 ? nil : prefix + SampleData.digits(Int($0), width) }, layout: .plain)
        }
        // Non-optional arrays go in without an element-wise cast to optionals.
        func times(_ values: [Timestamp]) -> Column { .timestamp(values: ContiguousArray(values), validity: nil) }
        func rowIDs(_ prefix: String, _ count: Int) -> Column { ids(prefix, 9, (0..<count).map { UInt32(truncatingIfNeeded: $0 + 1) }) }
        // Labels in the order they first appear, as a dictionary column built from text would have them.
        func labels(_ codes: [UInt32], _ names: [String]) -> Column {
            var remap = [UInt32?](repeating: nil, count: names.count), dictionary: [String] = []
            let firstSeen = codes.map { code in
                if let seen = remap[Int(code)] { return seen }
                remap[Int(code)] = UInt32(dictionary.count)
                dictionary.append(names[Int(code)])
                return UInt32(dictionary.count - 1)
            }
            return try! .string(codes: firstSeen, dictionary: dictionary)
        }
        return SampleDataset(
            customers: table([
                ("customer_id", ids("C", 7, customerID)), ("signup_date", .date(signup)),
                ("region", labels(region, SampleData.regions.map(\.name))), ("segment_tier", labels(tier, SampleData.tiers)),
            ]),
            answers: table([
                ("response_id", rowIDs("S", answerCustomer.count)), ("customer_id", ids("C", 7, answerCustomer)), ("responded_at", times(answerTime)),
                ("nps", .int64(nps)), ("csat", .int64(csat)), ("ces", .int64(ces)), ("sentiment", .double(values: ContiguousArray(sentiment), validity: nil)),
                ("channel", labels(channel, SampleData.channels.map(\.0))), ("comment", try! .string(comment)),
            ]),
            orders: table([
                ("order_id", rowIDs("O", orderCustomer.count)), ("customer_id", ids("C", 7, orderCustomer)), ("ordered_at", times(orderTime)),
                ("amount", .decimal(units: orderAmount, scale: 2)), ("items", .int64(values: ContiguousArray(orderItems), validity: nil)), ("status", labels(orderStatus, SampleData.statuses)),
            ]),
            returns: table([
                ("return_id", rowIDs("R", returnOrder.count)), ("order_id", ids("O", 9, returnOrder.map { $0 + 1 })),
                ("customer_id", ids("C", 7, returnCustomer)), ("returned_at", times(returnTime)),
                ("amount", .decimal(units: returnAmount, scale: 2)), ("reason", labels(returnReason, SampleData.reasons)),
            ]),
            carts: table([
                ("cart_id", rowIDs("K", cartCustomer.count)), ("customer_id", ids("C", 7, cartCustomer, nullWhereZero: true)),
                ("abandoned_at", times(cartTime)), ("value", .decimal(units: cartValue, scale: 2)), ("items", .int64(values: ContiguousArray(cartItems), validity: nil)),
            ]))
    }
}

/// SplitMix64 on a (seed, stream) pair: each customer draws from its own stream, so the data does not
/// depend on the order customers are generated in.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ (stream &+ 1) &* 0xD1B5_4A32_D192_ED03
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(uniform(), 0x1.0p-53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform())
    }

    mutating func exponential(mean: Double) -> Double { -mean * log(max(1 - uniform(), 0x1.0p-53)) }

    /// Failures before the first success, plus one (1, 2, …).
    mutating func geometric(_ p: Double) -> Int { 1 + Int(log(max(1 - uniform(), 0x1.0p-53)) / log(1 - p)) }

    /// Poisson: by multiplication for small means, by the normal approximation above 50.
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 50 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let limit = exp(-mean)
        var k = 0, product = uniform()
        while product > limit {
            k += 1
            product *= uniform()
        }
        return k
    }

    /// An index drawn with the given weights (they need not add up to 1).
    mutating func pick(_ weights: [Double]) -> Int {
        var u = uniform() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.count - 1
    }
}
