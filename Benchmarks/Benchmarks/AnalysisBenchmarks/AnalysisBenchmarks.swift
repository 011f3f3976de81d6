import Benchmark
import XOFusion
import XOFusionSampleData

// Each analysis on sample data of 100,000 customers, fused before measurement (the fusion itself is
// measured on its own), on 1 and 2 threads.
let benchmarks: @Sendable () -> Void = {
    let data = SampleData.generate(SampleDataOptions(customers: 100_000, seed: 42))
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3))

    for threads in [1, 2] {
        let options = KernelOptions(threads: threads)
        let fusion = try! data.fusion(options: options)
        let suffix = "(100k customers, \(threads) thread(s))"
        Benchmark("Fusion: keys, links and order facts \(suffix)", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try data.fusion(options: options)) }
        }
        let analyses: [(String, @Sendable () throws -> Any)] = [
            ("Customer profile", { try fusion.customerProfile() }),
            ("Scorecard by NPS class", { try fusion.scorecard() }),
            ("Attribution", { try fusion.attribution() }),
            ("Trend by month × region, incidents", { try fusion.trend(options: TrendOptions(period: .month, dimension: "region")) }),
            ("Drivers of return_rate", { try fusion.drivers(of: "return_rate") }),
            ("Revenue at risk by region", { try fusion.revenueAtRisk(by: .customerColumn("region")) }),
            ("Follow-up list", { try fusion.followUp(options: FollowUpOptions(limit: 100)) }),
            ("Journey by channel", { try fusion.journey() }),
            ("Whole report", { try AnalysisReport(fusion: fusion) }),
        ]
        for (name, run) in analyses {
            Benchmark("\(name) \(suffix)", configuration: configuration) { benchmark in
                for _ in benchmark.scaledIterations { blackHole(try run()) }
            }
        }
    }
}
