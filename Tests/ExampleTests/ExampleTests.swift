import Foundation
import Testing
import XOFusionCore

/// Runs the examples and `xofusion report` as a user does and checks what they print against figures
/// worked out by hand (Examples/README.md shows the arithmetic), so that no example silently breaks.
@Suite struct ExampleTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let data = repository.appendingPathComponent("Examples/ReviewsThroughOrders/data").path

    @Test func quickStartPrintsTheScorecardWorkedByHand() throws {
        let run = try Binary.run("QuickStart")
        #expect(run.status == 0, "\(run.stderr)")
        // Answers 10, 3, 9, 9, 5: 3 promoters, 2 detractors of 5 → +20. Latest answers: C2 is a detractor (5),
        // C1, C3, C4 promoters. C2's orders O2 80.00 (returned) and O3 40.00; the promoters' O1, O4, O5, O6.
        #expect(run.lines == [
            "4 customers",
            "every row matched a customer",
            "NPS 20.0 (n = 5: 3 promoters, 0 passives, 2 detractors)",
            "detractor: 1 customers, 2 orders, revenue 120.0, return rate 50%",
            "promoter: 3 customers, 4 orders, revenue 260.0, return rate 0%",
        ])
    }

    @Test func reviewsThroughOrdersLinksAndRanksAsWorkedByHand() throws {
        let run = try Binary.run("ReviewsThroughOrders")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines == [
            // RV-08 names order A-9999, which the orders file does not have.
            "Linked 8 of 9 reviews to a customer; unlinked order numbers: A-9999",
            // 1–10 scale: promoters 9–10 (10, 9, 9, 10), passives 7–8 (8, 7), detractors 1–6 (6, 3, 2): (4 − 3) / 9.
            "NPS on the 1–10 scale: +11.1 (4 promoters, 2 passives, 3 detractors)",
            // Latest review per customer: K-003 (3) and K-006 (2) detractors; K-005 (8) passive; K-001, K-002, K-004 promoters.
            // Delivered orders only: K-003 200.00 (returned; A-1005 is cancelled), K-006 150.00 (returned) + 70.00.
            "detractor: 2 customers, revenue 420.00, return rate 66.7%",
            "passive: 1 customers, revenue 35.00, return rate 0.0%",
            "promoter: 3 customers, revenue 464.50, return rate 0.0%",
            "Revenue at risk: 420.00 of 919.50",
            "Call K-006: NPS 2, at risk 220.0, said \"Wrong colour, slow refund\"",
            "Call K-003: NPS 3, at risk 200.0, said \"Broken on arrival; returned it\"",
        ])
    }

    @Test func theReadmeShowsTheBundledMap() throws {
        // The README's complete map example is the file the report test runs: they cannot drift apart.
        let readme = try String(contentsOfFile: Self.repository.appendingPathComponent("README.md").path, encoding: .utf8)
        let blocks = readme.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let map = try String(contentsOfFile: "\(Self.data)/map.json", encoding: .utf8)
        #expect(blocks.contains(map))
    }

    @Test func reportRunsEveryAnalysisOnTheExampleFilesThroughTheMap() throws {
        let followUp = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-follow-up-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: followUp) }
        let run = try Binary.run("xofusion", ["report"] + Self.files() + ["--map", "\(Self.data)/map.json", "--json", "--follow-up", followUp])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try JSONValue.parse(run.stdout)
        #expect(document["version"] == .int(1))
        #expect(document["inputs"]?[0]?["role"] == .string("answers"))
        #expect(document["inputs"]?[0]?["records"] == .int(9))
        #expect(document["inputs"]?[0]?["rejected"] == .int(0))
        #expect(document["overall"]?["nps"]?["n"] == .int(9))
        #expect(document["overall"]?["nps"]?["promoters"] == .int(4))
        #expect(document["overall"]?["nps"]?["detractors"] == .int(3))
        #expect(document["fusion"] == .array([.string("answers: 1 could not be linked to a customer through their order id (e.g. A-9999)")]))
        // No carts file: cart figures are unknown (null), not zero.
        let detractors = document["scorecard"]?[0]
        #expect(detractors?["segment"] == .string("detractor"))
        #expect(detractors?["customers"] == .int(2))
        #expect(detractors?["carts_per_customer"] == .null)
        #expect(document["revenueAtRisk"]?["overall"]?["revenueAtRisk"] == .double(420))
        // The journey by marketplace: bazaar 9, 3, 2, 7 → (1 − 2) / 4 = −25; shopmart 10, 6, 8, 9, 10 → (3 − 1) / 5 = +40.
        #expect(document["journey"]?["rows"]?[0]?["marketplace"] == .string("bazaar"))
        #expect(document["journey"]?["rows"]?[0]?["nps"] == .double(-25))

        let csv = try String(contentsOfFile: followUp, encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0].hasPrefix("client_ref,segment,latest_nps,revenue_at_risk,last_answer_at,latest_channel,latest_comment,"))
        #expect(csv[1].hasPrefix("K-006,detractor,2,220"))
        #expect(csv[2].hasPrefix("K-003,detractor,3,200"))
    }

    @Test func reportTakesACartsFileThroughTheMap() throws {
        // Three carts of the detractors K-003 (two) and K-006 (one), one of the promoter K-001, one of a guest.
        let carts = try Self.temporary("carts.csv", """
            cart_ref,client_ref,abandoned_at,cart_value
            C-1,K-003,2025-01-20T10:00:00Z,40.00
            C-2,K-003,2025-02-20T10:00:00Z,15.50
            C-3,K-006,2025-03-01T10:00:00Z,99.00
            C-4,K-001,2025-01-02T10:00:00Z,12.00
            C-5,,2025-01-03T10:00:00Z,8.00

            """)
        let map = try Self.temporary("map.json", try String(contentsOfFile: "\(Self.data)/map.json", encoding: .utf8)
            .replacingOccurrences(of: "\"report\":", with: "\"carts\": { \"customer\": \"client_ref\", \"time\": \"abandoned_at\", \"value\": \"cart_value\" },\n  \"report\":"))
        let run = try Binary.run("xofusion", ["report"] + Self.files() + ["--carts", carts, "--map", map, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try JSONValue.parse(run.stdout)
        #expect(document["inputs"]?[4]?["role"] == .string("carts") && document["inputs"]?[4]?["rows"] == .int(5))
        #expect(document["fusion"]?[0] == .string("carts: 1 rows without a customer ID (guest carts)"))
        // Detractors K-003 and K-006: 3 carts for 2 customers; with their 3 delivered orders, 3 of 6 baskets abandoned.
        let detractors = document["scorecard"]?[0]
        #expect(detractors?["segment"] == .string("detractor"))
        #expect(detractors?["carts_per_customer"] == .double(1.5))
        #expect(detractors?["cart_abandonment_rate"] == .double(0.5))
    }

    @Test func reportTextShowsTheFilesAndTheSections() throws {
        let run = try Binary.run("xofusion", ["report"] + Self.files() + ["--map", "\(Self.data)/map.json"])
        #expect(run.status == 0, "\(run.stderr)")
        for expected in ["Files:", "9 rows of 9 records", "Overall: NPS +11.1", "Segment scorecard", "Revenue at risk", "Journey by marketplace", "Follow-up", "K-006"] {
            #expect(run.stdout.contains(expected), "missing \(expected)")
        }
    }

    @Test func aBadMapStopsWithItsPlaceAndTheNearestKey() throws {
        let map = try Self.temporary("map.json", try String(contentsOfFile: "\(Self.data)/map.json", encoding: .utf8)
            .replacingOccurrences(of: "\"amount\": \"total_gross\"", with: "\"ammount\": \"total_gross\""))
        let run = try Binary.run("xofusion", ["report"] + Self.files() + ["--map", map])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(map): orders.ammount: unknown key; did you mean 'amount'?"))
        #expect(run.stdout.isEmpty)
    }

    @Test func aMapNamingAMissingColumnGetsTheFusionError() throws {
        let map = try Self.temporary("map.json", try String(contentsOfFile: "\(Self.data)/map.json", encoding: .utf8)
            .replacingOccurrences(of: "\"amount\": \"total_gross\"", with: "\"amount\": \"total\""))
        let run = try Binary.run("xofusion", ["report"] + Self.files() + ["--map", map])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the orders table has no column 'total' (mapped as its amount); did you mean 'total_gross'?"))
    }

    @Test func badRecordsStopAStrictReportAndAreSetAsideByALenientOne() throws {
        // Line 4: a score that is no number; line 6: 11 on a 1–10 scale.
        let reviews = try Self.temporary("reviews.csv", try String(contentsOfFile: "\(Self.data)/reviews.csv", encoding: .utf8)
            .replacingOccurrences(of: "2025-01-30T09:00:00Z,3,", with: "2025-01-30T09:00:00Z,eleven,")
            .replacingOccurrences(of: "2025-02-25T07:30:00Z,8,", with: "2025-02-25T07:30:00Z,11,"))
        let strict = try Binary.run("xofusion", ["report"] + Self.files(answers: reviews) + ["--map", "\(Self.data)/map.json"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("\(reviews):4 (byte 209): type in column 'recommend' (index 3): 'eleven' is not an int64"))

        let rejects = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-rejects-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: rejects) }
        let lenient = try Binary.run("xofusion", ["report"] + Self.files(answers: reviews) + ["--map", "\(Self.data)/map.json", "--lenient", "--json", "--rejects", rejects])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        let document = try JSONValue.parse(lenient.stdout)
        let answers = document["inputs"]?[0]
        #expect(answers?["records"] == .int(9))
        #expect(answers?["rows"] == .int(7))
        #expect(answers?["rejected"] == .int(2))
        #expect(answers?["rereadColumns"] == .array([.string("recommend")]))
        #expect(answers?["rejects"]?[0]?["line"] == .int(4))
        #expect(answers?["rejects"]?[1]?["line"] == .int(6))
        #expect(answers?["rejects"]?[1]?["kind"] == .string("out_of_range"))
        // The seven rows left: 10, 6, 9, 2, 9, 7, 10 → 4 promoters, 1 passive, 2 detractors.
        #expect(document["overall"]?["nps"]?["n"] == .int(7))
        #expect(document["overall"]?["nps"]?["promoters"] == .int(4))
        #expect(document["overall"]?["nps"]?["detractors"] == .int(2))
        let written = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        #expect(written.count == 3)
        #expect(written[0] == "role,file,line,column,kind,message,text")
        #expect(written[1].hasPrefix("answers,\(reviews),4,recommend,type,"))
        #expect(written[2].hasPrefix("answers,\(reviews),6,recommend,out_of_range,"))
    }

    static func files(answers: String = "\(data)/reviews.csv") -> [String] {
        ["--answers", answers, "--customers", "\(data)/customers.csv", "--orders", "\(data)/orders.csv", "--returns", "\(data)/returns.csv"]
    }

    static func temporary(_ name: String, _ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-example-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// A program built beside the test runner, run to completion.
enum Binary {
    struct Run {
        var status: Int32, stdout: String, stderr: String
        var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    }

    /// The build products folder: where the test runner itself lies.
    static var productsFolder: URL {
        #if os(Linux)
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        #else
        Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }!.bundleURL.deletingLastPathComponent()
        #endif
    }

    static func run(_ name: String, _ arguments: [String] = []) throws -> Run {
        let process = Process()
        process.executableURL = productsFolder.appendingPathComponent(name)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so that a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

extension JSONValue {
    /// The value of `key` in an object (the first, if repeated).
    subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The element at `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
