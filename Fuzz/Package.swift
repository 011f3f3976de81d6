// swift-tools-version: 6.1
// libFuzzer targets for XOFusion, in a package of their own: a fuzz target
// has no `main`, so it builds only with `--sanitize=fuzzer`. Run
// `Fuzz/run.sh [seconds]` from the repository root.
import PackageDescription

let package = Package(
    name: "XOFusionFuzz",
    dependencies: [.package(name: "XOFusion", path: "..")],
    targets: [
        .executableTarget(name: "CSVReaderFuzz", dependencies: [.product(name: "XOFusion", package: "XOFusion")]),
    ],
    swiftLanguageModes: [.v6]
)
