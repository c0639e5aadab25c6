// `engine-bench memory`: what a stream costs in memory at a config file's model group (the bundled
// config/barnnd.toml by default), with the calibration score windows pooled per group and, as the reference in the
// same run, kept per stream. Each mode runs in a child process of its own, so one's freed memory cannot hide the
// other's: N streams get `steps` readings (2·window + H by default, so every calibration window is full) through the
// engine with a BARNN checkpoint active; resident memory (VmRSS) growth divided by N is the resident cost of a
// stream (also after `malloc_trim`, which returns the freed temporaries of the last tick), malloc's in-use growth
// divided by N its live state (without fragmentation and the database's file pages), and the saved
// `stream_states` blobs divided by N its saved cost. Paths are lowered to 16 (`--paths`): they
// size the sampling buffers, not a stream's state. Prints JSON lines.
//
// `--warmup-streams M` runs M streams before the measured N, so what all streams share is not counted (see below).
// With M ≥ 1,024 the model's step workspace, which grows with the streams stepped in one tick up to that many rows
// (about 4.5 KB a row), is at its largest before the measured cohort: without it, the growth between two runs of
// 500 and 2,000 streams counts 1.6 KB a stream of workspace as the streams' own.
// `--places P` publishes the readings with P decimals, as sensors write them, instead of all their digits.
// `--dump-state DIR` writes the first stream's three saved blobs into DIR as stored (`<pool>-<part>.blob`: a byte
// 0x01, the JSON's length in 4 bytes, then zlib; `zlib.decompress(blob[5:])` in Python gives the JSON).
//
// Usage: engine-bench memory [--streams 1000] [--steps N] [--forecast-every N] [--paths 16] [--config PATH]
//        [--warmup-streams N] [--places P] [--dump-state DIR]
import BARNN
import BenchmarkSupport
import Configuration
import Engine
import Foundation
import Logging
import Storage

struct MemoryArguments {
    var streams = 1000
    var steps: Int?
    var forecastEvery: Int?
    var paths = 16
    var config = "config/barnnd.toml"
    var pool: DaemonConfiguration.CalibrationPool?
    var warmupStreams: Int?
    var places: Int?
    var dumpState: String?

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { fatalError("missing value after \(flag)") }
            switch flag {
            case "--streams": streams = Int(value) ?? streams
            case "--steps": steps = Int(value)
            case "--forecast-every": forecastEvery = Int(value)
            case "--paths": paths = Int(value) ?? paths
            case "--config": config = value
            case "--pool": pool = DaemonConfiguration.CalibrationPool(rawValue: value)
            case "--warmup-streams": warmupStreams = Int(value)
            case "--places": places = Int(value)
            case "--dump-state": dumpState = value
            default: fatalError("unknown flag \(flag)")
            }
        }
    }

    var flags: [String] {
        var flags = ["--streams", "\(streams)", "--paths", "\(paths)", "--config", config]
        if let steps { flags += ["--steps", "\(steps)"] }
        if let forecastEvery { flags += ["--forecast-every", "\(forecastEvery)"] }
        if let warmupStreams { flags += ["--warmup-streams", "\(warmupStreams)"] }
        if let places { flags += ["--places", "\(places)"] }
        if let dumpState { flags += ["--dump-state", dumpState] }
        return flags
    }
}

