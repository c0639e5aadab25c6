// swift-tools-version: 6.2
// barnnd: a streaming time-series forecasting daemon (BARNN over MQTT, stored in SQLite).
import PackageDescription

/// Settings every barnnd target shares: Swift 6 strict concurrency plus the upcoming features the style guide asks for.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Numeric kernels rely on FMA and wide SIMD; without an explicit CPU level FMA becomes a library call
/// (see TOOLCHAIN.md). haswell (AVX2 + FMA, every x86 server since ~2015) keeps binaries portable.
#if arch(x86_64)
    let numericSettings: [SwiftSetting] =
        strictSettings + [
            .unsafeFlags(["-target-cpu", "haswell"]),
            .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
        ]
#else
    let numericSettings: [SwiftSetting] = strictSettings
#endif

/// BARNN's loops are optimised even in debug builds so its training tests stay fast on 2 cores.
let barnnSettings: [SwiftSetting] = numericSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "barnnd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "barnnd", targets: ["barnnd"]),
        .library(name: "BARNN", targets: ["BARNN"]),
        .library(name: "Forecasting", targets: ["Forecasting"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "MQTT", targets: ["MQTT"]),
        .library(name: "Daemon", targets: ["Daemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The embedded HTTP server; its default traits would pull in swift-configuration, whose module is named
        // `Configuration` like ours. swift-prometheus brings swift-metrics (2.13.0).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // HeapModule only: the engine's schedule of bucket checks.
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // C libraries, reached through one-include shims.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // Stop signals caught from the first instruction of `barnnd run` (an ELF constructor).
        .target(name: "CEarlySignals"),

        // Library modules: dependencies point downward only (DESIGN.md).
        // A pure-Swift TOML 1.0 parser: malformed configuration files are errors, never process aborts.
        .target(name: "TOML", swiftSettings: strictSettings),
        // Byte and text formats every layer shares: CRC-32, zlib compression, UTC timestamps, JSON values and the one
        // JSON writer, payload excerpts.
        .target(name: "Formats", dependencies: ["CZlib"], swiftSettings: strictSettings),
        // Seeded generators and sample quantiles shared by the model, the statistics, the transport and the tests.
        .target(name: "Sampling", swiftSettings: numericSettings),
        .target(name: "BARNN", dependencies: ["COpenBLAS", "Formats", "Sampling"], swiftSettings: barnnSettings),
        .target(name: "Forecasting", dependencies: ["Formats", "Sampling"], swiftSettings: numericSettings),
        .target(
            name: "Storage",
            dependencies: [
                "Formats",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MQTT",
            dependencies: ["CMosquitto", "Sampling", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // The daemon's data path, one module per layer (README "Layout"); each depends only on layers above it here.
        // The configuration's values, its TOML loader and the rule syntax (stream templates, JSON paths, wildcards).
        .target(name: "Configuration", dependencies: ["Formats", "TOML", "MQTT"], swiftSettings: strictSettings),
        // Payloads to readings: topic rules, payload decoding (JSON, SenML, plain numbers), rejects.
        .target(name: "Ingest", dependencies: ["Formats", "Configuration", "MQTT"], swiftSettings: strictSettings),
        // Training jobs, the promotion gate, checkpoint rollback and train requests.
        .target(
            name: "Trainer",
            dependencies: [
                "Formats", "Configuration", "BARNN", "Forecasting", "Storage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The forecast engine: per-stream state, batched learning and sampling, calibration, payloads, control.
        .target(
            name: "Engine",
            dependencies: [
                "Formats", "Configuration", "Ingest", "Trainer", "BARNN", "Forecasting", "Storage", "MQTT",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        // Home Assistant MQTT discovery: entity configs, attribute payloads, and which streams are announced.
        .target(
            name: "HomeAssistant", dependencies: ["Formats", "Configuration", "Engine", "MQTT"],
            swiftSettings: strictSettings
        ),
        // The running daemon: MQTT → durable inbox → engine loop → writer and publisher, health, systemd.
        .target(
            name: "Daemon",
            dependencies: [
                "Formats", "Configuration", "Engine", "HomeAssistant", "BARNN", "Storage", "MQTT",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Offline runs of the same engine on data time: backtests and replays of recorded streams.
        .target(
            name: "Backtest",
            dependencies: [
                "Formats", "Configuration", "Trainer", "Engine", "BARNN", "Storage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The CLI's reports over the Store: history, streams, checkpoints, events, rejects, status, fan charts.
        .target(
            name: "Inspection",
            dependencies: [
                "Formats", "Configuration", "Forecasting", "Storage", "MQTT",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The daemon's snapshot as Prometheus metrics (swift-prometheus's exposition), testable without a server.
        .target(
            name: "Telemetry",
            dependencies: [
                "Daemon", "Engine", "Storage",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        // The embedded HTTP server beside the engine: /metrics, /healthz and the routes other modules register.
        .target(
            name: "HTTPServer",
            dependencies: [
                "Configuration", "Daemon", "Telemetry", "Storage", "Inspection",
                .product(
                    name: "Hummingbird", package: "hummingbird", moduleAliases: ["Configuration": "SwiftConfiguration"]),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The live web view and its JSON API over the Inspection reports, as routes for a Hummingbird router.
        .target(
            name: "WebView",
            dependencies: [
                "Formats", "Inspection", "Storage", "HTTPServer",
                .product(
                    name: "Hummingbird", package: "hummingbird", moduleAliases: ["Configuration": "SwiftConfiguration"]),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "barnnd",
            dependencies: [
                "Formats", "Configuration", "Trainer", "Daemon", "Backtest", "Inspection", "BARNN", "Storage", "MQTT",
                "CEarlySignals", "HTTPServer", "Telemetry", "WebView",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Benchmarks: release executables printing JSON lines (README § Benchmarks), timed and printed alike.
        .target(name: "CMallocStats", path: "Benchmarks/CMallocStats"),
        .target(
            name: "BenchmarkSupport", dependencies: ["BARNN", "CMallocStats", "Configuration", "Storage"],
            path: "Benchmarks/BenchmarkSupport",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "barnn-bench", dependencies: ["BARNN", "COpenBLAS", "BenchmarkSupport"],
            path: "Benchmarks/barnn-bench", swiftSettings: numericSettings
        ),
        .executableTarget(
            name: "forecasting-bench", dependencies: ["Forecasting", "Sampling", "BenchmarkSupport"],
            path: "Benchmarks/forecasting-bench", swiftSettings: numericSettings
        ),
        .executableTarget(
            name: "storage-bench",
            dependencies: [
                "Storage", "BenchmarkSupport",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/storage-bench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "mqtt-bench",
            dependencies: [
                "MQTT", "MQTTTestKit", "ProcessTestKit", "BenchmarkSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/mqtt-bench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ingest-bench", dependencies: ["Configuration", "Ingest", "BenchmarkSupport"],
            path: "Benchmarks/ingest-bench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "engine-bench",
            dependencies: [
                "Configuration", "Engine", "BARNN", "Storage", "BenchmarkSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/engine-bench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "daemon-bench",
            dependencies: [
                "BARNN", "Configuration", "Engine", "Daemon", "MQTT", "MQTTTestKit", "Storage", "BenchmarkSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/daemon-bench",
            swiftSettings: strictSettings
        ),

        // Fuzz targets (libFuzzer through Scripts/fuzz.sh; a normal build replays files: FUZZ_TARGET=… fuzz-barnnd F).
        .executableTarget(
            name: "fuzz-barnnd", dependencies: ["Configuration", "Ingest", "Engine", "MQTT"], path: "Fuzz",
            exclude: ["Seeds"],
            swiftSettings: strictSettings
        ),

        // Test support and tests.
        // Child processes started with a clean signal mask, their output read line by line.
        .target(name: "ProcessTestKit", path: "Tests/ProcessTestKit", swiftSettings: strictSettings),
        .target(
            name: "MQTTTestKit",
            dependencies: ["MQTT", "ProcessTestKit", .product(name: "Logging", package: "swift-log")],
            path: "Tests/MQTTTestKit",
            swiftSettings: strictSettings
        ),
        // A plain-socket HTTP GET for the tests of the HTTP server and of Prometheus scraping it.
        .target(name: "HTTPTestKit", path: "Tests/HTTPTestKit", swiftSettings: strictSettings),
        // A migrated Store in a temporary folder, removed afterwards, optionally recording the SQL it runs.
        .target(
            name: "StorageTestKit",
            dependencies: ["Storage", .product(name: "Logging", package: "swift-log")],
            path: "Tests/StorageTestKit",
            swiftSettings: strictSettings
        ),
        // Engine fixtures (a Store in a temporary folder, a small configuration, synthetic readings) for the engine
        // and trainer tests.
        .target(
            name: "EngineTestKit",
            dependencies: [
                "Configuration", "Engine", "BARNN", "Storage", "StorageTestKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EngineTestKit",
            swiftSettings: strictSettings
        ),
        // Child processes that tests start (found next to the test binary), declared by the tests that run them.
        .executableTarget(
            name: "storage-crash-writer",
            dependencies: [
                "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Helpers/storage-crash-writer",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "mqtt-will-client",
            dependencies: ["MQTT", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Helpers/mqtt-will-client",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "early-signals-probe",
            dependencies: ["CEarlySignals"],
            path: "Tests/Helpers/early-signals-probe",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], swiftSettings: strictSettings),
        // numericSettings: the quantile comparisons run under the flags of the modules that inline them.
        .testTarget(name: "SamplingTests", dependencies: ["Sampling"], swiftSettings: numericSettings),
        .testTarget(name: "BARNNTests", dependencies: ["BARNN", "Formats"], swiftSettings: numericSettings),
        .testTarget(
            name: "ForecastingTests", dependencies: ["Forecasting", "Formats", "Sampling"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "StorageTestKit", "Formats", "Sampling", "ProcessTestKit", "storage-crash-writer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TOMLTests",
            dependencies: ["TOML", "Sampling"],
            // The toml-test corpus is read through #filePath, so it needs no resource bundle.
            exclude: ["Corpus"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MQTTTests", dependencies: ["MQTT", "MQTTTestKit", "ProcessTestKit", "mqtt-will-client"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConfigurationTests", dependencies: ["Configuration", "Sampling"], swiftSettings: strictSettings),
        .testTarget(
            name: "IngestTests", dependencies: ["Ingest", "Configuration", "Formats", "Storage", "Sampling"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TrainerTests",
            dependencies: [
                "Trainer", "EngineTestKit", "Engine", "Formats", "BARNN", "Forecasting", "Storage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "EngineTestKit", "Configuration", "Ingest", "Trainer", "Formats", "BARNN", "Forecasting",
                "Storage", "MQTT", "Sampling",
            ],
            // Damaged stream states are read through #filePath, so they need no resource bundle.
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Daemon", "BARNN", "Configuration", "Formats", "Storage", "MQTT", "MQTTTestKit", "ProcessTestKit",
                "HomeAssistant", "HTTPTestKit", "Telemetry", "barnnd", "early-signals-probe",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BacktestTests",
            dependencies: [
                "Backtest", "StorageTestKit", "Configuration", "Engine", "Formats", "BARNN",
                .product(name: "Logging", package: "swift-log"),
            ],
            // The replay recording is read through #filePath, so it needs no resource bundle.
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection"], swiftSettings: strictSettings),
        .testTarget(
            name: "HomeAssistantTests", dependencies: ["HomeAssistant", "Engine", "Configuration", "MQTT"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", "Daemon", "Engine", "Storage", "MQTT"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer", "HTTPTestKit", "Telemetry", "Daemon", "Engine", "MQTT", "Configuration", "Storage",
                "StorageTestKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebViewTests",
            dependencies: [
                "WebView", "Inspection", "Storage", "Formats", "MQTTTestKit", "ProcessTestKit", "barnnd",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The demo slice is read through #filePath, so it needs no resource bundle.
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "barnndTests",
            dependencies: [
                "barnnd", "Formats", "Configuration", "Engine", "Storage", "StorageTestKit",
                "MQTT",
                "MQTTTestKit", "Sampling", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
    ]
)
