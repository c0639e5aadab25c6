import BARNN
public import Configuration
import Foundation
public import Logging
import Storage

/// Replays a `timestamp,stream,value` recording offline through the daemon's own ``ForecastEngine`` (no broker, a
/// temporary database) under the rolling-origin protocol of `shared/eval/PROTOCOL.md`, and writes the forecasts at
/// the protocol's origins as the scorer's JSONL rows.
///
/// ## How it drives the engine
/// Every value becomes one `receive` of a number payload on `backtest/<stream>` with its own timestamp as the
/// arrival time (event cadence: each row is one step, so steps are index based as the protocol wants, gaps in the
/// clock included). Data time is the engine's `now`. The history part (the first 60 % of each stream) is received
/// and learned in one `tick`; the group's `min_history` equals the history length, so that tick starts the first
/// fit on exactly the history. The backtest waits for the trainer, a second `tick` swaps the model in and re-warms
/// every stream, and the forecast at the first origin (the last history value) is issued. After that, one `tick`
/// per timestamp: the engine scores the forecasts that the new values complete, updates the calibrators, steps the
/// hidden states and forecasts every `forecast_every` steps, exactly as the daemon does; at a protocol origin the
/// backtest only asks the engine to forecast that stream in that tick (``ForecastEngine/oweForecast(stream:)``) and
/// keeps the issued forecast. Scheduled and drift-triggered retrains go through the promotion gate as in the daemon,
/// on data time counted in steps of the recording (``retrainSettings(_:)``). Whenever a tick starts a training, the
/// backtest waits for it before going on, and a training reads the engine's context rather than whatever the writer
/// has committed (``ModelTrainer/historySteps(stream:context:historyStartUs:store:)``), so the result does not depend
/// on thread timing: the same recording, settings and seed give identical output, restarts included.
public final class Backtest {
    /// One stream's values in index order and its protocol split.
    struct StreamPlan {
        var name: String
        var plan: BacktestPlan
        var origins: Set<Int>
    }

    /// The rows of one timestamp, with each row's index in its stream.
    struct TimeStep {
        var time: Double
        var rows: [(stream: String, index: Int, value: Double)]
    }

    static let groupName = "backtest"
    static let topicPrefix = "backtest/"

    let settings: BacktestSettings
    let logger: Logger
    let plans: [String: StreamPlan]
    let steps: [TimeStep]
    /// Time steps of the history part (received and learned in one tick).
    let historySteps: Int

    /// Plans the backtest of `recording`.
    ///
    /// - Throws: ``BacktestError`` for an empty recording, a stream too short for the split, or bad settings.
    public init(recording: ReplayRecording, settings: BacktestSettings, logger: Logger) throws(BacktestError) {
        guard settings.horizon >= 1, settings.season >= 1 else {
            throw .invalidSettings("horizon and season must be at least 1")
        }
        var lengths: [String: Int] = [:]
        var steps: [TimeStep] = []
        for row in recording.rows {
            guard let value = row.value else { continue }
            let index = lengths[row.stream, default: 0]
            lengths[row.stream] = index + 1
            if let last = steps.last, last.time == row.time {
                steps[steps.count - 1].rows.append((row.stream, index, value))
            } else {
                steps.append(TimeStep(time: row.time, rows: [(row.stream, index, value)]))
            }
        }
        guard !steps.isEmpty else { throw .empty }
        var plans: [String: StreamPlan] = [:]
        for (name, length) in lengths {
            guard let plan = BacktestPlan(length: length, horizon: settings.horizon) else {
                throw .streamTooShort(stream: name, length: length, horizon: settings.horizon)
            }
            plans[name] = StreamPlan(name: name, plan: plan, origins: Set(plan.origins))
        }
        self.settings = settings
        self.logger = logger
        self.plans = plans
        self.steps = steps
        self.historySteps =
            steps.firstIndex { step in step.rows.contains { $0.index >= plans[$0.stream]!.plan.trainLength } }
            ?? steps.count
    }

    /// Whether a forecast after value `index` of `stream` is written.
    func isOrigin(_ index: Int, of stream: String) -> Bool {
        let plan = plans[stream]!
        if settings.everyOrigin {
            return index >= plan.plan.trainLength - 1 && index <= plan.plan.length - 1 - plan.plan.horizon
        }
        return plan.origins.contains(index)
    }

    /// The protocol splits by stream name.
    public var streamPlans: [String: BacktestPlan] { plans.mapValues(\.plan) }

    /// The daemon configuration the engine runs with: one event-cadence rule `backtest/+` → stream `{1}` and one
    /// model group from ``BacktestSettings/group`` with the protocol's horizon, season and levels.
    public var configuration: DaemonConfiguration {
        var group = settings.group
        group.horizon = settings.horizon
        group.season = settings.season
        group.quantiles = BacktestSettings.protocolLevels
        group.minHistory = plans.values.map(\.plan.trainLength).min()!
        group.contextLength = max(group.contextLength, plans.values.map(\.plan.length).max()!)
        group.retrain = retrainSettings(group.retrain)
        var rule = DaemonConfiguration.Rule()
        rule.name = Self.groupName
        rule.topic = Self.topicPrefix + "+"
        rule.stream = "{1}"
        rule.payload.format = .number
        rule.cadence = .event
        rule.model = Self.groupName
        var configuration = DaemonConfiguration()
        configuration.models = [Self.groupName: group]
        configuration.rules = [rule]
        // States are saved by the restart check and at the end only (data time would save every few steps).
        configuration.engine.stateSaveInterval = .seconds(Int64(1) << 40)
        configuration.engine.maxStreams = max(configuration.engine.maxStreams, plans.count)
        configuration.engine.maxFutureSkew = .seconds(0)
        return configuration
    }

