import ArgumentParser
import Foundation
import XOFusion

/// `xofusion bench`: times the benchmark's queries on the CSV files of a directory.
///
/// Q0 loads the five files with the general reader (schema, validation on) and
/// fuses them (customer keys encoded, returns linked to orders) with `Fusion.load`,
/// which begins the fusion of each file while the others are still read; Q1–Q4
/// call the analyses a user calls. Nothing is cached between repetitions. The
/// reading's time (the `q0 read` reference) runs until the last file is read.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the X+O benchmark queries (q0 load, q1 scorecard, q2 profile, q3 attribution, q4 trend) on the files of a directory.",
        discussion: "Prints each query's median wall time and peak RSS. Keep the files in the page cache with ../shared/bench/pin.py."
    )

    static let supportedQueries = ["q0", "q1", "q2", "q3", "q4"]

    @Option(help: "The directory with customers.csv, surveys.csv, orders.csv, returns.csv and carts.csv.")
    var data: String

    @Option(help: "Comma-separated queries to run (of q0, q1, q2, q3, q4).")
    var queries = "q0,q1,q2,q3,q4"

    @Option(help: "Repetitions per query; the median is reported.")
    var `repeat` = 3

    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Write one JSON document (run_peers.py's structure for one engine) to standard output.")
    var json = false

    @Option(name: .customLong("q2-csv"), help: "Write the whole Q2 table (every customer) to this CSV file, untimed, to compare it row by row.")
    var q2CSV: String?

    func validate() throws {
        for query in queryList where !BenchCommand.supportedQueries.contains(query) {
            throw ValidationError("unknown query '\(query)'; supported: \(BenchCommand.supportedQueries.joined(separator: ", "))")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var queryList: [String] { queries.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    mutating func run() throws {
        var phases: [(String, JSONValue)] = []
        let options = KernelOptions(threads: threads)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
        func report(_ query: String, _ times: [Double], _ peak: Double, _ result: JSONValue?, usage: [CPUProbe], extra: [(String, JSONValue)] = []) {
            // As Python's statistics.median, which run_peers.py uses: the mean of the middle two for an even count.
            let sorted = times.sorted(), middle = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            if !json {
                print("\(query)  median \(String(format: "%.3f", median)) s  peak RSS \(Int(peak)) MiB  (times: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", ")))")
            }
            var fields: [(String, JSONValue)] = [("times", .array(times.map { .double($0) })), ("median_s", .double(median)), ("peak_rss_mib", .double(peak))]
            // CPU seconds per repetition as run_peers.py's `cpu_s` (user and kernel), the kernel's part, and the minor page faults.
            fields += [("cpu_s", .array(usage.map { .double($0.seconds) })), ("kernel_cpu_s", .array(usage.map { .double($0.kernel) })),
                       ("minor_faults", .array(usage.map { .int($0.minorFaults) }))]
            fields += extra
            if let result { fields.append(("result", result)) }
            phases.append((query, .object(fields)))
        }

        // Q0: load and fuse; the fusion of the last repetition serves the queries.
        var fusion: Fusion?
        let loadRepeats = queryList.contains("q0") ? `repeat` : 1
        var times: [Double] = [], readTimes: [Double] = []
        var usage: [CPUProbe] = [], readUsage: [CPUProbe] = []
        var firstPeak = 0.0, loadPeak = 0.0
        for repetition in 0..<loadRepeats {
            fusion = nil
            MemoryProbe.resetPeak()
            let start = DispatchTime.now().uptimeNanoseconds, startUsage = CPUProbe.now()
            var read = start, readEndUsage = startUsage
            do {
                fusion = try BenchDataset.loadFusion(from: data, options: options) {
                    read = DispatchTime.now().uptimeNanoseconds
                    readEndUsage = CPUProbe.now()
                }
            } catch { throw CleanExit.failure("\(error)") }
            let end = DispatchTime.now().uptimeNanoseconds, endUsage = CPUProbe.now()
            let seconds = Double(end - start) / 1e9
            if repetition == 0 { firstPeak = MemoryProbe.peakMiB() }
            loadPeak = max(loadPeak, MemoryProbe.peakMiB())
            let readSeconds = Double(read - start) / 1e9
            times.append(seconds)
            readTimes.append(readSeconds)
            usage.append(endUsage - startUsage)
            readUsage.append(readEndUsage - startUsage)
            let split = String(format: "read %.3f s, fuse %.3f s", readSeconds, Double(end - read) / 1e9)
            let cpu = "CPU read \(readUsage.last!), fuse \(endUsage - readEndUsage)"
            log("q0 rep \(repetition + 1): \(String(format: "%.3f", seconds)) s (\(split); \(cpu)), RSS now \(Int(MemoryProbe.currentMiB())) MiB")
        }
        // The reading (until the last file is read; the fusion of the files read first overlaps it), as the
        // bench README defines Q0, beside the load and fusion we time as Q0.
        if queryList.contains("q0") {
            report("q0", times, firstPeak, nil, usage: usage, extra: [
                ("read_times", .array(readTimes.map { .double($0) })),
                ("read_cpu_s", .array(readUsage.map { .double($0.seconds) })), ("read_kernel_cpu_s", .array(readUsage.map { .double($0.kernel) })),
            ])
        }
        guard let fusion else { return }
        if !fusion.report.description.hasSuffix("every row matched a customer") { log("fusion: " + fusion.report.description.replacingOccurrences(of: "\n", with: "; ")) }

        for query in ["q1", "q2", "q3", "q4"] where queryList.contains(query) {
            var times: [Double] = [], usage: [CPUProbe] = []
            var peak = 0.0
            var result: JSONValue = .null
            for repetition in 0..<`repeat` {
                MemoryProbe.resetPeak()
                let start = DispatchTime.now().uptimeNanoseconds, startUsage = CPUProbe.now()
                func stop() {
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    usage.append(CPUProbe.now() - startUsage)
                }
                do {
                    switch query {
                    case "q1": let t = try BenchQueries.q1(fusion); stop(); result = BenchQueries.rows(t, query: query)
                    case "q2":
                        let t = try BenchQueries.q2(fusion)
                        stop()
                        if repetition == 0 {
                            result = BenchQueries.q2Checksum(t)
                            if let q2CSV { try CSVWriter.bytes(from: t).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: q2CSV)) } }
                        }
                    case "q3": let t = try BenchQueries.q3(fusion); stop(); result = BenchQueries.rows(t, query: query)
                    default:
                        let trend = try BenchQueries.q4(fusion)
                        stop()
                        guard case .object(var fields) = BenchQueries.rows(trend.table, query: query) else { break }
                        fields.append(("incidents", .array(trend.incidents.map { .object([("region", .string($0.value)), ("month", .string($0.period)),
                            ("nps_score", .double($0.nps.score ?? .nan)), ("effect", .double($0.effect)), ("adjusted_p", .double($0.adjustedP))]) })))
                        result = .object(fields)
                        if !json && repetition == 0 { for incident in trend.incidents { print("    incident: \(incident)") } }
                    }
                } catch { throw CleanExit.failure("\(query): \(error)") }
                peak = max(peak, MemoryProbe.peakMiB())
            }
            report(query, times, peak, result, usage: usage)
        }
        if json {
            let processPeak = phases.compactMap { phase -> Double? in
                guard case .object(let fields) = phase.1, case .double(let peak)? = fields.first(where: { $0.0 == "peak_rss_mib" })?.1 else { return nil }
                return peak
            }.max() ?? 0
            let engine = JSONValue.object([("engine", .string("xofusion")), ("threads", .int(threadCount)), ("process_peak_rss_mib", .double(max(processPeak, loadPeak))),
                                           ("phases", .object(phases))])
            print(JSONValue.object([("engines", .array([engine]))]).serialized(pretty: true))
        }
    }
}

