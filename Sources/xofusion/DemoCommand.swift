import ArgumentParser
import Foundation
import XOFusion
import XOFusionSampleData

/// `xofusion demo`: generates a realistic X+O dataset in memory, runs every
/// analysis and prints the report a CX lead reads (or one JSON document).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate sample X+O data, run every analysis and print the report.",
        discussion: """
            The data is synthetic and deterministic (XOFusionSampleData): detractors return and abandon more, \
            promoters buy more, NPS dips in Jul/Aug and Nov/Dec, and EU-South has an incident in 2025-03/04.
            """
    )

    @Option(name: .long, help: "How many customers to generate.")
    var customers: Int = 100_000

    @Option(name: .long, help: "The generator's seed: the same seed and size give the same data.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Threads for the fusion and the analyses (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Write one JSON document to standard output instead of text.")
    var json = false

    mutating func run() throws {
        guard customers >= 1, customers <= 50_000_000 else { throw ValidationError("--customers must lie between 1 and 50,000,000") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        let clock = ContinuousClock()
        let started = clock.now
        let data = SampleData.generate(SampleDataOptions(customers: customers, seed: seed, threads: threads))
        let generated = clock.now
        let report: AnalysisReport
        do {
            let fusion = try data.fusion(options: KernelOptions(threads: threads))
            report = try AnalysisReport(fusion: fusion)
        } catch {
            FileHandle.standardError.write(Data("xofusion demo: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let analysed = clock.now
        if json {
            let generator: JSONValue = .object([("name", .string("XOFusionSampleData")), ("customers", .int(customers)), ("seed", .int(Int(truncatingIfNeeded: seed)))])
            print(report.json(extra: [("generator", generator)]).serialized(pretty: true))
        } else {
            func seconds(_ d: Duration) -> String { String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) }
            print("XOFusion demo: \(customers) synthetic customers (seed \(seed)), generated in \(seconds(generated - started)), analysed in \(seconds(analysed - generated))\n")
            print(report.text(), terminator: "")
        }
    }
}
