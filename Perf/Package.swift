// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the main build and the test suite do not
// compile ordo-one/benchmark. Run: scripts/bench (which also compares with tcpdump).
let package = Package(
    name: "netwatch-perf",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "netwatch", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "NetwatchBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NetwatchDecode", package: "netwatch"),
                .product(name: "NetwatchCapture", package: "netwatch"),
                .product(name: "NetwatchView", package: "netwatch"),
                .product(name: "NetwatchDetect", package: "netwatch"),
                .product(name: "NetwatchFlow", package: "netwatch"),
                .product(name: "NetwatchStats", package: "netwatch"),
                .product(name: "NetwatchExport", package: "netwatch"),
            ],
            path: "Benchmarks/NetwatchBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
