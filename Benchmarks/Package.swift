// swift-tools-version: 6.1
// Benchmarks of the analytics library, kept out of the main package so that `swift test`
// and CI do not build the benchmark harness. Run from this folder:
//   swift package benchmark
import PackageDescription

let package = Package(
    name: "GuanxiBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AnalyticsBenchmarks",
            dependencies: [
                .product(name: "GuanxiAnalytics", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "AnalyticsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
