import BARNN
import Forecasting
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine
@testable import Formats
@testable import Trainer

/// The promotion gate: the verdict's arithmetic, common random numbers, and a deliberately worse candidate.
@Suite struct PromotionGateTests {
    static func gate(tolerance: Double, horizon: Int = 1) throws -> PromotionGate {
        PromotionGate(
            levels: try QuantileLevels([0.05, 0.25, 0.5, 0.75, 0.95]), paths: 32, horizon: horizon,
            tolerance: tolerance, seed: 7, validationFraction: 0.25)
    }

    static func scores(crps: Double, coverage90: Double, coverage50: Double) -> PromotionGate.Scores {
        PromotionGate.Scores(count: 100, crps: crps, coverage: [(0.5, coverage50), (0.9, coverage90)])
    }

    @Test func theVerdictAllowsExactlyTheTolerance() throws {
        let gate = try Self.gate(tolerance: 0.1)
        let active = Self.scores(crps: 1.0, coverage90: 0.9, coverage50: 0.4)  // coverage error 0.05
        #expect(abs(active.coverageError - 0.05) < 1e-12)
        #expect(gate.passes(Self.scores(crps: 1.1, coverage90: 0.9, coverage50: 0.4), against: active))
        #expect(!gate.passes(Self.scores(crps: 1.11, coverage90: 0.9, coverage50: 0.4), against: active))
        // Coverage error 0.14 < 0.05 + 0.1 passes; 0.2 does not.
        #expect(gate.passes(Self.scores(crps: 0.5, coverage90: 0.82, coverage50: 0.3), against: active))
        #expect(!gate.passes(Self.scores(crps: 0.5, coverage90: 0.7, coverage50: 0.3), against: active))
        let strict = try Self.gate(tolerance: 0)
        #expect(strict.passes(active, against: active))
        #expect(!strict.passes(PromotionGate.Scores(count: 0, crps: .nan, coverage: []), against: active))
    }

    @Test func aModelComparedWithItselfScoresIdenticallyAndPasses() throws {
        let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 5)
        let series = Self.series(steps: 200)
        let comparison = try Self.gate(tolerance: 0).compare(
            candidate: model, active: (model, 1), series: [series])
        #expect(comparison.active == comparison.candidate)
        #expect(comparison.candidate.count == 50)
        #expect(comparison.promote)
    }

    @Test func windowsCoverTheWholeHorizonFromOverlappingOrigins() throws {
        let model = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 5)
        let series = Self.series(steps: 200)
        // 50 validation steps; H 8 puts an origin every 2 steps: 25 windows of 8 steps, cut at the series' end.
        let gate = try Self.gate(tolerance: 0, horizon: 8)
        #expect(gate.originStride == 2)
        let scores = gate.score(model, series: [series])
        let expected = stride(from: 150, to: 200, by: 2).reduce(0) { $0 + min(8, 200 - $1) }
        #expect(scores.count == expected)
        // Longer horizons are harder: the pooled CRPS exceeds the one-step CRPS of the same model.
        let oneStep = try Self.gate(tolerance: 0).score(model, series: [series])
        #expect(oneStep.count == 50)
        #expect(scores.crps > oneStep.crps)
    }

    static func series(steps: Int) -> PromotionGate.Series {
        let value = SyntheticSeries.regime(change: .max)
        let times = (0..<steps).map { EngineFixture.start + 60 * Double($0) }
        return PromotionGate.Series(
            values: (0..<steps).map { Float(value($0)) }, times: times)
    }

    @Test func aDeliberatelyWorseCandidateIsNotPromoted() async throws {
        let fixture = try EngineFixture()
        // The active model: trained properly on the same kind of series.
        let training = Self.series(steps: 400)
        var good = EngineFixture.tinyTraining
        good.steps = 300
        good.window = 32
        good.burnIn = 8
        let trained = try BARNNTrainer.train(
            series: [
                TrainingSeries(
                    values: training.values,
                    timeFeatures: CalendarFeatures.hourAndWeek.features(unixTimes: training.times))
            ],
            configuration: BARNNConfiguration(hiddenSize: 8), options: good)
        try fixture.store.saveCheckpoint(
            NewCheckpoint(model: "default", createdAtUs: 0, blob: BARNN.Checkpoint.encode(trained.model)),
            activate: true, keepLast: 5)
        // The candidate: two Adam steps at a negligible rate, i.e. the untrained seeded model.
        var worse = EngineFixture.tinyTraining
        worse.steps = 2
        worse.learningRate = 1e-9
        var configuration = RetrainRequestTests.configuration(tolerance: 0.02)
        configuration.models["default"]!.retrain.every = .seconds(30 * 86400)
        // From fresh weights: a warm start would begin at the good model and stay there.
        configuration.models["default"]!.retrain.warmStart = false
        let engine = try ForecastEngine(
            configuration: configuration, store: fixture.store, logger: fixture.logger, now: EngineFixture.start,
            training: worse)
        var driver = RetrainDriver(fixture: fixture, engine: engine)
        let series = SyntheticSeries.regime(change: .max)
        try await driver.feed(0..<120, value: series)
        let cli = try driver.cliStore()
        let writer = cli.makeWriter()
        let id = try await TrainRequest.submit(
            writer: writer, model: "default", timeUs: UTCTimestamp.saturatingMicroseconds(RetrainDriver.time(120)))
        try await driver.feed(120..<121, value: series)
        #expect(engine.waitForTrainer(timeout: .seconds(120)))
        try await driver.feed(121..<122, value: series)
        let outcome = try #require(try TrainRequest.outcome(store: cli, id: id, sinceUs: 0))
        #expect(outcome.kind == "training_rejected")
        let detail = try RetrainDriver.detail(outcome)
        let candidate = try #require(detail["candidate"] as? [String: Any])
        let active = try #require(detail["active"] as? [String: Any])
        print("worse candidate: \(candidate), active: \(active)")
        #expect(try #require(candidate["crps"] as? Double) > (try #require(active["crps"] as? Double)) * 1.02)
        #expect(detail["promoted"] as? Bool == false)
        #expect(engine.modelSummaries.first?.version == 1)
        #expect(engine.counters.promotionsRefused == 1)
        #expect(try fixture.store.checkpoints(model: "default").map(\.version) == [1])  // nothing stored
        await writer.close()
    }
}
