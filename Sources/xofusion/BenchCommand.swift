import ArgumentParser
import Foundation
import XOFusion

/// `xofusion bench`: times the benchmark's queries on the CSV files of a directory.
///
/// Today it runs Q0 (loading the five files with the full schema); Q1–Q4 come
/// with the CX analyses they measure.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the X+O benchmark queries on the files of a directory (today: q0, the load).",
        discussion: "Prints each query's median wall time and peak RSS. Keep the files in the page cache with ../shared/bench/pin.py."
    )

    static let supportedQueries = ["q0"]

    @Option(help: "The directory with customers.csv, surveys.csv, orders.csv, returns.csv and carts.csv.")
    var data: String

    @Option(help: "Comma-separated queries to run (supported: \(BenchCommand.supportedQueries.joined(separator: ", "))).")
    var queries = "q0"

    @Option(help: "Repetitions per query; the median is reported.")
    var `repeat` = 3

    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Write one JSON document (run_peers.py's structure for one engine) to standard output.")
    var json = false

    func validate() throws {
        for query in queryList where !BenchCommand.supportedQueries.contains(query) {
            throw ValidationError("unknown or not yet supported query '\(query)'; supported: \(BenchCommand.supportedQueries.joined(separator: ", ")) (q1–q4 arrive with the CX analyses)")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var queryList: [String] { queries.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    mutating func run() throws {
        var phases: [(String, JSONValue)] = []
        if queryList.contains("q0") {
            var times: [Double] = []
            var firstPeak = 0.0
            for repetition in 0..<`repeat` {
                MemoryProbe.resetPeak()
                let start = DispatchTime.now().uptimeNanoseconds
                let dataset: BenchDataset
                do { dataset = try BenchDataset.load(from: data, threads: threads) } catch { throw CleanExit.failure("\(error)") }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if repetition == 0 { firstPeak = MemoryProbe.peakMiB() }
                times.append(seconds)
                let rows = [dataset.customers, dataset.surveys, dataset.orders, dataset.returns, dataset.carts].map(\.rowCount)
                FileHandle.standardError.write(Data("q0 rep \(repetition + 1): \(String(format: "%.3f", seconds)) s, rows \(rows), RSS now \(Int(MemoryProbe.currentMiB())) MiB\n".utf8))
            }
            let median = times.sorted()[times.count / 2]
            if !json { print("q0  median \(String(format: "%.3f", median)) s  peak RSS \(Int(firstPeak)) MiB  (times: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))") }
            phases.append(("q0", .object([("times", .array(times.map { .double($0) })), ("median_s", .double(median)), ("peak_rss_mib", .double(firstPeak))])))
        }
        if json {
            let engine = JSONValue.object([
                ("engine", .string("xofusion")), ("threads", .int(threads ?? ProcessInfo.processInfo.activeProcessorCount)), ("phases", .object(phases)),
            ])
            print(JSONValue.object([("engines", .array([engine]))]).serialized(pretty: true))
        }
    }
}

/// Peak resident memory, as run_peers.py measures it: VmHWM, reset through /proc/self/clear_refs.
enum MemoryProbe {
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func peakMiB() -> Double { statusField("VmHWM") }
    static func currentMiB() -> Double { statusField("VmRSS") }

    private static func statusField(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? 0
            return kib / 1024
        }
        return 0
    }
}
