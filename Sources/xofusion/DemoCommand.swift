import ArgumentParser
import XOFusion

/// `xofusion demo`: builds a small table of survey answers fused with order
/// facts in code and prints it. Grows into the full CX demo with the analyses.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a small X+O table in code and print it."
    )

    @Option(name: .long, help: "How many rows to print.")
    var rows: Int = 10

    mutating func run() throws {
        guard rows >= 0 else { throw ValidationError("--rows must be 0 or more") }
        let table = try DemoData.answersWithOrders()
        print("Survey answers joined with each customer's latest order (built in code):\n")
        print(table.formatted(maxRows: rows))
        let nps = try table.int64("nps")
        let answered = nps.compactMap { $0 }
        let promoters = answered.filter { $0 >= 9 }.count
        let detractors = answered.filter { $0 <= 6 }.count
        let score = answered.isEmpty ? 0 : 100 * Double(promoters - detractors) / Double(answered.count)
        print("\nNPS over \(answered.count) answers (\(nps.nullCount) without a score): \(Int(score.rounded()))")
    }
}

/// The demo's hand-made data: ten answers, one per customer, with the amount
/// and status of the customer's latest order.
enum DemoData {
    struct Row: Codable {
        var customerID: String
        var respondedAt: Timestamp
        var nps: Int?
        var csat: Int?
        var channel: String
        var comment: String?
        var lastOrderAmount: ScaledDecimal?
        var lastOrderStatus: String?
        var signupDate: CivilDate

        enum CodingKeys: String, CodingKey {
            case customerID = "customer_id", respondedAt = "responded_at", nps, csat, channel, comment
            case lastOrderAmount = "last_order_amount", lastOrderStatus = "last_order_status"
            case signupDate = "signup_date"
        }
    }

    static func answersWithOrders() throws -> Table {
        func at(_ day: Int, _ hour: Int) -> Timestamp { Timestamp(year: 2025, month: 3, day: day, hour: hour)! }
        func money(_ text: String) -> ScaledDecimal { ScaledDecimal(text)! }
        func signup(_ month: Int) -> CivilDate { CivilDate(year: 2024, month: month, day: 1)! }
        let rows = [
            Row(customerID: "C001", respondedAt: at(1, 9), nps: 10, csat: 5, channel: "web", comment: "Fast delivery", lastOrderAmount: money("84.20"), lastOrderStatus: "completed", signupDate: signup(1)),
            Row(customerID: "C002", respondedAt: at(1, 11), nps: 3, csat: 2, channel: "app", comment: "Parcel arrived damaged", lastOrderAmount: money("129.99"), lastOrderStatus: "completed", signupDate: signup(2)),
            Row(customerID: "C003", respondedAt: at(2, 8), nps: 8, csat: 4, channel: "email", comment: nil, lastOrderAmount: money("18.50"), lastOrderStatus: "completed", signupDate: signup(2)),
            Row(customerID: "C004", respondedAt: at(2, 15), nps: nil, csat: 3, channel: "web", comment: "N/A", lastOrderAmount: nil, lastOrderStatus: nil, signupDate: signup(3)),
            Row(customerID: "C005", respondedAt: at(3, 10), nps: 9, csat: 5, channel: "store", comment: "Très bien 👍", lastOrderAmount: money("42.00"), lastOrderStatus: "completed", signupDate: signup(4)),
            Row(customerID: "C006", respondedAt: at(3, 17), nps: 6, csat: 3, channel: "app", comment: "Refund took two weeks", lastOrderAmount: money("64.75"), lastOrderStatus: "cancelled", signupDate: signup(5)),
            Row(customerID: "C007", respondedAt: at(4, 12), nps: 9, csat: nil, channel: "web", comment: "配送が速い", lastOrderAmount: money("230.00"), lastOrderStatus: "completed", signupDate: signup(6)),
            Row(customerID: "C008", respondedAt: at(4, 13), nps: 0, csat: 1, channel: "email", comment: "Never again", lastOrderAmount: money("12.30"), lastOrderStatus: "completed", signupDate: signup(7)),
            Row(customerID: "C009", respondedAt: at(5, 9), nps: 7, csat: 4, channel: "web", comment: nil, lastOrderAmount: money("55.10"), lastOrderStatus: "completed", signupDate: signup(8)),
            Row(customerID: "C010", respondedAt: at(5, 18), nps: 10, csat: 5, channel: "app", comment: "Great support", lastOrderAmount: money("99.90"), lastOrderStatus: "completed", signupDate: signup(9)),
        ]
        let schema = try Schema([
            .init("customer_id", .string), .init("responded_at", .timestamp), .init("nps", .int64),
            .init("csat", .int64), .init("channel", .string), .init("comment", .string),
            .init("last_order_amount", .decimal(scale: 2)), .init("last_order_status", .string),
            .init("signup_date", .date),
        ])
        return try Table(rows: rows, schema: schema)
    }
}
