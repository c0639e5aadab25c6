// `engine-bench saves`: what periodic state saves cost at N streams, and what a start costs that reads them back.
// N streams with a warm BARNN state each send one reading a minute, spread over the minute; the engine ticks every
// second of engine time and saves states every `state_save_interval` (300 s), in rounds spread over the ticks.
// Measured over two rounds: the slowest tick (engine time and the Store writer's commit of its rows, timed apart),
// the most states and bytes one tick wrote, and the resident peak (VmHWM) growth. The reference, same run: every
// state in one output and one commit, as a periodic save wrote them before rounds (and a shutdown still does).
// Then ticks with nothing to do: their cost is what the fleet's size alone adds to a tick; then ticks at the limit,
// each with 10 new streams and 10 evictions, beside the sort that used to choose the evicted.
// Then a new engine starts on the Store with `max_streams` N/10, reading rows one at a time; its reference is
// reading every row at once, as a start did before.
//
// Usage: engine-bench saves [--streams 10000] [--config PATH]
import BARNN
import BenchmarkSupport
import Configuration
import Engine
import Foundation
import Logging
import Storage

/// Flags of `engine-bench saves`.
struct SaveArguments {
    var streams = 10_000
    var config = "config/barnnd.toml"

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { fatalError("missing value after \(flag)") }
            switch flag {
            case "--streams": streams = Int(value) ?? streams
            case "--config": config = value
            default: fatalError("unknown flag \(flag)")
            }
        }
    }
}

extension EngineOutput {
    /// The stream state rows.
    var stateRows: [StreamStateRecord] {
        writes.compactMap {
            if case .streamState(let state) = $0 { return state }
            return nil
        }
    }
}

/// Enqueues `output`'s rows and waits for their commit; the seconds that took.
func commit(_ output: EngineOutput, to writer: StoreWriter) async throws -> Double {
    let started = DispatchTime.now().uptimeNanoseconds
    guard writer.enqueue(output.writes, overflow: .block(timeout: .seconds(600))) == .accepted else {
        fatalError("the writer refused a batch")
    }
    try await writer.flush()
    return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
}

