/// The benchmark's queries Q1–Q4 (`../shared/bench/README.md`) as calls of the
/// analyses a user makes, and their answers in the shape `run_peers.py` writes,
/// so that `expected.py compare` can check them.
public enum BenchQueries {
    /// Q0's second half: the fusion of the five bench tables (keys encoded, returns linked to orders).
    ///
    /// - Complexity: O(total rows).
    public static func fuse(_ d: BenchDataset, options: KernelOptions = .default) throws(FusionError) -> Fusion {
        try Fusion(customers: d.customers, answers: d.surveys, orders: d.orders, returns: d.returns, carts: d.carts, options: options)
    }

    /// Q1: the scorecard by NPS class.
    public static func q1(_ fusion: Fusion) throws(FusionError) -> Table { try fusion.scorecard().table }
    /// Q2: the customer profile.
    public static func q2(_ fusion: Fusion) throws(FusionError) -> Table { try fusion.customerProfile().table }
    /// Q3: the attribution (30 days, inclusive).
    public static func q3(_ fusion: Fusion) throws(FusionError) -> Table { try fusion.attribution().table }
    /// Q4: NPS by region × month, with the incidents.
    public static func q4(_ fusion: Fusion) throws(FusionError) -> Trend { try fusion.trend(options: TrendOptions(period: .month, dimension: "region")) }

    /// The result columns of each query, in the bench's canonical order.
    public static let resultColumns: [String: [String]] = [
        "q1": ["segment", "customers", "orders", "revenue", "avg_order_value", "return_rate", "carts_per_customer"],
        "q2": ["latest_nps", "mean_csat", "mean_ces", "mean_sentiment", "response_count", "order_count", "revenue", "last_order_at",
               "return_count", "returned_amount", "cart_count", "cart_value"],
        "q3": ["has_order", "returned", "responses", "mean_nps", "nps_score", "mean_amount"],
        "q4": ["region", "month", "responses", "nps_score", "mean_csat"],
    ]

    /// `{"rows": [...]}`: the named columns of every row (already in the canonical order).
    public static func rows(_ table: Table, query: String) -> JSONValue {
        .object([("rows", .rows(of: table, columns: resultColumns[query] ?? table.schema.names))])
    }

    /// `{"checksum": {...}}`: Q2's order-independent checksum, as `common.py` computes it: per column the
    /// non-null count, the sum and the sum weighted by (the customer's number mod 9973) + 1.
    /// Timestamps sum as Unix seconds; integer sums are exact.
    public static func q2Checksum(_ table: Table, customerColumn: String = "customer_id") -> JSONValue {
        var out: [(String, JSONValue)] = [("rows", .int(table.rowCount))]
        let ids = table[customerColumn]?.stringValues
        let weights: [Int128] = (0..<table.rowCount).map { row in
            let digits = ids?[row].map { $0.dropFirst() } ?? ""
            return Int128((Int(digits) ?? 0) % 9973 + 1)
        }
        for name in resultColumns["q2"]! {
            guard let column = table[name] else { continue }
            out.append(("\(name).nonnull", .int(column.count - column.nullCount)))
            if let values = column.doubleValues {
                var sum = CompensatedSum(), wsum = CompensatedSum()
                for row in 0..<values.count { if let v = values[row] { sum.add(v); wsum.add(v * Double(weights[row])) } }
                out.append(("\(name).sum", .double(sum.value)))
                out.append(("\(name).wsum", .double(wsum.value)))
            } else {
                var sum: Int128 = 0, wsum: Int128 = 0
                for row in 0..<column.count {
                    let v: Int128
                    switch column[row] {
                    case .int64(let x): v = Int128(x)
                    case .timestamp(let t): v = Int128(t.microsecondsSinceEpoch / Timestamp.microsecondsPerSecond)
                    default: continue
                    }
                    sum += v
                    wsum += v * weights[row]
                }
                out.append(("\(name).sum", integer(sum)))
                out.append(("\(name).wsum", integer(wsum)))
            }
        }
        return .object([("checksum", .object(out))])
    }

    static func integer(_ v: Int128) -> JSONValue { Int(exactly: v).map { .int($0) } ?? .bigInt(v) }
}
