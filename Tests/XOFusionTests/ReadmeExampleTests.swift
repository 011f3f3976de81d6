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
