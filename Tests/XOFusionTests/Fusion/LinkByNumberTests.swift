import Testing
@testable import XOFusion

/// Linking rows by an ID of another table (returns to orders, reviews to orders) takes an array indexed
/// by number when both ID columns are one prefix + fixed-width digits; it must agree with the text path.
@Suite struct LinkByNumberTests {
    @Test(arguments: 0..<200)
    func agreesWithTheTextPath(seed: Int) throws {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let width = 1 + next(6)
        func id(_ number: Int) -> String {
            let digits = String(number)
            return "O" + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let limit = (0..<width).reduce(1) { r, _ in r * 10 } - 1
        // Numbers spread over more than one 64-bit word of the number bitmap now and then.
        let spread = [1, 1, 25][next(3)]  // spans stay under 1,024, which the number path always takes
        // Orders: numbered with gaps and repeats, some null; returns: known, unknown and null order ids.
        var orders: [String?] = (0..<next(60)).map { _ in next(8) == 0 ? nil : id(min(limit, next(40) * spread)) }
        if seed % 4 == 3 {
            // Every fourth seed: orders numbered one per row in row order, as exports number them (the target is its own index).
            let start = next(min(limit, 40) + 1)
            orders = (0..<min(next(60) + 1, limit - start + 1)).map { id(start + $0) }
        }
        var returns: [String?] = (0..<next(30)).map { _ in next(6) == 0 ? nil : id(min(limit, next(50) * spread)) }
        if next(10) == 0 { returns.append("O-not-a-number") }  // another shape: the text path only
        let target = try Table(["order_id": try .string(orders)]), source = try Table(["order_id": try .string(returns)])
        let text = try Fusion.linkByText(source, "order_id", to: target, "order_id", options: KernelOptions(threads: 1))
        let number = try Fusion.linkByNumber(source, "order_id", to: target, "order_id", options: KernelOptions(threads: 1))
        if returns.contains("O-not-a-number") || orders.allSatisfy({ $0 == nil }) || returns.allSatisfy({ $0 == nil }) {
            #expect(number == nil)
        } else {
            let linked = try #require(number)
            #expect(linked.rows == text.rows)
            #expect(linked.duplicates == text.duplicates)
        }
    }

    @Test func returnsReachTheirOrdersByHand() throws {
        let orders = try Table(["order_id": try .string(["O07", "O03", nil, "O07", "O05"])])
        let returns = try Table(["order_id": try .string(["O03", "O07", "O09", nil, "O05"])])
        let linked = try #require(try Fusion.linkByNumber(returns, "order_id", to: orders, "order_id", options: .default))
        #expect(linked.rows == [1, 0, -1, -1, 4])   // O07's first row wins; O09 and null reach nothing
        #expect(linked.duplicates == 1)              // the second O07, which a return names
    }
}
