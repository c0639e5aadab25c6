import BARNN
import Foundation
import Logging
import StorageTestKit
import Testing

@testable import Backtest
@testable import Configuration
@testable import Engine
@testable import Formats

/// A synthetic `timestamp,stream,value` recording: a daily sine (period 24 steps) plus seeded Gaussian noise whose
/// standard deviation switches from `noise` to `testNoise` at `switchAt`.
struct SyntheticRecording {
    var length: Int
    var streams: [String] = ["a"]
    var noise = 0.1
    var testNoise = 0.1
    var switchAt = Int.max
    var seed: UInt64 = 42
    var start = 1_700_000_000.0

    var values: [String: [Double]] {
        var state = seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
        }
        var result: [String: [Double]] = [:]
        for (s, stream) in streams.enumerated() {
            result[stream] = (0..<length).map { t in
                let gaussian = (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
                let sigma = t < switchAt ? noise : testNoise
                return 10 + Double(s) + 2 * sin(2 * .pi * Double(t) / 24) + sigma * gaussian
            }
        }
        return result
    }

    var csv: String {
        let values = values
        var text = "timestamp,stream,value\n"
        for t in 0..<length {
            for stream in streams {
                text += "\(UTCTimestamp.format(start + Double(t) * 3600)),\(stream),\(values[stream]![t])\n"
            }
        }
        return text
    }
}

/// Runs backtests in memory with tiny models (Swift Testing runs these in a debug build).
enum BacktestFixture {
    static var tinyTraining: TrainingOptions {
        var options = ForecastEngine.defaultTrainingOptions
        options.steps = 40
        options.batchSize = 8
        options.window = 48
        options.burnIn = 8
        options.evaluateEvery = 20
        return options
    }

    /// Tiny-model settings; `retrainEvery` 0 serves the first fit throughout, nil is the backtest's default.
    static func settings(
        horizon: Int = 6, method: DaemonConfiguration.CalibrationMethod = .aci, paths: Int = 32,
        retrainEvery: Int? = 0
    ) -> BacktestSettings {
        var group = DaemonConfiguration.ModelGroup()
        group.hiddenSize = 8
        group.paths = paths
        group.seed = 3
        group.calibration.method = method
        var settings = BacktestSettings(
            dataset: "synthetic", horizon: horizon, season: 24, group: group, training: tinyTraining)
        settings.retrainEverySteps = retrainEvery
        return settings
    }

    static func run(
        _ recording: SyntheticRecording, _ settings: BacktestSettings
    ) async throws -> (
        lines: [String], summary: BacktestSummary
    ) {
        var logger = Logger(label: "test.backtest")
        logger.logLevel = .warning
        let backtest = try Backtest(
            recording: try ReplayRecording(csv: recording.csv), settings: settings, logger: logger)
        var lines: [String] = []
        let summary = try await backtest.run(write: { lines.append($0) })
        return (lines, summary)
    }

    /// One parsed JSONL row.
    struct Row {
        var dataset: String
        var stream: String
        var origin: String
        var quantiles: [String: [Double]]
    }

    static func parse(_ line: String) throws -> Row {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let quantiles = try #require(object["quantiles"] as? [String: [Double]])
        return Row(
            dataset: try #require(object["dataset"] as? String), stream: try #require(object["stream"] as? String),
            origin: try #require(object["origin_timestamp"] as? String), quantiles: quantiles)
    }
}

@Suite struct BacktestPlanTests {
    @Test func matchesTheScorersSplitOnTheSharedDatasets() throws {
        // The counts and strides the scorer's split (evaluate.py) gives for six development datasets.
        for (n, h, origins, stride) in [
            (4032, 48, 157, 10), (17520, 48, 152, 46), (1268, 24, 162, 3), (4392, 30, 158, 11),
            (2820, 12, 160, 7), (1461, 7, 193, 3),
        ] {
            let plan = try #require(BacktestPlan(length: n, horizon: h))
            #expect(plan.origins.count == origins)
            #expect(plan.stride == stride)
            #expect(plan.trainLength == Int(0.6 * Double(n)))
            #expect(plan.origins.first == plan.trainLength - 1)
            #expect(plan.origins.last! <= n - 1 - h)
            #expect(plan.origins.last! + stride > n - 1 - h)
        }
    }

