// engine-bench: the cost of one engine tick for N streams (every stream gets one reading and is due), beside the
// BARNN calls it is made of, measured in the same run: one batched `step` (N rows) and one `sample` (N·S rows).
// Prints JSON lines. Run: swift run -c release engine-bench; `engine-bench memory` measures what a stream costs in
// memory instead (see StreamMemory.swift), `engine-bench saves` what periodic state saves and a start cost (see
// StateSaves.swift).
import BARNN
import BenchmarkSupport
import Configuration
import Engine
import Foundation
import Logging
import Storage

beginBenchmark()
if CommandLine.arguments.dropFirst().first == "memory" {
    try runMemoryBench(MemoryArguments(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "saves" {
    try await runSaveBench(SaveArguments(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

let logger = Logger(label: "engine-bench") { _ in SwiftLogNoOpLogHandler() }
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

let start = 1_767_225_600.0
for (streams, paths, forecastEvery) in [(100, 256, 1), (1000, 64, 1), (1000, 64, 1_000_000)] {
    let store = try Store(
        path: directory.appendingPathComponent("bench-\(streams)-\(paths)-\(forecastEvery).sqlite").path, logger: logger
    )
    var configuration = DaemonConfiguration()
    configuration.rules = [benchmarkRule()]
    var group = DaemonConfiguration.ModelGroup()
    group.paths = paths
    group.horizon = 12
    group.minHistory = 32
    group.contextLength = 64
    group.forecastEvery = forecastEvery
    group.calibration.method = .aci
    group.calibration.window = 200
    configuration.models = ["default": group]
    let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: group.hiddenSize), seed: 3)
    try store.saveCheckpoint(
        NewCheckpoint(model: "default", createdAtUs: 0, blob: BARNN.Checkpoint.encode(model)), activate: true,
        keepLast: 2)
    let engine = try ForecastEngine(configuration: configuration, store: store, logger: logger, now: start)
    let payloads = (0..<streams).map { "s/\($0)" }
    var tickTimes: [Double] = []
    var forecasts = 0
    for step in 0..<48 {
        let t = start + Double(step) * 60
        let elapsed = timed {
            for (i, topic) in payloads.enumerated() {
                let v = 20 + sin(Double(step) * 0.3 + Double(i))
                engine.receive(topic: topic, payload: Array("{\"t\":\(t),\"v\":\(v)}".utf8), arrivalTime: t)
            }
            forecasts = engine.tick(now: t + 1).publications.count
        }
        if step >= 40 { tickTimes.append(elapsed) }
    }
    // The reference: the BARNN calls alone on the same shapes.
    let workspace = BARNNWorkspace(configuration: model.configuration)
    let states = (0..<streams).map { i in
        model.warmUp(
            values: (0..<32).map { Float(20 + sin(Double($0) * 0.3 + Double(i))) },
            timeFeatures: CalendarFeatures.hourAndWeek.features(unixTimes: (0..<32).map { start + Double($0) * 60 }),
            scale: SeriesScale(scale: 0.3), workspace: workspace)
    }
    var batch = RecurrentBatch(states, hiddenSize: model.configuration.hiddenSize)
    let features = [Float](repeating: 0.5, count: streams * 4)
    let stepTime = medianTime(runs: 5) {
        model.step(
            &batch, observations: [Float](repeating: 20, count: streams), timeFeatures: features, workspace: workspace)
    }
    var rng = SeededRNG(seed: 1)
    let horizonFeatures = [Float](repeating: 0.5, count: streams * 12 * 4)
    let sampleTime = medianTime(runs: 3) {
        _ = model.sample(
            batch, paths: paths, horizon: 12, timeFeatures: horizonFeatures, levels: [0.05, 0.25, 0.5, 0.75, 0.95],
            rng: &rng, workspace: workspace)
    }
    emit([
        "bench": "engine.tick", "streams": streams, "paths": paths, "horizon": 12, "hidden": group.hiddenSize,
        "forecast_every": forecastEvery, "threads": 1, "publications": forecasts, "tick_s": median(tickTimes),
        "per_stream_us": median(tickTimes) / Double(streams) * 1e6, "reference_step_s": stepTime,
        "reference_sample_s": forecastEvery == 1 ? sampleTime : 0,
    ])
    try store.close()
}
