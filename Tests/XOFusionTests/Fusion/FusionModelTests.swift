import Testing
import XOFusion

/// Mappings, roles, linking and the errors a bad mapping gets.
@Suite struct FusionModelTests {
    let customers = HandExample.customers, answers = HandExample.answers, orders = HandExample.orders

    @Test func defaultsFindTheUsualNames() throws {
        let fusion = try HandExample.fusion()
        let c = fusion.columns
        #expect(c.customerID == "customer_id" && c.answerTime == "responded_at" && c.responseID == "response_id")
        #expect(c.nps == "nps" && c.csat == "csat" && c.ces == "ces" && c.sentiment == "sentiment" && c.channel == "channel" && c.comment == "comment")
        #expect(c.orderTime == "ordered_at" && c.orderAmount == "amount" && c.orderStatus == "status" && c.returnOrderID == "order_id")
        #expect(c.cartValue == "value")
    }

    @Test func explicitMappingForARealExport() throws {
        let export = try Table([
            "Contact": try .string(["C1", "C3"]), "Submitted": .timestamp([HandExample.at(1), HandExample.at(2)]),
            "Q1_recommend": .int64([5, 3] as [Int64?]),
        ])
        var mapping = FusionMapping()
        mapping.answers.customer = "Contact"
        mapping.answers.time = "Submitted"
        mapping.answers.nps = "Q1_recommend"
        mapping.answers.npsScale = .oneToFive
        let fusion = try Fusion(customers: customers, answers: export, mapping: mapping)
        // 1–5: 5 promoter, 3 detractor.
        #expect(try fusion.customerProfile().table.string("segment").map { $0 } == ["promoter", "none", "detractor", "none", "none"])
    }