    @Test func refusesStreamsWithoutAnOrigin() {
        #expect(BacktestPlan(length: 10, horizon: 5) == nil)
        #expect(BacktestPlan(length: 100, horizon: 0) == nil)
    }

    @Test func readsHorizonAndSeasonFromTheCatalog() throws {
        let json = #"{"taylor": {"m": 48, "H": 48, "n": 4032}, "broken": {"m": 0}}"#
        let catalog = try DatasetCatalog(json: Data(json.utf8))
        #expect(catalog.entries == ["taylor": .init(season: 48, horizon: 48)])
        #expect(throws: BacktestError.self) { try DatasetCatalog(json: Data("[1]".utf8)) }
    }
}

@Suite struct BacktestTests {
    @Test func writesTheScorersFormatAtExactlyTheProtocolOrigins() async throws {
        let recording = SyntheticRecording(length: 400, streams: ["a", "b"])
        let (lines, summary) = try await BacktestFixture.run(recording, BacktestFixture.settings())
        let plan = try #require(BacktestPlan(length: 400, horizon: 6))
        #expect(lines.count == 2 * plan.origins.count)
        #expect(summary.rows == lines.count)
        #expect(summary.modelVersion == 1)
        #expect(summary.fallbackRows == 0)
        var origins: [String: [String]] = [:]
        for line in lines {
            let row = try BacktestFixture.parse(line)
            #expect(row.dataset == "synthetic")
            #expect(Set(row.quantiles.keys) == Set(BacktestSettings.protocolLevels.map { "\($0)" }))
            #expect(row.quantiles.values.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isFinite) })
            for step in 0..<6 {
                let column = BacktestSettings.protocolLevels.map { row.quantiles["\($0)"]![step] }
                #expect(column == column.sorted())
            }
            origins[row.stream, default: []].append(row.origin)
        }
        let expected = plan.origins.map { UTCTimestamp.format(recording.start + Double($0) * 3600) }
        #expect(origins["a"] == expected)
        #expect(origins["b"] == expected)
    }

    @Test func retrainsOnTheDefaultScheduleOfDataTime() async throws {
        // Test part of 160 steps: a retrain every 40 steps after the first fit (at the last history step 239).
        let recording = SyntheticRecording(length: 400, noise: 0.1, testNoise: 0.4, switchAt: 240)
        let backtest = try Backtest(
            recording: try ReplayRecording(csv: recording.csv),
            settings: BacktestFixture.settings(retrainEvery: nil), logger: Logger(label: "test.backtest"))
        #expect(backtest.retrainEverySteps == 40)
        #expect(backtest.configuration.models[Backtest.groupName]!.retrain.every == .seconds(40 * 3600))
        #expect(backtest.configuration.models[Backtest.groupName]!.retrain.window == nil)
        let (_, summary) = try await BacktestFixture.run(recording, BacktestFixture.settings(retrainEvery: nil))
        #expect(summary.retrains["schedule"] == 4)  // steps 279, 319, 359, 399
        #expect(summary.promotions + summary.promotionsRefused == summary.retrains.values.reduce(0, +))
        #expect(summary.modelVersion == 1 + summary.promotions)
    }

    @Test(arguments: [DaemonConfiguration.PosteriorChoice.mcDropout, .sgld, .bbb])
    func eachPosteriorTrainsRetrainsAndForecastsReproducibly(
        posterior: DaemonConfiguration.PosteriorChoice
    )
        async throws
    {
        // Retrains warm-start from the active model: for SGLD that model carries particles the fit must set aside.
        let recording = SyntheticRecording(length: 300, noise: 0.1, testNoise: 0.4, switchAt: 200)
        var settings = BacktestFixture.settings(retrainEvery: 30)
        settings.group.posterior = posterior
        let first = try await BacktestFixture.run(recording, settings)
        #expect(first.summary.retrains["schedule", default: 0] >= 2)
        #expect(first.summary.modelVersion >= 1)
        #expect(!first.lines.isEmpty)
        let second = try await BacktestFixture.run(recording, settings)
        #expect(first.lines == second.lines)
        #expect(first.summary == second.summary)
    }