    /// The group's `[retrain]` on data time, in steps of the recording rather than wall-clock units (a monthly
    /// series has no 02:00–05:00 window and "1d" is no interval for it): scheduled every
    /// ``BacktestSettings/retrainEverySteps``, drift retrains ``BacktestSettings/horizon`` steps after an alarm with a
    /// cooldown of half the interval, no time-of-day window, and the whole history so far (the context holds it).
    func retrainSettings(_ configured: DaemonConfiguration.RetrainSettings) -> DaemonConfiguration.RetrainSettings {
        var retrain = configured
        let never = Duration.seconds(Int64(1) << 40)
        retrain.window = nil
        retrain.history = never
        // As many checkpoints as the configuration allows: the ablations serve version 1, which a long run's retrains
        // would otherwise prune (parking's nine retrains did with keep_last = 5).
        retrain.keepLast = DaemonConfiguration.RetrainSettings.keepLastRange.upperBound
        guard retrainEverySteps > 0 else {
            retrain.every = never
            retrain.driftTrigger = false
            return retrain
        }
        let spacing = stepSpacing
        retrain.every = Duration.milliseconds(Int64((Double(retrainEverySteps) * spacing * 1000).rounded()))
        retrain.cooldown = Duration.milliseconds(Int64((Double(retrainEverySteps) * spacing * 500).rounded()))
        retrain.driftDelay = Duration.milliseconds(Int64((Double(settings.horizon) * spacing * 1000).rounded()))
        retrain.driftTrigger = settings.driftRetrain
        return retrain
    }

    /// Steps between scheduled retrains (0: none).
    public var retrainEverySteps: Int {
        if let steps = settings.retrainEverySteps { return max(0, steps) }
        let shortestTest = plans.values.map { $0.plan.length - $0.plan.trainLength }.min() ?? 0
        return max(1, shortestTest / BacktestSettings.defaultRetrainsPerTestPart)
    }

    /// The median time between consecutive time steps of the recording, in seconds (1 when it is not positive).
    var stepSpacing: Double {
        var gaps = zip(steps.dropFirst(), steps).map { $0.time - $1.time }
        guard !gaps.isEmpty else { return 1 }
        gaps.sort()
        let median = gaps[gaps.count / 2]
        return median > 0 ? median : 1
    }

    /// The encoded checkpoint `version` (the active one when nil) of a database kept by an earlier backtest
    /// (``BacktestSettings/databasePath``); version 1 is the first fit on the history.
    public static func checkpoint(database path: String, version: Int? = nil) throws(BacktestError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .storage("no database at \(path)") }
        let blob: [UInt8]?
        do throws(StorageError) {
            var logger = Logger(label: "barnnd.backtest")
            logger.logLevel = .warning
            let store = try Store(path: path, logger: logger)
            defer { try? store.close() }
            if let version {
                blob = try store.checkpoint(model: groupName, version: version)?.blob
            } else {
                blob = try store.activeCheckpoint(model: groupName)?.blob
            }
        } catch {
            throw .storage("\(error)")
        }
        guard let blob else {
            throw .storage(
                "\(path) has no \(version.map { "version \($0) of the" } ?? "active") '\(groupName)' checkpoint")
        }
        return blob
    }

    /// Runs the backtest; `write` receives each JSONL row (without newline) in a deterministic order, `progress`
    /// the time steps done and the total.
    public func run(
        write: @escaping (String) -> Void, progress: ((Int, Int) -> Void)? = nil
    ) async throws(BacktestError) -> BacktestSummary {
        let directory: URL?
        let path: String
        if let kept = settings.databasePath {
            // An existing database would restore its streams' states instead of starting from the history.
            guard !FileManager.default.fileExists(atPath: kept) else { throw .invalidSettings("\(kept) exists") }
            directory = nil
            path = kept
        } else {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
                "barnnd-backtest-\(UUID().uuidString)")
            do {
                try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
            } catch {
                throw .storage("cannot create \(temporary.path): \(error)")
            }
            directory = temporary
            path = temporary.appendingPathComponent("backtest.sqlite").path
        }
        defer { if let directory { try? FileManager.default.removeItem(at: directory) } }
        let store: Store
        do throws(StorageError) {
            store = try Store(path: path, logger: logger)
        } catch {
            throw .storage("\(error)")
        }
        let writer = store.makeWriter()
        var driver = try Driver(backtest: self, store: store, writer: writer, write: write)
        let summary = try await driver.run(progress: progress)
        await writer.close()
        try? store.close()
        return summary
    }
}