/// Runs both modes in child processes, or (with `--pool`) one mode in this process.
func runMemoryBench(_ arguments: MemoryArguments) throws {
    guard let pool = arguments.pool else {
        for mode in DaemonConfiguration.CalibrationPool.allCases {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["memory"] + arguments.flags + ["--pool", mode.rawValue]
            try child.run()
            child.waitUntilExit()
            guard child.terminationStatus == 0 else { fatalError("memory run --pool \(mode) failed") }
        }
        return
    }
    let logger = Logger(label: "engine-bench") { _ in SwiftLogNoOpLogHandler() }
    let directory = try temporaryFolder("engine-memory")
    defer { try? FileManager.default.removeItem(at: directory) }
    // No retraining (benchmarkGroup): its training data would land in whichever cohort it overlaps.
    var group = try benchmarkGroup(config: arguments.config, paths: arguments.paths)
    group.calibration.pool = pool
    if let every = arguments.forecastEvery { group.forecastEvery = every }
    var configuration = DaemonConfiguration()
    configuration.rules = [benchmarkRule()]
    configuration.models = ["default": group]
    configuration.engine.maxStreams = max(
        arguments.streams + (arguments.warmupStreams ?? 0), configuration.engine.maxStreams)
    let store = try Store(path: directory.appendingPathComponent("memory.sqlite").path, logger: logger)
    try activateSeededModel(store, group: group)
    let start = 1_767_225_600.0
    let engine = try ForecastEngine(configuration: configuration, store: store, logger: logger, now: start)
    guard engine.modelSummaries.first?.kind == .barnn else { fatalError("the checkpoint was not loaded") }
    let steps = arguments.steps ?? 2 * group.calibration.window + group.horizon
    func feed(_ topics: [String], from first: Double) {
        for step in 0..<steps {
            let t = first + Double(step) * 60
            for (i, topic) in topics.enumerated() {
                let payload = benchmarkPayload(stream: i, step: step, time: t, places: arguments.places)
                engine.receive(topic: topic, payload: payload, arrivalTime: t)
            }
            _ = engine.tick(now: t + 1)
        }
    }
    // An optional first cohort fills what all streams share (SQLite's page cache, the group's score pool, the step
    // workspace), so the measured cohort's growth is its own. Off by default: with a forecast every step the measured
    // growth came out negative after a cohort of 50 (some transient of the cohort's last tick, not yet found). A
    // cohort of 1,024 (stop 32) gave the live heap the margin between 500 and 2,000 streams gives, less the
    // workspace's rows; RSS still came out negative (the cohort's freed pages are reused), so read the heap.
    let warmup = arguments.warmupStreams ?? 0
    if warmup > 0 { feed((0..<warmup).map { "s/w\($0)" }, from: start) }
    let topics = (0..<arguments.streams).map { "s/\($0)" }
    let before = residentBytes()
    let beforeTrimmed = residentBytes(trimmed: true)
    let heapBefore = heapInUseBytes()
    let elapsed = timed { feed(topics, from: start + Double(warmup > 0 ? steps : 0) * 60) }
    let resident = residentBytes() - before
    let live = residentBytes(trimmed: true) - beforeTrimmed
    let heap = heapInUseBytes() - heapBefore
    let saved = engine.shutdown(now: start + Double((warmup > 0 ? 2 : 1) * steps) * 60)
    var hidden = 0
    var normaliser = 0
    var calibrator = 0
    var poolBytes = 0
    for item in saved.writes {
        switch item {
        case .streamState(let record) where !record.stream.hasPrefix("w"):
            if let dump = arguments.dumpState, record.stream == "0" {
                let parts = [
                    ("hidden", record.hidden), ("normaliser", record.normaliser), ("calibrator", record.calibrator),
                ]
                for (part, blob) in parts {
                    let url = URL(fileURLWithPath: dump).appendingPathComponent("\(pool.rawValue)-\(part).blob")
                    try Data(blob).write(to: url)
                }
            }
            hidden += record.hidden.count
            normaliser += record.normaliser.count
            calibrator += record.calibrator.count
        case .calibrationPool(let record): poolBytes += record.pool.count
        default: break
        }
    }
    let n = Double(arguments.streams)
    let perStream = { (bytes: Int) -> Double in rounded(Double(bytes) / n / 1024, 2) }
    let counters = engine.counters
    var fields: [String: Any] = [
        "bench": "engine.memory streams=\(arguments.streams) steps=\(steps) pool=\(pool.rawValue)",
        "warmup_streams": warmup,
        "config": arguments.config, "horizon": group.horizon, "levels": group.quantiles.count,
        "calibration_window": group.calibration.window, "context_length": group.contextLength,
    ]
    fields["season"] = group.season
    fields["places"] = arguments.places.map { "\($0)" } ?? "all"
    fields["forecast_every"] = group.forecastEvery
    fields["paths"] = group.paths
    fields["forecasts"] = counters.forecastsBARNN + counters.forecastsFallback
    fields["resident_kb_per_stream"] = rounded(resident / n / 1024, 2)
    fields["resident_trimmed_kb_per_stream"] = rounded(live / n / 1024, 2)
    fields["heap_kb_per_stream"] = rounded(heap / n / 1024, 2)
    fields["saved_kb_per_stream"] = perStream(hidden + normaliser + calibrator)
    fields["saved_calibrator_kb_per_stream"] = perStream(calibrator)
    fields["saved_normaliser_kb_per_stream"] = perStream(normaliser)
    fields["saved_pool_kb"] = rounded(Double(poolBytes) / 1024, 1)
    fields["seconds"] = elapsed
    emit(fields)
    try store.close()
}
