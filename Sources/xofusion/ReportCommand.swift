import ArgumentParser
import Foundation
import XOFusion

/// `xofusion report`: every analysis of the demo, on a user's CSV files.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Fuse your CSV files (answers, customers, orders, …) and print every analysis.",
        discussion: """
            Columns are found by their usual names (customer_id, responded_at, nps, ordered_at, amount, …); \
            --map names them for real exports, with the scores' scales, each file's CSV options and links \
            (answers that carry only an order id reach the customer through the orders file). \
            Reads are strict: the first bad record stops the report with its file, line, column and reason. \
            With --lenient every bad record is set aside with its reason, counted and shown, and the rest is analysed.
            """
    )

    @Option(help: "Survey answers or reviews (CSV).") var answers: String
    @Option(help: "One row per customer (CSV).") var customers: String
    @Option(help: "Orders (CSV).") var orders: String?
    @Option(help: "Return rows, each naming an order (CSV).") var returns: String?
    @Option(help: "Abandoned carts (CSV).") var carts: String?
    @Option(help: "Support tickets (CSV).") var tickets: String?
    @Option(help: "A JSON map: roles' columns, scales, CSV options, report options (see the README).") var map: String?
    @Flag(help: "Set bad records aside with their reasons instead of stopping at the first.") var lenient = false
    @Option(name: .customLong("max-rejects"), help: "With --lenient: stop when a file has more bad records than this.") var maxRejects: Int?
    @Option(name: .customLong("follow-up"), help: "Write the whole follow-up list (every customer to call back) to this CSV file.") var followUp: String?
    @Option(help: "Write every rejected record (file, line, column, reason, text) to this CSV file.") var rejects: String?
    @Option(help: "Threads for reading and analysing (default: all cores).") var threads: Int?
    @Flag(help: "Write one JSON document to standard output instead of text.") var json = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let maxRejects {
            guard lenient else { throw ValidationError("--max-rejects needs --lenient") }
            guard maxRejects >= 0 else { throw ValidationError("--max-rejects must be 0 or more") }
        }
    }

    mutating func run() throws {
        let files = FusionFiles(answers: answers, customers: customers, orders: orders, returns: returns, carts: carts, tickets: tickets)
        let loaded: LoadedFusion, report: AnalysisReport
        do {
            let mapFile = try map.map { (path) throws(FusionMapError) in try FusionMapFile.read(file: path) } ?? FusionMapFile()
            loaded = try Fusion.load(files, map: mapFile, policy: lenient ? .collect(limit: maxRejects) : .strict, options: KernelOptions(threads: threads))
            report = try AnalysisReport(fusion: loaded.fusion, options: mapFile.report)
            if let followUp {
                let list = try loaded.fusion.followUp(options: FollowUpOptions(limit: nil))
                try Data(list.csv().utf8).write(to: URL(fileURLWithPath: followUp))
            }
            if let rejects { try Data(RejectsCSV.render(loaded).utf8).write(to: URL(fileURLWithPath: rejects)) }
        } catch {
            throw CleanExit.failure("xofusion report: \(error)")
        }
        if json {
            print(report.json(extra: [("inputs", Inputs.json(loaded))]).serialized(pretty: true))
        } else {
            print(Inputs.text(loaded, shown: 5))
            print(report.text(), terminator: "")
            if let followUp { print("\nFollow-up list: \(report.followUp.map { "\($0.matched)" } ?? "0") customers written to \(followUp)") }
            if let rejects { print("Rejected records: \(loaded.reads.values.reduce(0) { $0 + $1.rejects.count }) written to \(rejects)") }
        }
    }
}

/// What each file contributed: records, rows, rejects.
enum Inputs {
    static func ordered(_ loaded: LoadedFusion) -> [(FusionRole, CSVReadResult)] {
        FusionRole.allCases.compactMap { role in loaded.reads[role].map { (role, $0) } }
    }

    static func text(_ loaded: LoadedFusion, shown: Int) -> String {
        var lines = ["Files:"]
        for (role, read) in ordered(loaded) {
            let r = read.report
            lines.append("  \(role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(r.file): \(r.rows) rows"
                + (r.rejected > 0 ? ", \(r.rejected) rejected" : "") + " of \(r.records) records")
            for reject in read.rejects.prefix(shown) { lines.append("    \(reject)") }
            if read.rejects.count > shown { lines.append("    … and \(read.rejects.count - shown) more (--rejects FILE writes them all)") }
        }
        for reread in loaded.rereads {
            lines.append("  \(reread.role.rawValue): read again with \(reread.columns.map { "'\($0)'" }.joined(separator: ", ")) checked against the kinds and scales the analyses need")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ loaded: LoadedFusion) -> JSONValue {
        .array(ordered(loaded).map { role, read in
            let r = read.report
            return .object([
                ("role", .string(role.rawValue)), ("file", .string(r.file)), ("records", .int(r.records)), ("rows", .int(r.rows)),
                ("rejected", .int(r.rejected)),
                ("rereadColumns", .array((loaded.rereads.first { $0.role == role }?.columns ?? []).map { .string($0) })),
                ("rejects", .array(read.rejects.prefix(20).map { j in
                    .object([("line", .int(j.line)), ("column", j.column.map { .string($0) } ?? .null), ("kind", .string(j.kind.rawValue)),
                             ("message", .string(j.message)), ("text", .string(j.text))])
                })),
            ])
        })
    }
}

/// Every rejected record of every file as one CSV table.
enum RejectsCSV {
    static func render(_ loaded: LoadedFusion) throws -> String {
        let all = Inputs.ordered(loaded).flatMap { role, read in read.rejects.map { (role, $0) } }
        let table = try Table([
            "role": try .string(all.map { $0.0.rawValue }),
            "file": try .string(all.map { $0.1.file }),
            "line": .int64(all.map { Int64($0.1.line) }),
            "column": try .string(all.map { $0.1.column }),
            "kind": try .string(all.map { $0.1.kind.rawValue }),
            "message": try .string(all.map { $0.1.message }),
            "text": try .string(all.map { $0.1.text }),
        ])
        return CSVWriter.string(from: table)
    }
}
