import BARNN
import EngineTestKit
import Forecasting
import Foundation
import Storage
import Testing

@testable import Engine
@testable import Formats
@testable import Trainer

/// The series a retrain reads: the context where it reaches back over `retrain.history`, the Store only for the
/// older part, never rows newer than the job.
@Suite struct TrainingHistoryTests {
    /// Steps at minutes `minutes` with value = minute.
    static func steps(_ minutes: some Sequence<Int>) -> [Observation] {
        minutes.map { Observation(t: EngineFixture.start + Double($0) * 60, value: Double($0)) }
    }

    static func microseconds(minute: Int) -> Int64 {
        UTCTimestamp.saturatingMicroseconds(EngineFixture.start + Double(minute) * 60)
    }

    /// A Store holding minutes `stored` of stream "s" (committed).
    static func fixture(stored: some Sequence<Int>) async throws -> EngineFixture {
        let fixture = try EngineFixture()
        var output = EngineOutput()
        for step in steps(stored) {
            output.writes.append(
                .observation(stream: "s", tUs: UTCTimestamp.saturatingMicroseconds(step.t), value: step.value))
        }
        try await fixture.apply(output)
        return fixture
    }

    @Test func contextCoveringTheHistoryIsUsedAloneWhateverTheStoreHolds() async throws {
        // The Store is ahead of the context (minutes 100…119 committed after the job was queued): not read.
        let fixture = try await Self.fixture(stored: 0..<120)
        let context = Self.steps(10..<100)
        let series = ModelTrainer.historySteps(
            stream: "s", context: context, historyStartUs: Self.microseconds(minute: 20), store: fixture.store)
        #expect(series.map(\.value) == (21..<100).map { Double($0) })
    }

    @Test func storeSuppliesOnlyThePartOlderThanTheContext() async throws {
        // The writer lags (minutes 90…99 only in the context) and the Store has rows newer than the job (≥ 100).
        let fixture = try await Self.fixture(stored: Array(0..<90) + Array(100..<120))
        let context = Self.steps(60..<100)
        let series = ModelTrainer.historySteps(
            stream: "s", context: context, historyStartUs: Self.microseconds(minute: 5), store: fixture.store)
        #expect(series.map(\.value) == (6..<100).map { Double($0) })
        #expect(zip(series, series.dropFirst()).allSatisfy { $0.t < $1.t })
    }

    @Test func aNewStreamTrainsOnItsContext() async throws {
        let fixture = try await Self.fixture(stored: [])
        let context = Self.steps(0..<40)
        let series = ModelTrainer.historySteps(
            stream: "s", context: context, historyStartUs: Self.microseconds(minute: -1000), store: fixture.store)
        #expect(series == context)
    }

    /// Streams of one group on different clocks (the web view's demo replays 2014 electricity beside 2022 water
    /// flow): each keeps `retrain.history` back from its own newest step. Counted from the group's newest step, the
    /// older stream's whole history fell outside it, and a first training that started while the newer stream had
    /// under 16 steps failed with "no stream has 16 steps" (seen once in CI).
    @Test func eachStreamsHistoryCountsBackFromItsOwnNewestStep() async throws {
        let fixture = try await Self.fixture(stored: [])
        let old = (0..<200).map { Observation(t: 1_388_534_400 + 1800 * Double($0), value: sin(Double($0) / 5)) }
        let new = Self.steps(0..<10)
        var options = EngineFixture.tinyTraining
        options.steps = 2
        let job = TrainingJob(
            group: "default", configuration: BARNNConfiguration(hiddenSize: 8), options: options,
            streams: [("old", old, old.count), ("new", new, new.count)], historySeconds: 14 * 86_400, keepLast: 5,
            createdAtUs: 0, trigger: .first,
            gate: PromotionGate(
                levels: try QuantileLevels([0.05, 0.5, 0.95]), paths: 8, horizon: 2, tolerance: 1, seed: 1,
                validationFraction: 0.2))
        let trained = try ModelTrainer.train(job, store: fixture.store, logger: fixture.logger).get()
        #expect(trained.model.parameters.allSatisfy { $0.isFinite })
    }
}
