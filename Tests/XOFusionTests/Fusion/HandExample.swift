import XOFusion

/// A fused dataset small enough to check on paper (the figures are worked out in the tests).
///
/// Customers C1–C5 (regions EU, EU, NA, NA, EU). Every event is at 12:00 UTC on
/// day d after 2025-03-01.
///
/// | answer | customer | day | nps | csat | ces | sentiment | channel | comment |
/// |---|---|---|---|---|---|---|---|---|
/// | R01 | C1 | 1 | 10 | 5 | 7 | 0.8 | web | Great service |
/// | R02 | C1 | 5 | 9 | 4 | 6 | 0.5 | app | (empty) |
/// | R03 | C2 | 2 | 3 | 2 | 2 | -0.6 | web | Arrived broken |
/// | R04 | C2 | 6 | 6 | 2 | 3 | -0.2 | email | null |
/// | R05 | C3 | 3 | 8 | 4 | 5 | 0.1 | web | ok |
/// | R06 | C3 | 3 | 10 | null | 6 | 0.3 | app | (spaces) |   (tied with R05: the greater id wins)
/// | R07 | C4 | 4 | null | 3 | 4 | 0.0 | app | slow app |
/// | R08 | C5 | 7 | 0 | 1 | 1 | -0.9 | web | Never again |
/// | R09 | C5 | 2 | 7 | 3 | 4 | 0.0 | email | meh |
/// | R10 | C9 | 1 | 10 | 5 | 7 | 0.9 | web | x |   (C9 is no customer)
///
/// Orders: O1 C1 day 0 100.00, O2 C1 day 4 50.00, O3 C2 day 1 80.00, O4 C2 day 5 20.00 cancelled,
/// O5 C3 day 3 40.00, O6 C5 day −28 30.00 (exactly 30 days before R09), O7 C4 day −40 60.00.
/// Returns: X1 O3 C2 80.00, X2 O3 C2 10.00 (a second row for the same order), X3 O2 C1 25.00.
/// Carts: K1 C2 12.00, K2 C2 8.00, K3 C5 5.00, K4 guest 7.00, K5 C3 9.00.
enum HandExample {
    static func at(_ day: Int) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: Timestamp(year: 2025, month: 3, day: 1, hour: 12)!.microsecondsSinceEpoch + Int64(day) * Timestamp.microsecondsPerDay)
    }

    static func money(_ units: [Int64?]) -> Column { .decimal(units: units, scale: 2) }

    static let customers = try! Table([
        "customer_id": try .string(["C1", "C2", "C3", "C4", "C5"]),
        "region": try .string(["EU", "EU", "NA", "NA", "EU"], layout: .dictionary),
    ])

    static let answers = try! Table([
        "response_id": try .string(["R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10"]),
        "customer_id": try .string(["C1", "C1", "C2", "C2", "C3", "C3", "C4", "C5", "C5", "C9"]),
        "responded_at": .timestamp([1, 5, 2, 6, 3, 3, 4, 7, 2, 1].map { at($0) }),
        "nps": .int64([10, 9, 3, 6, 8, 10, nil, 0, 7, 10] as [Int64?]),
        "csat": .int64([5, 4, 2, 2, 4, nil, 3, 1, 3, 5] as [Int64?]),
        "ces": .int64([7, 6, 2, 3, 5, 6, 4, 1, 4, 7] as [Int64?]),
        "sentiment": .double([0.8, 0.5, -0.6, -0.2, 0.1, 0.3, 0.0, -0.9, 0.0, 0.9]),
        "channel": try .string(["web", "app", "web", "email", "web", "app", "app", "web", "email", "web"], layout: .dictionary),
        "comment": try .string(["Great service", "", "Arrived broken", nil, "ok", "   ", "slow app", "Never again", "meh", "x"]),
    ])

    static let orders = try! Table([
        "order_id": try .string(["O1", "O2", "O3", "O4", "O5", "O6", "O7"]),
        "customer_id": try .string(["C1", "C1", "C2", "C2", "C3", "C5", "C4"]),
        "ordered_at": .timestamp([0, 4, 1, 5, 3, -28, -40].map { at($0) }),
        "amount": money([10000, 5000, 8000, 2000, 4000, 3000, 6000]),
        "status": try .string(["completed", "completed", "completed", "cancelled", "completed", "completed", "completed"], layout: .dictionary),
    ])

    static let returns = try! Table([
        "return_id": try .string(["X1", "X2", "X3"]),
        "order_id": try .string(["O3", "O3", "O2"]),
        "customer_id": try .string(["C2", "C2", "C1"]),
        "returned_at": .timestamp([3, 4, 6].map { at($0) }),
        "amount": money([8000, 1000, 2500]),
    ])

    static let carts = try! Table([
        "cart_id": try .string(["K1", "K2", "K3", "K4", "K5"]),
        "customer_id": try .string(["C2", "C2", "C5", nil, "C3"]),
        "abandoned_at": .timestamp([1, 2, 3, 4, 5].map { at($0) }),
        "value": money([1200, 800, 500, 700, 900]),
    ])

    static func fusion() throws -> Fusion {
        try Fusion(customers: customers, answers: answers, orders: orders, returns: returns, carts: carts)
    }
}