    @Test func sameSeedGivesIdenticalOutputWithRetraining() async throws {
        // Retrains every 20 steps and on drift (the noise quadruples): the trainer runs on its own thread while
        // the writer commits, and the rows must still not depend on thread timing.
        let recording = SyntheticRecording(length: 300, noise: 0.1, testNoise: 0.4, switchAt: 200)
        let settings = BacktestFixture.settings(retrainEvery: 20)
        let first = try await BacktestFixture.run(recording, settings)
        #expect(first.summary.retrains["schedule", default: 0] >= 3)
        let second = try await BacktestFixture.run(recording, settings)
        #expect(first.lines == second.lines)
        #expect(first.summary == second.summary)
        var other = settings
        other.group.seed = 4
        let third = try await BacktestFixture.run(recording, other)
        #expect(third.lines != first.lines)
    }

    @Test func restartMidStreamKeepsCalibratorHiddenStateAndSchedule() async throws {
        // Over-confident model (noise quadruples after the history), so the calibrator's offsets matter; retrains
        // every 30 steps, so the restart must also keep the schedule and the active version.
        let recording = SyntheticRecording(length: 400, noise: 0.1, testNoise: 0.4, switchAt: 240)
        let straight = try await BacktestFixture.run(recording, BacktestFixture.settings(retrainEvery: 30))
        #expect(straight.summary.retrains["schedule", default: 0] >= 4)
        var settings = BacktestFixture.settings(retrainEvery: 30)
        settings.restartAfterSteps = 45
        let restarted = try await BacktestFixture.run(recording, settings)
        #expect(restarted.lines.count == straight.lines.count)
        #expect(restarted.lines == straight.lines)
        #expect(restarted.summary == straight.summary)
        // A restart that lost the calibrator would differ: without calibration the rows are not the same.
        let uncalibrated = try await BacktestFixture.run(
            recording, BacktestFixture.settings(method: .none, retrainEvery: 30))
        #expect(uncalibrated.lines != straight.lines)
    }

    @Test func servesAChosenCheckpointVersionOfAKeptDatabase() async throws {
        let recording = SyntheticRecording(length: 300, noise: 0.1, testNoise: 0.4, switchAt: 200)
        let kept = try TemporaryDatabase(prefix: "barnnd-bt")
        let path = kept.path
        var keep = BacktestFixture.settings(retrainEvery: 20)
        keep.databasePath = path
        let retrained = try await BacktestFixture.run(recording, keep)
        // Version 1 served without retraining reproduces a run that never retrained.
        var served = BacktestFixture.settings(retrainEvery: 0)
        served.checkpoint = try Backtest.checkpoint(database: path, version: 1)
        let fixed = try await BacktestFixture.run(recording, BacktestFixture.settings(retrainEvery: 0))
        #expect(try await BacktestFixture.run(recording, served).lines == fixed.lines)
        #expect(
            try Backtest.checkpoint(database: path)
                == Backtest.checkpoint(database: path, version: retrained.summary.modelVersion))
        #expect(throws: BacktestError.self) { try Backtest.checkpoint(database: path, version: 99) }
    }

    @Test(arguments: [DaemonConfiguration.CalibrationMethod.aci, .rolling])
    func calibrationFixesAnOverConfidentModel(method: DaemonConfiguration.CalibrationMethod) async throws {
        // History with noise 0.1, then noise 0.5: the fitted model's intervals are far too narrow.
        let length = 4000
        let recording = SyntheticRecording(length: length, noise: 0.1, testNoise: 0.5, switchAt: 2400)
        let values = recording.values["a"]!
        var coverage: [DaemonConfiguration.CalibrationMethod: Double] = [:]
        for chosen in [DaemonConfiguration.CalibrationMethod.none, method] {
            var settings = BacktestFixture.settings(horizon: 2, method: chosen, paths: 32)
            settings.everyOrigin = true
            let (lines, _) = try await BacktestFixture.run(recording, settings)
            #expect(lines.count == length - 2 - 2400 + 1)
            var hits = 0
            var total = 0
            // Score the second half of the test part (the calibrator has seen ≥ 800 outcomes by then).
            for (offset, line) in lines.enumerated() where 2399 + offset >= 3200 {
                let origin = 2399 + offset
                let row = try BacktestFixture.parse(line)
                for step in 0..<2 {
                    let y = values[origin + 1 + step]
                    hits += (row.quantiles["0.05"]![step]...row.quantiles["0.95"]![step]).contains(y) ? 1 : 0
                    total += 1
                }
            }
            coverage[chosen] = Double(hits) / Double(total)
        }
        #expect(coverage[.none]! < 0.75)
        #expect(abs(coverage[method]! - 0.9) <= 0.03)
    }
}
