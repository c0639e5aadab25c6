import BARNN
import EngineTestKit
import Foundation
import Storage
import Testing

@testable import Configuration
@testable import Engine

@Suite struct EngineTrainingTests {
    @Test func firstTrainingRunsOnceMinHistoryIsStoredAndTheModelIsSwappedIn() async throws {
        let fixture = try EngineFixture()
        let engine = try fixture.engine(EngineFixture.configuration(horizon: 3, minHistory: 20, hiddenSize: 8))
        let streams = ["a", "b"]
        var started: Double?
        var startedAtStep = 0
        for step in 0..<40 {
            let output = EngineFixture.feed(engine, streams: streams, steps: step..<(step + 1))[0]
            try await fixture.apply(output)
            if started == nil, output.events.contains(where: { $0.kind == "training_started" }) {
                started = EngineFixture.start + 60 * Double(step) + 7
                startedAtStep = step
                #expect(engine.modelSummaries.first?.lastTraining == .running)
                break
            }
        }
        // min_history = 20 is per stream: 2 streams × 20 learned buckets (40 in total), not 20 in total.
        #expect(started != nil)
        #expect(startedAtStep >= 20, "started after \(startedAtStep) steps per stream")
        #expect(engine.counters.trainingsStarted == 1)
        #expect(engine.waitForTrainer(timeout: .seconds(120)))

        // The trainer stored and activated the checkpoint; the next tick swaps it in and re-warms the streams.
        let checkpoint = try #require(try fixture.store.activeCheckpoint(model: "default"))
        #expect(checkpoint.info.version == 1)
        let model = try BARNN.Checkpoint.decode(checkpoint.blob, expected: BARNNConfiguration(hiddenSize: 8))
        #expect(model.parameters.allSatisfy { $0.isFinite })
        let swap = EngineFixture.feed(engine, streams: streams, steps: 21..<22)[0]
        #expect(swap.events.map(\.kind).contains("training_succeeded"))
        try await fixture.apply(swap)
        #expect(engine.counters.trainingsSucceeded == 1)
        #expect(engine.modelSummaries.first?.kind == .barnn)
        #expect(engine.modelSummaries.first?.version == 1)
        #expect(engine.modelSummaries.first?.lastTraining == .succeeded(version: 1))
        let events = try fixture.store.events(kind: .trainingSucceeded)
        #expect(events.map(\.model) == ["default"])
        // Every stream has its min_history steps by the time the first model exists: all re-warm at the swap.
        #expect(engine.streams.values.allSatisfy { $0.recurrent != nil })
        var last = EngineOutput()
        for step in 22..<42 {
            last = EngineFixture.feed(engine, streams: streams, steps: step..<(step + 1))[0]
            try await fixture.apply(last)
        }
        for stream in streams {
            let state = try #require(engine.streams[stream]?.recurrent)
            #expect(state.hidden.allSatisfy { $0.isFinite })
            #expect(state.level?.isFinite == true)
        }
        let documents = try last.forecastDocuments()
        #expect(documents.count == 2)
        for document in documents {
            let info = try #require(document["model"] as? [String: Any])
            #expect(info["kind"] as? String == "barnn")
            #expect(info["version"] as? Int == 1)
        }
        #expect(last.forecastIssues.allSatisfy { $0.points.allSatisfy { $0.quantiles.allSatisfy { $0.isFinite } } })
        #expect(engine.counters.trainingsStarted == 1)  // no second first-training

        // A restart loads the trained checkpoint and keeps serving BARNN.
        try await fixture.apply(engine.shutdown(now: EngineFixture.start + 60 * 42))
        let restarted = try fixture.engine(
            EngineFixture.configuration(horizon: 3, minHistory: 40, hiddenSize: 8), now: EngineFixture.start + 60 * 42)
        #expect(restarted.modelSummaries.first?.version == 1)
        #expect(restarted.streams["a"]?.recurrent == engine.streams["a"]?.recurrent)
    }