    @Test func missingColumnSuggestsNearestNames() {
        var mapping = FusionMapping()
        mapping.answers.nps = "nsp"
        #expect(throws: FusionError.missingColumn(role: .answers, field: "nps", column: "nsp", suggestions: ["nps"])) {
            try Fusion(customers: customers, answers: answers, mapping: mapping)
        }
        // A required column with none of the usual names.
        let noTime = try! Table(["customer_id": try! .string(["C1"]), "nps": .int64([9] as [Int64?])])
        #expect(throws: FusionError.self) { try Fusion(customers: customers, answers: noTime) }
        do {
            _ = try Fusion(customers: customers, answers: noTime)
        } catch {
            #expect(error.description.contains("needs a time column"))
        }
    }

    @Test func wrongKinds() throws {
        let textScores = try Table([
            "customer_id": try .string(["C1"]), "responded_at": .timestamp([HandExample.at(1)]), "nps": try .string(["nine"]),
        ])
        #expect(throws: FusionError.wrongKind(role: .answers, column: "nps", kind: .string, expected: "int64 (whole-number scores)")) {
            try Fusion(customers: customers, answers: textScores)
        }
        let textTimes = try Table(["customer_id": try .string(["C1"]), "responded_at": try .string(["yesterday"])])
        #expect(throws: FusionError.wrongKind(role: .answers, column: "responded_at", kind: .string, expected: "a time (timestamp or date)")) {
            try Fusion(customers: customers, answers: textTimes)
        }
    }

    @Test func aRoleWithoutATable() throws {
        let fusion = try Fusion(customers: customers, answers: answers)
        #expect(throws: FusionError.missingRole(.orders, neededBy: "the scorecard")) { try fusion.scorecard() }
        #expect(throws: FusionError.missingRole(.orders, neededBy: "attribution")) { try fusion.attribution() }
        // The profile and the trend work on answers alone, without order columns.
        #expect(try fusion.customerProfile().table["order_count"] == nil)
        #expect(try fusion.trend().table.rowCount == 1)
        var mapping = FusionMapping()
        mapping.answers.linkThroughOrders = true
        mapping.answers.orderID = "response_id"
        #expect(throws: FusionError.missingRole(.orders, neededBy: "linking answers through their order id")) {
            try Fusion(customers: customers, answers: answers, mapping: mapping)
        }
    }

    @Test func duplicateAndNullCustomers() throws {
        let twice = try Table(["customer_id": try .string(["C1", "C2", "C1", " C2"])])
        #expect(throws: FusionError.duplicateCustomers(column: "customer_id", examples: ["C1"], count: 1)) { try Fusion(customers: twice, answers: answers) }
        var mapping = FusionMapping()
        mapping.normalization = .standard                 // " C2" trims to "C2": a second duplicate
        #expect(throws: FusionError.duplicateCustomers(column: "customer_id", examples: ["C1", "C2"], count: 2)) {
            try Fusion(customers: twice, answers: answers, mapping: mapping)
        }
        let blank = try Table(["customer_id": try .string(["C1", nil])])
        #expect(throws: FusionError.nullCustomerID(role: .customers, column: "customer_id", row: 1)) { try Fusion(customers: blank, answers: answers) }
    }

    @Test func outOfScaleScoresInATableBuiltInCode() throws {
        let bad = try Table(["customer_id": try .string(["C1", "C2"]), "responded_at": .timestamp([HandExample.at(1), HandExample.at(2)]), "nps": .int64([9, 12] as [Int64?])])
        // Scores are checked when the fusion is built, before any analysis reads them.
        #expect(throws: FusionError.outOfScale(role: .answers, column: "nps", row: 1, value: "12", scale: NPSScale.standard.description)) {
            try Fusion(customers: customers, answers: bad)
        }
    }

    @Test func reviewsReachCustomersThroughTheirOrder() throws {
        // Marketplace reviews: an order id, no customer.
        let reviews = try Table([
            "review_id": try .string(["V1", "V2", "V3", "V4"]),
            "order_id": try .string(["O1", "O3", "O99", nil]),
            "submitted_at": .timestamp([HandExample.at(2), HandExample.at(3), HandExample.at(4), HandExample.at(5)]),
            "nps": .int64([10, 2, 9, 9] as [Int64?]),
        ])
        let fusion = try Fusion(customers: customers, answers: reviews, orders: orders, returns: HandExample.returns)
        #expect(fusion.columns.answerCustomer == nil && fusion.columns.answerOrderID == "order_id")
        #expect(fusion.report.unlinkedAnswers == 2)
        #expect(fusion.report.unlinkedAnswerExamples == ["O99", "null"])
        // V1 → O1 → C1 (promoter), V2 → O3 → C2 (detractor).
        #expect(try fusion.customerProfile().table.string("segment").map { $0 } == ["promoter", "detractor", "none", "none", "none"])
        // Each linked review is attributed to its customer's latest completed order at or before it: V1 → O1, V2 → O3 (returned).
        let attribution = try fusion.attribution()
        #expect(try attribution.table.int64("responses").map { $0 } == [0, 1, 1], "\(attribution.table)")
    }

    @Test func returnsThatNameNoOrderAreReported() throws {
        let returns = try Table([
            "order_id": try .string(["O4", "O77", "O1", "O5", "O2", "O3", "O1"]),
            "customer_id": try .string(["C2", "C1", "C2", "C4", "C1", "C2", "C1"]),
            "amount": HandExample.money([100, 200, 300, 400, 500, 600, 700]),
        ])
        let report = try Fusion(customers: customers, answers: answers, orders: orders, returns: returns).report
        #expect(report.returnsOfUncompletedOrders == 1)   // O4 is cancelled
        #expect(report.returnsWithoutOrder == 1)          // O77
        #expect(report.returnsOfAnotherCustomer == 2)     // O1 is C1's, O5 is C3's; the other four name their own customer's order
        #expect(report.ordersReturnedMoreThanOnce == 1)   // O1
    }

    @Test func ticketsAndAnAsOfDate() throws {
        let tickets = try Table(["customer_id": try .string(["C2", "C2", "C5", "C7"]), "opened_at": .timestamp([0, 6, 2, 1].map { HandExample.at($0) })])
        let fusion = try Fusion(customers: customers, answers: answers, orders: orders, returns: HandExample.returns, carts: HandExample.carts, tickets: tickets)
        #expect(fusion.report.unmatched[.tickets] == 1)                          // C7
        #expect(try fusion.customerProfile().table.int64("ticket_count").map { $0 } == [0, 2, 0, 0, 1])
        // As of day 2: C1's latest NPS is R01 (10), C2's is R03 (3); O2 (day 4) and the day-6 ticket do not count yet.
        let early = try fusion.customerProfile(options: ProfileOptions(asOf: HandExample.at(2))).table
        #expect(try early.int64("latest_nps").map { $0 } == [10, 3, nil, nil, 7])
        #expect(try early.int64("order_count").map { $0 } == [1, 1, 0, 1, 1])
        #expect(try early.int64("ticket_count").map { $0 } == [0, 1, 0, 0, 1])
        #expect(try early.int64("cart_count").map { $0 } == [0, 2, 0, 0, 0])
    }
}
