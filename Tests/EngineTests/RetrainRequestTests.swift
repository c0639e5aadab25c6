import BARNN
import EngineTestKit
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine
@testable import Formats
@testable import Trainer

/// Retraining asked for through the database (`barnnd train`), rollbacks (`barnnd rollback`) and `keep_last`.
@Suite struct RetrainRequestTests {
    static func configuration(keepLast: Int = 5, tolerance: Double = 1) -> DaemonConfiguration {
        var configuration = EngineFixture.configuration(horizon: 3, minHistory: 40)
        configuration.models["default"]!.retrain.every = .seconds(30 * 86400)
        configuration.models["default"]!.retrain.keepLast = keepLast
        configuration.models["default"]!.retrain.promotionTolerance = tolerance
        return configuration
    }

    @Test func aTrainRequestFromTheDatabaseIsHonouredAndItsOutcomeIsAnEvent() async throws {
        let fixture = try EngineFixture()
        var driver = RetrainDriver(fixture: fixture, engine: try fixture.engine(Self.configuration()))
        let series = SyntheticSeries.regime(change: .max)
        try await driver.feed(0..<60, value: series)
        #expect(driver.engine.waitForTrainer(timeout: .seconds(120)))
        try await driver.feed(60..<62, value: series)
        #expect(driver.engine.modelSummaries.first?.version == 1)  // the first training

        let cli = try driver.cliStore()
        let writer = cli.makeWriter()
        let id = try await TrainRequest.submit(
            writer: writer, model: "default", timeUs: UTCTimestamp.saturatingMicroseconds(RetrainDriver.time(62)))
        try await driver.feed(62..<63, value: series)
        let started = try #require(driver.events("training_started").last)
        #expect(started.step == 62)
        #expect(try RetrainDriver.detail(started.event)["request"] as? String == id)
        #expect(try RetrainDriver.detail(started.event)["trigger"] as? String == "request")
        #expect(driver.engine.waitForTrainer(timeout: .seconds(120)))
        try await driver.feed(63..<64, value: series)
        let outcome = try #require(try TrainRequest.outcome(store: cli, id: id, sinceUs: 0))
        #expect(TrainRequest.outcomeKinds.map(\.rawValue).contains(outcome.kind))
        let detail = try RetrainDriver.detail(outcome)
        #expect(detail["request"] as? String == id)
        #expect(detail["candidate"] is [String: Any])
        #expect(detail["active"] is [String: Any])  // both scores, either way
        // Acted on once: later polls do not start it again.
        try await driver.feed(64..<70, value: series)
        #expect(driver.events("training_started").count == 2)

        // A request for an unknown group is answered with a failure.
        let unknown = try await TrainRequest.submit(
            writer: writer, model: "nope", timeUs: UTCTimestamp.saturatingMicroseconds(RetrainDriver.time(70)))
        try await driver.feed(70..<71, value: series)
        #expect(try TrainRequest.outcome(store: cli, id: unknown, sinceUs: 0)?.kind == "training_failed")
        await writer.close()
    }

    @Test func rollbackReactivatesAVersionAndTheEngineSwapsAndRewarms() async throws {
        let fixture = try EngineFixture()
        let v1 = try fixture.activateSeededModel()
        let other = BARNNModel(configuration: BARNNConfiguration(hiddenSize: 8), seed: 99)
        try fixture.store.saveCheckpoint(
            NewCheckpoint(model: "default", createdAtUs: 1, blob: BARNN.Checkpoint.encode(other)), activate: true,
            keepLast: 5)
        var driver = RetrainDriver(fixture: fixture, engine: try fixture.engine(Self.configuration()))
        let series = SyntheticSeries.regime(change: .max)
        try await driver.feed(0..<45, value: series)
        #expect(driver.engine.modelSummaries.first?.version == 2)
        let before = try #require(driver.engine.streams["a"]?.recurrent)

        let cli = try driver.cliStore()
        let writer = cli.makeWriter()
        let previous = try await CheckpointRollback.activate(
            store: cli, writer: writer, model: "default", version: v1.version, timeUs: 0)
        #expect(previous == 2)
        try await driver.feed(45..<46, value: series)
        let activated = try #require(driver.events("model_activated").first)
        #expect(try RetrainDriver.detail(activated.event)["version"] as? Int == 1)
        #expect(try RetrainDriver.detail(activated.event)["previous"] as? Int == 2)
        #expect(driver.engine.modelSummaries.first?.version == 1)
        #expect(driver.engine.counters.activationsApplied == 1)
        // Re-warmed with the old model (a different hidden state), and the forecast of the same tick carries v1.
        let after = try #require(driver.engine.streams["a"]?.recurrent)
        #expect(after.hidden != before.hidden)
        let document = try #require(try driver.outputs.last!.output.forecastDocuments().first)
        #expect((document["model"] as? [String: Any])?["version"] as? Int == 1)
        #expect(try fixture.store.events(kind: .checkpointActivated).count == 1)
        // Rolling back to a version that is not stored fails with notFound.
        await #expect(throws: StorageError.self) {
            _ = try await CheckpointRollback.activate(
                store: cli, writer: writer, model: "default", version: 9, timeUs: 0)
        }
        await writer.close()
    }

    @Test func checkpointsBeyondKeepLastArePruned() async throws {
        let fixture = try EngineFixture()
        var driver = RetrainDriver(
            fixture: fixture, engine: try fixture.engine(Self.configuration(keepLast: 2, tolerance: 1)))
        let series = SyntheticSeries.regime(change: .max)
        try await driver.feed(0..<60, value: series)
        #expect(driver.engine.waitForTrainer(timeout: .seconds(120)))
        var step = 60
        let cli = try driver.cliStore()
        let writer = cli.makeWriter()
        for _ in 0..<3 {
            _ = try await TrainRequest.submit(
                writer: writer, model: "default", timeUs: UTCTimestamp.saturatingMicroseconds(RetrainDriver.time(step)))
            try await driver.feed(step..<(step + 1), value: series)
            #expect(driver.engine.waitForTrainer(timeout: .seconds(120)))
            try await driver.feed((step + 1)..<(step + 8), value: series)
            step += 8
        }
        #expect(driver.events("training_succeeded").count == 4)
        let stored = try fixture.store.checkpoints(model: "default")
        #expect(stored.map(\.version) == [4, 3])
        #expect(stored.first?.isActive == true)
        #expect(driver.engine.modelSummaries.first?.version == 4)
        await writer.close()
    }
}
