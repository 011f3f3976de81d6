import Foundation
import Testing
import XOFusion

@Suite struct FusionMapFileTests {
    @Test func readsEveryPartOfAMap() throws {
        let map = try FusionMapFile(json: """
            {
              "version": 1, "description": "all of it",
              "customers": { "customer": "client", "csv": { "delimiter": ";", "headerRows": 3, "nameRow": 2, "nullTokens": ["NA"], "timeZone": "+01:30",
                                                            "kinds": { "client": "string", "zip": "decimal(2)" } } },
              "answers": { "orderID": "ref", "linkThroughOrders": true, "time": "at", "responseID": "rid", "nps": "q1",
                           "npsScale": { "range": [1, 10], "promoters": [9, 10], "passives": [7, 8] }, "csat": "q2", "csatScale": "1-5",
                           "ces": "q3", "cesScale": "1-5", "sentiment": "s", "sentimentScale": { "range": [-5, 5], "threshold": 1 },
                           "channel": "src", "comment": "txt", "csv": { "delimiter": "tab", "timeZone": "Europe/Berlin" } },
              "orders": { "customer": "c", "orderID": "o", "time": "t", "amount": "a", "status": "st", "completedStatuses": ["shipped", "delivered"] },
              "returns": { "customer": "c", "orderID": "o", "time": "t", "amount": "r" },
              "carts": { "customer": "c", "time": "t", "value": "v" },
              "tickets": { "customer": "c", "time": "t" },
              "normalization": { "trimWhitespace": true, "caseFolding": true },
              "report": { "dimension": "region", "period": "quarter", "driversOutcome": "revenue", "followUpLimit": 7, "followUpShown": 3 }
            }
            """)
        var expected = FusionMapping()
        expected.customers.customer = "client"
        expected.answers.orderID = "ref"
        expected.answers.linkThroughOrders = true
        (expected.answers.time, expected.answers.responseID, expected.answers.nps, expected.answers.csat) = ("at", "rid", "q1", "q2")
        (expected.answers.ces, expected.answers.sentiment, expected.answers.channel, expected.answers.comment) = ("q3", "s", "src", "txt")
        expected.answers.npsScale = .oneToTen
        expected.answers.cesScale = .ces5
        expected.answers.sentimentScale = SentimentScale(range: -5...5, threshold: 1)!
        (expected.orders.customer, expected.orders.orderID, expected.orders.time, expected.orders.amount, expected.orders.status) = ("c", "o", "t", "a", "st")
        expected.orders.completedStatuses = ["shipped", "delivered"]
        (expected.returns.customer, expected.returns.orderID, expected.returns.time, expected.returns.amount) = ("c", "o", "t", "r")
        (expected.carts.customer, expected.carts.time, expected.carts.value) = ("c", "t", "v")
        (expected.tickets.customer, expected.tickets.time) = ("c", "t")
        expected.normalization = KeyNormalization(trimWhitespace: true, caseFolding: true)
        #expect(map.mapping == expected)
        #expect(map.report == ReportOptions(dimension: "region", period: .quarter, driversOutcome: "revenue", followUpLimit: 7, followUpShown: 3))

        var customersCSV = CSVReadOptions(delimiter: ";", headerRows: 3, nameRow: 2, nullTokens: ["NA"])
        customersCSV.defaultTimeZone = .fixedOffset(seconds: 5400)
        customersCSV.schema = CSVSchema([ColumnSpec("client", .string), ColumnSpec("zip", .decimal(scale: 2))])
        #expect(map.csv[.customers] == customersCSV)
        var answersCSV = CSVReadOptions(delimiter: "\t")
        answersCSV.defaultTimeZone = .named("Europe/Berlin")
        #expect(map.csv[.answers] == answersCSV)
        #expect(map.csv[.orders] == nil)
    }

    @Test func anEmptyMapIsTheDefaults() throws {
        let map = try FusionMapFile(json: "{}")
        #expect(map == FusionMapFile())
    }

