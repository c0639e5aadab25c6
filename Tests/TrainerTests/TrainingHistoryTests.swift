import EngineTestKit
import Forecasting
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
}