/// The CPU time and minor page faults of this process (getrusage), or what a phase added to them.
///
/// The kernel's part of a load is mostly mapping in fresh memory (allocating and zeroing pages), and
/// a minor fault counts a page mapped in, whether on first touch or populated ahead of it (see
/// DEVELOPERS.md, "Fresh pages"), or a run of file pages mapped at once.
struct CPUProbe: CustomStringConvertible {
    /// Seconds in user code and in the kernel.
    var user = 0.0, kernel = 0.0
    var minorFaults = 0

    /// User and kernel seconds, as run_peers.py's `cpu_s` (`time.process_time()`).
    var seconds: Double { user + kernel }

    static func now() -> CPUProbe {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return CPUProbe() }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return CPUProbe(user: seconds(usage.ru_utime), kernel: seconds(usage.ru_stime), minorFaults: usage.ru_minflt)
    }

    static func - (later: CPUProbe, earlier: CPUProbe) -> CPUProbe {
        CPUProbe(user: later.user - earlier.user, kernel: later.kernel - earlier.kernel, minorFaults: later.minorFaults - earlier.minorFaults)
    }

    /// `1.14 + 0.31 kernel s, 185k faults`.
    var description: String { String(format: "%.2f + %.2f kernel s, %dk faults", user, kernel, minorFaults / 1000) }
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
