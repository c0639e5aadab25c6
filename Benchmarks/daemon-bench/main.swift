// daemon-bench: the whole daemon (DaemonRunner in this process) through a real mosquitto.
//
// For each stream count N: (1) warm-up: W rounds of history for every stream published as fast as possible
// (saturation: observations/s with forecasting on), until a first BARNN model is trained and active; (2) a steady
// phase of one reading per stream every --interval seconds, spread evenly, forecast_every = 1, S = 32 paths, H = 24:
// latency from a reading's publish to its stream's next forecast arriving, beside the broker hop alone (a plain
// subscriber to the sensor topics, the reference measured in the same run). Resident memory (VmRSS) is read before
// the first reading and after each phase; its growth divided by the streams is the memory a stream costs, with
// the calibration windows as full as the readings so far made them (a warm-up of 2·window + H readings fills them).
// Prints JSON lines.
//
// `--config PATH` takes the model group `default` of that file (the bundled config/barnnd.toml: H 12, 7 levels,
// 256 paths, calibration window 300) instead of the benchmark's own (S 32, H 24, forecast every step).
//
// Periodic state saves run every `--save-interval` seconds (30; the daemon's default is 300), so that the steady
// phase's latencies include them.
//
// `--prefill-paths P` replaces the warm-up through the broker: before the daemon starts, an engine in this process
// reads the same W readings a stream on the daemon's database, at P paths and with a seeded model active (paths and
// weights size a forecast's cost, not a stream's state), and saves every stream's state and the group's score pool;
// the daemon then restores them. Observations and forecasts of the prefill are not stored. It is how 10,000 streams
// get full calibration windows: through the daemon the warm-up (W = 2·window + H = 624 readings, 6.24M in all, and
// 3.6 KB of database an observation) takes over 40 minutes. Memory per stream is then counted from before the
// prefill, so it includes the daemon's own fixed memory.
//
// Usage: swift run -c release daemon-bench [--streams 1000,10000] [--seconds 15] [--warmup 40] [--interval 1]
//   [--save-interval 30] [--config PATH] [--cache-mib N] [--prefill-paths P]
import BARNN
import BenchmarkSupport
import Configuration
import Daemon
import Engine
import Foundation
import Logging
import MQTT
import MQTTTestKit
import Storage
import Synchronization

beginBenchmark()

struct Arguments {
    var streams = [1000, 10000]
    var seconds = 15
    var warmup = 40
    var interval = 1.0
    var saveInterval = 30
    var config: String?
    /// `storage.cache_mib`, the database's page cache (the daemon's default when not given).
    var cacheMiB: Int?
    /// Paths of the in-process prefill that replaces the warm-up through the broker; nil for that warm-up.
    var prefillPaths: Int?

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { fatalError("missing value after \(flag)") }
            switch flag {
            case "--streams": streams = value.split(separator: ",").compactMap { Int($0) }
            case "--seconds": seconds = Int(value) ?? seconds
            case "--warmup": warmup = Int(value) ?? warmup
            case "--interval": interval = Double(value) ?? interval
            case "--save-interval": saveInterval = Int(value) ?? saveInterval
            case "--config": config = value
            case "--cache-mib": cacheMiB = Int(value)
            case "--prefill-paths": prefillPaths = Int(value)
            default:
                fatalError(
                    "unknown flag \(flag); use --streams, --seconds, --warmup, --interval, --save-interval, --config, "
                        + "--cache-mib, --prefill-paths")
            }
        }
    }
}

/// Latency samples and arrival counts, written by subscriber callbacks and read at the end.
final class Recorder: Sendable {
    private struct State {
        var lastPublish: [Double]
        var forecastLatencies: [Double] = []
        var brokerLatencies: [Double] = []
        var recording = false
        var forecasts = 0
    }

    private let state: Mutex<State>
    /// The latest health report's JSON.
    let health = Mutex<[UInt8]>([])

    init(streams: Int) { state = Mutex(State(lastPublish: Array(repeating: .nan, count: streams))) }

    func published(_ stream: Int, at time: Double) { state.withLock { $0.lastPublish[stream] = time } }
    func setRecording(_ on: Bool) { state.withLock { $0.recording = on } }