func runSaveBench(_ arguments: SaveArguments) async throws {
    let logger = Logger(label: "engine-bench") { _ in SwiftLogNoOpLogHandler() }
    let directory = try temporaryFolder("engine-saves")
    defer { try? FileManager.default.removeItem(at: directory) }
    // No forecasts and no retraining: what a tick costs here is the readings and the saves.
    var group = try benchmarkGroup(config: arguments.config, paths: 16)
    group.forecastEvery = 1_000_000
    var configuration = DaemonConfiguration()
    // A bucket a minute (sensor fleets' usual cadence), so every tick also looks for buckets to close.
    var rule = benchmarkRule()
    rule.cadence = .every(.seconds(60))
    configuration.rules = [rule]
    configuration.models = ["default": group]
    configuration.engine.maxStreams = arguments.streams
    configuration.engine.stateSaveInterval = .seconds(300)
    let store = try Store(path: directory.appendingPathComponent("saves.sqlite").path, logger: logger)
    try activateSeededModel(store, group: group)
    let writer = store.makeWriter()
    let start = 1_767_225_600.0
    let engine = try ForecastEngine(configuration: configuration, store: store, logger: logger, now: start)
    let n = arguments.streams
    let topics = (0..<n).map { "s/\($0)" }
    func reading(_ i: Int, minute: Int) -> [UInt8] {
        benchmarkPayload(stream: i, step: minute, time: start + Double(minute) * 60 + Double(i % 60))
    }
    // Warm-up: 40 minutes of readings, a tick a minute, so every stream has a warm hidden state and a context.
    for minute in 0..<40 {
        let now = start + Double(minute * 60) + 59.5
        for i in 0..<n { engine.receive(topic: topics[i], payload: reading(i, minute: minute), arrivalTime: now) }
        _ = try await commit(engine.tick(now: now), to: writer)
    }
    var tickSeconds: [Double] = []
    var commitSeconds: [Double] = []
    var mostStates = 0
    var mostBytes = 0
    var saved = 0
    resetPeakResident()
    let residentBefore = residentBytes()
    for minute in 40..<50 {
        for second in 0..<60 {
            let now = start + Double(minute * 60 + second)
            var output = EngineOutput()
            tickSeconds.append(
                timed {
                    for i in stride(from: second, to: n, by: 60) {
                        engine.receive(topic: topics[i], payload: reading(i, minute: minute), arrivalTime: now)
                    }
                    output = engine.tick(now: now + 0.5)
                })
            let states = output.stateRows
            saved += states.count
            mostStates = max(mostStates, states.count)
            mostBytes = max(
                mostBytes, states.reduce(0) { $0 + $1.hidden.count + $1.normaliser.count + $1.calibrator.count })
            commitSeconds.append(try await commit(output, to: writer))
        }
    }
    let roundsPeak = peakResidentBytes() - residentBefore
    // Reference: every state at once (what a periodic save did before rounds).
    resetPeakResident()
    let referenceBefore = residentBytes()
    var all = EngineOutput()
    let allTick = timed { all = engine.shutdown(now: start + 50 * 60) }
    let allStates = all.stateRows
    let allBytes = allStates.reduce(0) { $0 + $1.hidden.count + $1.normaliser.count + $1.calibrator.count }
    let allCommit = try await commit(all, to: writer)
    let allPeak = peakResidentBytes() - referenceBefore
    // Then ticks with nothing received, no bucket due (every stream's minute is still open) and every state saved:
    // what a tick costs by the fleet's size alone.
    let idleTicks = (0..<200).map { k in timed { _ = engine.tick(now: start + 50 * 60 + 0.1 + Double(k) * 0.001) } }
    // Churn at the limit (max_streams N): each tick 10 new streams arrive and the 10 least recently seen are saved
    // and evicted. The reference is what choosing them cost before: a sort of the fleet by (last seen, id), timed
    // on the same number of pairs.
    let churnStart = start + 50 * 60 + 1
    let churnTicks = (0..<50).map { k in
        timed {
            let now = churnStart + Double(k) * 0.01
            for j in 0..<10 {
                engine.receive(topic: "s/new\(k)-\(j)", payload: reading(j, minute: 50), arrivalTime: now)
            }
            _ = engine.tick(now: now)
        }
    }
    let pairs = (0..<n).map { (Double($0 % 997), "s/\($0)") }
    let sortTime = medianTime(runs: 5) {
        _ = pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }.prefix(10)
    }
    all = EngineOutput()
    await writer.close()
    let sorted = tickSeconds.sorted()
    let mb = { (bytes: Double) -> Double in rounded(bytes / 1_048_576, 1) }
    emit([
        "bench": "engine.saves streams=\(n)", "config": arguments.config, "state_save_interval_s": 300,
        "save_batch": ForecastEngine.stateSaveBatch, "ticks": tickSeconds.count, "states_saved": saved,
        "tick_p50_ms": rounded(median(tickSeconds) * 1000, 2),
        "tick_p99_ms": rounded(sorted[sorted.count * 99 / 100] * 1000, 2),
        "tick_max_ms": rounded(sorted.last! * 1000, 2), "idle_tick_ms": rounded(median(idleTicks) * 1000, 3),
        "churn_tick_ms": rounded(median(churnTicks) * 1000, 2),
        "reference_eviction_sort_ms": rounded(sortTime * 1000, 2),
        "commit_max_ms": rounded(commitSeconds.max()! * 1000, 2),
        "most_states_in_a_tick": mostStates, "most_state_mb_in_a_tick": mb(Double(mostBytes)),
        "resident_peak_growth_mb": mb(roundsPeak),
        "reference_all_at_once_tick_ms": rounded(allTick * 1000, 2),
        "reference_all_at_once_commit_ms": rounded(allCommit * 1000, 2),
        "reference_all_at_once_states": allStates.count, "reference_all_at_once_state_mb": mb(Double(allBytes)),
        "reference_all_at_once_resident_peak_growth_mb": mb(allPeak),
    ])
    // A start on the saved rows, a tenth of them in memory, against reading every row at once.
    var limited = configuration
    limited.engine.maxStreams = max(1, n / 10)
    resetPeakResident()
    let startBefore = residentBytes()
    var restarted: ForecastEngine?
    let startSeconds = try timed {
        restarted = try ForecastEngine(configuration: limited, store: store, logger: logger, now: start + 50 * 60)
    }
    let startPeak = peakResidentBytes() - startBefore
    let restored = restarted!.counters.streamsRestored
    restarted = nil
    resetPeakResident()
    let readBefore = residentBytes()
    var rows: [StreamStateRecord] = []
    let readSeconds = try timed { rows = try store.streamStates() }
    let readPeak = peakResidentBytes() - readBefore
    emit([
        "bench": "engine.start streams=\(n) max_streams=\(limited.engine.maxStreams)", "restored": restored,
        "start_s": rounded(startSeconds, 2), "resident_peak_growth_mb": mb(startPeak),
        "reference_read_all_rows_s": rounded(readSeconds, 2), "reference_rows": rows.count,
        "reference_read_all_rows_resident_peak_growth_mb": mb(readPeak),
    ])
    try store.close()
}
