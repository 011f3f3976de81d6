import Benchmark
import XOFusion
import XOFusionSampleData

// Allocation counts of the hot paths on fixed sample data (20,000 customers, seed 42), one thread (so that
// the counts do not depend on scheduling), checked against the static thresholds in `Benchmarks/Thresholds/`:
//
//   swift package --package-path Benchmarks benchmark thresholds check --target AllocationBenchmarks --path "$PWD/Benchmarks/Thresholds"
//   swift package --package-path Benchmarks --allow-writing-to-package-directory benchmark thresholds update \
//       --target AllocationBenchmarks --path "$PWD/Benchmarks/Thresholds"
//
// A count that grows by more than 5% (and 100 allocations) fails the check: a per-row allocation crept in.
// Time is measured by the other targets; here only what is stable from run to run. The names hold no
// spaces: package-benchmark writes threshold files with spaces turned into `_` but reads them by the raw name.
let benchmarks: @Sendable () -> Void = {
    let data = SampleData.generate(SampleDataOptions(customers: 20_000, seed: 42))
    let options = KernelOptions(threads: 1)
    let fusion = try! data.fusion(options: options)
    let orders = CSVWriter.bytes(from: data.orders)
    let configuration = Benchmark.Configuration(
        metrics: [.mallocCountTotal], maxDuration: .seconds(2), maxIterations: 20,
        thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: 5.0], absolute: [.p90: 100])])

    Benchmark("Allocations.CSVIngestOfOrders", configuration: configuration) { benchmark in
        var read = CSVReadOptions()
        read.threads = 1
        read.inferenceSampleRecords = nil
        for _ in benchmark.scaledIterations { blackHole(try CSVReader.read(bytes: orders, name: "orders", options: read)) }
    }
    let steps: [(String, @Sendable () throws -> Any)] = [
        ("Fusion", { try data.fusion(options: options) }),
        ("CustomerProfile", { try fusion.customerProfile() }),
        ("Scorecard", { try fusion.scorecard() }),
        ("Attribution", { try fusion.attribution() }),
        ("TrendByMonthAndRegion", { try fusion.trend(options: TrendOptions(period: .month, dimension: "region")) }),
    ]
    for (name, run) in steps {
        Benchmark("Allocations.\(name)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try run()) }
        }
    }
}
