import ArgumentParser
import Foundation
import XOFusion

/// `xofusion kernels`: times the engine's kernels on the benchmark data, and
/// checks their Q3 answer: key encoding, a per-customer group-by, and the
/// as-of attribution with the Q3 grouping.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Time key encoding, a per-customer group-by and the as-of attribution (Q3) on bench data."
    )

    @Option(help: "The directory with the five bench CSV files.")
    var data: String

    @Option(help: "Repetitions; the median is reported.")
    var `repeat` = 3

    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Write the timings and the Q3 rows as one JSON document to standard output.")
    var json = false

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    mutating func run() throws {
        let dataset: BenchDataset
        do { dataset = try BenchDataset.load(from: data, threads: threads) } catch { throw CleanExit.failure("\(error)") }
        let options = KernelOptions(threads: threads)
        var timings: [String: [Double]] = [:]
        func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try body()
            timings[name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            return result
        }
        var q3: [Q3Attribution.Row] = []
        for _ in 0..<`repeat` {
            var keys = KeySpace()
            let codes = try time("encode 5 customer columns") {
                (
                    customers: try keys.encode(dataset.customers, column: "customer_id").0,
                    surveys: try keys.encode(dataset.surveys, column: "customer_id", unknown: .reportAsNull, options: options).0,
                    orders: try keys.encode(dataset.orders, column: "customer_id", unknown: .reportAsNull, options: options).0,
                    returns: try keys.encode(dataset.returns, column: "customer_id", unknown: .reportAsNull, options: options).0,
                    carts: try keys.encode(dataset.carts, column: "customer_id", unknown: .reportAsNull, options: options).0
                )
            }
            _ = try time("group-by orders by customer (count, sum, max)") {
                try dataset.orders.grouped(byKeyCodes: codes.orders, aggregates: [.count(as: "orders"), .sum("amount"), .max("ordered_at")], options: options)
            }
            q3 = try time("as-of attribution + Q3 grouping") {
                try Q3Attribution.run(dataset, surveyCodes: codes.surveys, orderCodes: codes.orders, options: options)
            }
            for (name, seconds) in Q3Attribution.steps { timings["  q3: " + name, default: []].append(seconds) }
        }
        let sorted = timings.sorted { $0.key < $1.key }
        func median(_ times: [Double]) -> Double { times.sorted()[times.count / 2] }
        if json {
            let steps = sorted.map { name, times in
                (name, JSONValue.object([("times", .array(times.map { .double($0) })), ("median_s", .double(median(times)))]))
            }
            let rows = q3.map { row in
                JSONValue.object([
                    ("has_order", .string(row.hasOrder)), ("returned", .string(row.returned)), ("responses", .int(row.responses)),
                    ("mean_nps", .double(row.meanNPS)), ("nps_score", .double(row.npsScore)), ("mean_amount", row.meanAmount.map { .double($0) } ?? .null),
                ])
            }
            print(JSONValue.object([("threads", .int(options.threadCount)), ("timings", .object(steps)), ("results", .object([("q3", .object([("rows", .array(rows))]))]))]).serialized(pretty: true))
            return
        }
        for (name, times) in sorted {
            print("\(name.padding(toLength: 48, withPad: " ", startingAt: 0)) median \(String(format: "%.3f", median(times))) s  (\(times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))")
        }
        print("\nQ3: has_order, returned, responses, mean_nps, nps_score, mean_amount")
        for row in q3 {
            print([row.hasOrder, row.returned, String(row.responses), String(row.meanNPS), String(row.npsScore), row.meanAmount.map { String($0) } ?? "null"]
                .joined(separator: ", "))
        }
    }
}

/// The Q3 attribution from kernels: each answer with an NPS, linked to the
/// customer's latest completed order at or before it, attributed within 30 days.
enum Q3Attribution {
    /// Seconds per step of the last run, for "where the time goes".
    nonisolated(unsafe) static var steps: [(String, Double)] = []

