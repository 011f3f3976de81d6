import Benchmark
import XOFusion
import XOFusionSampleData

// The kernels the analyses stand on, on sample tables of 100,000 customers (about 480,000 orders
// and 150,000 answers) built before measurement.
let benchmarks: @Sendable () -> Void = {
    let data = SampleData.generate(SampleDataOptions(customers: 100_000, seed: 42))
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3))
    let completed = try! data.orders.filtered(.isIn("status", [.string("completed")]))
    let answered = try! data.answers.filtered(.isNotNull("nps"))

    Benchmark("As-of join: answers with an NPS → latest completed order at or before them", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try answered.asOfMatches(with: completed, leftTime: "responded_at", rightTime: "ordered_at", by: [(left: "customer_id", right: "customer_id")]))
        }
    }

    for threads in [1, 2] {
        let options = KernelOptions(threads: threads)
        Benchmark("KeySpace: encode customers, then the orders' customer IDs (\(threads) thread(s))", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                var keys = KeySpace()
                blackHole(try keys.encode(data.customers, column: "customer_id", options: options))
                blackHole(try keys.encode(data.orders, column: "customer_id", unknown: .reportAsNull, options: options))
            }
        }
        Benchmark("Group-by: orders by customer, count and sum (\(threads) thread(s))", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try data.orders.grouped(by: ["customer_id"], aggregates: [.count(), .sum("amount")], options: options))
            }
        }
        Benchmark("Hash join: orders ⋈ customers on customer_id (\(threads) thread(s))", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try data.orders.joined(with: data.customers, on: ["customer_id"], kind: .inner, options: JoinOptions(kernel: options)))
            }
        }
        Benchmark("Sort: orders by customer, then time (\(threads) thread(s))", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try data.orders.sortOrder(by: [SortKey("customer_id"), SortKey("ordered_at")], options: options))
            }
        }
    }
}
