// swift-tools-version: 6.1
//
// XOFusion: fuse customer experience data (surveys, reviews) with operational
// data (orders, returns, carts) by customer, in typed columnar tables.
//
// The library product `XOFusion` has no package dependencies. The command-line
// program `xofusion` uses swift-argument-parser; it is an executable *target*,
// not a product, so a service that depends on the library never resolves or
// builds argument-parser (`.ci/run` proves this with a throwaway consumer).
import PackageDescription

let package = Package(
    name: "XOFusion",
    products: [
        .library(name: "XOFusion", targets: ["XOFusion"]),
        .library(name: "XOFusionSampleData", targets: ["XOFusionSampleData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The engine: storage, ingest, keys, kernels. Knows nothing of CX.
        .target(name: "XOFusionCore"),
        // The CX layer on top of the engine; re-exports the engine's API.
        .target(name: "XOFusion", dependencies: ["XOFusionCore"]),
        // Deterministic synthetic X+O data with the bench's planted correlations (demo, examples, tests).
        .target(name: "XOFusionSampleData", dependencies: ["XOFusion"]),
        .executableTarget(
            name: "xofusion",
            dependencies: [
                "XOFusion",
                "XOFusionSampleData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Examples/: runnable programs (`swift run QuickStart`), each checked by ExampleTests.
        .executableTarget(name: "QuickStart", dependencies: ["XOFusion"], path: "Examples/QuickStart"),
        .executableTarget(name: "ReviewsThroughOrders", dependencies: ["XOFusion"], path: "Examples/ReviewsThroughOrders", exclude: ["data"]),
        .testTarget(name: "XOFusionCoreTests", dependencies: ["XOFusionCore"], exclude: ["Fixtures"]),
        .testTarget(name: "XOFusionTests", dependencies: ["XOFusion", "XOFusionSampleData"]),
        // Runs the examples' and xofusion's binaries and checks what they print (they are dependencies so that they are built).
        .testTarget(name: "ExampleTests", dependencies: ["QuickStart", "ReviewsThroughOrders", "xofusion"]),
    ],
    swiftLanguageModes: [.v6]
)