    static func step<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        steps.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        return result
    }

    /// One row of Q3's answer (bench README: has_order, returned, responses, mean_nps, nps_score, mean_amount).
    struct Row {
        var hasOrder: String, returned: String, responses: Int, meanNPS: Double, npsScore: Double, meanAmount: Double?
    }

    static func run(_ d: BenchDataset, surveyCodes: KeyCodes, orderCodes: KeyCodes, options: KernelOptions) throws -> [Row] {
        steps = []
        // Filters are row masks: they keep row positions, so the codes of other rows become null.
        let answered = try step("filter answers with an NPS") { try d.surveys.rowMask(where: .isNotNull("nps"), options: options) }
        let completed = try step("filter completed orders") { try d.orders.rowMask(where: .compare("status", .equal, .string("completed")), options: options) }
        let (leftCodes, rightCodes) = try step("mask key codes") { (try surveyCodes.keeping(answered), try orderCodes.keeping(completed)) }
        let matches = try step("as-of match") {
            try d.surveys.asOfMatches(
                with: d.orders, leftTime: "responded_at", rightTime: "ordered_at", leftCodes: leftCodes, rightCodes: rightCodes,
                options: AsOfOptions(toleranceMicroseconds: AsOfOptions.days(30)), kernelOptions: options)
        }
        let returned = try step("mark returned orders") {
            var matched = ValidityBitmap(repeating: false, count: d.orders.rowCount)
            for case let row? in matches { matched[row] = true }
            return try d.orders.rowMask("order_id", isIn: d.returns, column: "order_id", among: matched, options: options)
        }
        return try step("classify and aggregate") { try classify(d, answered: answered, matches: matches, returned: returned, threads: options.threadCount) }
    }

    static func classify(_ d: BenchDataset, answered: ValidityBitmap, matches: [Int?], returned: ValidityBitmap, threads: Int) throws -> [Row] {
        struct Cell { var n = 0, sum = 0, promoters = 0, detractors = 0, amountUnits: Int64 = 0 }
        let nps = try d.surveys.int64("nps"), amount = try d.orders.decimal("amount").units
        // Partitions of the answers on threads (looking up the matched orders' amounts is the cost);
        // integer cells add up exactly in any order.
        let parts = Partitions.map(Partitions.ranges(answered.count), threads: threads) { range -> [Cell] in
            var cells = [Cell](repeating: Cell(), count: 3)  // no/NA, yes/no, yes/yes
            nps.withUnsafeValues { nps in
                amount.withUnsafeValues { amount in
                    for row in range where answered[row] {
                        var cell = 0
                        var units: Int64 = 0
                        if let match = matches[row] {
                            cell = returned[match] ? 2 : 1
                            units = amount[match]
                        }
                        let score = Int(nps[row])  // `answered` holds only rows with an NPS
                        cells[cell].n += 1
                        cells[cell].sum += score
                        if score >= 9 { cells[cell].promoters += 1 } else if score <= 6 { cells[cell].detractors += 1 }
                        cells[cell].amountUnits += units
                    }
                }
            }
            return cells
        }
        let cells = (0..<3).map { c in
            parts.reduce(into: Cell()) { total, part in
                total.n += part[c].n
                total.sum += part[c].sum
                total.promoters += part[c].promoters
                total.detractors += part[c].detractors
                total.amountUnits += part[c].amountUnits
            }
        }
        let labels = [("no", "NA"), ("yes", "no"), ("yes", "yes")]
        return zip(labels, cells).map { label, c in
            Row(hasOrder: label.0, returned: label.1, responses: c.n, meanNPS: Double(c.sum) / Double(c.n),
                npsScore: 100 * Double(c.promoters - c.detractors) / Double(c.n),
                meanAmount: label.0 == "no" ? nil : Double(c.amountUnits) / 100 / Double(c.n))
        }
    }
}