    func forecastArrived(_ stream: Int, at time: Double) {
        state.withLock { state in
            state.forecasts += 1
            let sent = state.lastPublish[stream]
            if state.recording, sent.isFinite { state.forecastLatencies.append(time - sent) }
        }
    }

    func sensorArrived(_ stream: Int, at time: Double) {
        state.withLock { state in
            let sent = state.lastPublish[stream]
            if state.recording, sent.isFinite { state.brokerLatencies.append(time - sent) }
        }
    }

    /// Forecast messages arrived so far, recording or not.
    func forecastCount() -> Int { state.withLock { $0.forecasts } }

    func results() -> (forecast: [Double], broker: [Double], forecasts: Int) {
        state.withLock { ($0.forecastLatencies.sorted(), $0.brokerLatencies.sorted(), $0.forecasts) }
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Any {
    guard !sorted.isEmpty else { return NSNull() }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))] * 1000
}

func now() -> Double { Date().timeIntervalSince1970 }

func streamIndex(_ topic: String) -> Int? {
    guard let last = topic.split(separator: "/").last else { return nil }
    return Int(last)
}

/// Publishes, retrying while libmosquitto's outgoing queue is full.
func publish(_ client: MosquittoClient, _ topic: String, _ payload: [UInt8]) async throws {
    while true {
        do {
            try client.publish(topic: topic, payload: payload, qos: .atLeastOnce)
            return
        } catch let error as MQTTError where error.code == .outgoingQueueFull {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

func payload(stream: Int, step: Int, start: Double) -> [UInt8] {
    let value =
        20 + 5 * sin(Double(step) * 2 * .pi / 24 + Double(stream % 17)) + Double((stream &* 31 &+ step) % 13) * 0.05
    return Array("{\"v\":\(value),\"t\":\(Int(start) + step)}".utf8)
}

/// Fills `count` streams' states on the database of `configuration` before its daemon starts: an engine reads `steps`
/// readings a stream (the warm-up's, one tick a round) at `paths` paths with a seeded model active, then every state
/// and the score pools are saved; nothing else it wrote is kept.
func prefill(
    configuration: DaemonConfiguration, streams count: Int, steps: Int, paths: Int, start: Double
) async throws -> [String: Any] {
    let logger = Logger(label: "daemon-bench") { _ in SwiftLogNoOpLogHandler() }
    var configuration = configuration
    for name in configuration.models.keys { configuration.models[name]?.paths = paths }
    guard let group = configuration.models["default"] else { fatalError("no model group \"default\"") }
    let store = try Store(path: configuration.storage.path, logger: logger)
    try activateSeededModel(store, group: group)
    let engine = try ForecastEngine(configuration: configuration, store: store, logger: logger, now: start)
    let topics = (0..<count).map { "sensors/s/\($0)" }
    var nextProgress = now() + 300
    let began = now()
    for step in 0..<steps {
        let t = start + Double(step)
        for stream in 0..<count {
            engine.receive(
                topic: topics[stream], payload: payload(stream: stream, step: step, start: start), arrivalTime: t)
        }
        _ = engine.tick(now: t + 0.5)
        if now() >= nextProgress {
            nextProgress += 300
            FileHandle.standardError.write(
                Data("prefill: \(step + 1) of \(steps) rounds after \(Int(now() - began)) s\n".utf8))
        }
    }
    let forecasts = engine.counters.forecastsBARNN + engine.counters.forecastsFallback
    let saved = engine.shutdown(now: start + Double(steps)).writes.filter {
        switch $0 {
        case .streamState, .calibrationPool: true
        default: false
        }
    }
    let writer = store.makeWriter()
    guard writer.enqueue(saved, overflow: .block(timeout: .seconds(600))) == .accepted else {
        fatalError("the writer refused the prefilled states")
    }
    try await writer.flush()
    await writer.close()
    try store.close()
    return [
        "streams": count, "readings_per_stream": steps, "paths": paths, "forecasts": forecasts,
        "states": saved.count, "seconds": now() - began,
    ]
}

func run(streams count: Int, arguments: Arguments) async throws {
    let broker = try MosquittoBroker()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    var configuration = DaemonConfiguration()
    configuration.mqtt.host = "127.0.0.1"
    configuration.mqtt.port = broker.port
    configuration.mqtt.clientID = "daemon-bench"
    configuration.storage.path = directory.appendingPathComponent("bench.sqlite").path
    configuration.storage.batchInterval = .milliseconds(200)
    if let cacheMiB = arguments.cacheMiB { configuration.storage.cacheMiB = cacheMiB }
    var rule = DaemonConfiguration.Rule()
    rule.payload.format = .json
    rule.payload.valuePath = "v"
    rule.payload.timePath = "t"
    configuration.rules = [rule]
    var group = DaemonConfiguration.ModelGroup()
    group.paths = 32
    group.horizon = 24
    group.forecastEvery = 1
    group.contextLength = 256
    if let path = arguments.config {
        guard let bundled = try DaemonConfiguration.load(contentsOf: path).models["default"] else {
            fatalError("\(path) has no model group \"default\"")
        }
        group = bundled
    }
    group.minHistory = 32
    configuration.models = ["default": group]
    let shape =
        "S=\(group.paths) H=\(group.horizon) K=\(group.quantiles.count) W=\(group.calibration.window)"
        + " pool=\(group.calibration.pool.rawValue) forecast_every=\(group.forecastEvery)"
    configuration.publish.scalarTopic = ""
    configuration.publish.healthInterval = .seconds(1)
    // Periodic state saves fall within the steady phase, so its latencies include them.
    configuration.engine.stateSaveInterval = .seconds(Int64(arguments.saveInterval))
    configuration.engine.maxStreams = max(count, 10000)
    configuration = try configuration.validated()

    // Before a prefill, which frees what its engine held: per-stream figures then count from here.
    let residentBeforePrefill = residentBytes(trimmed: true)
    let heapBeforePrefill = heapInUseBytes()
    let dataStart = 1_700_000_000.0
    if let paths = arguments.prefillPaths {
        var fields = try await prefill(
            configuration: configuration, streams: count, steps: arguments.warmup, paths: paths, start: dataStart)
        fields["bench"] = "daemon.prefill streams=\(count) \(shape)"
        emit(fields)
    }

    var options = DaemonRunner.Options()
    var training = ForecastEngine.defaultTrainingOptions
    training.steps = 150
    training.evaluateEvery = 50
    options.training = training
    let runner = DaemonRunner(
        configuration: configuration, options: options,
        logger: Logger(label: "barnnd") { _ in SwiftLogNoOpLogHandler() })
    let daemon = Task { try await runner.run() }

    let recorder = Recorder(streams: count)
    func client(_ id: String, _ filters: [String]) async throws -> MosquittoClient {
        var settings = broker.configuration(
            clientID: id, subscriptions: try filters.map { .init(try TopicFilter($0), qos: .atLeastOnce) })
        settings.session = .clean
        settings.outgoingQueueCapacity = 50_000
        settings.incomingQueueCapacity = 50_000
        settings.receiveMaximum = 1000
        let client = try MosquittoClient(
            configuration: settings, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        client.start()
        try await client.waitUntilConnected(timeout: .seconds(30))
        while client.counters.subscriptionsGranted < UInt64(filters.count) {
            try await Task.sleep(for: .milliseconds(5))
        }
        return client
    }
    let forecasts = try await client("bench-forecasts", ["forecast/#"])
    let reference = try await client("bench-reference", ["sensors/#"])
    let status = try await client("bench-health", ["barnnd/status/health"])
    let publisher = try await client("bench-publisher", [])
    let readers = [
        Task {
            for await message in forecasts.messages {
                if let stream = streamIndex(message.topic) { recorder.forecastArrived(stream, at: message.receivedAt) }
            }
        },
        Task {
            for await message in reference.messages {
                if let stream = streamIndex(message.topic) { recorder.sensorArrived(stream, at: message.receivedAt) }
            }
        },
        Task {
            for await message in status.messages {
                recorder.health.withLock { $0 = message.payload }
            }
        },
    ]
    func report() -> [String: Any] {
        let bytes = recorder.health.withLock { $0 }
        return (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:]
    }
    func engineCounter(_ key: String) -> Int {
        ((report()["engine"] as? [String: Any])?[key] as? Int) ?? 0
    }
    func modelVersion() -> Int {
        (((report()["models"] as? [[String: Any]])?.first)?["version"] as? Int) ?? 0
    }
    // Wait until the daemon is up (its first health report).
    while report().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
    let prefilled = arguments.prefillPaths != nil
    let residentAtStart = prefilled ? residentBeforePrefill : residentBytes()
    let heapAtStart = prefilled ? heapBeforePrefill : heapInUseBytes()
    func kilobytesPerStream() -> Double { rounded((residentBytes() - residentAtStart) / Double(count) / 1024, 2) }
    // malloc's in-use growth: what is live, without the freed temporaries RSS still holds (e.g. training's).
    func heapKilobytesPerStream() -> Double {
        rounded((heapInUseBytes() - heapAtStart) / Double(count) / 1024, 2)
    }

    // Warm-up at saturation, unless prefilled.
    let warmupStart = now()
    for step in 0..<(prefilled ? 0 : arguments.warmup) {
        for stream in 0..<count {
            try await publish(publisher, "sensors/s/\(stream)", payload(stream: stream, step: step, start: dataStart))
        }
    }
    let total = prefilled ? 0 : arguments.warmup * count
    // 900 s, or more for a warm-up that fills 10,000 streams' windows (6M readings at about 2.5k forecasts/s).
    let warmupDeadline = now() + max(900, Double(total) / 1000)
    var nextProgress = now() + 300
    while engineCounter("observations") < total, now() < warmupDeadline {
        try await Task.sleep(for: .milliseconds(50))
        if now() >= nextProgress {
            nextProgress += 300
            let seen = engineCounter("observations")
            FileHandle.standardError.write(
                Data("warm-up: \(seen) of \(total) observations after \(Int(now() - warmupStart)) s\n".utf8))
        }
    }
    let warmupSeconds = now() - warmupStart
    if !prefilled {
        emit([
            "bench": "daemon.saturation streams=\(count) \(shape)",
            "observations": engineCounter("observations"),
            "seconds": warmupSeconds, "observations_per_s": Double(engineCounter("observations")) / warmupSeconds,
            "model": modelVersion() > 0 ? "barnn" : "fallback",
            "readings_per_stream": arguments.warmup, "rss_kb_per_stream": kilobytesPerStream(),
            "rss_mb": rounded(residentBytes() / 1_048_576, 1), "heap_kb_per_stream": heapKilobytesPerStream(),
        ])
    }
    // Wait (bounded) for the first training to finish and the model to be swapped in.
    let trainingDeadline = now() + 300
    while modelVersion() == 0, now() < trainingDeadline { try await Task.sleep(for: .milliseconds(100)) }
    let kind = modelVersion() > 0 ? "barnn v\(modelVersion())" : "fallback (training not finished in 300 s)"

    // The warm-up's own forecasts drain first (no new one for a second, within two minutes): forecasts of the
    // saturation phase still queued would hold up the steady phase's first readings and count against its latency.
    let drainStart = now()
    var forecastsSoFar = recorder.forecastCount()
    while now() < drainStart + 120 {
        try await Task.sleep(for: .seconds(1))
        let latest = recorder.forecastCount()
        if latest == forecastsSoFar { break }
        forecastsSoFar = latest
    }
    let warmupForecasts = forecastsSoFar, drainSeconds = now() - drainStart

    // Steady: one reading per stream every `interval` seconds, spread evenly.
    let baseline = report()
    recorder.setRecording(true)
    let steadyStart = now()
    let chunk = max(1, count / 100)
    let rounds = max(1, Int((Double(arguments.seconds) / arguments.interval).rounded()))
    for round in 0..<rounds {
        let step = arguments.warmup + round
        for first in stride(from: 0, to: count, by: chunk) {
            let due = steadyStart + (Double(round) + Double(first) / Double(count)) * arguments.interval
            let wait = due - now()
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            for stream in first..<min(count, first + chunk) {
                recorder.published(stream, at: now())
                try await publish(
                    publisher, "sensors/s/\(stream)", payload(stream: stream, step: step, start: dataStart))
            }
        }
    }
    let steadyTotal = total + rounds * count
    let drainDeadline = now() + 60
    while engineCounter("observations") < steadyTotal, now() < drainDeadline {
        try await Task.sleep(for: .milliseconds(20))
    }
    let steadySeconds = now() - steadyStart
    try await Task.sleep(for: .milliseconds(1500))
    recorder.setRecording(false)
    let results = recorder.results()
    let final = report()
    func runtime(_ report: [String: Any], _ key: String) -> Double {
        ((report["runtime"] as? [String: Any])?[key] as? Double) ?? 0
    }
    var timing: [String: Double] = [:]
    for key in ["receive_s", "tick_s", "publish_s", "store_s"] {
        timing[key + "_per_s"] = (runtime(final, key) - runtime(baseline, key)) / steadySeconds
    }
    emit([
        "bench": "daemon.steady streams=\(count) interval=\(arguments.interval)s \(shape)",
        "model": kind,
        "offered_observations_per_s": Double(count) / arguments.interval,
        "state_save_interval_s": arguments.saveInterval,
        "observations_per_s": Double(engineCounter("observations") - total) / steadySeconds,
        "forecast_messages": results.forecast.count,
        "latency_ms_p50": percentile(results.forecast, 0.5), "latency_ms_p99": percentile(results.forecast, 0.99),
        "reference_broker_hop_ms_p50": percentile(results.broker, 0.5),
        "reference_broker_hop_ms_p99": percentile(results.broker, 0.99),
        "engine_thread_busy_fraction": timing,
        "forecasts_barnn": engineCounter("forecastsBARNN"), "forecasts_fallback": engineCounter("forecastsFallback"),
        "forecast_messages_total": results.forecasts, "warmup_forecast_messages": warmupForecasts,
        "warmup_drain_s": rounded(drainSeconds, 1),
        "readings_per_stream": arguments.warmup + rounds, "rss_kb_per_stream": kilobytesPerStream(),
        "rss_mb": rounded(residentBytes() / 1_048_576, 1), "heap_kb_per_stream": heapKilobytesPerStream(),
        "memory_counted_from": prefilled ? "before the prefill (includes the daemon's own)" : "the daemon's start",
    ])

    for reader in readers { reader.cancel() }
    await publisher.close()
    await forecasts.close()
    await reference.close()
    await status.close()
    // Shutdown: drain, save every stream's state, flush; systemd allows TimeoutStopSec (90 s) for it.
    let stopStart = now()
    // Not kill(getpid(), SIGTERM): the second runner of this process never stopped on it (its new dispatch signal
    // source did not fire after the first runner had cancelled one for the same signal).
    runner.requestStop()
    try await daemon.value
    emit(["bench": "daemon.shutdown streams=\(count)", "seconds": now() - stopStart])
    broker.stop()
}

/// The durable inbox's cost per message on libmosquitto's thread: one committed INSERT (WAL, synchronous=NORMAL),
/// beside the same messages appended to memory.
func benchInbox() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "daemon-bench-inbox-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let inbox = try DurableInbox(path: directory.appendingPathComponent("bench.inbox.sqlite").path)
    let messages = (0..<20_000).map { index in
        Message(
            topic: "sensors/s/\(index % 1000)", payload: payload(stream: index % 1000, step: index / 1000, start: 0),
            qos: .atLeastOnce, receivedAt: Double(index))
    }
    let total = try timed { for message in messages { try inbox.append(message) } }
    var memory: [Message] = []
    let memoryTotal = timed { for message in messages { memory.append(message) } }
    emit([
        "bench": "inbox.append messages=\(messages.count) payload~40B one commit each", "seconds": total,
        "appends_per_s": Double(messages.count) / total, "us_per_append": total / Double(messages.count) * 1e6,
        "reference_memory_us_per_append": memoryTotal / Double(memory.count) * 1e6,
    ])
}

let arguments = Arguments()
try benchInbox()
for count in arguments.streams {
    try await run(streams: count, arguments: arguments)
}
