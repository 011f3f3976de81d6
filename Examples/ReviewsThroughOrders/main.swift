// Reviews linked through orders: marketplace reviews carry an order number, not a customer;
// the orders export names the customer. A JSON map says which column is which, the review scale
// is 1–10, and only "delivered" orders count as completed.
//
//     swift run ReviewsThroughOrders                 # the bundled files in data/
//     swift run ReviewsThroughOrders path/to/dir     # your own files with the same names and a map.json
//
// `xofusion report --answers data/reviews.csv --customers data/customers.csv --orders data/orders.csv
//  --returns data/returns.csv --map data/map.json` prints every analysis of the same files.
import Foundation
import XOFusion

let folder = CommandLine.arguments.count > 1
    ? CommandLine.arguments[1]
    : URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("data").path

do {
    let map = try FusionMapFile.read(file: "\(folder)/map.json")
    let files = FusionFiles(
        answers: "\(folder)/reviews.csv", customers: "\(folder)/customers.csv",
        orders: "\(folder)/orders.csv", returns: "\(folder)/returns.csv")
    let loaded = try Fusion.load(files, map: map)
    let fusion = loaded.fusion

    // What could not be linked is reported, never dropped silently.
    print("Linked \(fusion.answers.rowCount - fusion.report.unlinkedAnswers) of \(fusion.answers.rowCount) reviews to a customer;"
        + " unlinked order numbers: \(fusion.report.unlinkedAnswerExamples.joined(separator: ", "))")

    let nps = try fusion.answers.npsSummary("recommend", scale: map.mapping.answers.npsScale)
    print("NPS on the 1–10 scale: \(String(format: "%+.1f", nps.score!)) (\(nps.promoters) promoters, \(nps.passives) passives, \(nps.detractors) detractors)")

    let scorecard = try fusion.scorecard()
    for segment in scorecard.segments where segment.customers > 0 {
        print("\(segment.segment): \(segment.customers) customers, revenue \(String(format: "%.2f", segment.revenue)),"
            + " return rate \(segment.returnRate.map { String(format: "%.1f%%", 100 * $0) } ?? "–")")
    }

    let risk = try fusion.revenueAtRisk(by: .customerColumn("region"))
    print("Revenue at risk: \(String(format: "%.2f", risk.overall.revenueAtRisk)) of \(String(format: "%.2f", risk.overall.revenue))")

    // Whom to call back first: detractors, most revenue at risk first, with their own words.
    let followUp = try fusion.followUp()
    let list = followUp.table
    for row in 0..<list.rowCount {
        print("Call \(list["client_ref"]![row]): NPS \(list["latest_nps"]![row]), at risk \(list["revenue_at_risk"]![row]), said \"\(list["latest_comment"]![row])\"")
    }
} catch {
    // On standard error, with a failing status, so that a script running the example notices.
    FileHandle.standardError.write(Data("reviews through orders failed: \(error)\n".utf8))
    exit(1)
}