    /// A group with a season trains a model that reads the seasonal input, says so in its event and checkpoint, and
    /// keeps each stream's last season in the saved state across a restart.
    @Test func aSeasonalGroupTrainsAndServesTheSeasonalInput() async throws {
        let fixture = try EngineFixture()
        var configuration = EngineFixture.configuration(horizon: 7, minHistory: 20, hiddenSize: 8)
        configuration.models["default"]?.season = 5
        let engine = try fixture.engine(configuration)
        let streams = ["a", "b"]
        for step in 0..<30 {
            try await fixture.apply(EngineFixture.feed(engine, streams: streams, steps: step..<(step + 1))[0])
        }
        #expect(engine.waitForTrainer(timeout: .seconds(120)))
        let checkpoint = try #require(try fixture.store.activeCheckpoint(model: "default"))
        let model = try BARNN.Checkpoint.decode(checkpoint.blob)
        #expect(model.configuration.seasonalLag == 5)
        var last = EngineOutput()
        for step in 30..<45 {
            last = EngineFixture.feed(engine, streams: streams, steps: step..<(step + 1))[0]
            try await fixture.apply(last)
        }
        let succeeded = try #require(try fixture.store.events(kind: .trainingSucceeded).first)
        guard case .trainingSucceeded(let outcome) = succeeded.detail else {
            Issue.record("not a training outcome: \(succeeded.kind)")
            return
        }
        #expect(outcome.inputs.seasonalLag == 5)
        for stream in streams {
            let state = try #require(engine.streams[stream]?.recurrent)
            #expect(state.recent.count == 5 && state.recent.allSatisfy(\.isFinite))
            #expect(state.pendingSeasonal.isFinite)
        }
        #expect(last.forecastIssues.count == 2)
        #expect(last.forecastIssues.allSatisfy { $0.points.allSatisfy { $0.quantiles.allSatisfy(\.isFinite) } })
        try await fixture.apply(engine.shutdown(now: EngineFixture.start + 60 * 45))
        let restarted = try fixture.engine(configuration, now: EngineFixture.start + 60 * 45)
        #expect(restarted.streams["a"]?.recurrent == engine.streams["a"]?.recurrent)
    }

    @Test func oldDataIsTrainedOnItsOwnClock() async throws {
        // Readings from 2014 replayed in 2026: retrain.history (14 days) counts back from the newest reading, so the
        // whole replay is history and the first training succeeds.
        let fixture = try EngineFixture()
        // Event cadence: a duration cadence closes buckets up to the clock, so it would refuse the replay as late.
        let engine = try fixture.engine(
            EngineFixture.configuration(cadence: .event, horizon: 3, minHistory: 40, hiddenSize: 8))
        let start = 1_390_000_000.0
        for step in 0..<60 {
            let t = start + 60 * Double(step) + 5
            for (i, stream) in ["a", "b"].enumerated() {
                engine.receive(
                    topic: "sensors/\(stream)",
                    payload: EngineFixture.payload(t: t, v: EngineFixture.value(stream: i, step: step)),
                    arrivalTime: EngineFixture.start + Double(step))
            }
            try await fixture.apply(engine.tick(now: EngineFixture.start + Double(step) + 0.5))
            if engine.counters.trainingsStarted == 1 { break }
        }
        #expect(engine.counters.trainingsStarted == 1)
        #expect(engine.waitForTrainer(timeout: .seconds(120)))
        let swap = engine.tick(now: EngineFixture.start + 100)
        #expect(swap.events.map(\.kind).contains("training_succeeded"))
        #expect(engine.counters.trainingsFailed == 0)
    }

    @Test func aFailedTrainingKeepsTheFallbackAndIsCounted() async throws {
        let fixture = try EngineFixture()
        var options = EngineFixture.tinyTraining
        options.batchSize = 1  // BARNNTrainer refuses batch sizes below 2
        let engine = try ForecastEngine(
            configuration: EngineFixture.configuration(horizon: 3, minHistory: 20), store: fixture.store,
            logger: fixture.logger, now: EngineFixture.start, training: options)
        for step in 0..<25 {
            try await fixture.apply(EngineFixture.feed(engine, streams: ["a"], steps: step..<(step + 1))[0])
            if engine.counters.trainingsStarted == 1 { break }
        }
        #expect(engine.counters.trainingsStarted == 1)
        #expect(engine.waitForTrainer(timeout: .seconds(60)))
        let output = EngineFixture.feed(engine, streams: ["a"], steps: 25..<26)[0]
        #expect(output.events.map(\.kind).contains("training_failed"))
        #expect(engine.counters.trainingsFailed == 1)
        #expect(engine.modelSummaries.first?.kind == .fallback)
        guard case .failed = engine.modelSummaries.first?.lastTraining else {
            Issue.record("expected a failed training status")
            return
        }
        #expect(try fixture.store.activeCheckpoint(model: "default") == nil)
    }
}