    @Test(arguments: [
        ("[]", "m.json: the document: must be an object, not an array"),
        ("{\"version\": 2}", "m.json: version: this reader understands version 1, not 2"),
        ("{\"answer\": {}}", "m.json: answer: unknown key; did you mean 'answers'?"),
        ("{\"orders\": {\"ammount\": \"x\"}}", "m.json: orders.ammount: unknown key; did you mean 'amount'?"),
        ("{\"orders\": {\"amount\": 3}}", "m.json: orders.amount: must be a string, not a number"),
        ("{\"orders\": {\"amount\": \"\"}}", "m.json: orders.amount: must not be empty"),
        ("{\"orders\": {\"amount\": \"a\", \"amount\": \"b\"}}", "m.json: orders.amount: the key appears twice"),
        ("{\"orders\": {\"completedStatuses\": []}}", "m.json: orders.completedStatuses: must name at least one status"),
        ("{\"orders\": {\"completedStatuses\": [\"ok\", 1]}}", "m.json: orders.completedStatuses[1]: must be a string, not a number"),
        ("{\"answers\": {\"customer\": \"c\", \"linkThroughOrders\": true}}",
         "m.json: answers.linkThroughOrders: is true, so answers reach the customer through orders; drop answers.customer"),
        ("{\"answers\": {\"linkThroughOrders\": \"yes\"}}", "m.json: answers.linkThroughOrders: must be true or false, not a string"),
        ("{\"answers\": {\"npsScale\": \"1-11\"}}",
         "m.json: answers.npsScale: '1-11' is not a named NPS scale; use '0-10', '1-10', '1-5', '1-7' or {\"range\", \"promoters\", \"passives\"}"),
        ("{\"answers\": {\"npsScale\": {\"range\": [0, 10], \"promoters\": [9, 10], \"passives\": [6, 7]}}}",
         "m.json: answers.npsScale: promoters must end at the top of the range, passives directly below them, and detractors below the passives"),
        ("{\"answers\": {\"npsScale\": {\"range\": [10, 0]}}}", "m.json: answers.npsScale.range: the low end 10 lies above the high end 0"),
        ("{\"answers\": {\"npsScale\": {\"range\": [0, 10], \"promoters\": [9, 10]}}}", "m.json: answers.npsScale.passives: is required: [low, high]"),
        ("{\"answers\": {\"csatScale\": \"1-7\"}}", "m.json: answers.csatScale: '1-7' is not a named scale here; use '1-5' or {\"range\", \"topBox\"}"),
        ("{\"answers\": {\"cesScale\": {\"range\": [1, 7], \"topBox\": [1, 7]}}}",
         "m.json: answers.cesScale: the top box must end at the top of the range and leave answers below it"),
        ("{\"answers\": {\"sentimentScale\": {\"threshold\": -1}}}", "m.json: answers.sentimentScale.threshold: must be 0 or more"),
        ("{\"answers\": {\"csv\": {\"delimiter\": \"ab\"}}}",
         "m.json: answers.csv.delimiter: must be one ASCII character other than a quote or a line break, or 'tab'"),
        ("{\"answers\": {\"csv\": {\"headerRows\": 2, \"nameRow\": 3}}}", "m.json: answers.csv.nameRow: must lie between 1 and headerRows (2)"),
        ("{\"answers\": {\"csv\": {\"headerRows\": -1}}}", "m.json: answers.csv.headerRows: must be at least 0, not -1"),
        ("{\"answers\": {\"csv\": {\"timeZone\": \"Mars/Olympus\"}}}",
         "m.json: answers.csv.timeZone: 'Mars/Olympus' is not a known time zone (use 'UTC', '+01:00' or an IANA name)"),
        ("{\"answers\": {\"csv\": {\"timeZone\": \"+1:00\"}}}", "m.json: answers.csv.timeZone: '+1:00' is not an offset like '+01:00'"),
        ("{\"answers\": {\"csv\": {\"kinds\": {\"nps\": \"integer\"}}}}",
         "m.json: answers.csv.kinds.nps: must be one of 'string', 'int64', 'double', 'decimal(S)', 'bool', 'date', 'timestamp'"),
        ("{\"normalization\": \"loose\"}", "m.json: normalization: 'loose' is not a named normalisation; use 'none', 'standard' or an object"),
        ("{\"report\": {\"period\": \"year\"}}", "m.json: report.period: 'year' is not a period; use 'day', 'week', 'month', 'quarter'"),
        ("{\"report\": {\"followUpLimit\": 1.5}}", "m.json: report.followUpLimit: must be a whole number, not a number"),
        ("{\"report\": {\"dimension\": \"region\",}}", "m.json: line 1, column 35: expected a key in double quotes, found '}'"),
    ])
    func namesThePlaceAndTheReason(json: String, message: String) {
        do {
            _ = try FusionMapFile(json: json, file: "m.json")
            Issue.record("no error for \(json)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect {
            _ = try FusionMapFile.read(file: "/nonexistent/map.json")
        } throws: { error in
            guard case FusionMapError.unreadable(let file, _) = error else { return false }
            return file == "/nonexistent/map.json"
        }
    }
}

@Suite struct FusionLoadTests {
    /// Writes the five files of a tiny fusion, with the given answers and orders text.
    static func files(answers: String, orders: String) throws -> FusionFiles {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xofusion-load-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        return FusionFiles(
            answers: try write("answers.csv", answers),
            customers: try write("customers.csv", "customer_id,region\n0012,EU\n0034,NA\n"),
            orders: try write("orders.csv", orders))
    }

