// swift-tools-version: 6.1
import PackageDescription

// Layers, dependencies pointing down only:
//   CPcap (libpcap) <- NetwatchCapture (sources, writer)
//   CPrefetch (a cache prefetch hint; Swift has none) <- NetwatchCapture, NetwatchFlow, NetwatchStats
//   CSQLiteConfig (SQLite's multi-thread mode; sqlite3_config is variadic) <- NetwatchHistory
//   CPrivilege (Linux capabilities: prctl and syscall are variadic) <- NetwatchHost
//   NetwatchDecode (bytes -> fields; no I/O, no Foundation) <- NetwatchFlow (flow table)
//   NetwatchStats (counters, top-N in bounded memory) <- NetwatchDecode
//   NetwatchHost (the host: socket table via procfs on Linux behind SocketSource, privileges, service manager) <- NetwatchDecode
//   NetwatchGeo (GeoIP: DB-IP CSV range tables, MaxMind DB reader) <- NetwatchDecode
//   NetwatchDetect (block lists, alerts, detectors, YAML config) <- NetwatchDecode, NetwatchFlow, NetwatchHost
//   NetwatchTimeline (per remote address activity over time) <- NetwatchDecode, NetwatchFlow, NetwatchHost, NetwatchDetect
//   NetwatchEvents (what the road tells its sinks: flow records, alerts, ticks, sockets, runs) <- NetwatchDecode, NetwatchFlow, NetwatchHost, NetwatchDetect
//   NetwatchView (terminal and JSON lines) <- NetwatchDecode, NetwatchFlow, NetwatchStats, NetwatchHost, NetwatchDetect, NetwatchGeo, NetwatchTimeline, NetwatchEvents
//   NetwatchHistory (the SQLite history store: schema, writer sink, queries; GRDB) <- NetwatchDecode, NetwatchHost, NetwatchDetect, NetwatchGeo, NetwatchEvents, NetwatchView
//   NetwatchCharts (SVG charts: axes, series, bars, strips; no I/O, no Foundation)
//   NetwatchReport (reports: numbers from history or the road, HTML via Mustache, JSON, Markdown) <- NetwatchCharts, NetwatchHistory, NetwatchEvents, NetwatchTimeline, NetwatchGeo
//   NetwatchWeb (dashboard, JSON API, /metrics; Hummingbird) <- NetwatchCharts, NetwatchReport, NetwatchHistory, NetwatchEvents, NetwatchView
//   NetwatchExport (IPFIX export of flows) <- NetwatchEvents, NetwatchDecode, NetwatchFlow
//   NetwatchPipeline (the road: source -> decode -> flows -> analyzers -> events -> sinks; diagnostics via swift-log) <- all of the above but NetwatchGeo
//   netwatch (command line) <- all of the above
let package = Package(
    name: "netwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "netwatch", targets: ["netwatch"]),
        .library(name: "NetwatchDecode", targets: ["NetwatchDecode"]),
        .library(name: "NetwatchCapture", targets: ["NetwatchCapture"]),
        .library(name: "NetwatchView", targets: ["NetwatchView"]),
        .library(name: "NetwatchFlow", targets: ["NetwatchFlow"]),
        .library(name: "NetwatchStats", targets: ["NetwatchStats"]),
        .library(name: "NetwatchDetect", targets: ["NetwatchDetect"]),
        .library(name: "NetwatchGeo", targets: ["NetwatchGeo"]),
        .library(name: "NetwatchExport", targets: ["NetwatchExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "CPrefetch"),
        .target(name: "CSQLiteConfig", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "CPrivilege"),
        .target(name: "NetwatchDecode"),
        .target(name: "NetwatchCapture", dependencies: ["CPcap", "CPrefetch", "NetwatchDecode"]),
        .target(name: "NetwatchFlow", dependencies: ["CPrefetch", "NetwatchDecode"]),
        .target(name: "NetwatchStats", dependencies: ["CPrefetch", "NetwatchDecode", "NetwatchFlow"]),
        .target(name: "NetwatchHost", dependencies: ["NetwatchDecode", "CPrivilege"]),
        .target(name: "NetwatchDetect", dependencies: ["NetwatchDecode", "NetwatchFlow", "NetwatchHost", .product(name: "Yams", package: "Yams")]),
        .target(name: "NetwatchGeo", dependencies: ["NetwatchDecode"]),
        .target(name: "NetwatchTimeline", dependencies: ["NetwatchDecode", "NetwatchFlow", "NetwatchHost", "NetwatchDetect"]),
        .target(name: "NetwatchEvents", dependencies: ["NetwatchDecode", "NetwatchFlow", "NetwatchHost", "NetwatchDetect"]),
        .target(name: "NetwatchView", dependencies: ["NetwatchDecode", "NetwatchFlow", "NetwatchStats", "NetwatchHost", "NetwatchDetect", "NetwatchGeo", "NetwatchTimeline", "NetwatchEvents"]),
        .target(name: "NetwatchHistory", dependencies: ["NetwatchDecode", "NetwatchHost", "NetwatchDetect", "NetwatchGeo", "NetwatchEvents", "NetwatchView", "CSQLiteConfig", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "NetwatchCharts"),
        .target(name: "NetwatchReport", dependencies: ["NetwatchCharts", "NetwatchHistory", "NetwatchEvents", "NetwatchDecode", "NetwatchDetect", "NetwatchFlow", "NetwatchGeo",
                                                       "NetwatchTimeline", "NetwatchHost", "NetwatchView", .product(name: "Mustache", package: "swift-mustache")]),
        .target(name: "NetwatchWeb", dependencies: ["NetwatchCharts", "NetwatchReport", "NetwatchHistory", "NetwatchEvents", "NetwatchView", "NetwatchDecode", "NetwatchDetect",
                                                    "NetwatchFlow", "NetwatchGeo", "NetwatchTimeline", "NetwatchHost",
                                                    .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "Prometheus", package: "swift-prometheus"),
                                                    .product(name: "Mustache", package: "swift-mustache")]),
        .target(name: "NetwatchCentral", dependencies: ["NetwatchHistory", "NetwatchEvents", "NetwatchDecode", "NetwatchDetect", "NetwatchGeo", "NetwatchHost", "NetwatchView",
                                                        .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")]),
        .target(name: "NetwatchExport", dependencies: ["NetwatchEvents", "NetwatchDecode", "NetwatchFlow"]),
        .target(name: "NetwatchPipeline", dependencies: ["NetwatchCapture", "NetwatchDecode", "NetwatchFlow", "NetwatchStats", "NetwatchHost", "NetwatchDetect", "NetwatchTimeline", "NetwatchView", "NetwatchEvents",
                                                         .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "netwatch",
            dependencies: [
                "NetwatchDecode", "NetwatchCapture", "NetwatchFlow", "NetwatchStats", "NetwatchHost", "NetwatchDetect", "NetwatchGeo", "NetwatchTimeline", "NetwatchView",
                "NetwatchEvents", "NetwatchPipeline", "NetwatchHistory", "NetwatchCharts", "NetwatchReport", "NetwatchWeb", "NetwatchExport", "NetwatchCentral",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Helpers the test targets share: where the shared captures are, running tools.
        .target(name: "NetwatchTestSupport", path: "Tests/NetwatchTestSupport"),
        // libFuzzer target for the decoders and savefile readers (scripts/fuzz); in a plain
        // build it replays saved inputs, so every crasher stays a regression test.
        .executableTarget(name: "netwatch-fuzz", dependencies: ["NetwatchDecode", "NetwatchCapture", "NetwatchFlow", "NetwatchView"], path: "Fuzz", exclude: ["crashers"]),
        .testTarget(name: "NetwatchDecodeTests", dependencies: ["NetwatchDecode", "NetwatchCapture", "NetwatchTestSupport"]),
        .testTarget(name: "NetwatchDetectTests", dependencies: ["NetwatchDetect", "NetwatchHost", "NetwatchDecode", "NetwatchFlow", "NetwatchTestSupport"]),
        .testTarget(name: "NetwatchFlowTests", dependencies: ["NetwatchFlow", "NetwatchStats", "NetwatchCapture", "NetwatchDecode", "NetwatchTestSupport"]),
        .testTarget(name: "NetwatchCaptureTests", dependencies: ["NetwatchCapture", "NetwatchDecode", "NetwatchTestSupport"]),
        .testTarget(name: "NetwatchTimelineTests", dependencies: ["NetwatchTimeline", "NetwatchDecode"]),
        .testTarget(name: "NetwatchGeoTests", dependencies: ["NetwatchGeo", "NetwatchDecode", "NetwatchView", "NetwatchTestSupport"]),
        // Golden/ holds expected outputs the tests read by path; nothing to build or bundle.
        .testTarget(name: "NetwatchCLITests", dependencies: ["netwatch", "NetwatchDecode", "NetwatchTestSupport"], exclude: ["Golden"]),
    ]
)
