import Configuration
import EngineTestKit
import Storage
import Testing

@testable import Engine

/// Periodic saves of a fleet larger than `stateSaveBatch` are spread over ticks: every changed state is saved once
/// an interval, but no tick encodes and writes the whole fleet at once.
@Suite struct EnginePeriodicSaveTests {
    /// Three batches and a bit.
    static let ids = (0..<(ForecastEngine.stateSaveBatch * 3 + 17)).map { "s\($0)" }

    /// A fleet fed steps 0...8 (never saved yet) on an engine whose save rounds start every 600 s.
    static func fedFleet(_ fixture: EngineFixture) throws -> ForecastEngine {
        var configuration = EngineFixture.configuration(horizon: 3, maxStreams: 1_000)
        configuration.engine.stateSaveInterval = .seconds(600)
        let engine = try fixture.engine(configuration)
        let outputs = EngineFixture.feed(engine, streams: ids, steps: 0..<9)
        #expect(outputs.allSatisfy { $0.streamStates.isEmpty })
        return engine
    }

    @Test func aRoundIsSpreadOverTicksAndSavesEveryStreamOnce() throws {
        let fixture = try EngineFixture()
        let engine = try Self.fedFleet(fixture)
        // Ticks 10 s apart: a tick's share, 401 · 10 / 600 streams, is below the batch, so each visits a batch.
        let outputs = (0..<6).map { engine.tick(now: EngineFixture.start + 600 + 10 * Double($0)) }
        let batch = ForecastEngine.stateSaveBatch
        #expect(outputs.map(\.streamStates.count) == [batch, batch, batch, 17, 0, 0])
        let saved = outputs.flatMap(\.streamStates).map(\.stream)
        #expect(saved.sorted() == Self.ids.sorted())
        #expect(engine.counters.stateSaves == Self.ids.count)
    }

    @Test func sparseTicksVisitTheirShareOfTheRound() throws {
        let fixture = try EngineFixture()
        let engine = try Self.fedFleet(fixture)
        // 600 s: the round starts, one batch (128). 900 s: half the interval, ⌈401 / 2⌉ streams. 1200 s: the rest of
        // the first round (72), then the first batch of the next; every stream learned a gap step since, so all changed.
        let outputs = [600.0, 900, 1200].map { engine.tick(now: EngineFixture.start + $0) }
        #expect(outputs.map(\.streamStates.count) == [128, 201, 72 + 128])
        let firstRound = outputs.flatMap(\.streamStates).prefix(Self.ids.count).map(\.stream)
        #expect(firstRound.sorted() == Self.ids.sorted())
    }

    @Test func shutdownSavesTheStreamsTheRoundHasNotReached() throws {
        let fixture = try EngineFixture()
        let engine = try Self.fedFleet(fixture)
        #expect(engine.tick(now: EngineFixture.start + 600).streamStates.count == ForecastEngine.stateSaveBatch)
        let last = engine.shutdown(now: EngineFixture.start + 601)
        #expect(last.streamStates.map(\.stream).sorted() == Self.ids.sorted())
    }
}