    static let goodOrders = "order_id,customer_id,ordered_at,amount\nO1,0012,2025-03-01,10.50\nO2,0034,2025-03-02,20.00\n"

    @Test func loadsGoodFilesWithoutASecondRead() throws {
        let files = try Self.files(answers: "customer_id,responded_at,nps\n0012,2025-03-03T10:00:00Z,9\n0034,2025-03-04T10:00:00Z,4\n", orders: Self.goodOrders)
        let loaded = try Fusion.load(files)
        #expect(loaded.rereads.isEmpty)
        #expect(loaded.fusion.report.unmatched[.answers] == 0)
        // Leading zeros keep the IDs strings, so that 0012 matches 0012.
        #expect(loaded.fusion.customers["customer_id"]?.kind == .string)
        let profile = try loaded.fusion.customerProfile().summary
        #expect(profile.withNPS == 2)
        #expect(profile.revenue == 30.5)
    }

    @Test func mistypedColumnsAreReadAgainSoTheBadRecordsShowTheirLines() throws {
        // An order time that is no date (line 3) and an amount with a currency sign (line 4); an NPS of 12 (line 2).
        let orders = "order_id,customer_id,ordered_at,amount\nO1,0012,2025-03-01,10.50\nO2,0034,soon,20.00\nO3,0034,2025-03-05,$5\n"
        let answers = "customer_id,responded_at,nps\n0012,2025-03-03T10:00:00Z,12\n0034,2025-03-04T10:00:00Z,4\n"
        let files = try Self.files(answers: answers, orders: orders)

        #expect {
            _ = try Fusion.load(files)
        } throws: { error in
            guard case FusionLoadError.ingest(.answers, .badRecord(let reject)) = error else { return false }
            return reject.line == 2 && reject.column == "nps" && reject.kind == .outOfRange
        }

        let loaded = try Fusion.load(files, policy: .collect())
        #expect(loaded.rereads.map(\.role) == [.answers, .orders])
        #expect(loaded.rereads.map(\.columns) == [["nps"], ["ordered_at", "amount"]])
        let orderRejects = loaded.reads[.orders]!.rejects
        #expect(orderRejects.map(\.line) == [3, 4])
        #expect(orderRejects.map(\.column) == ["ordered_at", "amount"])
        #expect(loaded.reads[.orders]!.report.records == loaded.reads[.orders]!.report.rows + loaded.reads[.orders]!.report.rejected)
        #expect(loaded.fusion.orders?.rowCount == 1)
        #expect(loaded.fusion.answers.rowCount == 1)
        #expect(loaded.fusion.orders?["ordered_at"]?.kind == .date)
    }

    @Test func aKindFixedInTheMapIsKeptAndAWrongOneNamed() throws {
        let files = try Self.files(answers: "customer_id,responded_at,nps\n0012,2025-03-03T10:00:00Z,9\n", orders: Self.goodOrders)
        var map = FusionMapFile()
        map.csv[.answers] = CSVReadOptions(schema: CSVSchema([ColumnSpec("nps", .string)]))
        #expect(throws: FusionLoadError.fusion(.wrongKind(role: .answers, column: "nps", kind: .string, expected: "int64 (whole-number scores)"))) {
            try Fusion.load(files, map: map)
        }
    }

    @Test func anUnreadableFileNamesItsRole() throws {
        var files = try Self.files(answers: "customer_id,responded_at,nps\n", orders: Self.goodOrders)
        files.orders = "/nonexistent/orders.csv"
        #expect {
            _ = try Fusion.load(files)
        } throws: { error in
            guard case FusionLoadError.ingest(.orders, .unreadable(let file, _)) = error else { return false }
            return file == "/nonexistent/orders.csv"
        }
    }
}
