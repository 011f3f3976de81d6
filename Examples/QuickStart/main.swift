// Quick start: tables from Swift values, fused by customer, scored by NPS class.
//
//     swift run QuickStart
//
// Four customers, five survey answers, six orders and one return: small enough to check every
// figure by hand (Examples/README.md does).
import Foundation
import XOFusion

func day(_ d: Int) -> Timestamp { Timestamp(year: 2025, month: 3, day: d, hour: 12)! }

do {
    let customers = try Table([
        "customer_id": try .string(["C1", "C2", "C3", "C4"]),
        "region": try .string(["EU", "EU", "US", "US"]),
    ])
    let answers = try Table([
        "customer_id": try .string(["C1", "C2", "C3", "C4", "C2"]),
        "responded_at": .timestamp([day(2), day(3), day(4), day(5), day(8)]),
        "nps": .int64([10, 3, 9, 9, 5]),
    ])
    let orders = try Table([
        "order_id": try .string(["O1", "O2", "O3", "O4", "O5", "O6"]),
        "customer_id": try .string(["C1", "C2", "C2", "C3", "C4", "C1"]),
        "ordered_at": .timestamp([day(1), day(1), day(6), day(2), day(3), day(7)]),
        "amount": .decimal(units: [12000, 8000, 4000, 6000, 3000, 5000], scale: 2),   // 120.00, 80.00, …
    ])
    let returns = try Table([
        "order_id": try .string(["O2"]),
        "customer_id": try .string(["C2"]),
    ])

    // Columns are found by their usual names; FusionMapping names them for other exports.
    let fusion = try Fusion(customers: customers, answers: answers, orders: orders, returns: returns)
    print(fusion.report)

    let nps = try answers.npsSummary("nps")
    print("NPS \(nps.score!) (n = \(nps.n): \(nps.promoters) promoters, \(nps.passives) passives, \(nps.detractors) detractors)")

    // Customers by the class of their latest answer: does the detractor return more?
    let scorecard = try fusion.scorecard()
    for segment in scorecard.segments where segment.customers > 0 {
        let returnRate = segment.returnRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "–"
        print("\(segment.segment): \(segment.customers) customers, \(segment.orders) orders, revenue \(segment.revenue), return rate \(returnRate)")
    }
} catch {
    // On standard error, with a failing status, so that a script running the example notices.
    FileHandle.standardError.write(Data("quick start failed: \(error)\n".utf8))
    exit(1)
}
