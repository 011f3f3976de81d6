import Benchmark
import XOFusion

// The skeleton's one benchmark: building and slicing a table of a million
// rows. The benchmarks issue adds ingest, keys, kernels and the analyses.
let benchmarks: @Sendable () -> Void = {
    let n = 1_000_000
    let ids: [Int64?] = (0..<n).map { $0 % 20 == 0 ? nil : Int64($0) }

    Benchmark("Column.int64 from 1M optionals", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Column.int64(ids))
        }
    }

    let table = try! Table(["id": .int64(ids)])
    Benchmark("Table.slice of 1M rows", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(table.slice(1000..<900_000))
        }
    }
}
