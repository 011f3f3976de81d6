import ArgumentParser
import Foundation
import XOFusion

/// `xofusion inspect FILE`: what a CSV file holds, as the reader sees it.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Read a CSV file and show its columns' kinds, row count, null counts and rejected records."
    )

    @Argument(help: "The CSV file.")
    var file: String

    @Option(name: .customLong("header-rows"), help: "How many records at the top are header rows (Qualtrics: 3).")
    var headerRows = 1

    @Option(name: .customLong("name-row"), help: "Which header row (1-based) names the columns.")
    var nameRow = 1

    @Option(help: "The field delimiter: one character, or 'tab'.")
    var delimiter = ","

    @Option(name: .customLong("null-token"), help: "An unquoted text that means null (repeatable), besides the empty field.")
    var nullTokens: [String] = []

    @Flag(help: "Stop with an error at the first bad record instead of collecting rejects.")
    var strict = false

    @Flag(help: "Write one JSON document to standard output.")
    var json = false

    func validate() throws {
        guard delimiterCharacter != nil else {
            throw ValidationError("--delimiter must be one ASCII character (other than a quote or a line break) or 'tab', not '\(delimiter)'")
        }
        guard headerRows >= 0 else { throw ValidationError("--header-rows must be 0 or more") }
        guard headerRows == 0 || (1...headerRows).contains(nameRow) else {
            throw ValidationError("--name-row must be between 1 and --header-rows (\(headerRows))")
        }
    }

    var delimiterCharacter: Character? {
        if delimiter == "tab" || delimiter == "\\t" { return "\t" }
        guard delimiter.count == 1, let c = delimiter.first, c.isASCII, !"\"\r\n".contains(c) else { return nil }
        return c
    }

    mutating func run() throws {
        var options = CSVReadOptions(
            delimiter: delimiterCharacter!, headerRows: headerRows, nameRow: nameRow, nullTokens: nullTokens,
            policy: strict ? .strict : .collect())
        options.inferenceSampleRecords = nil
        let result: CSVReadResult
        do {
            result = try CSVReader.read(file: file, options: options)
        } catch {
            throw CleanExit.failure("\(error)")
        }
        if json {
            print(InspectDocument.json(for: result).serialized(pretty: true))
        } else {
            print(InspectText.render(result))
        }
    }
}

/// The text `xofusion inspect` prints for people.
enum InspectText {
    static let shownRejects = 20

    static func render(_ result: CSVReadResult) -> String {
        let report = result.report
        var lines = ["\(report.file): \(report.rows) rows loaded, \(report.rejected) rejected, of \(report.records) records (\(report.bytes) bytes)"]
        if report.blankLines > 0 { lines.append("\(report.blankLines) blank lines skipped") }
        for rename in report.renamedHeaders { lines.append("header '\(rename.from)' renamed to '\(rename.to)'") }
        let columns = try! Table([
            "column": try! .string(report.columns.map(\.name)),
            "kind": try! .string(report.columns.map(\.kind.description)),
            "nulls": .int64(report.columns.map { Int64($0.nulls) }),
            "layout": try! .string(report.columns.map { $0.layout?.rawValue ?? "-" }),
        ])
        lines.append("")
        lines.append(columns.formatted(maxRows: Int.max))
        if !result.rejects.isEmpty {
            let shown = min(shownRejects, result.rejects.count)
            lines.append("")
            lines.append("rejects (\(shown == result.rejects.count ? "all \(shown)" : "first \(shown) of \(result.rejects.count)")):")
            for reject in result.rejects.prefix(shown) {
                let place = reject.column.map { " in column '\($0)' (index \(reject.columnIndex!))" } ?? ""
                lines.append("  line \(reject.line) (byte \(reject.byte)): \(reject.kind.rawValue)\(place): \(reject.message)")
                lines.append("    \(reject.text)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// An error that prints its message alone on standard error and exits 1.
struct CleanExit: Error, CustomStringConvertible {
    let description: String
    static func failure(_ message: String) -> CleanExit { CleanExit(description: message) }
}
