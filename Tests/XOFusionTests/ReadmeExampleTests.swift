import Foundation
import Testing
import XOFusion

/// The README's "Ten lines of use", verbatim, with the output it promises.
@Suite struct ReadmeExampleTests {
    struct Answer: Codable { var customer_id: String; var nps: Int?; var amount: ScaledDecimal? }

    @Test func readmeExampleDoesWhatItSays() throws {
        let answers = try Table(rows: [
            Answer(customer_id: "C1", nps: 9, amount: ScaledDecimal("18.50")),
            Answer(customer_id: "C2", nps: nil, amount: ScaledDecimal("120.00")),
        ])
        let regions = try Table(["customer_id": try .string(["C1", "C2"]), "region": try .string(["EU", "NA"], layout: .dictionary)])
        #expect(answers.description == """
            customer_id  nps    amount
            string       int64  decimal(2)
            ───────────  ─────  ──────────
            C1               9       18.50
            C2            null      120.00
            (2 rows × 3 columns)
            """)
        let nps = try answers.int64("nps")
        #expect(nps[1] == nil && nps.nullCount == 1)
        let back = try answers.rows(as: Answer.self)
        #expect(back.map(\.amount) == [ScaledDecimal("18.50"), ScaledDecimal("120.00")])
        #expect(regions.column(at: 1).stringLayout == .dictionary)
    }
}

/// The README's "Keys, kernels and joins" snippet, on small tables, so it keeps compiling and working.
@Suite struct ReadmeKernelsTests {
    @Test func kernelsSnippetRuns() throws {
        let customers = try Table(["customer_id": try .string(["C1", "C2", " C3"]), "region": try .string(["EU", "NA", "EU"])])
        let orders = try Table([
            "order_id": try .string(["O0000000001", "O0000000002", "O0000000003"]),
            "customer_id": try .string(["C1", "C1", "C9"]),
            "ordered_at": .timestamp([Timestamp("2025-03-01T10:00:00Z"), Timestamp("2025-03-02T10:00:00Z"), Timestamp("2025-03-02T11:00:00Z")]),
            "amount": .decimal(units: [1850, 999, 100], scale: 2),
            "status": try .string(["completed", "completed", "cancelled"], layout: .dictionary),
        ])
        let answers = try Table([
            "customer_id": try .string(["C1", "C1", "C2"]),
            "response_id": try .string(["S2", "S1", "S3"]),
            "responded_at": .timestamp([Timestamp("2025-03-02T12:00:00Z"), Timestamp("2025-03-02T12:00:00Z"), Timestamp("2025-03-03T09:00:00Z")]),
            "nps": .int64([9, 3, 7]),
        ])

        var keys = KeySpace(normalization: .standard)
        let (customerCodes, _) = try keys.encode(customers, column: "customer_id")
        let (orderCodes, report) = try keys.encode(orders, column: "customer_id", unknown: .reportAsNull)
        #expect(report.unknown == 1 && report.unknownExamples == ["C9"])
        #expect(customerCodes.keyCount == 3 && keys.code(of: "C3") == 2)  // " C3" trimmed

        let perCustomer = try orders.grouped(byKeyCodes: orderCodes, aggregates: [
            .count(as: "orders"), .sum("amount", as: "revenue"), .max("ordered_at", as: "last_order_at"),
        ])
        #expect(Array(try perCustomer.int64("orders")) == [2, 0, 0])
        let latest = try answers.grouped(by: ["customer_id"], aggregates: [
            .last("nps", by: "responded_at", tieBreak: "response_id", as: "latest_nps"),
        ])
        #expect(Array(try latest.int64("latest_nps")) == [9, 7])  // tie on time: the larger response id, S2
        let recent = try orders.filtered(.and([.compare("status", .equal, .string("completed")), .isNotNull("amount")]))
        #expect(recent.rowCount == 2)
        let fused = try answers.joined(with: customers, on: ["customer_id"], kind: .left,
                                       options: JoinOptions(validate: .manyToOne, maxRows: 10_000_000))
        #expect(Array(try fused.string("region")) == ["EU", "EU", "NA"])
        let attributed = try answers.asOfJoined(with: orders, leftTime: "responded_at", rightTime: "ordered_at",
                                                by: ["customer_id"], options: AsOfOptions(toleranceMicroseconds: AsOfOptions.days(30)))
        #expect(Array(try attributed.decimal("amount")) == [ScaledDecimal("9.99"), ScaledDecimal("9.99"), nil])

        let returns = try Table(["order_id": try .string(["O0000000002"])])
        let completed = try orders.rowMask(where: .compare("status", .equal, .string("completed")))
        let (answerCodes, _) = try keys.encode(answers, column: "customer_id", unknown: .reportAsNull)
        let latestOrder = try answers.asOfMatches(with: orders, leftTime: "responded_at", rightTime: "ordered_at",
                                                  leftCodes: answerCodes, rightCodes: orderCodes.keeping(completed))
        let returned = try orders.rowMask("order_id", isIn: returns, column: "order_id")
        #expect((0..<3).map { completed[$0] } == [true, true, false])
        #expect(latestOrder == [1, 1, nil])  // C1's answers at 12:00 → the 10:00 order; C2 has none
        #expect((0..<3).map { returned[$0] } == [false, true, false])
    }
}

/// The README's "Fusing X and O data" snippet, on the hand-computed tables.
@Suite struct ReadmeFusionSnippetTests {
    @Test func snippetRuns() throws {
        let (customers, answers, orders, returns, carts) = (HandExample.customers, HandExample.answers, HandExample.orders, HandExample.returns, HandExample.carts)
        let fusion = try Fusion(customers: customers, answers: answers, orders: orders, returns: returns, carts: carts)
        print(fusion.report)
        let profile = try fusion.customerProfile()
        let card = try fusion.scorecard()
        let attribution = try fusion.attribution()
        let trend = try fusion.trend(options: TrendOptions(period: .month, dimension: "region"))
        for incident in trend.incidents { print(incident) }
        let byChannel = try answers.experienceGrouped(by: ["channel"], metrics: [.nps("nps"), .csat("csat")], aggregates: [.count()])
        #expect(profile.table.rowCount == 5 && card.table.rowCount == 4 && attribution.table.rowCount == 3)
        #expect(try trend.table.rowCount == 2 && byChannel.rowCount == 3 && byChannel.int64("count").map { $0 } == [5, 3, 2])
    }
}

/// The README's "The analyses that drive action" snippet, on the hand-computed tables.
@Suite struct ReadmeActionSnippetTests {
    @Test func snippetRuns() throws {
        let fusion = try HandExample.fusion()
        let drivers = try fusion.drivers(of: "return_rate")
        for d in drivers.drivers { print(d.rank, d.driver, d.pearson?.r ?? .nan, d.relativeWeight ?? .nan) }
        let risk = try fusion.revenueAtRisk(by: .customerColumn("region"))
        print(risk.overall.revenueAtRisk, risk.overall.revenueWeightedNPS ?? .nan)
        let list = try fusion.followUp(options: FollowUpOptions(channels: ["web"], limit: 50))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("call-back-\(UUID().uuidString).csv").path
        try list.csv().write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journey = try fusion.journey()
        #expect(drivers.drivers.count == 4 && risk.groups.count == 2 && journey.steps.count == 3)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)   // header + C5
    }
}
