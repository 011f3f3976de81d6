import Benchmark
import Foundation
import XOFusion
import XOFusionSampleData

// CSV ingest of each file kind, from bytes in memory (the sample generator's tables written as CSV
// before measurement), so that disk and page cache play no part. Besides time and allocations each
// benchmark reports its throughput in MB/s as a custom metric.
let benchmarks: @Sendable () -> Void = {
    let data = SampleData.generate(SampleDataOptions(customers: 20_000, seed: 42))
    let files: [(String, Table)] = [
        ("customers", data.customers), ("answers", data.answers), ("orders", data.orders), ("returns", data.returns), ("carts", data.carts),
    ]
    let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

    for (name, table) in files {
        let bytes = CSVWriter.bytes(from: table)
        let megabytes = Double(bytes.count) / 1e6
        for threads in [1, 2] {
            let configuration = Benchmark.Configuration(
                metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, megabytesPerSecond], maxDuration: .seconds(3))
            Benchmark("CSV ingest \(name) (\(table.rowCount) rows, \(String(format: "%.1f", megabytes)) MB), \(threads) thread(s)", configuration: configuration) { benchmark in
                var options = CSVReadOptions()
                options.threads = threads
                options.inferenceSampleRecords = nil
                for _ in benchmark.scaledIterations {
                    let started = ContinuousClock.now
                    let result = try CSVReader.read(bytes: bytes, name: name, options: options)
                    let seconds = Double((ContinuousClock.now - started).components.attoseconds) * 1e-18 + Double((ContinuousClock.now - started).components.seconds)
                    blackHole(result)
                    benchmark.measurement(megabytesPerSecond, Int(megabytes / max(seconds, 1e-9)))
                }
            }
        }
    }
}
