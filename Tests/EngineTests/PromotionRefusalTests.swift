import BARNN
import EngineTestKit
import Forecasting
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine
@testable import Formats
@testable import Trainer

/// The promotion gate inside a running engine: a retrain whose candidate scores worse is refused and reported.
@Suite struct PromotionRefusalTests {
    @Test func aDeliberatelyWorseCandidateIsNotPromoted() async throws {
        let fixture = try EngineFixture()
        // The active model: trained properly on the same kind of series.
        let value = SyntheticSeries.regime(change: .max)
        let times = (0..<400).map { EngineFixture.start + 60 * Double($0) }
        let values = (0..<400).map { Float(value($0)) }
        var good = EngineFixture.tinyTraining
        good.steps = 300
        good.window = 32
        good.burnIn = 8
        let trained = try BARNNTrainer.train(
            series: [
                TrainingSeries(
                    values: values,
                    timeFeatures: CalendarFeatures.hourAndWeek.features(unixTimes: times))
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
