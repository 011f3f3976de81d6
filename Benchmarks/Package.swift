// swift-tools-version: 6.1
// XOFusion's benchmarks: their own package, so that a service that depends on
// the library never builds benchmark tooling. Run from the repository root:
//   swift package --package-path Benchmarks benchmark
//   swift package --package-path Benchmarks benchmark --target KernelBenchmarks
import PackageDescription

let package = Package(
    name: "XOFusionBenchmarks",
    dependencies: [
        .package(name: "XOFusion", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: ["StorageBenchmarks", "IngestBenchmarks", "KernelBenchmarks", "AnalysisBenchmarks", "AllocationBenchmarks"].map { name in
        .executableTarget(
            name: name,
            dependencies: [
                .product(name: "XOFusion", package: "XOFusion"),
                .product(name: "XOFusionSampleData", package: "XOFusion"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/\(name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    }
)
